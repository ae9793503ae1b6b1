package api

import (
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/vidiverse/vidiverse/shared/logging"
	"github.com/vidiverse/vidiverse/shared/problem"
)

// middleware wraps the router: request id and actor in the context, CORS,
// panic recovery, problem+json for unrouted paths, and an access log.
func (a *API) middleware(next *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if a.cfg.TrustedProxyHops > 0 {
			if h := r.Header.Get("X-Forwarded-Host"); h != "" {
				r.Host = h
			}
			if ip := forwardedFor(r.Header.Values("X-Forwarded-For"), a.cfg.TrustedProxyHops); ip != "" {
				r.RemoteAddr = net.JoinHostPort(ip, "0")
			}
		}
		ctx := logging.WithRequestID(r.Context(), requestID(r))
		ctx, _ = logging.WithActor(ctx)
		r = r.WithContext(ctx)
		sw := &statusWriter{ResponseWriter: w}

		defer func() {
			if v := recover(); v != nil {
				a.log.ErrorContext(ctx, "handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if !sw.wrote {
					problem.Write(sw, r, problem.Internal())
				}
			}
			a.log.InfoContext(ctx, "request", "method", r.Method, "path", r.URL.Path,
				"status", sw.status, "ms", time.Since(start).Milliseconds())
		}()

		h := sw.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "Retry-After, Location, Range, X-Upload-Expires, X-File-Maximum-Size")
		h.Set("X-Frame-Options", "DENY")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD, PUT, PATCH, POST, DELETE")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Content-Range, X-Upload-Content-Length, X-Upload-Content-Type, X-Peertube-Video-Password, X-Peertube-Otp")
			h.Set("Access-Control-Max-Age", "86400")
			sw.WriteHeader(http.StatusNoContent)
			return
		}

		if _, pattern := next.Handler(r); pattern == "" {
			a.unrouted(sw, r, next)
			return
		}
		next.ServeHTTP(sw, r)
	})
}

// unrouted answers a request no route matches: 404, or 405 with Allow when
// the path exists for other methods, as problem+json.
func (a *API) unrouted(w http.ResponseWriter, r *http.Request, mux *http.ServeMux) {
	rec := &headerRecorder{header: http.Header{}}
	mux.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		problem.Write(w, r, problem.New(http.StatusMethodNotAllowed, "Method "+r.Method+" not allowed on "+r.URL.Path))
		return
	}
	problem.Write(w, r, problem.NotFound("Route "+r.Method+" "+r.URL.Path+" not found"))
}

// forwardedFor picks the client address from X-Forwarded-For: the entry
// the outermost of hops trusted proxies appended ("" when there is none).
func forwardedFor(values []string, hops int) string {
	var ips []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				ips = append(ips, p)
			}
		}
	}
	i := len(ips) - hops
	if i < 0 || net.ParseIP(ips[i]) == nil {
		return ""
	}
	return ips[i]
}

func requestID(r *http.Request) string {
	if lc, ok := lambdacontext.FromContext(r.Context()); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// statusWriter remembers the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// headerRecorder captures the status and headers of the mux's own 404/405.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(code int)        { h.status = code }
