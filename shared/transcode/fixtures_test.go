package transcode

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fixtures are media files generated with ffmpeg's lavfi sources once per
// test binary, in a temporary directory removed by TestMain.
type fixtures struct {
	dir           string
	clip720       string // 10 s 1280x720 25 fps H.264 + 440 Hz AAC
	small         string // 1 s 320x240 25 fps H.264 + AAC
	ntsc          string // 10 s 320x240 29.97 fps H.264 (B-frames) + AAC
	portrait      string // 2 s 360x640 30 fps H.264 + AAC
	rotated       string // 2 s 320x180 coded, displayed rotated 90° (180x320)
	audio         string // 3 s AAC in M4A
	song          string // 3 s MP3 with a red PNG cover (attached_pic)
	silent        string // 2 s 320x240 H.264, no audio
	random        string // random bytes named .mp4
	empty         string // zero bytes
	text          string // a text file named .mp4
	truncated     string // an MP4 cut short (index at the end, so lost)
	truncatedFast string // a faststart MP4 cut short (index kept, data lost)
	picture       string // a PNG named .mp4
	playlist      string // an HLS playlist naming a local file, named .mp4
}

var (
	fxOnce sync.Once
	fx     fixtures
	fxErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fx.dir != "" {
		os.RemoveAll(fx.dir)
	}
	os.Exit(code)
}

// testTools are the tools as production uses them, logging nowhere.
func testTools() Tools {
	t := DefaultTools()
	t.Log = slog.New(slog.DiscardHandler)
	return t
}

// media returns the fixtures, generating them on first use.
func media(t testing.TB) fixtures {
	t.Helper()
	fxOnce.Do(func() { fxErr = makeFixtures() })
	if fxErr != nil {
		t.Fatalf("generate fixtures: %v", fxErr)
	}
	return fx
}

