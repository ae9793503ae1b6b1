package fs

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// Handler serves the presigned URLs of the store: GET and HEAD (with Range)
// for PresignGet, PUT for PresignPut and PresignUploadPart. Mount it at
// PathPrefix without stripping the prefix:
//
//	mux.Handle(fs.PathPrefix, store.Handler())
//
// A bad or expired signature is 403, a missing object or upload 404, both as
// application/problem+json.
func (s *Store) Handler() http.Handler {
	return http.HandlerFunc(s.serve)
}

func (s *Store) serve(w http.ResponseWriter, r *http.Request) {
	key, ok := strings.CutPrefix(r.URL.Path, PathPrefix)
	if !ok {
		writeProblem(w, http.StatusNotFound, "not a local blob URL")
		return
	}
	signed := r.Method
	switch r.Method {
	case http.MethodGet, http.MethodPut:
	case http.MethodHead:
		signed = http.MethodGet
	default:
		w.Header().Set("Allow", "GET, HEAD, PUT")
		writeProblem(w, http.StatusMethodNotAllowed, "local blob URLs take GET, HEAD and PUT")
		return
	}
	g, err := s.verify(signed, key, r.URL.Query())
	if err != nil {
		writeProblem(w, http.StatusForbidden, err.Error())
		return
	}
	if err := blob.CheckKey(key); err != nil {
		writeProblem(w, http.StatusBadRequest, "invalid key")
		return
	}
	switch {
	case r.Method == http.MethodPut && g.uploadID != "":
		s.servePart(w, r, g)
	case r.Method == http.MethodPut:
		s.servePut(w, r, key)
	default:
		s.serveGet(w, r, key)
	}
}

func (s *Store) serveGet(w http.ResponseWriter, r *http.Request, key string) {
	b, err := s.open(key)
	if err != nil {
		s.writeError(w, r, "get", key, err)
		return
	}
	defer b.Close()
	h := w.Header()
	h.Set("Content-Type", b.meta.ContentType)
	if b.meta.CacheControl != "" {
		h.Set("Cache-Control", b.meta.CacheControl)
	}
	h.Set("ETag", `"`+b.meta.ETag+`"`)
	http.ServeContent(w, r, "", b.meta.Modified, b.section(0, b.meta.Size))
}

func (s *Store) servePut(w http.ResponseWriter, r *http.Request, key string) {
	if r.ContentLength < 0 {
		writeProblem(w, http.StatusLengthRequired, "Content-Length is required")
		return
	}
	m, err := s.put(r.Context(), key, r.Body, r.ContentLength, blob.PutOptions{
		ContentType:  r.Header.Get("Content-Type"),
		CacheControl: r.Header.Get("Cache-Control"),
	})
	if err != nil {
		s.writeError(w, r, "put", key, err)
		return
	}
	w.Header().Set("ETag", `"`+m.ETag+`"`)
	w.WriteHeader(http.StatusOK)
}

func (s *Store) servePart(w http.ResponseWriter, r *http.Request, g grant) {
	if r.ContentLength < 0 {
		writeProblem(w, http.StatusLengthRequired, "Content-Length is required")
		return
	}
	part, err := s.uploadPart(r.Context(), g.key, g.uploadID, g.number, r.Body, r.ContentLength)
	if err != nil {
		s.writeError(w, r, "upload part", g.key, err)
		return
	}
	w.Header().Set("ETag", `"`+part.ETag+`"`)
	w.WriteHeader(http.StatusOK)
}

func (s *Store) writeError(w http.ResponseWriter, r *http.Request, op, key string, err error) {
	switch {
	case errors.Is(err, blob.ErrNotFound):
		writeProblem(w, http.StatusNotFound, "no such object")
	case errors.Is(err, blob.ErrNoSuchUpload):
		writeProblem(w, http.StatusNotFound, "no such multipart upload")
	case errors.Is(err, blob.ErrInvalidPart):
		writeProblem(w, http.StatusBadRequest, "invalid part number")
	case errors.Is(err, errSize), errors.Is(err, io.ErrUnexpectedEOF):
		writeProblem(w, http.StatusBadRequest, "body length differs from Content-Length")
	default:
		slog.ErrorContext(r.Context(), "local blob request failed", "op", op, "key", key, "err", err)
		writeProblem(w, http.StatusInternalServerError, "storage error")
	}
}

// problem is an RFC 7807 problem document.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

func writeProblem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
}
