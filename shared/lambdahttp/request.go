package lambdahttp

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// errBadRequest marks an event that cannot become an HTTP request.
var errBadRequest = errors.New("bad request event")

type eventContextKey struct{}

// EventFromContext returns the API Gateway event a request was built from.
// It is set on every request the Handler passes to its http.Handler.
func EventFromContext(ctx context.Context) (*events.APIGatewayV2HTTPRequest, bool) {
	ev, ok := ctx.Value(eventContextKey{}).(*events.APIGatewayV2HTTPRequest)
	return ev, ok
}

// hopHeaders are connection-level headers that never reach a handler behind
// a proxy (RFC 9110 section 7.6.1).
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// NewRequest builds the *http.Request that a net/http server would have
// built for the request API Gateway describes in ev. The request carries ctx
// (and ev, see EventFromContext). maxBody, when positive, bounds the decoded
// body; a larger body is an error wrapping ErrBodyTooLarge.
func NewRequest(ctx context.Context, ev *events.APIGatewayV2HTTPRequest, maxBody int64) (*http.Request, error) {
	method := ev.RequestContext.HTTP.Method
	if method == "" {
		return nil, fmt.Errorf("%w: no method in requestContext.http", errBadRequest)
	}
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	uri := path
	if q := rawQuery(ev); q != "" {
		uri += "?" + q
	}
	u, err := url.ParseRequestURI(uri)
	if err != nil {
		return nil, fmt.Errorf("%w: parse request URI %q: %w", errBadRequest, uri, err)
	}

	body, err := decodeBody(ev)
	if err != nil {
		return nil, err
	}
	if maxBody > 0 && int64(len(body)) > maxBody {
		return nil, fmt.Errorf("request body of %d bytes: %w", len(body), ErrBodyTooLarge)
	}

	proto := ev.RequestContext.HTTP.Protocol
	major, minor, ok := http.ParseHTTPVersion(proto)
	if !ok {
		proto, major, minor = "HTTP/1.1", 1, 1
	}

	header := make(http.Header, len(ev.Headers)+1)
	for k, v := range ev.Headers {
		// API Gateway joins repeated headers with commas; a comma-joined
		// value is what a handler gets from Header.Get on a plain server
		// when a client folds them, so it stays one value.
		header.Set(k, v)
	}
	for _, h := range hopHeaders {
		header.Del(h)
	}
	if len(ev.Cookies) > 0 {
		header.Set("Cookie", strings.Join(ev.Cookies, "; "))
	}
	host := header.Get("Host")
	if host == "" {
		host = ev.RequestContext.DomainName
	}
	header.Del("Host") // a server moves Host to req.Host
	if len(body) > 0 || header.Get("Content-Length") != "" {
		header.Set("Content-Length", fmt.Sprint(len(body)))
	}

	r := &http.Request{
		Method:        method,
		URL:           u,
		Proto:         proto,
		ProtoMajor:    major,
		ProtoMinor:    minor,
		Header:        header,
		Body:          http.NoBody,
		ContentLength: int64(len(body)),
		Host:          host,
		RemoteAddr:    remoteAddr(ev.RequestContext.HTTP.SourceIP),
		RequestURI:    uri,
	}
	if len(body) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	ctx = context.WithValue(ctx, eventContextKey{}, ev)
	return r.WithContext(ctx), nil
}

// rawQuery returns the query string as the client sent it, or, when API
// Gateway gave only the parsed parameters, an encoding of them.
func rawQuery(ev *events.APIGatewayV2HTTPRequest) string {
	if ev.RawQueryString != "" {
		return ev.RawQueryString
	}
	if len(ev.QueryStringParameters) == 0 {
		return ""
	}
	v := make(url.Values, len(ev.QueryStringParameters))
	for k, s := range ev.QueryStringParameters {
		// Repeated parameters arrive comma-joined in this map; like a
		// repeated header they stay one value, since a literal comma
		// cannot be told apart from a join.
		v.Set(k, s)
	}
	return v.Encode()
}

func decodeBody(ev *events.APIGatewayV2HTTPRequest) ([]byte, error) {
	if !ev.IsBase64Encoded {
		return []byte(ev.Body), nil
	}
	b, err := base64.StdEncoding.DecodeString(ev.Body)
	if err != nil {
		return nil, fmt.Errorf("%w: decode base64 body: %w", errBadRequest, err)
	}
	return b, nil
}

func remoteAddr(ip string) string {
	if ip == "" {
		return ""
	}
	return net.JoinHostPort(ip, "0")
}
