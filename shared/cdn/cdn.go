package cdn

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
)

// Handler serves public media from a blob store.
type Handler struct {
	Blobs blob.Store
	Log   *slog.Logger
}

// contentTypes are the types PeerTube's static server sends.
var contentTypes = map[string]string{
	".mp4":     "video/mp4",
	".m4a":     "audio/mp4",
	".webm":    "video/webm",
	".m3u8":    "application/vnd.apple.mpegurl",
	".json":    "application/json; charset=utf-8",
	".jpg":     "image/jpeg",
	".jpeg":    "image/jpeg",
	".png":     "image/png",
	".torrent": "application/x-bittorrent",
	".vtt":     "text/vtt; charset=utf-8",
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("Access-Control-Allow-Origin", "*")
	hdr.Set("Access-Control-Expose-Headers", "Content-Range, Content-Length, Accept-Ranges, ETag")
	switch r.Method {
	case http.MethodOptions:
		hdr.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
		hdr.Set("Access-Control-Allow-Headers", "Range, Cache-Control, If-None-Match, If-Modified-Since")
		hdr.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodGet, http.MethodHead:
	default:
		hdr.Set("Allow", "GET, HEAD, OPTIONS")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	if !mediakeys.IsPublic(key) || blob.CheckKey(key) != nil {
		http.NotFound(w, r)
		return
	}
	info, err := h.Blobs.Head(r.Context(), key)
	if errors.Is(err, blob.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.fail(w, r, key, err)
		return
	}
	ct := contentTypes[strings.ToLower(path.Ext(key))]
	if ct == "" {
		ct = info.ContentType
	}
	if ct != "" {
		hdr.Set("Content-Type", ct)
	}
	hdr.Set("Accept-Ranges", "bytes")
	hdr.Set("Cache-Control", cacheControl(key))
	if info.ETag != "" {
		etag := `"` + strings.Trim(info.ETag, `"`) + `"`
		hdr.Set("ETag", etag)
		if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if !info.LastModified.IsZero() {
		hdr.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	}

	rng, partial, err := parseRange(r.Header.Get("Range"), info.Size)
	if err != nil {
		hdr.Set("Content-Range", fmt.Sprintf("bytes */%d", info.Size))
		http.Error(w, "range not satisfiable", http.StatusRequestedRangeNotSatisfiable)
		return
	}
	length := info.Size
	if partial {
		length = rng.End - rng.Start + 1
		hdr.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rng.Start, rng.End, info.Size))
	}
	hdr.Set("Content-Length", strconv.FormatInt(length, 10))
	if r.Method == http.MethodHead || length == 0 {
		if partial {
			w.WriteHeader(http.StatusPartialContent)
		}
		return
	}
	var want *blob.Range
	if partial {
		want = &rng
	}
	body, _, err := h.Blobs.Get(r.Context(), key, want)
	if err != nil {
		h.fail(w, r, key, err)
		return
	}
	defer body.Close()
	if partial {
		w.WriteHeader(http.StatusPartialContent)
	}
	if _, err := io.Copy(w, body); err != nil {
		h.logger().DebugContext(r.Context(), "media copy ended early", "key", key, "err", err)
	}
}

// cacheControl: media files get fresh random names when they change, so
// they are immutable; playlists and the JSON beside them may be rewritten.
func cacheControl(key string) string {
	switch path.Ext(key) {
	case ".m3u8", ".json":
		return "public, max-age=60"
	}
	return "public, max-age=31536000, immutable"
}

// parseRange reads a single-range Range header ("bytes=a-b", "bytes=a-",
// "bytes=-n"). Multiple ranges are answered with the whole object, which
// HTTP allows. partial is false when the whole object is to be sent.
func parseRange(h string, size int64) (blob.Range, bool, error) {
	spec, ok := strings.CutPrefix(h, "bytes=")
	if h == "" || !ok || strings.Contains(spec, ",") {
		return blob.Range{}, false, nil
	}
	startS, endS, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return blob.Range{}, false, nil
	}
	var r blob.Range
	switch {
	case startS == "":
		n, err := strconv.ParseInt(endS, 10, 64)
		if err != nil || n <= 0 {
			return r, false, errors.New("bad suffix range")
		}
		r.Start, r.End = max(0, size-n), size-1
	default:
		start, err := strconv.ParseInt(startS, 10, 64)
		if err != nil || start < 0 {
			return r, false, errors.New("bad range start")
		}
		r.Start, r.End = start, size-1
		if endS != "" {
			end, err := strconv.ParseInt(endS, 10, 64)
			if err != nil || end < start {
				return r, false, errors.New("bad range end")
			}
			r.End = min(end, size-1)
		}
	}
	if r.Start >= size {
		return r, false, errors.New("range starts past the end")
	}
	return r, true, nil
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, key string, err error) {
	h.logger().ErrorContext(r.Context(), "serve media", "key", key, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func (h *Handler) logger() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}
