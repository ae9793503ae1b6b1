package pipeline_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// fixtures are small media files generated with ffmpeg's lavfi sources,
// once per test binary.
type fixtures struct {
	dir    string
	clip4  string // 4 s 320x240 25 fps H.264 + 440 Hz AAC
	clip10 string // 10 s, the same streams
	clip20 string // 20 s, the same streams
	song   string // 3 s AAC in M4A, no picture
	random string // random bytes
}

var (
	fxOnce sync.Once
	fx     fixtures
	fxErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fx.dir != "" {
		_ = os.RemoveAll(fx.dir)
	}
	os.Exit(code)
}

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
	out, err := exec.CommandContext(context.Background(), "ffmpeg", append(base, args...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ffmpeg %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

func clip(path string, seconds int) error {
	d := strconv.Itoa(seconds)
	return ffmpegRun(
		"-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration="+d,
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration="+d,
		"-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
		"-c:a", "aac", "-b:a", "64k", "-shortest", "-f", "mp4", path)
}

func makeFixtures() error {
	dir, err := os.MkdirTemp("", "pipeline-fixtures-")
	if err != nil {
		return err
	}
	fx.dir = dir
	fx.clip4 = filepath.Join(dir, "clip4.mp4")
	fx.clip10 = filepath.Join(dir, "clip10.mp4")
	fx.clip20 = filepath.Join(dir, "clip20.mp4")
	fx.song = filepath.Join(dir, "song.m4a")
	fx.random = filepath.Join(dir, "random.mp4")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i, f := range []func() error{
		func() error { return clip(fx.clip4, 4) },
		func() error { return clip(fx.clip10, 10) },
		func() error { return clip(fx.clip20, 20) },
		func() error {
			return ffmpegRun("-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100:duration=3",
				"-c:a", "aac", "-b:a", "64k", "-f", "ipod", fx.song)
		},
	} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = f() }()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	junk := make([]byte, 64<<10)
	_, _ = rand.Read(junk)
	return os.WriteFile(fx.random, junk, 0o600)
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ffprobeLines runs ffprobe on a local file and returns its output lines.
func ffprobeLines(t testing.TB, args ...string) []string {
	t.Helper()
	out, err := exec.CommandContext(context.Background(), "ffprobe", append([]string{"-v", "error"}, args...)...).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", strings.Join(args, " "), err)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(l), ",")); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// frameCount counts the decoded video frames of a local file.
func frameCount(t testing.TB, path string) int {
	t.Helper()
	lines := ffprobeLines(t, "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames",
		"-of", "csv=p=0", path)
	if len(lines) != 1 {
		t.Fatalf("frame count of %s: %q", path, lines)
	}
	n, err := strconv.Atoi(lines[0])
	if err != nil {
		t.Fatalf("frame count of %s: %q", path, lines[0])
	}
	return n
}

// keyframeTimes lists the presentation times of the video keyframes.
func keyframeTimes(t testing.TB, path string) []float64 {
	t.Helper()
	lines := ffprobeLines(t, "-select_streams", "v:0", "-skip_frame", "nokey", "-show_entries", "frame=pts_time",
		"-of", "csv=p=0", path)
	var out []float64
	for _, l := range lines {
		f, err := strconv.ParseFloat(l, 64)
		if err != nil {
			t.Fatalf("keyframe time %q of %s", l, path)
		}
		out = append(out, f)
	}
	return out
}
