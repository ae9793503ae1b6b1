package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTwoInstancesFederate is the federation scenario between two real
// instances (separate processes, ports and data directories): B follows
// A's instance, a user of B subscribes to A's channel, a video uploaded on
// A appears on B with media at A, a comment on B reaches A's thread, a
// like on B raises A's count, and deleting on A removes it from B.
func TestTwoInstancesFederate(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatalf("ffmpeg is required (make test installs it): %v", err)
	}
	clip := filepath.Join(t.TempDir(), "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=2:size=426x240:rate=25",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-shortest", clip).CombinedOutput()
	if err != nil {
		t.Fatalf("make clip: %v %s", err, out)
	}
	const pw = "admin-pass-1234"
	env := []string{"ADMIN_PASSWORD=" + pw, "TRANSCODING_RESOLUTIONS=240"}
	portA, portB := freePort(t), freePort(t)
	a := start(t, portA, t.TempDir(), env...)
	b := start(t, portB, t.TempDir(), env...)
	hostA, hostB := fmt.Sprintf("localhost:%d", portA), fmt.Sprintf("localhost:%d", portB)
	rootA, rootB := a.login("root", pw), b.login("root", pw)

	// A video published on A before anyone follows it.
	early := upload(t, a, rootA, clip, "Published before the follow")
	eventually(t, "the early video is published on A", func() (bool, string) {
		_, body := a.get("/api/v1/videos/"+early, "")
		return strings.Contains(string(body), `"label":"Published"`), string(body)
	})

	// B's admin follows A's instance; A accepts at once, and B brings in
	// what A published before from its outbox.
	if code, body := b.post("/api/v1/server/following", rootB, map[string]any{"hosts": []string{hostA}}); code != http.StatusNoContent {
		t.Fatalf("follow %s: %d %s", hostA, code, body)
	}
	eventually(t, "B follows A (accepted)", func() (bool, string) {
		_, body := b.get("/api/v1/server/following", rootB)
		return strings.Contains(string(body), `"state":"accepted"`) && strings.Contains(string(body), hostA), string(body)
	})
	eventually(t, "the early video reaches B through A's outbox", func() (bool, string) {
		code, body := b.get("/api/v1/videos/"+early, "")
		return code == http.StatusOK && strings.Contains(string(body), `"isLocal":false`), string(body)
	})
	eventually(t, "A lists B's instance as a follower", func() (bool, string) {
		_, body := a.get("/api/v1/server/followers", "")
		return strings.Contains(string(body), `"host":"`+hostB+`"`), string(body)
	})

	// A user of B subscribes to A's channel.
	if code, body := b.post("/api/v1/users", rootB, map[string]any{"username": "bob", "password": "bob-password-1",
		"email": "bob@example.com", "role": 2, "videoQuota": -1, "videoQuotaDaily": -1}); code != http.StatusOK {
		t.Fatalf("create bob: %d %s", code, body)
	}
	bob := b.login("bob", "bob-password-1")
	if code, body := b.post("/api/v1/users/me/subscriptions", bob, map[string]any{"uri": "root_channel@" + hostA}); code != http.StatusNoContent {
		t.Fatalf("subscribe: %d %s", code, body)
	}
	eventually(t, "bob's subscription exists", func() (bool, string) {
		_, body := b.get("/api/v1/users/me/subscriptions/exist?uris=root_channel@"+hostA, bob)
		return strings.Contains(string(body), `true`), string(body)
	})

	eventually(t, "A's channel followers collection lists bob", func() (bool, string) {
		body := apGet(t, a.url+"/video-channels/root_channel/followers?page=1")
		return strings.Contains(body, `"`+b.url+`/accounts/bob"`), body
	})
	if body := apGet(t, a.url+"/accounts/peertube/followers"); !strings.Contains(body, `"totalItems":1`) {
		t.Fatalf("A's instance followers: %s", body)
	}

	if code, body := b.get("/api/v1/video-channels/root_channel@"+hostA, ""); code != http.StatusOK || !strings.Contains(string(body), `"isLocal":false`) {
		t.Fatalf("B's copy of A's channel: %d %s", code, body)
	}

	// A handle as search term finds a channel B has never seen.
	if code, body := a.post("/api/v1/video-channels", rootA, map[string]any{"name": "second_channel", "displayName": "Second"}); code != http.StatusOK {
		t.Fatalf("create a channel on A: %d %s", code, body)
	}
	if _, body := b.get("/api/v1/search/video-channels?search="+url.QueryEscape("second_channel@"+hostA), bob); !strings.Contains(string(body), `"total":1`) ||
		!strings.Contains(string(body), `"displayName":"Second"`) {
		t.Fatalf("searching B for second_channel@%s: %s", hostA, body)
	}

	// A video uploaded on A appears on B, its media at A.
	uuid := upload(t, a, rootA, clip, "Federated clip")
	eventually(t, "the video is published on A", func() (bool, string) {
		_, body := a.get("/api/v1/videos/"+uuid, "")
		return strings.Contains(string(body), `"label":"Published"`), string(body)
	})
	var remote struct {
		ID      int64
		IsLocal bool
		URL     string
		Channel struct{ Host string }
		Files   []struct{ FileURL string }
	}
	eventually(t, "the video appears on B", func() (bool, string) {
		code, body := b.get("/api/v1/videos/"+uuid, "")
		if code != http.StatusOK {
			return false, string(body)
		}
		_ = json.Unmarshal(body, &remote)
		return len(remote.Files) > 0, string(body)
	})
	if remote.IsLocal || remote.Channel.Host != hostA || remote.URL != a.url+"/videos/watch/"+uuid {
		t.Fatalf("B's copy: isLocal %v, channel host %q, url %q", remote.IsLocal, remote.Channel.Host, remote.URL)
	}
	if !strings.HasPrefix(remote.Files[0].FileURL, a.url+"/") {
		t.Fatalf("B's copy's file URL %q is not at A", remote.Files[0].FileURL)
	}
	resp, err := http.Get(remote.Files[0].FileURL)
	if err != nil {
		t.Fatal(err)
	}
	media, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(media) < 1000 || string(media[4:8]) != "ftyp" {
		t.Fatalf("media at %s: %d, %d bytes", remote.Files[0].FileURL, resp.StatusCode, len(media))
	}
	// Lists are served from a snapshot at most a few seconds old.
	eventually(t, "B lists the remote video", func() (bool, string) {
		_, body := b.get("/api/v1/videos?isLocal=false", "")
		return strings.Contains(string(body), uuid) && strings.Contains(string(body), `"isLocal":false`), string(body)
	})
	eventually(t, "bob's subscription videos list it", func() (bool, string) {
		_, body := b.get("/api/v1/users/me/subscriptions/videos", bob)
		return strings.Contains(string(body), uuid), string(body)
	})

	if _, body := b.get("/api/v1/search/videos?search="+url.QueryEscape(a.url+"/videos/watch/"+uuid), bob); !strings.Contains(string(body), `"total":1`) {
		t.Fatalf("searching B for the video's URL: %s", body)
	}

	// A comment on B appears in A's thread.
	if code, body := b.post("/api/v1/videos/"+uuid+"/comment-threads", bob, map[string]any{"text": "Hello from B"}); code != http.StatusOK {
		t.Fatalf("comment on B: %d %s", code, body)
	}
	eventually(t, "the comment reaches A", func() (bool, string) {
		_, body := a.get("/api/v1/videos/"+uuid+"/comment-threads", "")
		return strings.Contains(string(body), "Hello from B") && strings.Contains(string(body), `"host":"`+hostB+`"`), string(body)
	})

	// A like on B raises A's like count.
	if code, body := b.do("PUT", "/api/v1/videos/"+uuid+"/rate", bob, map[string]any{"rating": "like"}); code != http.StatusNoContent {
		t.Fatalf("like on B: %d %s", code, body)
	}
	eventually(t, "A counts the like", func() (bool, string) {
		_, body := a.get("/api/v1/videos/"+uuid, "")
		return strings.Contains(string(body), `"likes":1`), string(body)
	})

	// Deleting on A removes the video from B.
	if code, body := a.do("DELETE", "/api/v1/videos/"+uuid, rootA, nil); code != http.StatusNoContent {
		t.Fatalf("delete on A: %d %s", code, body)
	}
	eventually(t, "the video is gone from B", func() (bool, string) {
		code, body := b.get("/api/v1/videos/"+uuid, "")
		return code == http.StatusNotFound, fmt.Sprintf("%d %s", code, body)
	})
	eventually(t, "B no longer lists it", func() (bool, string) {
		_, body := b.get("/api/v1/videos", "")
		return !strings.Contains(string(body), uuid), string(body)
	})
}

// apGet fetches an ActivityPub document.
func apGet(t *testing.T, u string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// eventually polls cond until it holds or 30 seconds pass.
func eventually(t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not after 30s; last: %.2000s", what, last)
}

// do sends a JSON request (body nil: none).
func (in *instance) do(method, path, token string, body any) (int, []byte) {
	in.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = strings.NewReader(string(raw))
	}
	req, _ := http.NewRequest(method, in.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
