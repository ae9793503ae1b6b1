package transcode

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// keyframeExpr forces a keyframe at every multiple of SegmentSeconds of the
// output's time. Chunks start on such a multiple, so chunk time and global
// time put keyframes at the same instants.
var keyframeExpr = "expr:gte(t,n_forced*" + strconv.Itoa(SegmentSeconds) + ")"

// checkVideoRendition rejects renditions an encoder cannot honour.
func checkVideoRendition(r Rendition) error {
	switch {
	case r.AudioOnly:
		return errors.New("rendition is audio only")
	case r.Width <= 0 || r.Height <= 0 || r.Width%2 != 0 || r.Height%2 != 0:
		return fmt.Errorf("rendition size %dx%d is not positive and even", r.Width, r.Height)
	case r.FPS <= 0:
		return fmt.Errorf("rendition frame rate %d is not positive", r.FPS)
	}
	return nil
}

// videoFilter picks frames on a constant frame-rate grid that starts at the
// output's time 0 (the chunk start), then scales them. A source frame lands
// on the same grid instant whether the file is encoded whole or in chunks.
func videoFilter(r Rendition) string {
	return fmt.Sprintf("fps=fps=%d:start_time=0,scale=%d:%d", r.FPS, r.Width, r.Height)
}

// videoCodecArgs are the video output options: PeerTube's default libx264
// VOD profile (ffmpeg-default-transcoding-profile.ts, presets.ts,
// encoder-options.ts) plus keyframes forced on segment boundaries.
func videoCodecArgs(preset string, r Rendition) []string {
	args := []string{
		"-vf", videoFilter(r), // constant frame rate, output size
		"-c:v", "libx264", // H.264
		"-preset", preset, // PeerTube: veryfast
		"-profile:v", "high", // H.264 High (avc1.64xxxx)
		"-pix_fmt", "yuv420p", // 8-bit 4:2:0, what every player decodes
	}
	if r.VideoBitrate > 0 {
		args = append(args,
			"-maxrate:v", strconv.Itoa(r.VideoBitrate), // PeerTube's target bitrate caps the CRF encode
			"-bufsize:v", strconv.Itoa(2*r.VideoBitrate), // VBV buffer of twice the cap, as PeerTube
		)
	}
	return append(args,
		"-b_strategy", "1", // x264 fast adaptive B-frame placement (PeerTube)
		"-bf", "16", // up to 16 consecutive B-frames (PeerTube)
		"-g:v", strconv.Itoa(2*r.FPS), // keyframe at least every 2 seconds (PeerTube)
		"-force_key_frames", keyframeExpr, // and on every HLS segment boundary
	)
}

// audioCodecArgs are the AAC output options (PeerTube forces stereo, which
// avoids playback issues in Chrome).
func audioCodecArgs(r Rendition) []string {
	args := []string{
		"-c:a", "aac", // AAC-LC (mp4a.40.2)
	}
	if r.AudioBitrate > 0 {
		args = append(args, "-b:a", strconv.Itoa(r.AudioBitrate)) // PeerTube's audio bitrate rule
	}
	return append(args, "-ac", "2") // stereo
}

// mp4Output ends an MP4-producing command line.
func mp4Output(output string, faststart bool) []string {
	args := []string{
		"-max_muxing_queue_size", "1024", // avoid "Too many packets buffered" on sparse streams (PeerTube)
		"-map_metadata", "-1", // drop the uploader's metadata (PeerTube)
	}
	if faststart {
		args = append(args, "-movflags", "+faststart") // index first: playable while downloading
	}
	return append(args,
		"-f", "mp4", // MP4 whatever the file name says
		fileURL(output),
	)
}

// isSegmentMultiple reports whether s is a multiple of SegmentSeconds.
func isSegmentMultiple(s float64) bool {
	q := s / SegmentSeconds
	return s >= 0 && math.Abs(q-math.Round(q)) < 1e-9
}

func formatSeconds(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }

// videoChunkCmd is the ffmpeg argv of EncodeVideoChunk.
func videoChunkCmd(preset, input, output string, r Rendition, c Chunk) []string {
	args := commonArgs()
	if c.Start > 0 {
		args = append(args,
			"-noaccurate_seek",            // keep the frames before the start: the fps filter picks the one showing at Start
			"-ss", formatSeconds(c.Start), // jump to the keyframe at or before the chunk start; time 0 is Start
		)
	}
	args = append(args, untrustedInput(input)...)
	args = append(args,
		"-map", "0:V:0", // the first video stream that is not a cover picture
		"-an", "-sn", "-dn", // video only: audio is encoded once for the whole file
	)
	if !c.isLast() {
		args = append(args, "-frames:v", strconv.Itoa(c.Frames(r.FPS))) // exactly the frames of [Start, Start+Duration)
	}
	args = append(args, videoCodecArgs(preset, r)...)
	return append(args, mp4Output(output, false)...)
}

