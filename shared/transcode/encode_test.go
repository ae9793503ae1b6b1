package transcode

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// renditionFor picks the rendition of resolution r from the input's ladder.
func renditionFor(t testing.TB, p Probe, r int) Rendition {
	t.Helper()
	for _, rd := range Ladder(p, []int{r}) {
		if rd.Resolution == r {
			return rd
		}
	}
	t.Fatalf("no %dp rendition for %+v", r, p)
	return Rendition{}
}

// encodeChunked runs the chunked pipeline: chunks in parallel, the audio
// once, then the join.
func encodeChunked(ctx context.Context, tools Tools, p Probe, input, dir string, r Rendition, chunkSeconds float64) (string, error) {
	return encodeChunks(ctx, tools, p, input, dir, r, PlanChunks(p.Duration, chunkSeconds))
}

func encodeChunks(ctx context.Context, tools Tools, p Probe, input, dir string, r Rendition, chunks []Chunk) (string, error) {
	paths := make([]string, len(chunks))
	errs := make([]error, len(chunks)+1)
	var wg sync.WaitGroup
	for i, c := range chunks {
		paths[i] = filepath.Join(dir, fmt.Sprintf("chunk-%03d.mp4", c.Index))
		wg.Go(func() { errs[i] = tools.EncodeVideoChunk(ctx, input, paths[i], r, c) })
	}
	audio := ""
	if p.HasAudio {
		audio = filepath.Join(dir, "audio.m4a")
		wg.Go(func() { errs[len(chunks)] = tools.EncodeAudio(ctx, input, audio, r) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	out := filepath.Join(dir, "joined.mp4")
	return out, tools.Join(ctx, paths, audio, out)
}

func TestChunkedMatchesWhole(t *testing.T) {
	f := media(t)
	tools := testTools()
	ctx := context.Background()
	tests := []struct {
		name       string
		input      string
		resolution int
		unmarked   bool // chunks carry no Last flag: the remainder marks the last
	}{
		{"25 fps 720p source to 240p", f.clip720, 240, false},
		{"29.97 fps source with B-frames to 30 fps", f.ntsc, 240, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p, err := tools.Probe(ctx, tt.input)
			if err != nil {
				t.Fatal(err)
			}
			r := renditionFor(t, p, tt.resolution)
			chunks := PlanChunks(p.Duration, 4)
			if len(chunks) != 3 {
				t.Fatalf("%d chunks for %vs, want 3", len(chunks), p.Duration)
			}
			if tt.unmarked {
				for i := range chunks {
					chunks[i].Last = false
				}
			}
			joined, err := encodeChunks(ctx, tools, p, tt.input, dir, r, chunks)
			if err != nil {
				t.Fatalf("chunked: %v", err)
			}
			whole := filepath.Join(dir, "whole.mp4")
			if err := tools.EncodeWhole(ctx, tt.input, whole, r); err != nil {
				t.Fatalf("EncodeWhole: %v", err)
			}

			frame := 1 / float64(r.FPS)
			wantFrames := int(math.Round(p.Duration * float64(r.FPS)))
			for _, out := range []string{joined, whole} {
				q, err := tools.Probe(ctx, out)
				if err != nil {
					t.Fatalf("probe %s: %v", out, err)
				}
				if q.Width != r.Width || q.Height != r.Height || q.FPS != r.FPS || q.VideoCodec != "h264" || q.AudioCodec != "aac" {
					t.Errorf("%s: %dx%d@%d %s/%s, want %dx%d@%d h264/aac", filepath.Base(out), q.Width, q.Height, q.FPS, q.VideoCodec, q.AudioCodec, r.Width, r.Height, r.FPS)
				}
				if !strings.Contains(string(q.JSON), `"profile":"High"`) || !strings.Contains(string(q.JSON), `"pix_fmt":"yuv420p"`) {
					t.Errorf("%s is not H.264 High yuv420p", filepath.Base(out))
				}
				if math.Abs(q.Duration-p.Duration) > frame+0.001 {
					t.Errorf("%s lasts %v, source %v: more than a frame apart", filepath.Base(out), q.Duration, p.Duration)
				}
				if n := frameCount(t, out); math.Abs(float64(n-wantFrames)) > 1 {
					t.Errorf("%s has %d frames, want %d±1", filepath.Base(out), n, wantFrames)
				}
				assertKeyframesOnSegments(t, out, p.Duration)
				assertFaststart(t, out)
			}
			if a, b := frameCount(t, joined), frameCount(t, whole); a != b {
				t.Errorf("joined has %d frames, single pass %d", a, b)
			}
			// Joined and single-pass frames must show the same picture at the
			// same time: a gap or a repeated frame at a join shifts the moving
			// test pattern and collapses the PSNR of every frame after it.
			minPSNR := psnrMin(t, joined, whole, 0)
			if minPSNR < 30 {
				t.Errorf("lowest per-frame PSNR joined vs single pass = %.1f dB, want ≥ 30", minPSNR)
			}
			shifted := psnrMin(t, joined, whole, 1)
			t.Logf("lowest per-frame PSNR joined vs single pass: %.1f dB aligned, %.1f dB one frame apart", minPSNR, shifted)
			if shifted > minPSNR-5 {
				t.Errorf("PSNR does not tell frames apart: aligned %.1f dB, shifted by a frame %.1f dB", minPSNR, shifted)
			}
		})
	}
}

// assertKeyframesOnSegments checks for a keyframe at every multiple of
// SegmentSeconds before the end.
func assertKeyframesOnSegments(t *testing.T, path string, duration float64) {
	t.Helper()
	keys := keyframeTimes(t, path)
	for s := 0.0; s < duration-0.5; s += SegmentSeconds {
		found := false
		for _, k := range keys {
			if math.Abs(k-s) < 0.001 {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no keyframe at %vs (keyframes %v)", filepath.Base(path), s, keys)
		}
	}
}

// assertFaststart checks that the MP4 index comes before the media data.
func assertFaststart(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	moov, mdat := bytes.Index(b, []byte("moov")), bytes.Index(b, []byte("mdat"))
	if moov < 0 || mdat < 0 || moov > mdat {
		t.Errorf("%s: moov at %d, mdat at %d: not faststart", filepath.Base(path), moov, mdat)
	}
}

// psnrMin is the lowest per-frame PSNR of a against b, with a's frames
// taken shift frames late.
func psnrMin(t *testing.T, a, b string, shift int) float64 {
	t.Helper()
	stats := filepath.Join(t.TempDir(), "psnr.log")
	graph := fmt.Sprintf("[0:v]trim=start_frame=%d,setpts=PTS-STARTPTS[a];[a][1:v]psnr=stats_file=%s", shift, stats)
	if err := ffmpegRun("-i", a, "-i", b, "-lavfi", graph, "-f", "null", "-"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(stats)
	if err != nil {
		t.Fatal(err)
	}
	lowest := math.Inf(1)
	for _, line := range strings.Split(string(data), "\n") {
		for _, field := range strings.Fields(line) {
			if v, ok := strings.CutPrefix(field, "psnr_avg:"); ok {
				if x, err := strconv.ParseFloat(v, 64); err == nil {
					lowest = math.Min(lowest, x)
				}
			}
		}
	}
	if math.IsInf(lowest, 1) {
		lowest = 100 // identical frames
	}
	return lowest
}

func TestEncodeWholeWithoutAudio(t *testing.T) {
	f := media(t)
	tools := testTools()
	ctx := context.Background()
	p, err := tools.Probe(ctx, f.silent)
	if err != nil {
		t.Fatal(err)
	}
	r := Ladder(p, nil)[0]
	out := filepath.Join(t.TempDir(), "out.mp4")
	if err := tools.EncodeWhole(ctx, f.silent, out, r); err != nil {
		t.Fatalf("EncodeWhole: %v", err)
	}
	q, err := tools.Probe(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	if !q.HasVideo || q.HasAudio || q.Width != 320 || q.Height != 240 {
		t.Errorf("output %+v, want 320x240 video only", q)
	}
	if err := tools.EncodeAudio(ctx, f.silent, filepath.Join(t.TempDir(), "a.m4a"), r); !errors.Is(err, ErrNoAudio) {
		t.Errorf("EncodeAudio without audio: %v, want ErrNoAudio", err)
	}
}

func TestEncodeAudioOnly(t *testing.T) {
	f := media(t)
	tools := testTools()
	ctx := context.Background()
	for _, input := range []string{f.audio, f.song} {
		p, err := tools.Probe(ctx, input)
		if err != nil {
			t.Fatal(err)
		}
		rs := Ladder(p, Resolutions)
		if len(rs) != 1 || !rs[0].AudioOnly {
			t.Fatalf("ladder of %s = %+v, want one audio rendition", filepath.Base(input), rs)
		}
		out := filepath.Join(t.TempDir(), "audio.mp4")
		if err := tools.EncodeWhole(ctx, input, out, rs[0]); err != nil {
			t.Fatalf("EncodeWhole %s: %v", filepath.Base(input), err)
		}
		q, err := tools.Probe(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		if q.HasVideo || q.HasCover || !q.HasAudio || q.AudioCodec != "aac" || math.Abs(q.Duration-p.Duration) > 0.1 {
			t.Errorf("%s: output %+v, want %vs of AAC only", filepath.Base(input), q, p.Duration)
		}
		assertFaststart(t, out)
		if err := tools.EncodeVideoChunk(ctx, input, filepath.Join(t.TempDir(), "v.mp4"), Rendition{Resolution: 240, Width: 320, Height: 240, FPS: 25}, Chunk{Duration: 4, Last: true}); !errors.Is(err, ErrNoVideo) {
			t.Errorf("EncodeVideoChunk of %s: %v, want ErrNoVideo", filepath.Base(input), err)
		}
	}
}

func TestEncodeRejectsBadArguments(t *testing.T) {
	tools := testTools()
	ctx := context.Background()
	r := Rendition{Resolution: 240, Width: 426, Height: 240, FPS: 25}
	out := filepath.Join(t.TempDir(), "x.mp4")
	if err := tools.EncodeVideoChunk(ctx, "in.mp4", out, r, Chunk{Start: 3, Duration: 4}); err == nil {
		t.Error("a chunk off the segment grid was accepted")
	}
	if err := tools.EncodeVideoChunk(ctx, "in.mp4", out, Rendition{Width: 425, Height: 240, FPS: 25}, Chunk{Duration: 4}); err == nil {
		t.Error("an odd width was accepted")
	}
	if err := tools.EncodeWhole(ctx, "in.mp4", out, Rendition{Width: 426, Height: 240}); err == nil {
		t.Error("a zero frame rate was accepted")
	}
	if err := tools.Join(ctx, nil, "", out); err == nil {
		t.Error("a join of nothing was accepted")
	}
}

func TestEncodeInvalidInput(t *testing.T) {
	f := media(t)
	r := Rendition{Resolution: 240, Width: 320, Height: 240, FPS: 25}
	err := testTools().EncodeWhole(context.Background(), f.random, filepath.Join(t.TempDir(), "x.mp4"), r)
	if !errors.Is(err, ErrInvalidInput) {
		t.Fatalf("EncodeWhole of random bytes: %v, want an InputError", err)
	}
}

func TestEncodeStoppedByContext(t *testing.T) {
	f := media(t)
	srv, _ := serveFile(t, f.clip720)
	// A slow preset at full size keeps ffmpeg busy well past the deadline.
	tools := testTools()
	tools.Preset = "veryslow"
	r := Rendition{Resolution: 720, Width: 1280, Height: 720, FPS: 25, AudioBitrate: 96000}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := tools.EncodeWhole(ctx, srv.URL+"/clip.mp4", filepath.Join(t.TempDir(), "x.mp4"), r)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the context's deadline", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("EncodeWhole returned %v after a 300 ms deadline", elapsed)
	}
}

// A video stream that ends before the audio leaves the last chunk without
// frames; the joined file still matches the single pass.
func TestChunkedVideoShorterThanAudio(t *testing.T) {
	tools := testTools()
	ctx := context.Background()
	dir := t.TempDir()
	input := filepath.Join(dir, "in.mp4")
	if err := ffmpegRun("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=6", "-f", "lavfi", "-i", "sine=duration=10",
		"-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", input); err != nil {
		t.Fatal(err)
	}
	p, err := tools.Probe(ctx, input)
	if err != nil {
		t.Fatal(err)
	}
	r := Ladder(p, nil)[0]
	joined, err := encodeChunked(ctx, tools, p, input, dir, r, 4)
	if err != nil {
		t.Fatalf("chunked: %v", err)
	}
	whole := filepath.Join(dir, "whole.mp4")
	if err := tools.EncodeWhole(ctx, input, whole, r); err != nil {
		t.Fatal(err)
	}
	a, b := frameCount(t, joined), frameCount(t, whole)
	if a != 150 || b != 150 {
		t.Errorf("frames: joined %d, single pass %d, want 150", a, b)
	}
	for _, out := range []string{joined, whole} {
		q, err := tools.Probe(ctx, out)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(q.Duration-10) > 0.05 || !q.HasAudio {
			t.Errorf("%s: %vs, audio %v; want the 10 s audio kept", filepath.Base(out), q.Duration, q.HasAudio)
		}
	}
}

func TestJoinPathsWithQuotes(t *testing.T) {
	f := media(t)
	tools := testTools()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "it's a 'dir'")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := Rendition{Resolution: 240, Width: 320, Height: 240, FPS: 25}
	chunk := filepath.Join(dir, "chunk's.mp4")
	if err := tools.EncodeVideoChunk(ctx, f.small, chunk, r, Chunk{Duration: 1, Last: true}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "joined.mp4")
	if err := tools.Join(ctx, []string{chunk, chunk}, "", out); err != nil {
		t.Fatalf("Join: %v", err)
	}
	if n := frameCount(t, out); n != 50 {
		t.Errorf("two 25-frame chunks joined into %d frames", n)
	}
	if _, err := os.Stat(out + ".ffconcat"); !os.IsNotExist(err) {
		t.Errorf("the chunk list was left behind: %v", err)
	}
}
