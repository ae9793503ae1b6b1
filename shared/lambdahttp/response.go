package lambdahttp

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"
)

// responseWriter records what a handler writes. Bodies past limit bytes are
// counted but not kept: such a response cannot be returned anyway.
type responseWriter struct {
	method      string
	header      http.Header
	sent        http.Header // header as it was at WriteHeader
	status      int
	wroteHeader bool
	body        bytes.Buffer
	written     int64
	limit       int64
}

var (
	_ http.ResponseWriter = (*responseWriter)(nil)
	_ http.Flusher        = (*responseWriter)(nil)
)

func newResponseWriter(method string, limit int64) *responseWriter {
	return &responseWriter{method: method, header: make(http.Header), limit: limit}
}

func (w *responseWriter) Header() http.Header { return w.header }

// WriteHeader records the status. Informational (1xx) statuses are ignored,
// as API Gateway cannot pass them on; later calls are ignored, as in
// net/http.
func (w *responseWriter) WriteHeader(code int) {
	if code < 100 || code > 999 {
		panic(fmt.Sprintf("invalid WriteHeader code %v", code))
	}
	if w.wroteHeader || code < 200 {
		return
	}
	w.wroteHeader = true
	w.status = code
	// As in net/http, header changes after WriteHeader are not sent.
	w.sent = w.header.Clone()
}

func (w *responseWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if !bodyAllowedForStatus(w.status) {
		return 0, http.ErrBodyNotAllowed
	}
	if w.method == http.MethodHead {
		return len(p), nil
	}
	w.written += int64(len(p))
	if room := w.limit + 1 - int64(w.body.Len()); room > 0 {
		w.body.Write(p[:min(int64(len(p)), room)])
	}
	return len(p), nil
}

// Flush does nothing: API Gateway returns the response whole.
func (w *responseWriter) Flush() {}

func bodyAllowedForStatus(status int) bool {
	switch {
	case status >= 100 && status <= 199:
		return false
	case status == http.StatusNoContent, status == http.StatusNotModified:
		return false
	}
	return true
}

// finish fills in what a net/http server would: the default status and a
// sniffed Content-Type.
func (w *responseWriter) finish() {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	_, haveType := w.sent["Content-Type"]
	if !haveType && w.sent.Get("Content-Encoding") == "" && w.body.Len() > 0 {
		w.sent.Set("Content-Type", http.DetectContentType(w.body.Bytes()))
	}
}

// isText reports whether a body of this Content-Type can travel as a JSON
// string unchanged; everything else is base64-encoded.
func isText(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	typ, sub, _ := strings.Cut(mt, "/")
	switch {
	case typ == "text":
		return true
	case typ != "application" && typ != "image":
		return false
	case strings.HasSuffix(sub, "+json"), strings.HasSuffix(sub, "+xml"):
		// application/activity+json, ld+json, problem+json, jrd+json,
		// xrd+xml, image/svg+xml, ...
		return true
	case typ == "image":
		return false
	}
	switch sub {
	case "json", "xml", "javascript", "x-javascript", "ecmascript",
		"x-www-form-urlencoded", "yaml", "x-yaml", "graphql",
		"vnd.apple.mpegurl", "x-mpegurl":
		return true
	}
	return false
}

// encodeBody returns the body as API Gateway wants it and whether it is
// base64. Text goes as is only when it is valid UTF-8 and not compressed:
// JSON strings cannot carry other bytes unchanged.
func encodeBody(h http.Header, body []byte) (string, bool) {
	if len(body) == 0 {
		return "", false
	}
	if isText(h.Get("Content-Type")) && h.Get("Content-Encoding") == "" && utf8.Valid(body) {
		return string(body), false
	}
	return base64Encode(body), true
}
