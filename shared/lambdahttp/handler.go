package lambdahttp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// MaxResponseBytes is Lambda's limit on a synchronous invocation's response
// payload: the whole JSON document API Gateway receives, base64 included.
const MaxResponseBytes = 6 << 20

// ErrBodyTooLarge is returned (wrapped) by NewRequest when the request body
// is over the limit.
var ErrBodyTooLarge = errors.New("request body too large")

// Handler serves H for API Gateway HTTP API events. The zero value of each
// option field selects its default.
type Handler struct {
	// H serves every request.
	H http.Handler
	// MaxBodyBytes, when positive, is the largest request body passed to H;
	// a larger one is answered 413 without calling H. Lambda itself caps a
	// request payload at 6 MB.
	MaxBodyBytes int64
	// MaxResponseBytes bounds the encoded response; zero means the Lambda
	// limit (MaxResponseBytes). A response over it becomes a 500 problem.
	MaxResponseBytes int
	// Logger receives panics and oversized responses; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Handle converts ev into an *http.Request, serves it with H and converts
// what H wrote into the response API Gateway expects. It returns an error
// only when the response cannot be encoded, so API Gateway always gets an
// HTTP answer from the function.
func (h *Handler) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	r, err := NewRequest(ctx, &ev, h.MaxBodyBytes)
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return problemResponse(http.StatusRequestEntityTooLarge,
			fmt.Sprintf("The request body is larger than %d bytes.", h.MaxBodyBytes)), nil
	case err != nil:
		h.logger().WarnContext(ctx, "unusable API Gateway event", "err", err, "request_id", requestID(ctx, &ev))
		return problemResponse(http.StatusBadRequest, "The request could not be read."), nil
	}

	w := newResponseWriter(r.Method, int64(h.maxResponse()))
	if !h.serve(w, r, &ev) {
		return problemResponse(http.StatusInternalServerError, "The server could not complete the request."), nil
	}
	w.finish()

	resp := buildResponse(w)
	size, err := encodedSize(resp, w)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("encode response for %s %s: %w", r.Method, r.URL.Path, err)
	}
	if size > h.maxResponse() {
		h.logger().ErrorContext(ctx, "response over the Lambda payload limit",
			"method", r.Method, "path", r.URL.Path, "status", w.status,
			"body_bytes", w.written, "encoded_bytes", size, "limit", h.maxResponse(),
			"request_id", requestID(ctx, &ev))
		return problemResponse(http.StatusInternalServerError,
			fmt.Sprintf("The response (%d bytes encoded) exceeds the %d-byte Lambda response limit.", size, h.maxResponse())), nil
	}
	return resp, nil
}

// serve runs H and reports whether it returned normally. A panic is logged
// with its stack; the request's query and body are not, as they may carry
// credentials.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, ev *events.APIGatewayV2HTTPRequest) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				h.logger().ErrorContext(r.Context(), "handler panic",
					"method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v),
					"stack", string(debug.Stack()), "request_id", requestID(r.Context(), ev))
			}
			ok = false
		}
	}()
	h.H.ServeHTTP(w, r)
	return true
}

func (h *Handler) logger() *slog.Logger {
	if h.Logger != nil {
		return h.Logger
	}
	return slog.Default()
}

func (h *Handler) maxResponse() int {
	if h.MaxResponseBytes > 0 {
		return h.MaxResponseBytes
	}
	return MaxResponseBytes
}

func requestID(ctx context.Context, ev *events.APIGatewayV2HTTPRequest) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	return ev.RequestContext.RequestID
}

// dropResponseHeaders are computed by API Gateway or meaningless through it.
var dropResponseHeaders = []string{"Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding", "Trailer", "Upgrade"}

func buildResponse(w *responseWriter) events.APIGatewayV2HTTPResponse {
	resp := events.APIGatewayV2HTTPResponse{
		StatusCode: w.status,
		Headers:    make(map[string]string, len(w.sent)),
	}
	for k, vs := range w.sent {
		if len(vs) == 0 {
			continue
		}
		if http.CanonicalHeaderKey(k) == "Set-Cookie" {
			resp.Cookies = append(resp.Cookies, vs...)
			continue
		}
		resp.Headers[k] = strings.Join(vs, ", ")
	}
	for _, k := range dropResponseHeaders {
		if k == "Content-Length" && w.method == http.MethodHead {
			continue // the only place the client learns the length
		}
		delete(resp.Headers, k)
	}
	resp.Body, resp.IsBase64Encoded = encodeBody(w.sent, w.body.Bytes())
	return resp
}

// encodedSize is the size of the JSON payload Lambda will return. A body
// that overflowed the writer's buffer is over any limit already.
func encodedSize(resp events.APIGatewayV2HTTPResponse, w *responseWriter) (int, error) {
	if w.written > w.limit {
		return int(min(w.written, int64(^uint(0)>>1))), nil
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return 0, err
	}
	return len(b), nil
}

// problem is an RFC 9457 problem document, the error format of the
// PeerTube API.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
}

func problemResponse(status int, detail string) events.APIGatewayV2HTTPResponse {
	b, _ := json.Marshal(problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail})
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/problem+json; charset=utf-8"},
		Body:       string(b),
	}
}

func base64Encode(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
