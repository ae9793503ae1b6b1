package torrentfile

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/anacrolix/torrent/metainfo"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

// restVideo is the part of PeerTube's REST video that magnets come from.
type restVideo struct {
	Name        string   `json:"name"`
	TrackerURLs []string `json:"trackerUrls"`
	Files       []struct {
		MagnetURI  string `json:"magnetUri"`
		TorrentURL string `json:"torrentUrl"`
		FileURL    string `json:"fileUrl"`
	} `json:"files"`
}

func captureInfoHash(t *testing.T, magnet string) string {
	t.Helper()
	m, err := metainfo.ParseMagnetUri(magnet)
	if err != nil {
		t.Fatalf("captured magnet: %v", err)
	}
	return m.InfoHash.HexString()
}

// TestMagnetMatchesCaptures rebuilds the magnets PeerTube 6.1 published
// (REST magnetUri of the origin and of a remote instance, ActivityPub
// magnet Link) from the fields beside them.
func TestMagnetMatchesCaptures(t *testing.T) {
	for _, name := range []string{
		"peertube-6.1/instance1-rest/rest-video.json",
		"peertube-6.1/instance2-remote-view/rest-remote-video.json",
	} {
		var v restVideo
		if err := json.Unmarshal(reftest.Read(t, name), &v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(v.Files) == 0 {
			t.Fatalf("%s: no files", name)
		}
		for _, f := range v.Files {
			got := Magnet(MagnetOptions{
				TorrentURL: f.TorrentURL,
				InfoHash:   captureInfoHash(t, f.MagnetURI),
				Name:       v.Name,
				Trackers:   v.TrackerURLs,
				WebSeeds:   []string{f.FileURL},
			})
			if got != f.MagnetURI {
				t.Errorf("%s:\n got %s\nwant %s", name, got, f.MagnetURI)
			}
		}
	}

	var ap struct {
		Name string `json:"name"`
		URL  []struct {
			MediaType string   `json:"mediaType"`
			Href      string   `json:"href"`
			Rel       []string `json:"rel"`
		} `json:"url"`
	}
	if err := json.Unmarshal(reftest.Read(t, "peertube-6.1/instance1-activitypub/ap-video.json"), &ap); err != nil {
		t.Fatal(err)
	}
	var magnet, torrentURL, fileURL string
	var trackers []string
	for _, u := range ap.URL {
		switch {
		case u.MediaType == "application/x-bittorrent;x-scheme-handler/magnet":
			magnet = u.Href
		case u.MediaType == "application/x-bittorrent":
			torrentURL = u.Href
		case u.MediaType == "video/mp4":
			fileURL = u.Href
		case slices.Contains(u.Rel, "tracker"):
			trackers = append(trackers, u.Href)
		}
	}
	if magnet == "" || torrentURL == "" || fileURL == "" || len(trackers) != 2 {
		t.Fatalf("ap-video.json: magnet %q, torrent %q, file %q, trackers %q", magnet, torrentURL, fileURL, trackers)
	}
	got := Magnet(MagnetOptions{TorrentURL: torrentURL, InfoHash: captureInfoHash(t, magnet), Name: ap.Name, Trackers: trackers, WebSeeds: []string{fileURL}})
	if got != magnet {
		t.Errorf("ActivityPub magnet:\n got %s\nwant %s", got, magnet)
	}
}

// TestMagnetMatchesMagnetURI compares with magnet-uri 7.0.5's encoding of
// the object PeerTube builds, for names and URLs that need escaping, an
// empty url-list and an empty tracker list.
func TestMagnetMatchesMagnetURI(t *testing.T) {
	ref := loadNPMReference(t)
	if len(ref.Magnets) < 3 {
		t.Fatalf("only %d reference magnets", len(ref.Magnets))
	}
	for _, c := range ref.Magnets {
		m := MagnetOptions{TorrentURL: c.In.XS, InfoHash: c.In.InfoHash, Name: c.In.Name, Trackers: c.In.Announce, WebSeeds: c.In.URLList}
		if got := Magnet(m); got != c.Out {
			t.Errorf("Magnet(%+v)\n got %s\nwant %s", m, got, c.Out)
		}
		// A BitTorrent client reads back what went in.
		p, err := metainfo.ParseMagnetUri(Magnet(m))
		if err != nil {
			t.Fatalf("ParseMagnetUri: %v", err)
		}
		if p.InfoHash.HexString() != m.InfoHash || p.DisplayName != m.Name || !slices.Equal(p.Trackers, m.Trackers) ||
			!slices.Equal(p.Params["xs"], []string{m.TorrentURL}) || !slices.Equal(p.Params["ws"], m.WebSeeds) {
			t.Errorf("parsed back as %+v, from %+v", p, m)
		}
	}
}

func TestMagnetLeavesOutEmptyFields(t *testing.T) {
	for _, c := range []struct {
		m    MagnetOptions
		want string
	}{
		{MagnetOptions{}, "magnet:?"},
		{MagnetOptions{InfoHash: "ab"}, "magnet:?xt=urn:btih:ab"},
		{MagnetOptions{Name: "a b", WebSeeds: []string{"w"}}, "magnet:?dn=a+b&ws=w"},
	} {
		if got := Magnet(c.m); got != c.want {
			t.Errorf("Magnet(%+v) = %q, want %q", c.m, got, c.want)
		}
	}
}

// TestEncodeURIComponentEveryByte checks every byte against net/url's query
// escaping, adjusted for where encodeURIComponent differs from it: space
// is %20, and ! * ' ( ) stay as they are.
func TestEncodeURIComponentEveryByte(t *testing.T) {
	adjust := strings.NewReplacer("+", "%20", "%21", "!", "%2A", "*", "%27", "'", "%28", "(", "%29", ")")
	var all []byte
	for c := range 256 {
		s := string([]byte{byte(c)})
		all = append(all, byte(c))
		if got, want := encodeURIComponent(s), adjust.Replace(url.QueryEscape(s)); got != want {
			t.Errorf("byte %#x: %q, want %q", c, got, want)
		}
	}
	if got, want := encodeURIComponent(string(all)), adjust.Replace(url.QueryEscape(string(all))); got != want {
		t.Errorf("all bytes: %q, want %q", got, want)
	}
}
