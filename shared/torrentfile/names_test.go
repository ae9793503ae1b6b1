package torrentfile

import (
	"encoding/hex"
	"encoding/json"
	"path"
	"slices"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

func TestTrackerURLsMatchCapture(t *testing.T) {
	var v restVideo
	if err := json.Unmarshal(reftest.REST(t, "rest-video.json"), &v); err != nil {
		t.Fatal(err)
	}
	ws, http, err := TrackerURLs("http://127.0.0.1:9001")
	if err != nil {
		t.Fatal(err)
	}
	// REST trackerUrls lists http first, then ws.
	if got := []string{http, ws}; !slices.Equal(got, v.TrackerURLs) {
		t.Errorf("TrackerURLs = %q, PeerTube published %q", got, v.TrackerURLs)
	}
}

func TestTrackerURLs(t *testing.T) {
	for _, c := range []struct{ in, ws, http string }{
		{"https://videos.example.org", "wss://videos.example.org:443/tracker/socket", "https://videos.example.org/tracker/announce"},
		{"https://Videos.Example.ORG:443/", "wss://videos.example.org:443/tracker/socket", "https://videos.example.org/tracker/announce"},
		{"https://v.example:8443", "wss://v.example:8443/tracker/socket", "https://v.example:8443/tracker/announce"},
		{"http://v.example", "ws://v.example:80/tracker/socket", "http://v.example/tracker/announce"},
		{"http://v.example:80", "ws://v.example:80/tracker/socket", "http://v.example/tracker/announce"},
		{"http://localhost:9000/ignored/path", "ws://localhost:9000/tracker/socket", "http://localhost:9000/tracker/announce"},
		{"http://[::1]:9000", "ws://[::1]:9000/tracker/socket", "http://[::1]:9000/tracker/announce"},
		{"https://[2001:db8::1]", "wss://[2001:db8::1]:443/tracker/socket", "https://[2001:db8::1]/tracker/announce"},
	} {
		ws, http, err := TrackerURLs(c.in)
		if err != nil || ws != c.ws || http != c.http {
			t.Errorf("TrackerURLs(%q) = %q, %q, %v; want %q, %q", c.in, ws, http, err, c.ws, c.http)
		}
	}
	for _, bad := range []string{"", "videos.example.org", "ftp://v.example", "https://", "http://%zz"} {
		if ws, http, err := TrackerURLs(bad); err == nil {
			t.Errorf("TrackerURLs(%q) = %q, %q, no error", bad, ws, http)
		}
	}
}

func TestInfoName(t *testing.T) {
	for _, c := range []struct {
		name string
		res  int
		ext  string
		want string
	}{
		{"Test pattern clip", 240, ".mp4", "Test pattern clip 240p.mp4"},
		{`a/b\c?d%e*f:g|h"i<j>k`, 1080, ".webm", "a-b-c-d-e-f-g-h-i-j-k 1080p.webm"},
		{"Café — 日本語 & co.", 0, ".m4a", "Café — 日本語 & co. 0p.m4a"},
	} {
		if got := InfoName(c.name, c.res, c.ext); got != c.want {
			t.Errorf("InfoName(%q, %d, %q) = %q, want %q", c.name, c.res, c.ext, got, c.want)
		}
	}
}

func TestFileNameMatchesCapture(t *testing.T) {
	var v restVideo
	if err := json.Unmarshal(reftest.REST(t, "rest-video.json"), &v); err != nil {
		t.Fatal(err)
	}
	base := path.Base(v.Files[0].TorrentURL) // UUID-240.torrent
	uuid := strings.TrimSuffix(base, "-240.torrent")
	if len(uuid) != 36 {
		t.Fatalf("captured torrent name %q is not UUID-240.torrent", base)
	}
	if got := FileName(uuid, 240, false); got != base {
		t.Errorf("FileName = %q, captured %q", got, base)
	}
	if got := FileName(uuid, 1080, true); got != uuid+"-1080-hls.torrent" {
		t.Errorf("HLS FileName = %q", got)
	}
}

func TestHLSInfoHashes(t *testing.T) {
	ref := loadNPMReference(t)
	got := HLSInfoHashes(ref.HLS.PlaylistURL, len(ref.HLS.InfoHashes))
	if !slices.Equal(got, ref.HLS.InfoHashes) {
		t.Errorf("HLSInfoHashes = %q, Node's sha1 of \"2\"+url+\"+V\"+i gives %q", got, ref.HLS.InfoHashes)
	}
	for _, h := range got {
		if b, err := hex.DecodeString(h); err != nil || len(b) != 20 || strings.ToLower(h) != h {
			t.Errorf("infohash %q is not 40 lowercase hex digits", h)
		}
	}
	if len(slices.Compact(slices.Sorted(slices.Values(got)))) != len(got) {
		t.Errorf("variants share infohashes: %q", got)
	}
	if again := HLSInfoHashes(ref.HLS.PlaylistURL, 2); !slices.Equal(again, got[:2]) {
		t.Errorf("not deterministic or not a prefix: %q vs %q", again, got[:2])
	}
	if other := HLSInfoHashes(ref.HLS.PlaylistURL+"x", 1); other[0] == got[0] {
		t.Error("another playlist URL gives the same infohash")
	}
	if n := len(HLSInfoHashes("u", 0)); n != 0 {
		t.Errorf("0 variants: %d hashes", n)
	}
	if n := len(HLSInfoHashes("u", -1)); n != 0 {
		t.Errorf("-1 variants: %d hashes", n)
	}
}