// EncodeVideoChunk encodes the video of chunk c of input (a path or an
// http(s) URL) at rendition r into output, an MP4 with no audio. The chunk
// holds the output frames of [c.Start, c.Start+c.Duration) on the
// rendition's frame grid (the last chunk runs to the end of the input), with
// keyframes on every multiple of SegmentSeconds of the input's time, so
// Join puts chunks back together without a gap or a repeated frame. A chunk
// marked Last, or whose Duration is not a whole number of segments, is the
// last one.
func (t Tools) EncodeVideoChunk(ctx context.Context, input, output string, r Rendition, c Chunk) error {
	op := fmt.Sprintf("encode video chunk %d at %dp", c.Index, r.Resolution)
	if err := checkVideoRendition(r); err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	if !isSegmentMultiple(c.Start) || !(c.Duration > 0) {
		return fmt.Errorf("%s: chunk [%g, %g) is not on %d-second boundaries", op, c.Start, c.End(), SegmentSeconds)
	}
	_, err := t.run(ctx, op, t.ffmpeg(), videoChunkCmd(t.preset(), input, output, r, c), ErrNoVideo)
	return err
}

// audioCmd is the ffmpeg argv of EncodeAudio.
func audioCmd(input, output string, r Rendition) []string {
	args := commonArgs()
	args = append(args, untrustedInput(input)...)
	args = append(args,
		"-map", "0:a:0", // the first audio stream
		"-vn", "-sn", "-dn", // audio only
	)
	args = append(args, audioCodecArgs(r)...)
	return append(args, mp4Output(output, false)...)
}

// EncodeAudio encodes the whole audio track of input to AAC at r's audio
// bitrate into output (an MP4/M4A with audio only), for Join. It returns an
// error wrapping ErrNoAudio when the input has no audio: check
// Probe.HasAudio first and join without audio.
func (t Tools) EncodeAudio(ctx context.Context, input, output string, r Rendition) error {
	_, err := t.run(ctx, "encode audio", t.ffmpeg(), audioCmd(input, output, r), ErrNoAudio)
	return err
}

// concatList is the concat demuxer's list of chunk files.
func concatList(chunks []string) (string, error) {
	var b strings.Builder
	b.WriteString("ffconcat version 1.0\n")
	for _, c := range chunks {
		abs, err := filepath.Abs(c)
		if err != nil {
			return "", err
		}
		if strings.ContainsAny(abs, "\n\r") {
			return "", fmt.Errorf("chunk path %q has a line break", c)
		}
		// Quoted; a quote inside is closed, escaped and reopened.
		b.WriteString("file '" + strings.ReplaceAll(fileURL(abs), "'", `'\''`) + "'\n")
	}
	return b.String(), nil
}

// joinCmd is the ffmpeg argv of Join; list is the concat list file.
func joinCmd(list, audio, output string) []string {
	args := commonArgs()
	args = append(args,
		"-f", "concat", // read the chunks one after the other as one stream
		"-safe", "0", // the list names absolute file: URLs
	)
	args = append(args, ownInput(list)...)
	if audio != "" {
		args = append(args, ownInput(audio)...)
	}
	args = append(args, "-map", "0:v:0") // the joined video
	if audio != "" {
		args = append(args, "-map", "1:a:0") // the audio track
	}
	args = append(args, "-c", "copy") // no re-encode: the chunks are final
	return append(args, mp4Output(output, true)...)
}

// Join concatenates video chunks made by EncodeVideoChunk (in order) and,
// unless audio is "", the track made by EncodeAudio into output: an MP4
// with faststart, by stream copy.
func (t Tools) Join(ctx context.Context, chunks []string, audio, output string) error {
	if len(chunks) == 0 {
		return errors.New("join: no chunks")
	}
	list, err := concatList(chunks)
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	listPath := output + ".ffconcat"
	if err := os.WriteFile(listPath, []byte(list), 0o600); err != nil {
		return fmt.Errorf("join: write chunk list: %w", err)
	}
	defer os.Remove(listPath)
	_, err = t.run(ctx, "join chunks", t.ffmpeg(), joinCmd(listPath, audio, output), nil)
	return err
}

// wholeCmd is the ffmpeg argv of EncodeWhole.
func wholeCmd(preset, input, output string, r Rendition) []string {
	args := commonArgs()
	args = append(args, untrustedInput(input)...)
	if r.AudioOnly {
		args = append(args,
			"-map", "0:a:0", // the first audio stream
			"-vn", "-sn", "-dn", // audio only
		)
		args = append(args, audioCodecArgs(r)...)
		return append(args, mp4Output(output, true)...)
	}
	args = append(args, "-map", "0:V:0") // the first video stream that is not a cover picture
	if r.AudioBitrate > 0 {
		args = append(args, "-map", "0:a:0?") // the first audio stream, if there is one
	} else {
		args = append(args, "-an") // no audio
	}
	args = append(args, "-sn", "-dn") // no subtitles or data streams
	args = append(args, videoCodecArgs(preset, r)...)
	if r.AudioBitrate > 0 {
		args = append(args, audioCodecArgs(r)...)
	}
	return append(args, mp4Output(output, true)...)
}

// EncodeWhole encodes input at rendition r in one pass into output: H.264
// and AAC in an MP4 with faststart, keyframes as EncodeVideoChunk places
// them; for an audio-only rendition, AAC alone.
func (t Tools) EncodeWhole(ctx context.Context, input, output string, r Rendition) error {
	op := fmt.Sprintf("encode whole file at %dp", r.Resolution)
	noStream := ErrNoAudio
	if !r.AudioOnly {
		if err := checkVideoRendition(r); err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		noStream = ErrNoVideo
	}
	_, err := t.run(ctx, op, t.ffmpeg(), wholeCmd(t.preset(), input, output, r), noStream)
	return err
}
