package webfinger_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

const (
	captured     = "peertube-6.1/instance1-webfinger-nodeinfo/"
	capturedURL  = "http://127.0.0.1:9001"
	capturedHost = "127.0.0.1:9001"
)

// capture is one recorded answer: status, headers and body.
type capture struct {
	status int
	header http.Header
	body   []byte
}

// readCapture reads NAME.headers.http and NAME.json, or NAME.http (a whole
// response) when json is false.
func readCapture(t *testing.T, name string, jsonBody bool) capture {
	t.Helper()
	var head, body []byte
	if jsonBody {
		head = reftest.Read(t, captured+name+".headers.http")
		body = reftest.Read(t, captured+name+".json")
	} else {
		raw := reftest.Read(t, captured+name+".http")
		var ok bool
		head, body, ok = bytes.Cut(raw, []byte("\r\n\r\n"))
		if !ok {
			t.Fatalf("%s: no header/body separator", name)
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(append(bytes.TrimRight(head, "\r\n"), "\r\n\r\n"...))), nil)
	if err != nil {
		t.Fatalf("%s headers: %v", name, err)
	}
	_ = resp.Body.Close()
	return capture{status: resp.StatusCode, header: resp.Header, body: body}
}

// substitute moves a captured document to another instance's origin.
func substitute(b []byte, publicURL string) []byte {
	host := strings.SplitN(publicURL, "://", 2)[1]
	s := strings.ReplaceAll(string(b), capturedURL, publicURL)
	return []byte(strings.ReplaceAll(s, capturedHost, host))
}

var actors = map[string]string{
	"root":         "/accounts/root",
	"root_channel": "/video-channels/root_channel",
	"peertube":     "/accounts/peertube",
}

func lookup(_ context.Context, name string) (string, bool, error) {
	p, ok := actors[name]
	return p, ok, nil
}

func serve(publicURL, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	webfinger.Serve(rec, httptest.NewRequest(http.MethodGet, target, nil), lookup, publicURL)
	return rec
}

func TestServeAnswersAsPeerTube(t *testing.T) {
	cases := []struct{ capture, target string }{
		{"webfinger-root", "/.well-known/webfinger?resource=acct:root@" + capturedHost},
		{"webfinger-root_channel", "/.well-known/webfinger?resource=acct:root_channel@" + capturedHost},
		{"webfinger-peertube", "/.well-known/webfinger?resource=acct:peertube@" + capturedHost},
		{"webfinger-by-url-root", "/.well-known/webfinger?resource=" + capturedURL + "/accounts/root"},
		{"webfinger-unknown", "/.well-known/webfinger?resource=acct:nobody@" + capturedHost},
		{"webfinger-missing-resource", "/.well-known/webfinger"},
	}
	for _, publicURL := range []string{capturedURL, "https://videos.example.org", "http://localhost:9000"} {
		for _, tc := range cases {
			want := readCapture(t, tc.capture, true)
			rec := serve(publicURL, string(substitute([]byte(tc.target), publicURL)))
			wantBody := substitute(want.body, publicURL)
			if rec.Code != want.status {
				t.Errorf("%s on %s: status %d, want %d", tc.capture, publicURL, rec.Code, want.status)
			}
			if got := rec.Body.Bytes(); !bytes.Equal(got, wantBody) {
				t.Errorf("%s on %s:\n got %s\nwant %s", tc.capture, publicURL, got, wantBody)
			}
			if got, w := rec.Header().Get("Content-Type"), want.header.Get("Content-Type"); got != w {
				t.Errorf("%s: Content-Type %q, want %q", tc.capture, got, w)
			}
			if publicURL == capturedURL && rec.Header().Get("Content-Length") != want.header.Get("Content-Length") {
				t.Errorf("%s: Content-Length %s, want %s", tc.capture, rec.Header().Get("Content-Length"), want.header.Get("Content-Length"))
			}
			if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
				t.Errorf("%s: no CORS header", tc.capture)
			}
		}
	}
}

