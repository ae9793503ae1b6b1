package localstack

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/vidiverse/vidiverse/shared/config"
)

// TestStackServesDiscoveryAndActors runs the local instance over HTTP and
// reads what a remote server reads first; the actors' keys survive a
// restart (the KEK file in the data directory unseals them).
func TestStackServesDiscoveryAndActors(t *testing.T) {
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.PublicURL = "http://localhost:9000"
	cfg.AdminPassword = "a-long-admin-password"
	keyOf := func() map[string]string {
		s, err := Open(context.Background(), cfg, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if _, err := s.Bootstrap(context.Background()); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(s.Handler())
		defer srv.Close()
		get := func(path, accept string) (int, string, map[string]any) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			var doc map[string]any
			json.Unmarshal(body, &doc)
			return res.StatusCode, res.Header.Get("Content-Type"), doc
		}
		code, _, doc := get("/.well-known/webfinger?resource=acct:root@localhost:9000", "")
		if code != 200 || doc["subject"] != "acct:root@localhost:9000" {
			t.Fatalf("webfinger root: %d %v", code, doc)
		}
		if code, _, doc = get("/.well-known/nodeinfo", ""); code != 200 || doc["links"] == nil {
			t.Errorf("nodeinfo links: %d %v", code, doc)
		}
		if code, _, doc = get("/nodeinfo/2.0.json", ""); code != 200 || doc["software"] == nil {
			t.Errorf("nodeinfo: %d %v", code, doc)
		}
		if code, _, _ = get("/.well-known/host-meta", ""); code != 200 {
			t.Errorf("host-meta: %d", code)
		}
		if code, _, _ = get("/accounts/root", "text/html"); code != http.StatusNotAcceptable {
			t.Errorf("account for a browser: %d", code)
		}
		if code, _, _ = get("/accounts/root/outbox?page=1", "application/activity+json"); code != 200 {
			t.Errorf("outbox page: %d", code)
		}
		keys := map[string]string{}
		for path, typ := range map[string]string{
			"/accounts/root": "Person", "/accounts/peertube": "Application", "/video-channels/root_channel": "Group",
		} {
			code, ct, doc := get(path, "application/activity+json")
			if code != 200 || ct != "application/activity+json; charset=utf-8" || doc["type"] != typ ||
				doc["id"] != cfg.PublicURL+path {
				t.Fatalf("%s: %d %s %v", path, code, ct, doc)
			}
			keys[path] = doc["publicKey"].(map[string]any)["publicKeyPem"].(string)
		}
		return keys
	}
	first := keyOf()
	if st, err := os.Stat(filepath.Join(cfg.DataDir, "actor-kek")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("actor-kek: %v %v", st, err)
	}
	second := keyOf()
	for path, pem := range first {
		if second[path] != pem {
			t.Errorf("%s: key changed across a restart", path)
		}
	}
}
