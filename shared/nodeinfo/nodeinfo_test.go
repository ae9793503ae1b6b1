package nodeinfo_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/nodeinfo"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/serverconfig"
)

const (
	captured     = "peertube-6.1/instance1-webfinger-nodeinfo/"
	capturedURL  = "http://127.0.0.1:9001"
	capturedHost = "127.0.0.1:9001"
)

func substitute(b []byte, publicURL string) []byte {
	host := strings.SplitN(publicURL, "://", 2)[1]
	s := strings.ReplaceAll(string(b), capturedURL, publicURL)
	return []byte(strings.ReplaceAll(s, capturedHost, host))
}

func capturedHeaders(t *testing.T, name string) http.Header {
	t.Helper()
	head := bytes.TrimRight(reftest.Read(t, captured+name+".headers.http"), "\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(append(head, "\r\n\r\n"...))), nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	_ = resp.Body.Close()
	return resp.Header
}

// capturedSettings configures an instance like the captured PeerTube test
// instance, as far as this server has the same settings.
func capturedSettings() serverconfig.Settings {
	s := serverconfig.DefaultSettings()
	s.Instance.Name = "PeerTube"
	s.Instance.ShortDescription = "PeerTube, an ActivityPub-federated video streaming platform using P2P directly in your web browser."
	s.Signup.Enabled = true
	s.ContactFormEnabled = true
	s.Transcoding = serverconfig.Transcoding{Enabled: true, HLS: true, WebVideos: true}
	s.ActorImageMaxSize = 102400
	s.VideoImageMaxSize = 409600
	s.CaptionMaxSize = 20971520
	s.VideoExtensions = []string{".webm", ".ogv", ".mp4"}
	s.UserVideoQuota = 5242880
	s.UserVideoQuotaDaily = -1
	return s
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var capturedUsage = nodeinfo.Usage{Users: nodeinfo.Users{Total: 1, ActiveMonth: 1, ActiveHalfyear: 1}, LocalPosts: 1, LocalComments: 2}

func TestDocumentIsPeerTubes(t *testing.T) {
	want := reftest.Read(t, captured+"nodeinfo-2.0.json")
	// This server has no video imports, so it says so where the captured
	// instance had them on; every other byte is the same.
	const imports = `"import":{"videos":{"http":{"enabled":true},"torrent":{"enabled":true}}}`
	if !bytes.Contains(want, []byte(imports)) {
		t.Fatalf("the capture changed: no %s", imports)
	}
	want = bytes.Replace(want, []byte(imports), []byte(`"import":{"videos":{"http":{"enabled":false},"torrent":{"enabled":false}}}`), 1)

	rec := httptest.NewRecorder()
	nodeinfo.Serve(rec, httptest.NewRequest(http.MethodGet, nodeinfo.Path, nil), nodeinfo.Build(capturedSettings(), capturedUsage))
	if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
		t.Errorf("nodeinfo 2.0:\n got %s\nwant %s", got, want)
	}
	h := capturedHeaders(t, "nodeinfo-2.0")
	// The capture's Content-Length is 2 bytes shorter ("true" twice where
	// this document says "false").
	if got, w := rec.Header().Get("Content-Length"), h.Get("Content-Length"); got != strconv.Itoa(len(want)) || len(want) != atoi(t, w)+2 {
		t.Errorf("Content-Length %s, capture %s, body %d", got, w, len(want))
	}
	for _, name := range []string{"Content-Type", "Cache-Control", "Access-Control-Allow-Origin"} {
		if got, w := rec.Header().Get(name), h.Get(name); got != w {
			t.Errorf("%s: %q, want %q", name, got, w)
		}
	}
	if rec.Header().Get("Content-Type") != nodeinfo.ContentType {
		t.Errorf("ContentType constant %q differs from the answer", nodeinfo.ContentType)
	}
}

func TestBuildFollowsTheSettings(t *testing.T) {
	s := serverconfig.DefaultSettings()
	s.Instance.Name = "Clips & <Things>"
	s.Signup.Enabled = false
	d := nodeinfo.Build(s, nodeinfo.Usage{LocalPosts: 7})
	if d.Software != (nodeinfo.Software{Name: "peertube", Version: serverconfig.APIVersion}) || d.OpenRegistrations {
		t.Errorf("software %+v, open %v", d.Software, d.OpenRegistrations)
	}
	if got := d.Metadata.NodeConfig.Transcoding.EnabledResolutions; len(got) != len(s.Transcoding.Resolutions) {
		t.Errorf("enabled resolutions %v, settings have %v", got, s.Transcoding.Resolutions)
	}
	if got := d.Metadata.NodeConfig.Video.File.Extensions; len(got) != len(s.VideoExtensions) {
		t.Errorf("video extensions %v", got)
	}
	rec := httptest.NewRecorder()
	nodeinfo.Serve(rec, httptest.NewRequest(http.MethodGet, nodeinfo.Path, nil), d)
	if !strings.Contains(rec.Body.String(), `"nodeName":"Clips & <Things>"`) {
		t.Errorf("node name escaped or missing: %s", rec.Body)
	}
	// The same members as PeerTube's, in the same order, whatever the
	// settings.
	reftest.ShapeEqual(t, rec.Body.Bytes(), reftest.Read(t, captured+"nodeinfo-2.0.json"), true, nil)
}

func TestWellKnownIsPeerTubes(t *testing.T) {
	for _, pub := range []string{capturedURL, "https://videos.example.org"} {
		rec := httptest.NewRecorder()
		nodeinfo.ServeWellKnown(rec, httptest.NewRequest(http.MethodGet, nodeinfo.WellKnownPath, nil), pub, "/accounts/peertube")
		want := substitute(reftest.Read(t, captured+"wellknown-nodeinfo.json"), pub)
		if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", pub, got, want)
		}
		h := capturedHeaders(t, "wellknown-nodeinfo")
		if rec.Header().Get("Content-Type") != h.Get("Content-Type") {
			t.Errorf("Content-Type %q, want %q", rec.Header().Get("Content-Type"), h.Get("Content-Type"))
		}
		if pub == capturedURL && rec.Header().Get("Content-Length") != h.Get("Content-Length") {
			t.Errorf("Content-Length %s, want %s", rec.Header().Get("Content-Length"), h.Get("Content-Length"))
		}
	}
}

