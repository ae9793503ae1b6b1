package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

func TestHandleResponse(t *testing.T) {
	tests := []struct {
		name   string
		method string
		h      http.HandlerFunc
		want   events.APIGatewayV2HTTPResponse
	}{
		{"nothing written is an empty 200", "GET",
			func(http.ResponseWriter, *http.Request) {},
			events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{}}},
		{"status only", "DELETE",
			func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) },
			events.APIGatewayV2HTTPResponse{StatusCode: 204, Headers: map[string]string{}}},
		{"html is sniffed and sent as text", "GET",
			func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "<!DOCTYPE html><p>hi</p>") },
			events.APIGatewayV2HTTPResponse{StatusCode: 200,
				Headers: map[string]string{"Content-Type": "text/html; charset=utf-8"},
				Body:    "<!DOCTYPE html><p>hi</p>"}},
		{"png is sniffed and base64-encoded", "GET",
			func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(pngHeader) },
			events.APIGatewayV2HTTPResponse{StatusCode: 200,
				Headers: map[string]string{"Content-Type": "image/png"},
				Body:    base64.StdEncoding.EncodeToString(pngHeader), IsBase64Encoded: true}},
		{"problem json is text", "GET",
			func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/problem+json")
				w.WriteHeader(http.StatusNotFound)
				_, _ = io.WriteString(w, `{"status":404}`)
			},
			events.APIGatewayV2HTTPResponse{StatusCode: 404,
				Headers: map[string]string{"Content-Type": "application/problem+json"}, Body: `{"status":404}`}},
		{"invalid UTF-8 under a text type is base64", "GET",
			func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain; charset=latin1")
				_, _ = w.Write([]byte("caf\xe9"))
			},
			events.APIGatewayV2HTTPResponse{StatusCode: 200,
				Headers: map[string]string{"Content-Type": "text/plain; charset=latin1"},
				Body:    base64.StdEncoding.EncodeToString([]byte("caf\xe9")), IsBase64Encoded: true}},
		{"compressed json is base64 and not sniffed", "GET",
			func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Content-Encoding", "gzip")
				_, _ = w.Write([]byte("gz"))
			},
			events.APIGatewayV2HTTPResponse{StatusCode: 200,
				Headers: map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"},
				Body:    "Z3o=", IsBase64Encoded: true}},
		{"an explicitly empty Content-Type is not sniffed", "GET",
			func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Type"] = nil
				_, _ = io.WriteString(w, "plain")
			},
			events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{},
				Body: "cGxhaW4=", IsBase64Encoded: true}},
		{"headers changed after WriteHeader are not sent; first status wins", "GET",
			func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusCreated)
				w.Header().Set("X-Late", "1")
				w.WriteHeader(http.StatusTeapot)
				_, _ = io.WriteString(w, "made")
			},
			events.APIGatewayV2HTTPResponse{StatusCode: 201,
				Headers: map[string]string{"Content-Type": "text/plain"}, Body: "made"}},
		{"1xx is skipped", "GET",
			func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(http.StatusEarlyHints)
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusAccepted)
			},
			events.APIGatewayV2HTTPResponse{StatusCode: 202, Headers: map[string]string{"Content-Type": "text/plain"}}},
		{"Content-Length and hop headers are dropped, multi-values joined, cookies split out", "GET",
			func(w http.ResponseWriter, _ *http.Request) {
				h := w.Header()
				h.Set("Content-Type", "text/plain")
				h.Set("Content-Length", "2")
				h.Set("Connection", "close")
				h.Add("Vary", "Accept")
				h.Add("Vary", "Origin")
				h.Add("Set-Cookie", "a=1")
				h.Add("Set-Cookie", "b=2; Secure")
				w.(http.Flusher).Flush()
				_, _ = io.WriteString(w, "ok")
			},
			events.APIGatewayV2HTTPResponse{StatusCode: 200,
				Headers: map[string]string{"Content-Type": "text/plain", "Vary": "Accept, Origin"},
				Body:    "ok", Cookies: []string{"a=1", "b=2; Secure"}}},
		{"HEAD drops the body and keeps Content-Length", "HEAD",
			func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "video/mp4")
				w.Header().Set("Content-Length", "1048576")
				_, _ = w.Write([]byte("ignored"))
			},
			events.APIGatewayV2HTTPResponse{StatusCode: 200,
				Headers: map[string]string{"Content-Type": "video/mp4", "Content-Length": "1048576"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := baseEvent()
			ev.RequestContext.HTTP.Method = tt.method
			h := &Handler{H: tt.h}
			got, err := h.Handle(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestBodyNotAllowed(t *testing.T) {
	var werr error
	h := &Handler{H: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotModified)
		_, werr = w.Write([]byte("x"))
	})}
	got, err := h.Handle(context.Background(), baseEvent())
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(werr, http.ErrBodyNotAllowed) {
		t.Errorf("Write after 304 = %v, want ErrBodyNotAllowed", werr)
	}
	if got.StatusCode != 304 || got.Body != "" {
		t.Errorf("got %+v", got)
	}
}

func TestIsText(t *testing.T) {
	text := []string{
		"text/html; charset=utf-8", "text/plain", "text/css", "text/vtt", "application/json",
		"application/json; charset=utf-8", "application/activity+json", "application/problem+json",
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, "application/jrd+json",
		"application/xrd+xml", "application/xml", "image/svg+xml", "application/javascript",
		"application/x-www-form-urlencoded", "application/vnd.apple.mpegurl", "APPLICATION/JSON",
	}
	binary := []string{
		"", "application/octet-stream", "image/png", "image/jpeg", "video/mp4",
		"application/x-bittorrent", "multipart/form-data; boundary=x", "application/zip", "garbage/",
	}
	for _, ct := range text {
		if !isText(ct) {
			t.Errorf("isText(%q) = false", ct)
		}
	}
	for _, ct := range binary {
		if isText(ct) {
			t.Errorf("isText(%q) = true", ct)
		}
	}
}