func TestServeEdgeCases(t *testing.T) {
	const pub = "https://videos.example.org"
	cases := []struct {
		target string
		status int
		value  any // invalid-params.resource.value for 400s
	}{
		{"/.well-known/webfinger?resource=acct:root@videos.example.org:443", 200, nil},
		{"/.well-known/webfinger?resource=acct:root@VIDEOS.example.org", 200, nil},
		{"/.well-known/webfinger?resource=acct%3Aroot%40videos.example.org", 200, nil},
		{"/.well-known/webfinger?resource=acct:root@other.example", 400, "acct:root@other.example"},
		{"/.well-known/webfinger?resource=root@videos.example.org", 400, "root@videos.example.org"},
		{"/.well-known/webfinger?resource=acct:a@b@videos.example.org", 400, "acct:a@b@videos.example.org"},
		{"/.well-known/webfinger?resource=", 400, ""},
		{"/.well-known/webfinger?resource=acct:a@videos.example.org&resource=acct:b@videos.example.org", 400, []any{"acct:a@videos.example.org", "acct:b@videos.example.org"}},
		{"/.well-known/webfinger?resource=acct:@videos.example.org", 404, nil},
	}
	for _, tc := range cases {
		rec := serve(pub, tc.target)
		if rec.Code != tc.status {
			t.Errorf("%s: status %d, want %d (%s)", tc.target, rec.Code, tc.status, rec.Body)
			continue
		}
		var body map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: %v", tc.target, err)
		}
		switch tc.status {
		case 200:
			var d webfinger.JRD
			_ = json.Unmarshal(rec.Body.Bytes(), &d)
			if a, _ := d.ActorURL(); a != pub+"/accounts/root" {
				t.Errorf("%s: actor %q", tc.target, a)
			}
		case 400:
			params, _ := body["invalid-params"].(map[string]any)
			res, _ := params["resource"].(map[string]any)
			got, _ := json.Marshal(res["value"])
			want, _ := json.Marshal(tc.value)
			if !bytes.Equal(got, want) {
				t.Errorf("%s: rejected value %s, want %s", tc.target, got, want)
			}
			if body["instance"] != tc.target {
				t.Errorf("%s: instance %v", tc.target, body["instance"])
			}
		}
	}

	failing := func(context.Context, string) (string, bool, error) { return "", false, errors.New("table down") }
	rec := httptest.NewRecorder()
	webfinger.Serve(rec, httptest.NewRequest(http.MethodGet, "/.well-known/webfinger?resource=acct:root@videos.example.org", nil), failing, pub)
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "table down") {
		t.Errorf("failing lookup: %d %s", rec.Code, rec.Body)
	}
}

func TestResolve(t *testing.T) {
	cases := []struct {
		resource, host, name string
		ok                   bool
	}{
		{"acct:root@127.0.0.1:9001", "127.0.0.1:9001", "root", true},
		{"acct:root_channel@video.example", "video.example", "root_channel", true},
		{"acct:root@video.example:443", "video.example", "root", true},
		{"acct:root@video.example:80", "video.example", "root", true},
		{"acct:root@Video.Example", "video.example", "root", true},
		{"acct:@video.example", "video.example", "", true},
		{"acct:root@127.0.0.1:9002", "127.0.0.1:9001", "", false},
		{"acct:root@video.example:8443", "video.example", "", false},
		{"http://127.0.0.1:9001/accounts/root", "127.0.0.1:9001", "", false},
		{"https://video.example/accounts/root", "video.example", "", false},
		{"root@video.example", "video.example", "", false},
		{"acct:root", "video.example", "", false},
		{"acct:a@b@video.example", "video.example", "", false},
		{"", "video.example", "", false},
	}
	for _, tc := range cases {
		name, err := webfinger.Resolve(tc.resource, tc.host)
		if (err == nil) != tc.ok || name != tc.name {
			t.Errorf("Resolve(%q, %q) = %q, %v; want %q ok=%v", tc.resource, tc.host, name, err, tc.name, tc.ok)
		}
		if err != nil && !errors.Is(err, webfinger.ErrInvalidResource) {
			t.Errorf("Resolve(%q): error %v is not ErrInvalidResource", tc.resource, err)
		}
	}
}

