package lambdahttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func baseEvent() events.APIGatewayV2HTTPRequest {
	return events.APIGatewayV2HTTPRequest{
		Version:  "2.0",
		RouteKey: "ANY /api/v1/{proxy+}",
		RawPath:  "/api/v1/config",
		Headers:  map[string]string{"host": "video.example", "accept": "*/*"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			DomainName: "abc.execute-api.eu-west-1.amazonaws.com",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "GET", Path: "/api/v1/config", Protocol: "HTTP/1.1", SourceIP: "198.51.100.4",
			},
		},
	}
}

func TestNewRequest(t *testing.T) {
	type want struct {
		method, path, rawQuery, requestURI, host, remoteAddr, proto string
		header                                                      http.Header
		body                                                        string
	}
	def := want{
		method: "GET", path: "/api/v1/config", requestURI: "/api/v1/config", host: "video.example",
		remoteAddr: "198.51.100.4:0", proto: "HTTP/1.1", header: http.Header{"Accept": {"*/*"}},
	}
	tests := []struct {
		name string
		edit func(*events.APIGatewayV2HTTPRequest)
		want func(*want)
	}{
		{"plain", func(*events.APIGatewayV2HTTPRequest) {}, func(*want) {}},
		{"path falls back to requestContext.http.path",
			func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RawPath = ""
				ev.RequestContext.HTTP.Path = "/api/v1/videos"
			},
			func(w *want) { w.path = "/api/v1/videos"; w.requestURI = "/api/v1/videos" }},
		{"raw query wins over parameters",
			func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RawQueryString = "a=1&a=2"
				ev.QueryStringParameters = map[string]string{"a": "1,2"}
			},
			func(w *want) { w.rawQuery = "a=1&a=2"; w.requestURI = "/api/v1/config?a=1&a=2" }},
		{"query falls back to parameters",
			func(ev *events.APIGatewayV2HTTPRequest) {
				ev.QueryStringParameters = map[string]string{"search": "a b", "count": "5"}
			},
			func(w *want) { w.rawQuery = "count=5&search=a+b"; w.requestURI = "/api/v1/config?count=5&search=a+b" }},
		{"host falls back to the domain name",
			func(ev *events.APIGatewayV2HTTPRequest) { delete(ev.Headers, "host") },
			func(w *want) { w.host = "abc.execute-api.eu-west-1.amazonaws.com" }},
		{"IPv6 source",
			func(ev *events.APIGatewayV2HTTPRequest) { ev.RequestContext.HTTP.SourceIP = "2001:db8::1" },
			func(w *want) { w.remoteAddr = "[2001:db8::1]:0" }},
		{"HTTP/2 protocol",
			func(ev *events.APIGatewayV2HTTPRequest) { ev.RequestContext.HTTP.Protocol = "HTTP/2.0" },
			func(w *want) { w.proto = "HTTP/2.0" }},
		{"unknown protocol is HTTP/1.1",
			func(ev *events.APIGatewayV2HTTPRequest) { ev.RequestContext.HTTP.Protocol = "" },
			func(*want) {}},
		{"comma-joined header stays one value, cookies become one header, hop headers go",
			func(ev *events.APIGatewayV2HTTPRequest) {
				ev.Headers["signature"] = `keyId="https://a.example/actor#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="abc=="`
				ev.Headers["x-forwarded-for"] = "192.0.2.1, 198.51.100.4"
				ev.Headers["connection"] = "keep-alive"
				ev.Headers["transfer-encoding"] = "chunked"
				ev.Cookies = []string{"a=1", "b=2"}
			},
			func(w *want) {
				w.header = http.Header{
					"Accept":          {"*/*"},
					"Signature":       {`keyId="https://a.example/actor#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="abc=="`},
					"X-Forwarded-For": {"192.0.2.1, 198.51.100.4"},
					"Cookie":          {"a=1; b=2"},
				}
			}},
		{"text body",
			func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Method = "POST"
				ev.Headers["content-type"] = "application/json"
				ev.Body = `{"name":"x"}`
			},
			func(w *want) {
				w.method = "POST"
				w.body = `{"name":"x"}`
				w.header = http.Header{"Accept": {"*/*"}, "Content-Type": {"application/json"}, "Content-Length": {"12"}}
			}},
		{"base64 body and a stale content-length",
			func(ev *events.APIGatewayV2HTTPRequest) {
				ev.RequestContext.HTTP.Method = "PUT"
				ev.Headers["content-length"] = "999"
				ev.Body = "AP8="
				ev.IsBase64Encoded = true
			},
			func(w *want) {
				w.method = "PUT"
				w.body = "\x00\xff"
				w.header = http.Header{"Accept": {"*/*"}, "Content-Length": {"2"}}
			}},
		{"percent-encoded path",
			func(ev *events.APIGatewayV2HTTPRequest) { ev.RawPath = "/api/v1/accounts/a%2Fb@x.example" },
			func(w *want) {
				w.path = "/api/v1/accounts/a/b@x.example"
				w.requestURI = "/api/v1/accounts/a%2Fb@x.example"
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := baseEvent()
			tt.edit(&ev)
			w := def
			w.header = def.header.Clone()
			tt.want(&w)
			r, err := NewRequest(context.Background(), &ev, 0)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(r.Body)
			if err != nil {
				t.Fatal(err)
			}
			got := want{r.Method, r.URL.Path, r.URL.RawQuery, r.RequestURI, r.Host, r.RemoteAddr, r.Proto, r.Header, string(body)}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			if r.ContentLength != int64(len(w.body)) {
				t.Errorf("ContentLength = %d, want %d", r.ContentLength, len(w.body))
			}
			if r.URL.RequestURI() != w.requestURI {
				t.Errorf("URL.RequestURI() = %q, want %q", r.URL.RequestURI(), w.requestURI)
			}
		})
	}
}

func TestNewRequestErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*events.APIGatewayV2HTTPRequest)
		max     int64
		tooLong bool
	}{
		{"no method", func(ev *events.APIGatewayV2HTTPRequest) { ev.RequestContext.HTTP.Method = "" }, 0, false},
		{"bad base64", func(ev *events.APIGatewayV2HTTPRequest) { ev.Body = "%%%"; ev.IsBase64Encoded = true }, 0, false},
		{"bad escape", func(ev *events.APIGatewayV2HTTPRequest) { ev.RawPath = "/a%zz" }, 0, false},
		{"body over the limit", func(ev *events.APIGatewayV2HTTPRequest) { ev.Body = "12345" }, 4, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := baseEvent()
			tt.edit(&ev)
			_, err := NewRequest(context.Background(), &ev, tt.max)
			if err == nil {
				t.Fatal("no error")
			}
			if errors.Is(err, ErrBodyTooLarge) != tt.tooLong {
				t.Errorf("errors.Is(%v, ErrBodyTooLarge) = %v", err, !tt.tooLong)
			}
		})
	}
	ev := baseEvent()
	ev.Body = "1234"
	if _, err := NewRequest(context.Background(), &ev, 4); err != nil {
		t.Errorf("body at the limit: %v", err)
	}
}