func ffmpegRun(args ...string) error {
	base := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y"}
	out, err := exec.CommandContext(context.Background(), DefaultTools().FFmpeg, append(base, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func makeFixtures() error {
	dir, err := os.MkdirTemp("", "transcode-fixtures-")
	if err != nil {
		return err
	}
	fx.dir = dir
	p := func(name string) string { return filepath.Join(dir, name) }
	fx.clip720, fx.small, fx.ntsc = p("clip720.mp4"), p("small.mp4"), p("ntsc.mp4")
	fx.portrait, fx.rotated, fx.audio = p("portrait.mp4"), p("rotated.mp4"), p("audio.m4a")
	fx.song, fx.silent = p("song.mp3"), p("silent.mp4")
	fx.random, fx.empty, fx.text = p("random.mp4"), p("empty.mp4"), p("text.mp4")
	fx.truncated, fx.truncatedFast = p("truncated.mp4"), p("truncated-faststart.mp4")
	fx.picture, fx.playlist = p("picture.mp4"), p("playlist.mp4")

	video := func(size, rate string, seconds int, audio bool, out string, extra ...string) error {
		args := []string{"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%s:rate=%s:duration=%d", size, rate, seconds)}
		if audio {
			args = append(args, "-f", "lavfi", "-i", fmt.Sprintf("sine=frequency=440:duration=%d", seconds))
		}
		args = append(args, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30", "-pix_fmt", "yuv420p")
		if audio {
			args = append(args, "-c:a", "aac", "-b:a", "96k", "-shortest")
		}
		args = append(args, extra...)
		return ffmpegRun(append(args, out)...)
	}
	steps := []func() error{
		func() error { return video("1280x720", "25", 10, true, fx.clip720) },
		func() error { return video("320x240", "25", 1, true, fx.small) },
		func() error {
			return ffmpegRun("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30000/1001:duration=10",
				"-f", "lavfi", "-i", "sine=frequency=330:duration=10",
				"-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-g", "300", "-c:a", "aac", "-shortest", fx.ntsc)
		},
		func() error { return video("360x640", "30", 2, true, fx.portrait) },
		func() error { return video("320x180", "30", 2, false, fx.rotated) },
		func() error { return rotate90(fx.rotated) },
		func() error { return video("320x240", "25", 2, false, fx.silent) },
		func() error {
			return ffmpegRun("-f", "lavfi", "-i", "sine=frequency=220:duration=3", "-c:a", "aac", "-b:a", "128k", fx.audio)
		},
		func() error {
			cover := p("cover.png")
			if err := ffmpegRun("-f", "lavfi", "-i", "color=c=red:s=64x64", "-frames:v", "1", cover); err != nil {
				return err
			}
			if err := ffmpegRun("-f", "lavfi", "-i", "sine=frequency=220:duration=3", "-i", cover,
				"-map", "0", "-map", "1", "-c:a", "libmp3lame", "-c:v", "png", "-disposition:v", "attached_pic", fx.song); err != nil {
				return err
			}
			return copyFile(cover, fx.picture)
		},
		func() error {
			r := rand.New(rand.NewPCG(1, 2))
			b := make([]byte, 64<<10)
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			return os.WriteFile(fx.random, b, 0o644)
		},
		func() error { return os.WriteFile(fx.empty, nil, 0o644) },
		func() error {
			return os.WriteFile(fx.text, []byte("This is not a video.\nJust some text in a file named .mp4.\n"), 0o644)
		},
		func() error {
			return os.WriteFile(fx.playlist, []byte("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:"+fx.small+"\n#EXT-X-ENDLIST\n"), 0o644)
		},
		func() error { return truncateCopy(fx.small, fx.truncated, 0.6) },
		func() error {
			fast := p("faststart.mp4")
			if err := ffmpegRun("-i", fx.clip720, "-c", "copy", "-movflags", "+faststart", fast); err != nil {
				return err
			}
			return truncateCopy(fast, fx.truncatedFast, 0.5)
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

func truncateCopy(from, to string, keep float64) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b[:int(float64(len(b))*keep)], 0o644)
}

// rotate90 sets the display matrix of the first track of an MP4 to a 90°
// clockwise rotation (FFmpeg 5.1 cannot write one while encoding).
func rotate90(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	i := bytes.Index(b, []byte("tkhd"))
	if i < 4 || b[i+4] != 0 {
		return fmt.Errorf("rotate90: no version 0 tkhd box in %s", path)
	}
	// tkhd v0: size, type, version+flags, created, modified, track id,
	// reserved, duration, 8 reserved, layer, group, volume, reserved, matrix.
	m := i - 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 8 + 2 + 2 + 2 + 2
	for k, v := range []int32{0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000} {
		binary.BigEndian.PutUint32(b[m+4*k:], uint32(v))
	}
	return os.WriteFile(path, b, 0o644)
}

// ffprobeValue runs ffprobe with args on path and returns its trimmed output.
func ffprobeValue(t testing.TB, path string, args ...string) string {
	t.Helper()
	all := append([]string{"-v", "error"}, args...)
	out, err := exec.CommandContext(context.Background(), DefaultTools().FFprobe, append(all, path)...).Output()
	if err != nil {
		t.Fatalf("ffprobe %v %s: %v", args, path, err)
	}
	return strings.TrimSpace(string(out))
}

// frameCount decodes the first video stream of path and counts its frames.
func frameCount(t testing.TB, path string) int {
	t.Helper()
	s := ffprobeValue(t, path, "-count_frames", "-select_streams", "v:0",
		"-show_entries", "stream=nb_read_frames", "-of", "csv=p=0")
	// An HLS playlist also lists its program's streams: take the first.
	fields := strings.Fields(s)
	if len(fields) == 0 {
		t.Fatalf("frame count of %s: no output", path)
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil {
		t.Fatalf("frame count of %s: %q", path, s)
	}
	return n
}

// keyframeTimes lists the times of the video keyframes of path.
func keyframeTimes(t testing.TB, path string) []float64 {
	t.Helper()
	s := ffprobeValue(t, path, "-select_streams", "v:0", "-skip_frame", "nokey",
		"-show_entries", "frame=pts_time", "-of", "csv=p=0")
	var times []float64
	for _, f := range strings.Fields(strings.ReplaceAll(s, ",", " ")) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("keyframe time %q of %s", f, path)
		}
		times = append(times, v)
	}
	return times
}
