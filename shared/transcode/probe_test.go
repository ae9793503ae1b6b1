package transcode

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestProbeValues(t *testing.T) {
	f := media(t)
	tools := testTools()
	ctx := context.Background()

	tests := []struct {
		name          string
		path          string
		width, height int
		fps           int
		duration      float64
		video, audio  bool
		cover         bool
		videoCodec    string
		audioCodec    string
		rotation      int
	}{
		{"720p clip", f.clip720, 1280, 720, 25, 10, true, true, false, "h264", "aac", 0},
		{"small clip", f.small, 320, 240, 25, 1, true, true, false, "h264", "aac", 0},
		{"29.97 fps clip", f.ntsc, 320, 240, 30, 10, true, true, false, "h264", "aac", 0},
		{"portrait", f.portrait, 360, 640, 30, 2, true, true, false, "h264", "aac", 0},
		{"rotated 90", f.rotated, 180, 320, 30, 2, true, false, false, "h264", "", 90},
		{"audio only", f.audio, 0, 0, 0, 3, false, true, false, "", "aac", 0},
		{"mp3 with cover art", f.song, 0, 0, 0, 3, false, true, true, "", "mp3", 0},
		{"video without audio", f.silent, 320, 240, 25, 2, true, false, false, "h264", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tools.Probe(ctx, tt.path)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if p.Width != tt.width || p.Height != tt.height {
				t.Errorf("size = %dx%d, want %dx%d", p.Width, p.Height, tt.width, tt.height)
			}
			if p.FPS != tt.fps {
				t.Errorf("FPS = %d, want %d", p.FPS, tt.fps)
			}
			if math.Abs(p.Duration-tt.duration) > 0.1 {
				t.Errorf("Duration = %v, want about %v", p.Duration, tt.duration)
			}
			if p.HasVideo != tt.video || p.HasAudio != tt.audio || p.HasCover != tt.cover {
				t.Errorf("video/audio/cover = %v/%v/%v, want %v/%v/%v", p.HasVideo, p.HasAudio, p.HasCover, tt.video, tt.audio, tt.cover)
			}
			if p.VideoCodec != tt.videoCodec || p.AudioCodec != tt.audioCodec {
				t.Errorf("codecs = %q/%q, want %q/%q", p.VideoCodec, p.AudioCodec, tt.videoCodec, tt.audioCodec)
			}
			if p.Rotation != tt.rotation {
				t.Errorf("Rotation = %d, want %d", p.Rotation, tt.rotation)
			}
			st, err := os.Stat(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if p.Size != st.Size() {
				t.Errorf("Size = %d, want %d", p.Size, st.Size())
			}
			if p.Bitrate <= 0 {
				t.Errorf("Bitrate = %d, want > 0", p.Bitrate)
			}
			var meta struct {
				Streams []map[string]any `json:"streams"`
				Format  map[string]any   `json:"format"`
			}
			if err := json.Unmarshal(p.JSON, &meta); err != nil {
				t.Fatalf("JSON: %v", err)
			}
			if len(meta.Streams) == 0 || meta.Format["format_name"] != p.Container {
				t.Errorf("JSON has %d streams, format_name %v (Container %q)", len(meta.Streams), meta.Format["format_name"], p.Container)
			}
			if meta.Format["filename"] != filepath.Base(tt.path) {
				t.Errorf("JSON format.filename = %v, want the base name %q", meta.Format["filename"], filepath.Base(tt.path))
			}
			if strings.Contains(string(p.JSON), f.dir) {
				t.Errorf("JSON reveals the local directory %s", f.dir)
			}
		})
	}
}

func TestProbeRejectsInvalidInput(t *testing.T) {
	f := media(t)
	tools := testTools()
	tests := []struct {
		name   string
		path   string
		reason string
	}{
		{"random bytes", f.random, reasonUnreadable},
		{"empty file", f.empty, reasonEmpty},
		{"text file", f.text, reasonUnreadable},
		{"truncated mp4", f.truncated, reasonIncomplete},
		{"truncated faststart mp4", f.truncatedFast, reasonIncomplete},
		{"picture", f.picture, reasonFormat},
		{"hls playlist naming a local file", f.playlist, reasonFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := tools.Probe(ctx, tt.path)
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("Probe error = %v, want an InputError", err)
			}
			var ie *InputError
			if !errors.As(err, &ie) || ie.Reason != tt.reason {
				t.Fatalf("Reason = %q, want %q", ie.Reason, tt.reason)
			}
		})
	}
}

