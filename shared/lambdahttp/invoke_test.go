package lambdahttp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// seen is what the http.Handler observed of one request.
type seen struct {
	Method, Path, EscapedPath, RawQuery, RequestURI string
	Host, RemoteAddr, Proto                         string
	Header                                          http.Header
	Body                                            []byte
	ContentLength                                   int64
	Form                                            map[string][]string
	RequestID                                       string
	Event                                           string
}

// invokeFixture runs a fixture through the same JSON path as the Lambda
// runtime and returns what the handler saw and the decoded response.
func invokeFixture(t *testing.T, name string, respond http.HandlerFunc) (seen, events.APIGatewayV2HTTPResponse) {
	t.Helper()
	payload, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var got seen
	h := &Handler{H: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = seen{
			Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
			RequestURI: r.RequestURI, Host: r.Host, RemoteAddr: r.RemoteAddr, Proto: r.Proto,
			Header: r.Header.Clone(), ContentLength: r.ContentLength,
		}
		if lc, ok := lambdacontext.FromContext(r.Context()); ok {
			got.RequestID = lc.AwsRequestID
		}
		if ev, ok := EventFromContext(r.Context()); ok {
			got.Event = ev.RequestContext.RequestID
		}
		if r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
			if err := r.ParseForm(); err != nil {
				t.Errorf("ParseForm: %v", err)
			}
			got.Form = r.PostForm
		} else {
			got.Body, _ = io.ReadAll(r.Body)
		}
		respond(w, r)
	})}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"})
	out, err := lambda.NewHandler(h.Handle).Invoke(ctx, payload)
	if err != nil {
		t.Fatalf("Invoke: %v", err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("decode response %s: %v", out, err)
	}
	return got, resp
}

func commonHeaders(extra map[string]string) http.Header {
	h := http.Header{
		"Accept-Encoding":   {"gzip, deflate, br"},
		"User-Agent":        {"PeerTubeCLI/6.1.0"},
		"X-Amzn-Trace-Id":   {"Root=1-691f9c37-3b8d3b0f5a6f4e2d1c0b9a87"},
		"X-Forwarded-For":   {"203.0.113.7"},
		"X-Forwarded-Port":  {"443"},
		"X-Forwarded-Proto": {"https"},
	}
	for k, v := range extra {
		h.Set(k, v)
	}
	return h
}

const apiHost = "r3pmxmplak.execute-api.us-east-2.amazonaws.com"

func TestInvokeGetWithQueryCookiesAndRepeatedHeaders(t *testing.T) {
	got, resp := invokeFixture(t, "get-query.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json; charset=utf-8")
		w.Header().Add("Link", `</a>; rel="next"`)
		w.Header().Add("Link", `</b>; rel="prev"`)
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "new", Path: "/", HttpOnly: true})
		http.SetCookie(w, &http.Cookie{Name: "clientLanguage", Value: "en"})
		_, _ = io.WriteString(w, `{"total":0,"data":["café"]}`)
	})
	want := seen{
		Method: "GET", Path: "/api/v1/video-channels/my channel/videos",
		EscapedPath: "/api/v1/video-channels/my%20channel/videos",
		RawQuery:    "start=0&count=15&tagsOneOf=cats&tagsOneOf=dogs&search=caf%C3%A9",
		RequestURI:  "/api/v1/video-channels/my%20channel/videos?start=0&count=15&tagsOneOf=cats&tagsOneOf=dogs&search=caf%C3%A9",
		Host:        apiHost, RemoteAddr: "203.0.113.7:0", Proto: "HTTP/1.1",
		Header: commonHeaders(map[string]string{
			"Accept":                    `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`,
			"Content-Length":            "0",
			"Cookie":                    "clientLanguage=fr; session=8f14e45fceea167a",
			"X-Peertube-Video-Password": "p,with,commas",
		}),
		Body:      []byte{},
		RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", Event: "Ue0nqh2kCYcEJTw=",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("handler saw\n%+v\nwant\n%+v", got, want)
	}
	wantResp := events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers: map[string]string{
			"Content-Type": "application/activity+json; charset=utf-8",
			"Link":         `</a>; rel="next", </b>; rel="prev"`,
		},
		Body:    `{"total":0,"data":["café"]}`,
		Cookies: []string{"session=new; Path=/; HttpOnly", "clientLanguage=en"},
	}
	if !reflect.DeepEqual(resp, wantResp) {
		t.Errorf("response\n%+v\nwant\n%+v", resp, wantResp)
	}
}

