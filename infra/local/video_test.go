package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestUploadTranscodeAndServe is the scenario against the real
// binary: a 10 s 720p clip uploaded with PeerTube's CLI is listed, gets a
// web video per rendition and an HLS playlist ffprobe reads over HTTP,
// and a thumbnail; random bytes named .mp4 are refused with a clear error.
func TestUploadTranscodeAndServe(t *testing.T) {
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is required (make test installs it): %v", tool, err)
		}
	}
	dir := t.TempDir()
	clip := filepath.Join(dir, "clip.mp4")
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=10:size=1280x720:rate=30",
		"-f", "lavfi", "-i", "sine=frequency=440:duration=10", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-shortest", clip).CombinedOutput()
	if err != nil {
		t.Fatalf("make clip: %v %s", err, out)
	}
	random := filepath.Join(dir, "random.mp4")
	noise := make([]byte, 256<<10)
	for i := range noise {
		noise[i] = byte(i*7919 + i/3)
	}
	if err := os.WriteFile(random, noise, 0o600); err != nil {
		t.Fatal(err)
	}

	const pw = "admin-pass-1234"
	in := start(t, freePort(t), t.TempDir(), "ADMIN_PASSWORD="+pw)
	token := in.login("root", pw)
	cli := os.Getenv("PEERTUBE_CLI")

	var uuid string
	if cli != "" {
		home := t.TempDir()
		cmd := exec.Command(cli, "upload", "-u", in.url, "-U", "root", "-p", pw, "-f", clip, "-n", "CLI clip", "-t", "test,clip")
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
		done := make(chan []byte, 1)
		go func() { b, _ := cmd.CombinedOutput(); done <- b }()
		select {
		case b := <-done:
			if !strings.Contains(string(b), "uploaded") {
				t.Fatalf("peertube-cli upload: %s", b)
			}
		case <-time.After(2 * time.Minute):
			cmd.Process.Kill()
			t.Fatal("peertube-cli upload did not return (it polls files[0].torrentUrl)")
		}
		_, body := in.get("/api/v1/users/me/videos?count=1", token)
		var list struct{ Data []struct{ UUID string } }
		json.Unmarshal(body, &list)
		if len(list.Data) == 1 {
			uuid = list.Data[0].UUID
		}
		cmd = exec.Command(cli, "upload", "-u", in.url, "-U", "root", "-p", pw, "-f", random, "-n", "Random bytes")
		cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
		if b, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(b), "Video file unreadable.") {
			t.Errorf("random bytes via the CLI: %v %s", err, b)
		}
	} else {
		t.Log("PEERTUBE_CLI is not set (make test sets it): uploading over HTTP instead")
		uuid = upload(t, in, token, clip, "CLI clip")
	}
	if uuid == "" {
		t.Fatal("the upload is not listed by its owner")
	}

	// Wait for transcoding to finish.
	var v struct {
		State struct{ ID int }
		Files []struct {
			Resolution struct{ ID int }
			TorrentURL string `json:"torrentUrl"`
			FileURL    string `json:"fileUrl"`
		}
		StreamingPlaylists []struct{ PlaylistURL string }
		ThumbnailPath      string
	}
	deadline := time.Now().Add(3 * time.Minute)
	for v.State.ID != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("not published after 3 minutes: state %d", v.State.ID)
		}
		time.Sleep(250 * time.Millisecond)
		_, body := in.get("/api/v1/videos/"+uuid, token)
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("video: %s", body)
		}
	}
	var got []int
	for _, f := range v.Files {
		got = append(got, f.Resolution.ID)
		if status, b := in.get(strings.TrimPrefix(f.TorrentURL, in.url), ""); status != 200 || !bytes.HasPrefix(b, []byte("d8:announce")) {
			t.Errorf("torrent %s: %d", f.TorrentURL, status)
		}
	}
	if !slices.Equal(got, []int{720, 480, 360, 240}) {
		t.Errorf("web videos %v, want 720 480 360 240", got)
	}
	status, list := in.get("/api/v1/videos", "")
	if status != 200 || !strings.Contains(string(list), uuid) {
		t.Errorf("GET /videos does not list the video: %d", status)
	}
	if len(v.StreamingPlaylists) != 1 {
		t.Fatalf("streaming playlists %v", v.StreamingPlaylists)
	}
	probe, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_name,height", "-of", "csv=p=0", v.StreamingPlaylists[0].PlaylistURL).CombinedOutput()
	variants := map[string]bool{}
	for _, line := range strings.Fields(string(probe)) {
		variants[line] = true
	}
	for _, want := range []string{"h264,720", "h264,480", "h264,360", "h264,240", "aac"} {
		if err != nil || !variants[want] {
			t.Errorf("ffprobe of the HLS master over HTTP lacks %s: %v\n%s", want, err, probe)
		}
	}
	status, thumb := in.get(v.ThumbnailPath, "")
	if status != 200 || !bytes.HasPrefix(thumb, []byte{0xFF, 0xD8, 0xFF}) {
		t.Errorf("thumbnail %s: %d, not a JPEG", v.ThumbnailPath, status)
	}
}

// upload sends a file with PeerTube's legacy multipart upload and returns
// the new video's UUID.
func upload(t *testing.T, in *instance, token, path, name string) string {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("name", name)
	mw.WriteField("channelId", "1")
	mw.WriteField("privacy", "1")
	fw, _ := mw.CreateFormFile("videofile", filepath.Base(path))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(fw, f)
	f.Close()
	mw.Close()
	req, _ := http.NewRequest("POST", in.url+"/api/v1/videos/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var created struct{ Video struct{ UUID string } }
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != 200 {
		t.Fatalf("upload: %d %v", resp.StatusCode, err)
	}
	return created.Video.UUID
}
