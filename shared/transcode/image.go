package transcode

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
)

// ImageSize is a picture size in pixels.
type ImageSize struct{ Width, Height int }

// PeerTube's default image sizes (server/core/initializers/constants.ts,
// as served by PeerTube 6.1: the thumbnail and the preview of a video).
var (
	ThumbnailSize = ImageSize{Width: 280, Height: 157}
	PreviewSize   = ImageSize{Width: 850, Height: 480}
)

// audioBackground is the colour of the picture of an audio file without
// cover art.
const audioBackground = "0x202020"

// Thumbnail writes the video's thumbnail (ThumbnailSize JPEG) to output.
// See Image.
func (t Tools) Thumbnail(ctx context.Context, input string, at float64, output string) error {
	return t.Image(ctx, input, at, output, ThumbnailSize)
}

// Preview writes the video's preview (PreviewSize JPEG) to output. See Image.
func (t Tools) Preview(ctx context.Context, input string, at float64, output string) error {
	return t.Image(ctx, input, at, output, PreviewSize)
}

// Image writes a JPEG of exactly size to output, made as PeerTube makes its
// thumbnails: the most representative of the 50 frames from at seconds
// (ffmpeg's thumbnail filter; PeerTube starts at half the duration), scaled
// to cover size and cropped to the centre. A portrait picture for a
// landscape size is shown whole over a darkened, cropped copy of itself.
// An audio file gives its cover art, or a plain dark picture without one,
// so every video has images.
func (t Tools) Image(ctx context.Context, input string, at float64, output string, size ImageSize) error {
	op := fmt.Sprintf("image %dx%d", size.Width, size.Height)
	if size.Width <= 0 || size.Height <= 0 {
		return fmt.Errorf("%s: bad size", op)
	}
	p, err := t.Probe(ctx, input)
	if err != nil {
		return err
	}
	var args []string
	switch {
	case p.HasVideo:
		args = frameCmd(input, clampSeek(at, p.Duration), "0:V:0", p.Width, p.Height, size, output)
	case p.cover != nil:
		args = frameCmd(input, 0, "0:"+strconv.Itoa(p.cover.Index), p.cover.Width, p.cover.Height, size, output)
	default:
		args = solidCmd(size, output)
	}
	if err := os.Remove(output); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if _, err := t.run(ctx, op, t.ffmpeg(), args, nil); err != nil {
		return err
	}
	// A seek past the last frame ends without a picture and without an error.
	if st, err := os.Stat(output); err != nil || st.Size() == 0 {
		return fmt.Errorf("%s: no picture was produced at %gs", op, at)
	}
	return nil
}

// clampSeek keeps a seek position inside the input, half a second before
// its end at most.
func clampSeek(at, duration float64) float64 {
	if math.IsNaN(at) || at < 0 {
		return 0
	}
	return math.Max(0, math.Min(at, duration-0.5))
}

// imageFilter is the filter graph from the input stream to [img]. It works
// in full-range 4:4:4 YUV: a 4:2:0 crop or conversion would round odd
// sizes such as 157 down to even.
func imageFilter(stream string, srcW, srcH int, size ImageSize) string {
	w, h := size.Width, size.Height
	cover := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d", w, h, w, h)
	if srcW <= srcH && w > h {
		// PeerTube (image-utils.ts autoResize): a cover copy shaded 50%
		// toward black, the whole picture centred on it.
		contain := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=decrease", w, h)
		return fmt.Sprintf("[%s]thumbnail=50,format=yuvj444p,split=2[bg][fg];"+
			"[bg]%s,colorchannelmixer=rr=0.5:gg=0.5:bb=0.5[shaded];"+
			"[fg]%s[whole];"+
			"[shaded][whole]overlay=(W-w)/2:(H-h)/2,format=yuvj444p[img]", stream, cover, contain)
	}
	return fmt.Sprintf("[%s]thumbnail=50,format=yuvj444p,%s[img]", stream, cover)
}

// jpegOutput ends an image command line.
func jpegOutput(output string) []string {
	return []string{
		"-map", "[img]", // the filter graph's picture
		"-frames:v", "1", // one picture
		"-c:v", "mjpeg", // JPEG
		"-q:v", "5", // about JPEG quality 80, PeerTube's
		"-map_metadata", "-1", // no metadata from the input
		"-f", "image2", // a plain image file
		"-update", "1", // the name is a file name, not a %d pattern
		fileURL(output),
	}
}

// frameCmd is the ffmpeg argv of Image for a picture from stream of input.
func frameCmd(input string, at float64, stream string, srcW, srcH int, size ImageSize, output string) []string {
	args := commonArgs()
	if at > 0 {
		args = append(args, "-ss", formatSeconds(at)) // start looking at this time
	}
	args = append(args, untrustedInput(input)...)
	args = append(args, "-filter_complex", imageFilter(stream, srcW, srcH, size)) // pick, scale, crop
	return append(args, jpegOutput(output)...)
}

// solidCmd is the ffmpeg argv of Image for an audio file without cover art.
func solidCmd(size ImageSize, output string) []string {
	args := commonArgs()
	args = append(args,
		"-f", "lavfi", // a generated input
		// A plain colour, generated in full-range 4:4:4 (4:2:0 would round
		// an odd height down).
		"-i", fmt.Sprintf("color=c=%s:s=%dx%d:d=1,format=yuvj444p", audioBackground, size.Width, size.Height),
		"-filter_complex", "[0:v]null[img]", // as is
	)
	return append(args, jpegOutput(output)...)
}
