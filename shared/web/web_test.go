package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/shortuuid"
)

// fakeAssets writes stand-ins for webtorrent's two dist files.
func fakeAssets(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"webtorrent.min.js": "export default class WebTorrent {}\n",
		"sw.min.js": "self.addEventListener('fetch', () => {})\n", "webtorrent.min.js.map": "{}"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestWatchAndEmbedPages(t *testing.T) {
	s := newSite(t, siteOptions{assetsDir: fakeAssets(t)})
	for _, path := range []string{WatchPath + publicUUID, WatchPath + shortuuid.FromUUID(publicUUID), EmbedPath + publicUUID} {
		resp, body := s.get(t, path, "Accept", "text/html")
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if resp.Header.Get("Vary") != "Accept" {
			t.Errorf("%s: Vary %q, want Accept (the URL also serves ActivityPub)", path, resp.Header.Get("Vary"))
		}
		for _, want := range []string{
			`<title>Test pattern 5a1e</title>`,
			`data-video="` + publicUUID + `"`,
			`data-webtorrent="1"`,
			`data-scope="/videos/"`,
			`<script type="module" src="/player/player.js">`,
			`<meta property="og:url" content="` + s.url + `/videos/watch/` + publicUUID + `">`,
			`<meta property="og:image" content="` + s.url + `/lazy-static/previews/` + publicUUID + `.jpg">`,
			// Escaped, not markup.
			`content="A test pattern &amp; a tone &lt;for the player&gt;."`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
		embed := strings.HasPrefix(path, EmbedPath)
		if got := strings.Contains(body, `data-embed="1"`); got != embed {
			t.Errorf("%s: embed marker %v, want %v", path, got, embed)
		}
	}

	// A private video's page names nothing about it; the player asks the
	// API, which refuses.
	resp, body := s.get(t, WatchPath+privateUUID)
	if resp.StatusCode != 200 || strings.Contains(body, "Test pattern") || strings.Contains(body, "og:title") {
		t.Errorf("private video page: %d, leaks its name: %v", resp.StatusCode, strings.Contains(body, "Test pattern"))
	}

	// Unknown, malformed and other paths get the not-found page.
	for _, path := range []string{WatchPath + "0f0e0d0c-0b0a-4909-8807-060504030201", WatchPath + "not-a-video",
		EmbedPath + "%00", WatchPath + publicUUID + "/extra"} {
		resp, body := s.get(t, path)
		if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, "<h1>") {
			t.Errorf("%s: %d %s, want the 404 page", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}

	rec := httptest.NewRecorder()
	New(Config{Store: s.st}).ServeHTTP(rec, httptest.NewRequest("GET", "/videos/unknown/"+publicUUID, nil))
	if rec.Code != 404 || !strings.Contains(rec.Body.String(), "<h1>Page not found</h1>") {
		t.Errorf("a path the handler does not serve: %d %s", rec.Code, rec.Body)
	}

	// HEAD answers like GET, without a body.
	req, _ := http.NewRequest("HEAD", s.url+WatchPath+publicUUID, nil)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 || resp.ContentLength > 0 {
		t.Errorf("HEAD watch page: %v %v", err, resp)
	}
}

func TestPlayerFiles(t *testing.T) {
	s := newSite(t, siteOptions{assetsDir: fakeAssets(t)})
	for path, want := range map[string]string{
		PlayerPath + "player.js":         "text/javascript; charset=utf-8",
		PlayerPath + "player.css":        "text/css; charset=utf-8",
		PlayerPath + "webtorrent.min.js": "text/javascript; charset=utf-8",
		ServiceWorkerPath:                "text/javascript; charset=utf-8",
	} {
		resp, body := s.get(t, path)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != want || body == "" || resp.Header.Get("ETag") == "" {
			t.Errorf("%s: %d %q (%d bytes)", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
		sw := resp.Header.Get("Service-Worker-Allowed")
		if (path == ServiceWorkerPath) != (sw == ServiceWorkerScope) {
			t.Errorf("%s: Service-Worker-Allowed %q", path, sw)
		}
		// Revalidation by ETag.
		resp, _ = s.get(t, path, "If-None-Match", resp.Header.Get("ETag"))
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d, want 304", path, resp.StatusCode)
		}
	}
	// Only the named files: no listing, nothing else from the directory.
	for _, path := range []string{PlayerPath, PlayerPath + "webtorrent.min.js.map", PlayerPath + "..%2fweb.go",
		PlayerPath + "static/player.js"} {
		if resp, _ := s.get(t, path); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
	// The player's own files are served with or without webtorrent's.
	bare := newSite(t, siteOptions{})
	if resp, _ := bare.get(t, PlayerPath+"player.js"); resp.StatusCode != 200 {
		t.Errorf("player.js without an assets dir: %d", resp.StatusCode)
	}
	if resp, _ := bare.get(t, ServiceWorkerPath); resp.StatusCode != 404 {
		t.Errorf("sw.min.js without an assets dir: %d", resp.StatusCode)
	}
	if _, body := bare.get(t, WatchPath+publicUUID); !strings.Contains(body, `data-webtorrent="0"`) {
		t.Error("the page does not tell the player webtorrent is missing")
	}
}

func TestTruncate(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"  padded  ", 10, "padded"},
		{"one two three four", 12, "one two…"},
		{"éééééééééé", 4, "éééé…"},
	} {
		if got := truncate(c.in, c.n); got != c.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
