package web

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/web/browsertest"
)

// These tests open the pages in headless Chromium (make test installs it
// and playwright-core) against the test site, with webtorrent's real
// browser bundle and service worker.

func runTabs(t *testing.T, tools browsertest.Tools, plan browsertest.Plan) []browsertest.TabResult {
	t.Helper()
	tabs, err := browsertest.Run(context.Background(), tools, plan)
	if err != nil {
		t.Fatal(err)
	}
	for i, tab := range tabs {
		t.Logf("tab %d %s: done=%v in %d ms, state %+v, requests %v", i, tab.URL, tab.Done, tab.MS, tab.State, tab.Requests)
		for _, c := range tab.Console {
			t.Logf("tab %d console: %s", i, c)
		}
		if len(tab.PageErrors) > 0 {
			t.Errorf("tab %d: uncaught errors %v", i, tab.PageErrors)
		}
		if tab.State == nil {
			t.Fatalf("tab %d: no player state", i)
		}
	}
	return tabs
}

// TestWatchPagePlaysOverWebTorrent: alone in its swarm, the player waits
// for peers, then takes the file from the web seed (one connection) through
// the service worker; the video plays, and the page reports views as
// PeerTube's player does, a seek included.
func TestWatchPagePlaysOverWebTorrent(t *testing.T) {
	tools := browsertest.Require(t)
	s := newSite(t, siteOptions{assetsDir: tools.AssetsDir, withClip: true})
	tab := runTabs(t, tools, browsertest.Plan{Timeout: 40 * time.Second, Tabs: []browsertest.Tab{{
		URL:   s.url + WatchPath + publicUUID,
		Until: "vidiverse.currentTime >= 3 && vidiverse.viewsSent >= 3 && vidiverse.viewStatus === 204",
		Then: []browsertest.Step{{
			Do:    "window.sentBeforeSeek = vidiverse.viewsSent; document.querySelector('video').currentTime = 6",
			Until: "vidiverse.currentTime >= 6.5 && vidiverse.viewsSent > window.sentBeforeSeek",
		}},
	}}})[0]
	st := tab.State
	if !tab.Done || st.Error != "" || st.Mode != "p2p" {
		t.Fatalf("did not play over P2P: done=%v mode %q error %q fallback %q", tab.Done, st.Mode, st.Error, st.Fallback)
	}
	if st.FromServer == 0 || st.FromPeers != 0 || st.WebSeedAdds == 0 {
		t.Errorf("bytes: %d from the server, %d from peers (web seed added %d times)", st.FromServer, st.FromPeers, st.WebSeedAdds)
	}
	// Peers first: the web seed's first GET came after the peer wait.
	s.mu.Lock()
	wait := s.firstFileGet.Sub(s.firstAPIGet)
	s.mu.Unlock()
	if wait < 1500*time.Millisecond {
		t.Errorf("the web seed was asked %v after the page loaded the video, before the 2 s peer wait", wait)
	}
	// Bytes counted where served: the server sent what the player got
	// from it, in piece-sized ranged GETs (maxWebConns 1).
	served := s.fileBytes.Load()
	if served < st.FromServer || served > int64(len(s.clip))*3/2 {
		t.Errorf("server sent %d bytes of the %d-byte file; the player counted %d", served, len(s.clip), st.FromServer)
	}
	if gets := tab.Requests["GET /static/web-videos/"+publicUUID+"-240.mp4"]; gets.Count < 2 {
		t.Errorf("web seed GETs %+v, want one per piece", gets)
	}

	views := s.viewReports()
	if len(views) < 3 {
		t.Fatalf("view reports %+v", views)
	}
	if *views[0].CurrentTime != 0 || views[0].ViewEvent != nil || views[0].ID != publicUUID || len(views[0].SessionID) != 32 {
		t.Errorf("first report (on play) %+v", views[0])
	}
	seeks := 0
	for i := 1; i < len(views); i++ {
		if *views[i].CurrentTime <= *views[i-1].CurrentTime || views[i].SessionID != views[0].SessionID {
			t.Errorf("report %d %+v after %+v: the position should move, the session stay", i, views[i], views[i-1])
		}
		if views[i].ViewEvent != nil {
			seeks++
			if *views[i].CurrentTime < 6 {
				t.Errorf("report %d marks a seek at %d s, before the seek to 6 s", i, *views[i].CurrentTime)
			}
		}
	}
	if seeks != 1 {
		t.Errorf("%d reports carry viewEvent seek, want the one after the seek: %+v", seeks, views)
	}
}