func TestCapturesParseBack(t *testing.T) {
	raw := reftest.Read(t, captured+"nodeinfo-2.0.json")
	var d nodeinfo.Document
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	if d.Software.Name != "peertube" || d.Software.Version != "6.1.0" || d.Usage.LocalComments != 2 || !d.Metadata.NodeConfig.Tracker.Enabled {
		t.Errorf("parsed %+v", d)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(d); err != nil {
		t.Fatal(err)
	}
	if got := bytes.TrimSpace(buf.Bytes()); !bytes.Equal(got, raw) {
		t.Errorf("PeerTube's document does not round-trip:\n got %s\nwant %s", got, raw)
	}

	var links nodeinfo.Links
	if err := json.Unmarshal(reftest.Read(t, captured+"wellknown-nodeinfo.json"), &links); err != nil {
		t.Fatal(err)
	}
	if len(links.Links) != 2 || links.Links[1].Rel != nodeinfo.RelApplication || links.Links[1].Href != capturedURL+"/accounts/peertube" {
		t.Errorf("links %+v", links)
	}
	if err := json.Unmarshal(reftest.Read(t, "gotosocial-0.18/gotosocial-responses/wellknown-nodeinfo.json"), &links); err != nil {
		t.Fatal(err)
	}
	if len(links.Links) != 2 || links.Links[1].Rel != nodeinfo.Schema21 {
		t.Errorf("GoToSocial links %+v", links)
	}
}