func TestProbeMissingFile(t *testing.T) {
	_, err := testTools().Probe(context.Background(), filepath.Join(t.TempDir(), "nothing.mp4"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("error = %v, want fs.ErrNotExist", err)
	}
	if errors.Is(err, ErrInvalidInput) {
		t.Fatal("a missing file is not the uploader's fault")
	}
}

// serveFile serves path with Range support and counts ranged requests.
func serveFile(t *testing.T, path string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var ranged atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Range") != "" {
			ranged.Add(1)
		}
		http.ServeFile(w, r, path)
	}))
	t.Cleanup(srv.Close)
	return srv, &ranged
}

func TestProbeURL(t *testing.T) {
	f := media(t)
	srv, ranged := serveFile(t, f.clip720)
	url := srv.URL + "/media/clip.mp4?X-Amz-Signature=secret-signature"
	p, err := testTools().Probe(context.Background(), url)
	if err != nil {
		t.Fatalf("Probe: %v", err)
	}
	if p.Width != 1280 || p.Height != 720 || p.FPS != 25 || !p.HasAudio {
		t.Errorf("probe over HTTP = %+v", p)
	}
	if ranged.Load() == 0 {
		t.Error("ffprobe made no ranged request (the index of this file is at its end)")
	}
	if strings.Contains(string(p.JSON), "secret") || !strings.Contains(string(p.JSON), `"filename":"clip.mp4"`) {
		t.Errorf("JSON filename leaks the query or lacks the name: %s", p.JSON[len(p.JSON)-300:])
	}
}

func TestProbeURLErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	_, err := testTools().Probe(context.Background(), srv.URL+"/missing.mp4?sig=abc")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("404: error = %v, want fs.ErrNotExist", err)
	}
	if strings.Contains(err.Error(), "sig=abc") {
		t.Errorf("error leaks the query string: %v", err)
	}
}

func TestProbeStalledServerIsBoundedByContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept and never answer
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err = testTools().Probe(ctx, "http://"+ln.Addr().String()+"/video.mp4")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the context's deadline", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("Probe took %v after a 1 s deadline", elapsed)
	}
}

func TestParseProbeRules(t *testing.T) {
	tests := []struct {
		name   string
		json   string
		reason string
	}{
		{"no streams", `{"streams":[],"format":{"format_name":"mov","duration":"3"}}`, reasonNoStream},
		{"only a cover picture", `{"streams":[{"index":0,"codec_type":"video","codec_name":"png","width":64,"height":64,"disposition":{"attached_pic":1}}],"format":{"format_name":"mp3","duration":"3"}}`, reasonNoStream},
		{"no duration", `{"streams":[{"index":0,"codec_type":"audio","codec_name":"aac"}],"format":{"format_name":"mov"}}`, reasonNoDuration},
		{"zero duration", `{"streams":[{"index":0,"codec_type":"audio","codec_name":"aac","duration":"0"}],"format":{"format_name":"mov","duration":"0.000000"}}`, reasonNoDuration},
		{"no picture size", `{"streams":[{"index":0,"codec_type":"video","codec_name":"h264","avg_frame_rate":"25/1"}],"format":{"format_name":"mov","duration":"3"}}`, reasonBadDimension},
		{"no frame rate", `{"streams":[{"index":0,"codec_type":"video","codec_name":"h264","width":64,"height":64,"avg_frame_rate":"0/0","r_frame_rate":"0/0"}],"format":{"format_name":"mov","duration":"3"}}`, reasonUndecodable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseProbe([]byte(tt.json), "/tmp/x.mp4")
			var ie *InputError
			if !errors.As(err, &ie) || ie.Reason != tt.reason {
				t.Fatalf("error = %v, want reason %q", err, tt.reason)
			}
		})
	}
}

func TestRotationSources(t *testing.T) {
	deg := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		s    ffStream
		want int
	}{
		{"none", ffStream{}, 0},
		{"display matrix -90", ffStream{SideData: []struct {
			Rotation *float64 `json:"rotation"`
		}{{Rotation: deg(-90)}}}, 90},
		{"display matrix 90", ffStream{SideData: []struct {
			Rotation *float64 `json:"rotation"`
		}{{}, {Rotation: deg(90)}}}, 270},
		{"display matrix 180", ffStream{SideData: []struct {
			Rotation *float64 `json:"rotation"`
		}{{Rotation: deg(180)}}}, 180},
		{"legacy tag", ffStream{Tags: map[string]string{"rotate": "270"}}, 270},
	}
	for _, tt := range tests {
		if got := rotation(&tt.s); got != tt.want {
			t.Errorf("%s: rotation = %d, want %d", tt.name, got, tt.want)
		}
	}
}