func decodeProblem(t *testing.T, resp events.APIGatewayV2HTTPResponse) problem {
	t.Helper()
	if ct := resp.Headers["Content-Type"]; !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("Content-Type = %q", ct)
	}
	var p problem
	if err := json.Unmarshal([]byte(resp.Body), &p); err != nil {
		t.Fatalf("problem body %q: %v", resp.Body, err)
	}
	if p.Status != resp.StatusCode {
		t.Errorf("problem status %d, response %d", p.Status, resp.StatusCode)
	}
	return p
}

func TestPanicBecomesProblem(t *testing.T) {
	var logs bytes.Buffer
	h := &Handler{
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		H: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-Partial", "1")
			_, _ = io.WriteString(w, "half a response")
			panic("boom in handler")
		}),
	}
	ev := baseEvent()
	ev.RawQueryString = "access_token=s3cr3t-token"
	ev.Headers["authorization"] = "Bearer s3cr3t-bearer"
	ev.RequestContext.RequestID = "req-123"
	got, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got.StatusCode != 500 || got.Headers["X-Partial"] != "" {
		t.Errorf("got %+v", got)
	}
	p := decodeProblem(t, got)
	if strings.Contains(p.Detail, "boom") || strings.Contains(got.Body, "half") {
		t.Errorf("problem leaks handler internals: %q", got.Body)
	}
	out := logs.String()
	for _, want := range []string{`"msg":"handler panic"`, `"panic":"boom in handler"`, `"path":"/api/v1/config"`, `"request_id":"req-123"`, "response_test.go"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %s: %s", want, out)
		}
	}
	for _, secret := range []string{"s3cr3t-token", "s3cr3t-bearer"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %s: %s", secret, out)
		}
	}
}

func TestAbortHandlerIsNotLogged(t *testing.T) {
	var logs bytes.Buffer
	h := &Handler{
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		H:      http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }),
	}
	got, err := h.Handle(context.Background(), baseEvent())
	if err != nil {
		t.Fatal(err)
	}
	decodeProblem(t, got)
	if got.StatusCode != 500 || logs.Len() != 0 {
		t.Errorf("got %+v, logs %q", got, logs.String())
	}
}

func TestBadEventAndBodyLimit(t *testing.T) {
	h := &Handler{H: http.NotFoundHandler(), MaxBodyBytes: 3, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	ev := baseEvent()
	ev.Body = "four"
	got, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got.StatusCode != 413 || !strings.Contains(decodeProblem(t, got).Detail, "3 bytes") {
		t.Errorf("got %+v", got)
	}
	ev = baseEvent()
	ev.RawPath = "/%zz"
	got, err = h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if got.StatusCode != 400 {
		t.Errorf("got %+v", got)
	}
	decodeProblem(t, got)
}

func TestResponseLimit(t *testing.T) {
	body := strings.Repeat("a", 1000)
	serve := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, body)
	})
	exact, err := json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 200, Headers: map[string]string{"Content-Type": "text/plain"}, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))

	at := &Handler{H: serve, MaxResponseBytes: len(exact), Logger: logger}
	got, err := at.Handle(context.Background(), baseEvent())
	if err != nil || got.StatusCode != 200 || got.Body != body {
		t.Fatalf("response at the limit: %v %+v", err, got.StatusCode)
	}
	over := &Handler{H: serve, MaxResponseBytes: len(exact) - 1, Logger: logger}
	got, err = over.Handle(context.Background(), baseEvent())
	if err != nil {
		t.Fatal(err)
	}
	if got.StatusCode != 500 || !strings.Contains(decodeProblem(t, got).Detail, "Lambda response limit") {
		t.Errorf("response over the limit: %+v", got)
	}
	if !strings.Contains(logs.String(), "response over the Lambda payload limit") {
		t.Errorf("not logged: %s", logs.String())
	}
}

// A 5 MiB binary body is 6.67 MiB once base64-encoded: over Lambda's limit
// although the raw body is under it.
func TestDefaultLimitCountsBase64(t *testing.T) {
	big := bytes.Repeat([]byte{0xff}, 5<<20)
	h := &Handler{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), H: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		_, _ = w.Write(big)
	})}
	got, err := h.Handle(context.Background(), baseEvent())
	if err != nil {
		t.Fatal(err)
	}
	if got.StatusCode != 500 {
		t.Fatalf("status %d, body %d bytes", got.StatusCode, len(got.Body))
	}
	p := decodeProblem(t, got)
	if !strings.Contains(p.Detail, "6291456-byte") {
		t.Errorf("detail %q", p.Detail)
	}

	small := &Handler{H: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		_, _ = w.Write(big[:4<<20])
	})}
	got, err = small.Handle(context.Background(), baseEvent())
	if err != nil || got.StatusCode != 200 || !got.IsBase64Encoded {
		t.Fatalf("4 MiB body: %v status %d", err, got.StatusCode)
	}
}

// A streaming handler writing far past the limit is not buffered whole.
func TestOverflowIsNotBuffered(t *testing.T) {
	w := newResponseWriter("GET", 10)
	for range 100 {
		if _, err := w.Write([]byte("0123456789")); err != nil {
			t.Fatal(err)
		}
	}
	if w.body.Len() != 11 || w.written != 1000 {
		t.Errorf("buffered %d, counted %d", w.body.Len(), w.written)
	}
}
