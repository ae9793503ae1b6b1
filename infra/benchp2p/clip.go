package main

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// makeClip writes a test clip of testsrc2 video and a sine tone with
// ffmpeg: H.264/AAC in a faststart MP4.
func makeClip(ctx context.Context, path string, height int, seconds float64) error {
	width := (height*16/9 + 1) &^ 1
	d := strconv.FormatFloat(seconds, 'f', -1, 64)
	args := []string{
		"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-f", "lavfi", "-i", fmt.Sprintf("testsrc2=size=%dx%d:rate=25:duration=%s", width, height, d),
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
