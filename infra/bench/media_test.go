package main

import (
	"context"
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/vidiverse/vidiverse/shared/transcode"
)

func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not on PATH", tool)
		}
	}
}

// clip makes a short test clip once per test.
func clip(t *testing.T, width, height int, seconds float64) (string, transcode.Probe) {
	t.Helper()
	needTools(t, "ffmpeg", "ffprobe")
	path := filepath.Join(t.TempDir(), "clip.mp4")
	if err := makeClip(context.Background(), path, width, height, 30, seconds); err != nil {
		t.Fatal(err)
	}
	p, err := transcode.Tools{}.Probe(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return path, p
}

// The one-command ladder makes the files EncodeWhole makes: same sizes,
// frame rates, durations and streams.
func TestLadderMatchesEncodeWhole(t *testing.T) {
	input, p := clip(t, 854, 480, 2)
	tools := transcode.Tools{}
	ladder := videoLadder(p, []int{240, 360})
	if len(ladder) != 3 {
		t.Fatalf("ladder of a 480p input with 240 and 360 enabled has %d renditions, want 3", len(ladder))
	}
	dir := t.TempDir()
	if _, err := runLadder(context.Background(), tools, input, dir, p, ladder); err != nil {
		t.Fatal(err)
	}
	for _, r := range ladder {
		whole := filepath.Join(t.TempDir(), "whole.mp4")
		if err := tools.EncodeWhole(context.Background(), input, whole, r); err != nil {
			t.Fatal(err)
		}
		want, err := tools.Probe(context.Background(), whole)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tools.Probe(context.Background(), filepath.Join(dir, strconv.Itoa(r.Resolution)+".mp4"))
		if err != nil {
			t.Fatal(err)
		}
		if got.Width != want.Width || got.Height != want.Height || got.FPS != want.FPS ||
			got.VideoCodec != want.VideoCodec || got.AudioCodec != want.AudioCodec || math.Abs(got.Duration-want.Duration) > 0.1 {
			t.Errorf("%dp: one command made %dx%d %d fps %s/%s %.2f s; EncodeWhole %dx%d %d fps %s/%s %.2f s", r.Resolution,
				got.Width, got.Height, got.FPS, got.VideoCodec, got.AudioCodec, got.Duration,
				want.Width, want.Height, want.FPS, want.VideoCodec, want.AudioCodec, want.Duration)
		}
	}
}

func TestChunkedEncodeJoinsEveryChunk(t *testing.T) {
	input, p := clip(t, 426, 240, 10)
	r := videoLadder(p, nil)[0]
	for _, workers := range []int{1, 3} {
		d, chunks, err := chunkedEncode(context.Background(), transcode.Tools{}, input, t.TempDir(), p, r, 4, workers)
		if err != nil {
			t.Fatal(err)
		}
		if chunks != 3 || d <= 0 {
			t.Errorf("%d workers: %d chunks in %s, want 3 chunks of a 10 s input cut every 4 s", workers, chunks, d)
		}
	}
}