// TestEmbedPlaysOverHTTP: p2p=0 plays the file itself over HTTP.
func TestEmbedPlaysOverHTTP(t *testing.T) {
	tools := browsertest.Require(t)
	s := newSite(t, siteOptions{assetsDir: tools.AssetsDir, withClip: true})
	tabs := runTabs(t, tools, browsertest.Plan{Timeout: 30 * time.Second, Tabs: []browsertest.Tab{
		{URL: s.url + EmbedPath + publicUUID + "?p2p=0&autoplay=1", Until: "vidiverse.currentTime >= 2 && vidiverse.viewsSent >= 1"},
		// Pages of missing and private videos say so.
		{URL: s.url + EmbedPath + privateUUID, Until: "vidiverse.mode === 'error'"},
	}})
	if st := tabs[0].State; !tabs[0].Done || st.Mode != "http" || st.Fallback != "P2P is off" || st.Error != "" {
		t.Errorf("embed with p2p=0: done=%v %+v", tabs[0].Done, st)
	}
	if s.fileBytes.Load() == 0 {
		t.Error("the server sent no bytes of the file")
	}
	if st := tabs[1].State; !tabs[1].Done || !strings.Contains(st.Error, "private") {
		t.Errorf("private video's page: %+v", st)
	}
}

// TestFallsBackToHTTP: a page whose P2P path fails (the .torrent is
// missing), or that has no webtorrent files to load, plays the file over
// HTTP and says why; with the web seed off it plays nothing from the
// server.
func TestFallsBackToHTTP(t *testing.T) {
	tools := browsertest.Require(t)
	broken := newSite(t, siteOptions{assetsDir: tools.AssetsDir, withClip: true, noTorrent: true})
	bare := newSite(t, siteOptions{withClip: true})
	played := "vidiverse.currentTime >= 1"
	tabs := runTabs(t, tools, browsertest.Plan{Timeout: 30 * time.Second, Tabs: []browsertest.Tab{
		{URL: broken.url + WatchPath + publicUUID, Until: played},
		{URL: bare.url + WatchPath + publicUUID, Until: played},
		{URL: broken.url + WatchPath + publicUUID + "?webseed=0", Until: "vidiverse.mode === 'error'"},
	}})
	for i, want := range []string{"P2P failed", "no WebTorrent here"} {
		if st := tabs[i].State; !tabs[i].Done || st.Mode != "http" || !strings.HasPrefix(st.Fallback, want) || st.Error != "" {
			t.Errorf("tab %d: done=%v %+v, want HTTP playback after %q", i, tabs[i].Done, st, want)
		}
	}
	if st := tabs[2].State; !tabs[2].Done || !strings.Contains(st.Error, "P2P failed") || st.Started {
		t.Errorf("peers-only page without a torrent: %+v", st)
	}
	if tabs[2].Requests["GET /static/web-videos/"+publicUUID+"-240.mp4"].Count != 0 {
		t.Errorf("the peers-only page fetched the file: %+v", tabs[2].Requests)
	}
}

// TestPeersOnlyViewerPlaysFromAnotherViewer: viewers meet through
// bittorrent-tracker's reference WebSocket tracker. The first takes the
// file from the web seed; the second disables the web seed (webseed=0)
// and plays what it gets from the first over WebRTC: no byte of it from
// the server. A third, with the web seed allowed, finds peers before it
// would ask the server and takes most of its bytes from them.
func TestPeersOnlyViewerPlaysFromAnotherViewer(t *testing.T) {
	tools := browsertest.Require(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	s := newSite(t, siteOptions{assetsDir: tools.AssetsDir, withClip: true, trackerPort: port})
	page := s.url + WatchPath + publicUUID
	tabs := runTabs(t, tools, browsertest.Plan{Timeout: 60 * time.Second, TrackerPort: port, Tabs: []browsertest.Tab{
		{URL: page, Until: "vidiverse.currentTime >= 1"},
		{URL: page + "?webseed=0", Delay: 3 * time.Second, Until: "vidiverse.currentTime >= 3"},
		{URL: page, Delay: 4 * time.Second, Until: "vidiverse.currentTime >= 3"},
	}})
	first, second := tabs[0].State, tabs[1].State
	if !tabs[0].Done || first.FromServer == 0 {
		t.Fatalf("first viewer: done=%v %+v", tabs[0].Done, first)
	}
	if !tabs[1].Done || second.Mode != "p2p" || second.Error != "" {
		t.Fatalf("peers-only viewer did not play: done=%v %+v", tabs[1].Done, second)
	}
	if second.FromServer != 0 || second.WebSeedAdds != 0 || second.FromPeers == 0 || second.Peers == 0 {
		t.Errorf("peers-only viewer: %d bytes from peers, %d from the server, %d peers", second.FromPeers, second.FromServer, second.Peers)
	}
	if r, ok := tabs[1].Requests["GET /static/web-videos/"+publicUUID+"-240.mp4"]; ok {
		t.Errorf("peers-only viewer fetched the file from the server: %+v", r)
	}
	third := tabs[2].State
	if !tabs[2].Done || third.Error != "" || third.FromPeers == 0 || third.FromServer >= third.FromPeers {
		t.Errorf("third viewer: done=%v, %d bytes from peers, %d from the server", tabs[2].Done, third.FromPeers, third.FromServer)
	}
	// Where the bytes were served: the server sent the file about once
	// (to the first viewer), not once per viewer.
	if served := s.fileBytes.Load(); served > int64(len(s.clip))*3/2 {
		t.Errorf("server sent %d bytes for a %d-byte file watched by three viewers", served, len(s.clip))
	}
}
