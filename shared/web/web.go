package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
	"github.com/vidiverse/vidiverse/shared/store"
)

// Paths the handler serves.
const (
	// WatchPath + {uuid} is a video's watch page.
	WatchPath = "/videos/watch/"
	// EmbedPath + {uuid} is its embed page.
	EmbedPath = "/videos/embed/"
	// PlayerPath is the prefix of the player's files.
	PlayerPath = "/player/"
	// ServiceWorkerPath is webtorrent's service worker, registered with
	// ServiceWorkerScope (its response allows that scope).
	ServiceWorkerPath = PlayerPath + "sw.min.js"
	// ServiceWorkerScope covers both pages: the worker answers the
	// requests under ServiceWorkerScope + "webtorrent/".
	ServiceWorkerScope = "/videos/"
)

// Routes are the route keys ("METHOD /path", {proxy+} greedy) a front
// door sends to this handler.
var Routes = []string{
	"GET /videos/watch/{proxy+}",
	"GET /videos/embed/{proxy+}",
	"GET /player/{proxy+}",
}

// Config is what the handler needs.
type Config struct {
	// PublicURL is the instance's origin, without a trailing slash.
	PublicURL string
	Store     *store.Store
	// AssetsDir holds webtorrent's dist files (webtorrent.min.js,
	// sw.min.js); "" serves none, and the pages then play over HTTP.
	AssetsDir string
	Log       *slog.Logger
}

// Handler serves the pages and the player's files.
type Handler struct {
	cfg    Config
	mux    *http.ServeMux
	assets *assets
}

var _ http.Handler = (*Handler)(nil)

//go:embed templates/*.html
var templateFS embed.FS

var pages = template.Must(template.ParseFS(templateFS, "templates/*.html"))

// New returns the handler.
func New(cfg Config) *Handler {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	h := &Handler{cfg: cfg, mux: http.NewServeMux(), assets: newAssets(cfg.AssetsDir)}
	h.mux.HandleFunc("GET "+WatchPath+"{id}", func(w http.ResponseWriter, r *http.Request) { h.page(w, r, false) })
	h.mux.HandleFunc("GET "+EmbedPath+"{id}", func(w http.ResponseWriter, r *http.Request) { h.page(w, r, true) })
	h.mux.HandleFunc("GET "+PlayerPath+"{file}", h.assets.serve)
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, http.StatusNotFound, "notfound.html", notFoundData{Title: "Page not found"})
	})
	return h
}

// ServeHTTP serves the routes; others get the not-found page.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// pageData fills templates/page.html.
type pageData struct {
	Title       string
	Description string
	UUID        string
	Embed       bool
	// Public is set for public and unlisted videos, whose names the page's
	// head may show before the API is asked.
	Public   bool
	URL      string
	EmbedURL string
	// Image is the preview (or thumbnail) image's URL.
	Image         string
	PlayerPath    string
	ScopePath     string
	HasWebTorrent bool
}

type notFoundData struct {
	Title string
}

// page serves a watch (embed false) or embed page.
func (h *Handler) page(w http.ResponseWriter, r *http.Request, embed bool) {
	v, err := h.video(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.render(w, r, http.StatusNotFound, "notfound.html", notFoundData{Title: "Video not found"})
		return
	}
	if err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "watch page", "path", r.URL.Path, "err", err)
		h.render(w, r, http.StatusInternalServerError, "notfound.html", notFoundData{Title: "Something went wrong"})
		return
	}
	d := pageData{
		Title: "Video", UUID: v.UUID, Embed: embed,
		URL:           h.cfg.PublicURL + WatchPath + v.UUID,
		EmbedURL:      h.cfg.PublicURL + EmbedPath + v.UUID,
		PlayerPath:    PlayerPath,
		ScopePath:     ServiceWorkerScope,
		HasWebTorrent: h.assets.available(),
	}
	if v.Privacy == model.PrivacyPublic || v.Privacy == model.PrivacyUnlisted {
		d.Public, d.Title = true, v.Name
		d.Description = truncate(v.Description, 200)
		switch {
		case v.Remote != nil: // its images stay at its origin
		case v.Preview != "":
			d.Image = h.cfg.PublicURL + "/" + mediakeys.Preview(v.Preview)
		case v.Thumbnail != "":
			d.Image = h.cfg.PublicURL + "/" + mediakeys.Thumbnail(v.Thumbnail)
		}
	}
	// The same URL serves ActivityPub JSON to servers.
	w.Header().Set("Vary", "Accept")
	h.render(w, r, http.StatusOK, "page.html", d)
}

// video finds a video by UUID or short UUID.
func (h *Handler) video(ctx context.Context, id string) (model.Video, error) {
	uuid := id
	if len(id) != 36 {
		u, ok := shortuuid.ToUUID(id)
		if !ok {
			return model.Video{}, store.ErrNotFound
		}
		uuid = u
	}
	v, err := h.cfg.Store.VideoByUUID(ctx, strings.ToLower(uuid))
	if err != nil {
		return v, fmt.Errorf("read video %s: %w", uuid, err)
	}
	return v, nil
}

// render writes a template, whole or not at all.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		h.cfg.Log.ErrorContext(r.Context(), "render page", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
}

// truncate shortens s to at most n runes, on a word boundary when one is
// near.
func truncate(s string, n int) string {
	rs := []rune(strings.TrimSpace(s))
	if len(rs) <= n {
		return string(rs)
	}
	cut := string(rs[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
