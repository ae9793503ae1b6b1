package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// webTorrentFiles are the files of webtorrent's dist/ the pages use.
var webTorrentFiles = []string{"webtorrent.min.js", "sw.min.js"}

// asset is one file under PlayerPath, read once.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// assets are the player's files: its own (embedded) and webtorrent's
// (read from the assets directory when the handler is made).
type assets struct {
	files   map[string]asset
	modTime time.Time
}

func newAssets(dir string) *assets {
	a := &assets{files: map[string]asset{}, modTime: time.Now()}
	entries, _ := staticFS.ReadDir("static")
	for _, e := range entries {
		b, err := staticFS.ReadFile("static/" + e.Name())
		if err == nil {
			a.add(e.Name(), b)
		}
	}
	if dir != "" {
		for _, name := range webTorrentFiles {
			if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
				a.add(name, b)
			}
		}
	}
	return a
}

func (a *assets) add(name string, b []byte) {
	ct := "application/octet-stream"
	switch {
	case strings.HasSuffix(name, ".js"):
		ct = "text/javascript; charset=utf-8"
	case strings.HasSuffix(name, ".css"):
		ct = "text/css; charset=utf-8"
	}
	sum := sha256.Sum256(b)
	a.files[name] = asset{body: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

// available reports whether webtorrent's files are served.
func (a *assets) available() bool {
	for _, name := range webTorrentFiles {
		if _, ok := a.files[name]; !ok {
			return false
		}
	}
	return true
}

// serve answers GET PlayerPath{file}.
func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	f, ok := a.files[name]
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", f.etag)
	if PlayerPath+name == ServiceWorkerPath {
		// Registered from the pages with the scope that covers them.
		h.Set("Service-Worker-Allowed", ServiceWorkerScope)
		h.Set("Cache-Control", "no-cache")
	} else {
		// Revalidated (cheap, by ETag) so an upgrade reaches players soon.
		h.Set("Cache-Control", "public, max-age=300")
	}
	http.ServeContent(w, r, name, a.modTime, bytes.NewReader(f.body))
}
