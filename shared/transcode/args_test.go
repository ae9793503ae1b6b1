package transcode

import (
	"context"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden argv files in testdata/golden")

// TestGoldenArgv pins the exact command line of every operation, one
// argument per line in testdata/golden/NAME.args. Run with -update after a
// deliberate change and review the diff.
func TestGoldenArgv(t *testing.T) {
	r720 := Rendition{Resolution: 720, Width: 1280, Height: 720, FPS: 25, VideoBitrate: 2534431, AudioBitrate: 96000}
	silent := Rendition{Resolution: 240, Width: 426, Height: 240, FPS: 25, VideoBitrate: 435205}
	audio := Rendition{AudioOnly: true, AudioBitrate: 128000}
	list, err := concatList([]string{"/work/chunk-0.mp4", "/work/it's-1.mp4"})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string][]string{
		"probe-file":         probeCmd("/work/upload.mp4"),
		"probe-url":          probeCmd("https://bucket.example/upload?X-Amz-Signature=abc"),
		"video-chunk-first":  videoChunkCmd("veryfast", "/work/in.mp4", "/work/chunk-0.mp4", r720, Chunk{Index: 0, Start: 0, Duration: 8}),
		"video-chunk-middle": videoChunkCmd("veryfast", "/work/in.mp4", "/work/chunk-1.mp4", r720, Chunk{Index: 1, Start: 8, Duration: 8}),
		"video-chunk-last":   videoChunkCmd("veryfast", "https://bucket.example/in.mp4", "/work/chunk-2.mp4", r720, Chunk{Index: 2, Start: 16, Duration: 3.5, Last: true}),
		"audio":              audioCmd("/work/in.mp4", "/work/audio.m4a", r720),
		"join":               joinCmd("/work/out.mp4.ffconcat", "/work/audio.m4a", "/work/out.mp4"),
		"join-no-audio":      joinCmd("/work/out.mp4.ffconcat", "", "/work/out.mp4"),
		"whole":              wholeCmd("veryfast", "/work/in.mp4", "/work/out.mp4", r720),
		"whole-no-audio":     wholeCmd("veryfast", "/work/in.mp4", "/work/out.mp4", silent),
		"whole-audio-only":   wholeCmd("veryfast", "/work/in.m4a", "/work/out.mp4", audio),
		"hls":                hlsCmd("/work/out.mp4", "/work/hls/u-720.m3u8", "/work/hls/u-720-fragmented.mp4"),
		"thumbnail":          frameCmd("/work/in.mp4", 5, "0:V:0", 1280, 720, ThumbnailSize, "/work/thumb.jpg"),
		"preview-portrait":   frameCmd("/work/in.mp4", 5, "0:V:0", 720, 1280, PreviewSize, "/work/preview.jpg"),
		"thumbnail-cover":    frameCmd("/work/in.mp3", 0, "0:1", 600, 600, ThumbnailSize, "/work/thumb.jpg"),
		"thumbnail-audio":    solidCmd(ThumbnailSize, "/work/thumb.jpg"),
		"concat-list":        strings.Split(strings.TrimSuffix(list, "\n"), "\n"),
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			got := strings.Join(args, "\n") + "\n"
			path := filepath.Join("testdata", "golden", name+".args")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("argv changed:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestEveryCommandIsQuietAndBounded(t *testing.T) {
	r := Rendition{Resolution: 240, Width: 426, Height: 240, FPS: 25, AudioBitrate: 96000}
	for name, args := range map[string][]string{
		"chunk": videoChunkCmd("veryfast", "in", "out", r, Chunk{Duration: 4}),
		"audio": audioCmd("in", "out", r),
		"join":  joinCmd("list", "a", "out"),
		"whole": wholeCmd("veryfast", "in", "out", r),
		"hls":   hlsCmd("in", "p", "f"),
		"image": frameCmd("in", 1, "0:V:0", 4, 3, ThumbnailSize, "out"),
		"solid": solidCmd(ThumbnailSize, "out"),
	} {
		line := strings.Join(args, " ")
		for _, want := range []string{"-nostdin", "-hide_banner", "-loglevel error"} {
			if !strings.Contains(line, want) {
				t.Errorf("%s: %q lacks %s", name, line, want)
			}
		}
	}
	if line := strings.Join(probeCmd("in"), " "); !strings.Contains(line, "-hide_banner -loglevel error") {
		t.Errorf("probe: %q", line)
	}
	// Inputs and outputs are file: URLs, so a name cannot pass for an option.
	if args := probeCmd("-i"); args[len(args)-1] != "file:-i" {
		t.Errorf("probe of a file named -i: %v", args)
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		stderr   string
		noStream error
		check    func(error) bool
	}{
		{"x.mp4: Invalid data found when processing input", nil, func(err error) bool { return errors.Is(err, ErrInvalidInput) }},
		{"[png_pipe] Format not on whitelist 'mov'", nil, func(err error) bool { return errors.Is(err, ErrInvalidInput) }},
		{"stream 1, offset 0x30: partial file", nil, func(err error) bool { return errors.Is(err, ErrInvalidInput) }},
		{"x.mp4: No such file or directory", nil, func(err error) bool { return errors.Is(err, fs.ErrNotExist) }},
		{"Server returned 403 Forbidden (access denied)", nil, func(err error) bool { return errors.Is(err, fs.ErrPermission) }},
		{"Stream map '0:a:0' matches no streams.", ErrNoAudio, func(err error) bool { return errors.Is(err, ErrNoAudio) }},
		{"Unrecognized option 'bogus'.", nil, func(err error) bool {
			var ee *ExecError
			return errors.As(err, &ee) && !errors.Is(err, ErrInvalidInput) && strings.Contains(err.Error(), "Unrecognized option")
		}},
	}
	for _, tt := range tests {
		err := classify("op", "ffmpeg", 1, tt.stderr, errors.New("exit status 1"), tt.noStream)
		if !tt.check(err) {
			t.Errorf("classify(%q) = %v", tt.stderr, err)
		}
	}
}

func TestRedact(t *testing.T) {
	in := "https://b.example/k.mp4?X-Amz-Signature=s3cr3t: Server returned 404 Not Found; http://h/p#frag"
	got := redact(in)
	if strings.Contains(got, "s3cr3t") || strings.Contains(got, "frag") || !strings.Contains(got, "https://b.example/k.mp4") {
		t.Errorf("redact = %q", got)
	}
}

func TestDefaultToolsAndCheck(t *testing.T) {
	if err := testTools().Check(context.Background()); err != nil {
		t.Errorf("Check: %v", err)
	}
	t.Setenv("FFMPEG_PATH", "/custom/ffmpeg")
	t.Setenv("FFPROBE_PATH", "")
	tools := DefaultTools()
	if tools.FFmpeg != "/custom/ffmpeg" || filepath.Base(tools.FFprobe) != "ffprobe" {
		t.Errorf("DefaultTools = %+v", tools)
	}
	if err := tools.Check(context.Background()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Check with a missing ffmpeg: %v, want fs.ErrNotExist", err)
	}
}
