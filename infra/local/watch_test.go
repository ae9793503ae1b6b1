package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/web/browsertest"
)

// TestWatchPagePlaysInChromium is the watch page against the real binary:
// a clip uploaded over the API is opened at /videos/watch/{uuid} in
// headless Chromium (make test installs it), plays through the page's
// WebTorrent player (from the instance's seed, or the web seed when the
// seed is not there in time) to the end, and the page's view reports count
// a view.
func TestWatchPagePlaysInChromium(t *testing.T) {
	tools := browsertest.Require(t)
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	// 12 s: a view counts after 10 s watched.
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc=duration=12:size=320x240:rate=24", "-f", "lavfi", "-i", "sine=frequency=440:duration=12",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput()
	if err != nil {
		t.Fatalf("make clip: %v %s", err, out)
	}

	const pw = "admin-pass-1234"
	in := start(t, freePort(t), t.TempDir(), "ADMIN_PASSWORD="+pw, browsertest.EnvAssetsDir+"="+tools.AssetsDir)
	uuid := upload(t, in, in.login("root", pw), clip, "Watch page clip")
	views := func() int64 {
		var v struct {
			State struct{ ID int }
			Views int64
		}
		_, body := in.get("/api/v1/videos/"+uuid, "")
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("video: %s", body)
		}
		if v.State.ID != 1 {
			return -1
		}
		return v.Views
	}
	for deadline := time.Now().Add(3 * time.Minute); views() < 0; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("not published after 3 minutes")
		}
	}

	page := in.url + "/videos/watch/" + uuid
	req, _ := http.NewRequest("GET", page, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET %s as a browser: %d %s, want the HTML watch page", page, resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	tabs, err := browsertest.Run(context.Background(), tools, browsertest.Plan{Timeout: 60 * time.Second, Tabs: []browsertest.Tab{{
		URL:   page,
		Until: "document.querySelector('video').ended && vidiverse.viewStatus === 204",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	tab := tabs[0]
	t.Logf("%s: done=%v in %d ms, state %+v, console %v", tab.URL, tab.Done, tab.MS, tab.State, tab.Console)
	st := tab.State
	if st == nil || !tab.Done || !st.Started || st.Error != "" || len(tab.PageErrors) > 0 {
		t.Fatalf("the video did not play to its end: done=%v state %+v errors %v", tab.Done, st, tab.PageErrors)
	}
	if st.Mode != "p2p" || st.FromServer+st.FromPeers == 0 {
		t.Errorf("played in mode %q (%s) with %d bytes from the web seed and %d from peers (the instance's seed); want WebTorrent (is %s passed to the handler?)",
			st.Mode, st.Fallback, st.FromServer, st.FromPeers, browsertest.EnvAssetsDir)
	}
	if tab.Requests["POST /api/v1/videos/"+uuid+"/views"].Count < 2 {
		t.Errorf("view reports %+v", tab.Requests)
	}
	for deadline := time.Now().Add(10 * time.Second); views() < 1; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("12 s watched, but the video has no view")
		}
	}
}

// TestSeedServesChromiumOverWebRTC: with the web seed disabled (webseed=0),
// a headless Chromium tab gets the whole video over WebRTC from the
// instance's seed, found through its WebSocket tracker; the bytes are
// counted by the page and by the seed.
func TestSeedServesChromiumOverWebRTC(t *testing.T) {
	tools := browsertest.Require(t)
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error",
		"-f", "lavfi", "-i", "testsrc=duration=6:size=320x240:rate=24", "-f", "lavfi", "-i", "sine=frequency=440:duration=6",
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", clip).CombinedOutput()
	if err != nil {
		t.Fatalf("make clip: %v %s", err, out)
	}
	const pw = "admin-pass-1234"
	in := start(t, freePort(t), t.TempDir(), "ADMIN_PASSWORD="+pw, "TRANSCODING_RESOLUTIONS=240", browsertest.EnvAssetsDir+"="+tools.AssetsDir)
	uuid := upload(t, in, in.login("root", pw), clip, "Seeded clip")
	var video struct {
		State       struct{ ID int }
		TrackerURLs []string `json:"trackerUrls"`
		Files       []struct {
			Size      int64
			MagnetURI string
		}
	}
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(250 * time.Millisecond) {
		_, body := in.get("/api/v1/videos/"+uuid, "")
		if err := json.Unmarshal(body, &video); err != nil {
			t.Fatalf("video: %s", body)
		}
		if video.State.ID == 1 && len(video.Files) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not published with one file after 2 minutes: %s", body)
		}
	}
	size := video.Files[0].Size
	ws := "ws" + strings.TrimPrefix(in.url, "http") + "/tracker/socket"
	if !slices.Contains(video.TrackerURLs, ws) {
		t.Fatalf("trackerUrls %v lack %s", video.TrackerURLs, ws)
	}
	type metrics struct {
		Tracker struct{ OffersRelayed, AnswersRelayed int64 }
		Seed    *struct {
			BytesServed int64
			PerTorrent  []struct{ Video string }
		}
	}
	read := func() metrics {
		var m metrics
		_, body := in.get("/seeder/metrics", "")
		if err := json.Unmarshal(body, &m); err != nil || m.Seed == nil {
			t.Fatalf("metrics: %s", body)
		}
		return m
	}
	if m := read(); len(m.Seed.PerTorrent) == 0 || m.Seed.PerTorrent[0].Video != uuid {
		t.Fatalf("the seed does not seed the published video: %+v", m.Seed)
	}

	tabs, err := browsertest.Run(context.Background(), tools, browsertest.Plan{Timeout: 60 * time.Second, Tabs: []browsertest.Tab{{
		URL:   in.url + "/videos/watch/" + uuid + "?webseed=0&muted=1",
		Until: "document.querySelector('video').ended",
	}}})
	if err != nil {
		t.Fatal(err)
	}
	tab := tabs[0]
	st := tab.State
	t.Logf("done=%v in %d ms, state %+v", tab.Done, tab.MS, st)
	if st == nil || !tab.Done || st.Error != "" || len(tab.PageErrors) > 0 {
		t.Fatalf("the video did not play to its end over WebRTC: done=%v state %+v errors %v console %v", tab.Done, st, tab.PageErrors, tab.Console)
	}
	if st.FromServer != 0 || st.FromPeers < size {
		t.Fatalf("bytes from peers %d, from the server %d; want the whole file (%d bytes) from peers", st.FromPeers, st.FromServer, size)
	}
	m := read()
	if m.Seed.BytesServed < size || m.Tracker.OffersRelayed == 0 || m.Tracker.AnswersRelayed == 0 {
		t.Fatalf("seed served %d bytes of %d; tracker relayed %d offers, %d answers", m.Seed.BytesServed, size, m.Tracker.OffersRelayed, m.Tracker.AnswersRelayed)
	}
	if got := tab.Requests; got != nil {
		for k, r := range got {
			if strings.Contains(k, "/static/web-videos/") && r.Count > 0 {
				t.Fatalf("the page fetched the file from the server: %s ×%d", k, r.Count)
			}
		}
	}
}