func TestInvokeFormPost(t *testing.T) {
	got, resp := invokeFixture(t, "post-form.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = io.WriteString(w, `{"token_type":"Bearer","access_token":"a","refresh_token":"r","expires_in":86399}`)
	})
	want := seen{
		Method: "POST", Path: "/api/v1/users/token", EscapedPath: "/api/v1/users/token",
		RequestURI: "/api/v1/users/token", Host: apiHost, RemoteAddr: "203.0.113.7:0", Proto: "HTTP/1.1",
		Header: commonHeaders(map[string]string{
			"Accept": "application/json", "Content-Length": "175",
			"Content-Type": "application/x-www-form-urlencoded",
		}),
		ContentLength: 175,
		Form: map[string][]string{
			"client_id":     {"8ck4oyy3z5xs1rdzvdi55z7fe5bqevbz"},
			"client_secret": {"W0bFmuhH4n5yYEKA3cTGYq6uY2lQhV4K"},
			"grant_type":    {"password"},
			"response_type": {"code"},
			"username":      {"root"},
			"password":      {"correct horse&battery"},
		},
		RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", Event: "Ue0pYhM2iYcEJgA=",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("handler saw\n%+v\nwant\n%+v", got, want)
	}
	wantResp := events.APIGatewayV2HTTPResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"},
		Body:       `{"token_type":"Bearer","access_token":"a","refresh_token":"r","expires_in":86399}`,
	}
	if !reflect.DeepEqual(resp, wantResp) {
		t.Errorf("response\n%+v\nwant\n%+v", resp, wantResp)
	}
}

func TestInvokeBinaryBody(t *testing.T) {
	chunk := []byte{0x00, 0x00, 0x00, 0x20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d, 0x00, 0x00, 0x02, 0x00, 0xff, 0xfe, 0x80, 0x7f, 0x0d, 0x0a, 0x1a, 0x0a}
	got, resp := invokeFixture(t, "put-binary.json", func(w http.ResponseWriter, r *http.Request) {
		// PeerTube's resumable upload answers a partial chunk with 308 and
		// the range received so far; echo the chunk back to check the
		// binary path out as well.
		w.Header().Set("Range", "bytes=0-23")
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusPermanentRedirect)
		_, _ = w.Write(chunk)
	})
	want := seen{
		Method: "PUT", Path: "/api/v1/videos/upload-resumable", EscapedPath: "/api/v1/videos/upload-resumable",
		RawQuery:   "upload_id=1d5e9f0a-7c53-4a1b-9a64-2f8e4d7b3c21",
		RequestURI: "/api/v1/videos/upload-resumable?upload_id=1d5e9f0a-7c53-4a1b-9a64-2f8e4d7b3c21",
		Host:       apiHost, RemoteAddr: "203.0.113.7:0", Proto: "HTTP/1.1",
		Header: commonHeaders(map[string]string{
			"Authorization": "Bearer 0f1e2d3c4b5a69788796a5b4c3d2e1f0", "Content-Length": "24",
			"Content-Range": "bytes 0-23/1048576", "Content-Type": "application/octet-stream",
		}),
		Body: chunk, ContentLength: 24,
		RequestID: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", Event: "Ue0qbj9NiYcEJvQ=",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("handler saw\n%+v\nwant\n%+v", got, want)
	}
	wantResp := events.APIGatewayV2HTTPResponse{
		StatusCode:      308,
		Headers:         map[string]string{"Range": "bytes=0-23", "Content-Type": "application/octet-stream"},
		Body:            "AAAAIGZ0eXBpc29tAAACAP/+gH8NChoK",
		IsBase64Encoded: true,
	}
	if !reflect.DeepEqual(resp, wantResp) {
		t.Errorf("response\n%+v\nwant\n%+v", resp, wantResp)
	}
}