func TestDocumentIsPeerTubesJRD(t *testing.T) {
	for name, path := range actors {
		want := reftest.Read(t, captured+"webfinger-"+name+".json")
		got, err := json.Marshal(webfinger.Document(capturedURL, name, path))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", name, got, want)
		}
	}
}

func TestCapturesParseBack(t *testing.T) {
	cases := map[string]string{
		captured + "webfinger-root.json":                            capturedURL + "/accounts/root",
		captured + "webfinger-root_channel.json":                    capturedURL + "/video-channels/root_channel",
		captured + "webfinger-peertube.json":                        capturedURL + "/accounts/peertube",
		"gotosocial-0.18/gotosocial-responses/webfinger-alice.json": "http://127.0.0.1:8081/users/alice",
	}
	for file, actor := range cases {
		raw := reftest.Read(t, file)
		var d webfinger.JRD
		if err := json.Unmarshal(raw, &d); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if got, ok := d.ActorURL(); !ok || got != actor {
			t.Errorf("%s: actor %q %v, want %q", file, got, ok, actor)
		}
		again, _ := json.Marshal(d)
		reftest.ShapeEqual(t, again, raw, true, nil)
		if strings.HasPrefix(file, captured) && !bytes.Equal(again, raw) {
			t.Errorf("%s does not round-trip:\n got %s\nwant %s", file, again, raw)
		}
	}
	for _, bad := range []string{
		`{"subject":"acct:a@b","links":[{"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"https://b/@a"}]}`,
		`{"subject":"acct:a@b","links":[{"rel":"self","type":"text/html","href":"https://b/@a"}]}`,
		`{"subject":"acct:a@b","links":[{"rel":"self","type":"application/activity+json","href":"/users/a"}]}`,
		`{"subject":"acct:a@b","links":[{"rel":"self","type":"application/activity+json","href":"ftp://b/users/a"}]}`,
	} {
		var d webfinger.JRD
		_ = json.Unmarshal([]byte(bad), &d)
		if a, ok := d.ActorURL(); ok {
			t.Errorf("%s: actor %q accepted", bad, a)
		}
	}
	var d webfinger.JRD
	_ = json.Unmarshal([]byte(`{"links":[{"rel":"self","type":"application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"","href":"https://b/users/a"}]}`), &d)
	if a, ok := d.ActorURL(); !ok || a != "https://b/users/a" {
		t.Errorf("ld+json self link: %q %v", a, ok)
	}
}

func TestHostMetaIsPeerTubes(t *testing.T) {
	want := readCapture(t, "wellknown-host-meta", false)
	for _, pub := range []string{capturedURL, "https://videos.example.org"} {
		rec := httptest.NewRecorder()
		webfinger.ServeHostMeta(rec, httptest.NewRequest(http.MethodGet, "/.well-known/host-meta", nil), pub)
		if got, w := rec.Body.Bytes(), substitute(want.body, pub); !bytes.Equal(got, w) {
			t.Errorf("%s:\n got %q\nwant %q", pub, got, w)
		}
		if rec.Code != want.status || rec.Header().Get("Content-Type") != want.header.Get("Content-Type") {
			t.Errorf("%s: %d %q", pub, rec.Code, rec.Header().Get("Content-Type"))
		}
		if pub == capturedURL && rec.Header().Get("Content-Length") != want.header.Get("Content-Length") {
			t.Errorf("Content-Length %s, want %s", rec.Header().Get("Content-Length"), want.header.Get("Content-Length"))
		}
	}
	if n, _ := strconv.Atoi(want.header.Get("Content-Length")); n != len(want.body) {
		t.Fatalf("capture body is %d bytes, its Content-Length says %d", len(want.body), n)
	}
}
