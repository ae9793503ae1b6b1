package localstack

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/topology"
)

func TestStackRoutesAsTopology(t *testing.T) {
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.PublicURL = "http://localhost:9000"
	s, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	handlers := s.functionHandlers()
	for _, fn := range topology.Functions {
		if _, ok := handlers[fn.Name]; len(fn.Routes) > 0 && !ok {
			t.Errorf("function %s has routes but no local handler", fn.Name)
		}
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	for path, want := range map[string]int{
		"/api/v1/config":           200,
		"/api/v1/videos/privacies": 200,
		"/api/v1/users/me":         401,
		"/local-blob/anything?x=1": 403, // unsigned: refused
	} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	// Durable state lives in the data directory, secrets private.
	for _, name := range []string{"table.db", "queues.db", "blob-secret", "blobs"} {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if st, _ := os.Stat(filepath.Join(cfg.DataDir, "blob-secret")); st == nil || st.Mode().Perm() != 0o600 {
		t.Errorf("blob-secret is not private: %v", st)
	}
}
