package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vidiverse/vidiverse/shared/transcode"
)

// makeClip writes a test clip of testsrc2 video and a sine tone with
// ffmpeg: H.264/AAC in MP4, as a phone or an editor would export it.
func makeClip(ctx context.Context, path string, width, height, fps int, seconds float64) error {
	d := strconv.FormatFloat(seconds, 'f', -1, 64)
	args := []string{
		"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=%d:duration=%s", width, height, fps, d),
		"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=" + d,
		"-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
		"-c:a", "aac", "-b:a", "128k", "-ac", "2",
		"-movflags", "+faststart", "-shortest", path,
	}
	if out, err := exec.CommandContext(ctx, "ffmpeg", args...).CombinedOutput(); err != nil {
		return fmt.Errorf("make clip %s: %w: %s", path, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// keyframeExpr is the keyframe rule of shared/transcode: one on every
// multiple of its segment length.
var keyframeExpr = "expr:gte(t,n_forced*" + strconv.Itoa(transcode.SegmentSeconds) + ")"

// ladderArgs is ONE ffmpeg command that makes every rendition of ladder
// from input as shared/transcode's EncodeWhole does (same filters, codecs,
// bit rates, preset, keyframes, faststart MP4), decoding the input once
// and splitting its frames to one encoder per rendition. The outputs are
// dir/<resolution>.mp4.
func ladderArgs(preset, input, dir string, ladder []transcode.Rendition, hasAudio bool) []string {
	args := []string{"-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", input}
	var graph strings.Builder
	fmt.Fprintf(&graph, "[0:v:0]split=%d", len(ladder))
	for i := range ladder {
		fmt.Fprintf(&graph, "[s%d]", i)
	}
	for i, r := range ladder {
		fmt.Fprintf(&graph, ";[s%d]fps=fps=%d:start_time=0,scale=%d:%d[v%d]", i, r.FPS, r.Width, r.Height, i)
	}
	args = append(args, "-filter_complex", graph.String())
	for i, r := range ladder {
		args = append(args, "-map", fmt.Sprintf("[v%d]", i))
		if hasAudio && r.AudioBitrate > 0 {
			args = append(args, "-map", "0:a:0")
		}
		args = append(args,
			"-c:v", "libx264", "-preset", preset, "-profile:v", "high", "-pix_fmt", "yuv420p",
			"-maxrate:v", strconv.Itoa(r.VideoBitrate), "-bufsize:v", strconv.Itoa(2*r.VideoBitrate),
			"-b_strategy", "1", "-bf", "16", "-g:v", strconv.Itoa(2*r.FPS),
			"-force_key_frames", keyframeExpr,
		)
		if hasAudio && r.AudioBitrate > 0 {
			args = append(args, "-c:a", "aac", "-b:a", strconv.Itoa(r.AudioBitrate), "-ac", "2")
		}
		args = append(args,
			"-max_muxing_queue_size", "1024", "-map_metadata", "-1",
			"-movflags", "+faststart", "-f", "mp4",
			filepath.Join(dir, strconv.Itoa(r.Resolution)+".mp4"),
		)
	}
	return args
}

// videoLadder is the ladder without its audio-only rendition (the plain
// command and the chunked runs make video renditions).
func videoLadder(p transcode.Probe, enabled []int) []transcode.Rendition {
	var out []transcode.Rendition
	for _, r := range transcode.Ladder(p, enabled) {
		if !r.AudioOnly {
			out = append(out, r)
		}
	}
	return out
}

// runLadder times the one-command ladder and checks every output's size.
func runLadder(ctx context.Context, tools transcode.Tools, input, dir string, p transcode.Probe, ladder []transcode.Rendition) (time.Duration, error) {
	start := time.Now()
	cmd := exec.CommandContext(ctx, "ffmpeg", ladderArgs("veryfast", input, dir, ladder, p.HasAudio)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("ladder in one ffmpeg command: %w: %s", err, strings.TrimSpace(string(out)))
	}
	elapsed := time.Since(start)
	for _, r := range ladder {
		out := filepath.Join(dir, strconv.Itoa(r.Resolution)+".mp4")
		got, err := tools.Probe(ctx, out)
		if err != nil {
			return 0, fmt.Errorf("ladder output %dp: %w", r.Resolution, err)
		}
		if got.Width != r.Width || got.Height != r.Height || got.HasAudio != p.HasAudio {
			return 0, fmt.Errorf("ladder output %dp is %dx%d (audio %t), want %dx%d (audio %t)",
				r.Resolution, got.Width, got.Height, got.HasAudio, r.Width, r.Height, p.HasAudio)
		}
	}
	return elapsed, nil
}

// chunkedEncode encodes rendition r of input as the pipeline does for a
// long input: PlanChunks cuts it into chunks of chunkSeconds, workers
// goroutines encode the chunks (EncodeVideoChunk) and the audio
// (EncodeAudio) from one list of tasks, and Join puts them together. It
// returns the wall time of the whole and the number of chunks.
func chunkedEncode(ctx context.Context, tools transcode.Tools, input, dir string, p transcode.Probe, r transcode.Rendition, chunkSeconds float64, workers int) (time.Duration, int, error) {
	start := time.Now()
	chunks := transcode.PlanChunks(p.Duration, chunkSeconds)
	paths := make([]string, len(chunks))
	audio := ""
	if p.HasAudio {
		audio = filepath.Join(dir, "audio.m4a")
	}
	tasks := make(chan func() error, len(chunks)+1)
	if audio != "" {
		tasks <- func() error { return tools.EncodeAudio(ctx, input, audio, r) } // the longest task first
	}
	for i, c := range chunks {
		paths[i] = filepath.Join(dir, fmt.Sprintf("chunk-%03d.mp4", i))
		tasks <- func() error { return tools.EncodeVideoChunk(ctx, input, paths[i], r, c) }
	}
	close(tasks)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for task := range tasks {
				if ctx.Err() != nil {
					return
				}
				if err := task(); err != nil {
					cancel(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return 0, 0, fmt.Errorf("chunked encode with %d workers: %w", workers, err)
	}
	out := filepath.Join(dir, "joined.mp4")
	if err := tools.Join(ctx, paths, audio, out); err != nil {
		return 0, 0, fmt.Errorf("chunked encode with %d workers: %w", workers, err)
	}
	elapsed := time.Since(start)
	got, err := tools.Probe(ctx, out)
	if err != nil {
		return 0, 0, fmt.Errorf("chunked encode with %d workers: %w", workers, err)
	}
	if d := got.Duration - p.Duration; d > 0.5 || d < -0.5 {
		return 0, 0, fmt.Errorf("chunked encode with %d workers: joined file lasts %.2f s, the input %.2f s", workers, got.Duration, p.Duration)
	}
	return elapsed, len(chunks), nil
}

// wholeEncode times EncodeWhole of rendition r, the single-pass reference
// for the chunked runs.
func wholeEncode(ctx context.Context, tools transcode.Tools, input, dir string, r transcode.Rendition) (time.Duration, error) {
	start := time.Now()
	if err := tools.EncodeWhole(ctx, input, filepath.Join(dir, "whole.mp4"), r); err != nil {
		return 0, fmt.Errorf("single-pass encode: %w", err)
	}
	return time.Since(start), nil
}

// freshDir makes an empty directory under parent.
func freshDir(parent, name string) (string, error) {
	dir := filepath.Join(parent, name)
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	return dir, os.MkdirAll(dir, 0o755)
}
