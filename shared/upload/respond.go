package upload

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
)

// isoMillis is JavaScript's Date.toISOString format, which node-uploadx
// uses for X-Upload-Expires.
const isoMillis = "2006-01-02T15:04:05.000Z07:00"

// handlerFunc is a handler that returns its failure.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle answers a handlerFunc's error as problem+json: a *problem.Error as
// it is, anything else as a logged 500 that says nothing of the cause.
func (h *Handlers) handle(f handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := f(w, r)
		if err == nil {
			return
		}
		if p := problem.As(err); p != nil {
			problem.Write(w, r, p)
			return
		}
		h.d.Log.ErrorContext(r.Context(), "upload failed", "method", r.Method, "path", r.URL.Path, "err", err)
		problem.Write(w, r, problem.Internal())
	})
}

// createdVideo is PeerTube's VideoCreateResult.
type createdVideo struct {
	ID        int64  `json:"id"`
	ShortUUID string `json:"shortUUID"`
	UUID      string `json:"uuid"`
}

// writeVideo answers 200 {"video":{id,shortUUID,uuid}}.
func writeVideo(w http.ResponseWriter, id int64, uuid string) error {
	return writeJSON(w, http.StatusOK, map[string]createdVideo{
		"video": {ID: id, ShortUUID: shortuuid.FromUUID(uuid), UUID: uuid},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// baseURL is the request's scheme and host, as node-uploadx builds its
// Location (X-Forwarded-Proto and X-Forwarded-Host first).
func baseURL(r *http.Request) string {
	proto := firstValue(r.Header.Get("X-Forwarded-Proto"))
	if proto == "" {
		proto = "http"
		if r.TLS != nil {
			proto = "https"
		}
	}
	host := firstValue(r.Header.Get("X-Forwarded-Host"))
	if host == "" {
		host = r.Host
	}
	return proto + "://" + host
}

func firstValue(v string) string {
	first, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(first)
}

// Problems of the upload protocols (node-uploadx's messages where it has
// one).
var (
	errNotFound = func() *problem.Error { return problem.NotFound("Upload session not found") }
	errNotYours = func() *problem.Error {
		return problem.Forbidden("authenticated user is not allowed access")
	}
	errExpired = func() *problem.Error {
		return problem.New(http.StatusGone, "Upload session expired: start the upload again")
	}
	errBusy = func() *problem.Error {
		return problem.New(http.StatusServiceUnavailable, "The upload is already being processed").
			WithHeader("Retry-After", "300")
	}
	errLong = func() *problem.Error {
		return problem.BadRequest("The request body is longer than its Content-Range: nothing was stored")
	}
	errCut = func() *problem.Error {
		return problem.BadRequest("The request body ended before its Content-Range did: nothing was stored")
	}
)
