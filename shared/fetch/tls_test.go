package fetch_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/fetch"
)

// writeCA writes the test server's certificate as a PEM CA file.
func writeCA(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func gzipZeros(t *testing.T, n int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHTTPSWithATestCA(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("secure " + r.Host))
	}))
	defer srv.Close()
	ctx := context.Background()

	plain := newClient(t, fetch.Options{AllowLoopbackHTTP: true})
	_, _, err := plain.Get(ctx, srv.URL, "", nil)
	if err == nil {
		t.Fatal("a certificate from an unknown authority was accepted without CAFile")
	}
	if errors.Is(err, fetch.ErrBlocked) || fetch.Retryable(err) {
		t.Errorf("unknown authority: err = %v (retryable %v), want a certificate error that is not retried", err, fetch.Retryable(err))
	}

	ca := writeCA(t, srv)
	trusting := newClient(t, fetch.Options{AllowLoopbackHTTP: true, CAFile: ca})
	body, _, err := trusting.Get(ctx, srv.URL, "", nil)
	if err != nil || !strings.HasPrefix(string(body), "secure 127.0.0.1:") {
		t.Fatalf("with CAFile: body %q, err %v", body, err)
	}
	// The certificate is checked against the URL's host name (httptest's
	// certificate is valid for example.com, not for other names).
	p := port(t, srv)
	named := newClient(t, fetch.Options{AllowLoopbackHTTP: true, CAFile: ca, Resolver: hosts{
		"example.com": {"127.0.0.1"}, "other.test": {"127.0.0.1"},
	}})
	if body, _, err := named.Get(ctx, "https://example.com:"+p+"/", "", nil); err != nil || string(body) != "secure example.com:"+p {
		t.Errorf("https://example.com: body %q, err %v", body, err)
	}
	if _, _, err := named.Get(ctx, "https://other.test:"+p+"/", "", nil); err == nil {
		t.Error("a certificate for another name was accepted")
	}
	// The loopback address is still refused without AllowLoopbackHTTP,
	// over https too.
	strict := newClient(t, fetch.Options{CAFile: ca})
	if _, _, err := strict.Get(ctx, srv.URL, "", nil); !errors.Is(err, fetch.ErrBlocked) {
		t.Errorf("https loopback without the option: err = %v, want ErrBlocked", err)
	}

	for _, bad := range []string{filepath.Join(t.TempDir(), "missing.pem"), writeFile(t, "not a certificate")} {
		if _, err := fetch.New(fetch.Options{CAFile: bad}); err == nil {
			t.Errorf("New accepted CA file %s", bad)
		}
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestURLSchemesOtherThanHTTPAreRefused(t *testing.T) {
	srv := newCounted(t, ok)
	h := strings.TrimPrefix(srv.URL, "http://")
	c := newClient(t, fetch.Options{AllowLoopbackHTTP: true, AllowHTTP: true})
	for _, raw := range []string{
		"file:///etc/passwd",
		"file://" + h + "/etc/passwd",
		"gopher://" + h + "/_GET%20/",
		"data:text/plain,hello",
		"ftp://" + h + "/",
		"javascript:alert(1)",
		"mailto:root@" + h,
		"ws://" + h + "/",
		"//" + h + "/",
		"/relative/path",
		"",
		"http://",
		"https:///no-host",
		"http:" + h,
		"http://user:secret@" + h + "/",
		"http://user@" + h + "/",
		"http://" + h + "\x00/",
	} {
		_, _, err := c.Get(context.Background(), raw, "", nil)
		if !errors.Is(err, fetch.ErrBadURL) {
			t.Errorf("Get(%q): err = %v, want ErrBadURL", raw, err)
		}
		if _, _, err := c.Post(context.Background(), raw, []byte("{}"), "application/json", nil); !errors.Is(err, fetch.ErrBadURL) {
			t.Errorf("Post(%q): err = %v, want ErrBadURL", raw, err)
		}
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("refused URLs reached the server %d times", n)
	}
	// Upper-case schemes are schemes too.
	if body, _, err := c.Get(context.Background(), "HTTP://"+h+"/", "", nil); err != nil || string(body) != "hello" {
		t.Errorf("HTTP:// URL: body %q, err %v", body, err)
	}
}
