package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/problem"
)

// handlerFunc is a handler that returns its failure.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle turns a handlerFunc into an http.Handler that answers errors with
// problem+json: *problem.Error as is, anything else as a logged 500.
func (a *API) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	})
}

func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	if p := problem.As(err); p != nil {
		problem.Write(w, r, p)
		return
	}
	a.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	problem.Write(w, r, problem.Internal())
}

// writeJSON sends v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // PeerTube writes "&", not "\u0026"
	return enc.Encode(v)
}

// maxJSONBody bounds request bodies of JSON and form endpoints.
const maxJSONBody = 1 << 20

// decodeJSON reads a JSON object body into v. PeerTube's API also accepts
// form-encoded bodies on JSON routes; decodeJSON takes those too, so fields
// are checked by the same validators.
func decodeJSON(r *http.Request, v any) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json", "":
		return decodeJSONFrom(http.MaxBytesReader(nil, r.Body, maxJSONBody), v)
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(nil, r.Body, maxJSONBody)
		if err := r.ParseForm(); err != nil {
			return problem.BadRequest("Malformed form body")
		}
		return decodeJSONFrom(bytes.NewReader(formJSON(r)), v)
	case "multipart/form-data":
		r.Body = http.MaxBytesReader(nil, r.Body, maxJSONBody)
		if err := r.ParseMultipartForm(maxJSONBody); err != nil {
			return problem.BadRequest("Malformed multipart body")
		}
		return decodeJSONFrom(bytes.NewReader(formJSON(r)), v)
	default:
		return problem.New(http.StatusUnsupportedMediaType, "Unsupported content type "+strings.TrimSpace(ct))
	}
}

func decodeJSONFrom(body io.Reader, v any) error {
	if err := json.NewDecoder(body).Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return problem.New(http.StatusRequestEntityTooLarge, "Request body too large")
		}
		if errors.Is(err, io.EOF) {
			return problem.BadRequest("Request body is empty: a JSON object is expected")
		}
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return problem.InvalidField("body", typeErr.Field, nil, "Invalid value type: "+typeErr.Value)
		}
		return problem.BadRequest("Malformed JSON body")
	}
	return nil
}
