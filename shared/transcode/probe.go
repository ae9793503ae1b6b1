package transcode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"net/url"
	"os"
	"path"
	"strconv"
	"strings"
)

// Probe is what ffprobe says about an input, reduced to what the pipeline
// needs, plus the full ffprobe JSON for the API's file metadata.
type Probe struct {
	Duration float64 // seconds (the container's)
	// Width and Height are the display size: coded size swapped for a
	// 90° or 270° rotation. Zero without video.
	Width, Height int
	FPS           int // PeerTube's: avg_frame_rate (else r_frame_rate), rounded
	HasVideo      bool
	HasAudio      bool
	VideoCodec    string // ffprobe codec_name, e.g. "h264"
	AudioCodec    string // ffprobe codec_name, e.g. "aac"
	Container     string // ffprobe format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
	Rotation      int    // clockwise display rotation: 0, 90, 180 or 270
	Size          int64  // bytes, when known
	Bitrate       int64  // bits/s: the container's, else the video stream's
	AudioBitrate  int64  // bits/s of the audio stream, when known
	HasCover      bool   // an attached picture (cover art) is present
	// JSON is ffprobe's -show_format -show_streams output, compacted, with
	// format.filename reduced to the base name (no local path, no query).
	JSON []byte

	video, audio, cover *ffStream
}

type ffOutput struct {
	Streams []ffStream `json:"streams"`
	Format  ffFormat   `json:"format"`
}

type ffStream struct {
	Index         int               `json:"index"`
	CodecName     string            `json:"codec_name"`
	CodecType     string            `json:"codec_type"`
	CodecTag      string            `json:"codec_tag_string"`
	Profile       string            `json:"profile"`
	Level         int               `json:"level"`
	Width         int               `json:"width"`
	Height        int               `json:"height"`
	AvgFrameRate  string            `json:"avg_frame_rate"`
	RFrameRate    string            `json:"r_frame_rate"`
	Duration      string            `json:"duration"`
	BitRate       string            `json:"bit_rate"`
	ChannelLayout string            `json:"channel_layout"`
	Tags          map[string]string `json:"tags"`
	Disposition   struct {
		AttachedPic int `json:"attached_pic"`
	} `json:"disposition"`
	SideData []struct {
		Rotation *float64 `json:"rotation"`
	} `json:"side_data_list"`
}

type ffFormat struct {
	FormatName string `json:"format_name"`
	Duration   string `json:"duration"`
	Size       string `json:"size"`
	BitRate    string `json:"bit_rate"`
}

// imageCodecs are still-image codecs: a "video" stream in one of them is a
// picture, not a video (PeerTube's isAudioFile in packages/ffmpeg/src/ffprobe.ts).
var imageCodecs = map[string]bool{
	"ansi": true, "apng": true, "bintext": true, "bmp": true, "brender_pix": true, "dpx": true,
	"exr": true, "fits": true, "gem": true, "gif": true, "jpeg2000": true, "jpgls": true,
	"mjpeg": true, "mjpegb": true, "msp2": true, "pam": true, "pbm": true, "pcx": true,
	"pfm": true, "pgm": true, "pgmyuv": true, "pgx": true, "photocd": true, "pictor": true,
	"png": true, "ppm": true, "psd": true, "sgi": true, "sunrast": true, "svg": true,
	"targa": true, "tiff": true, "txd": true, "webp": true, "xbin": true, "xbm": true,
	"xface": true, "xpm": true, "xwd": true,
}

// probeCmd is the ffprobe argv for an input.
func probeCmd(input string) []string {
	args := probeArgs()
	args = append(args,
		"-print_format", "json", // machine-readable output
		"-show_format",  // container: duration, size, bit rate
		"-show_streams", // every stream: codecs, size, rates, rotation
	)
	return append(args, untrustedInput(input)...)
}

// Probe runs ffprobe on input (a local path or an http(s) URL, read with
// ranged requests) and validates it. Inputs that are not usable video or
// audio end in an *InputError.
func (t Tools) Probe(ctx context.Context, input string) (Probe, error) {
	if input == "" {
		return Probe{}, errors.New("probe: empty input name")
	}
	if !isURL(input) {
		st, err := os.Stat(input)
		if err != nil {
			return Probe{}, fmt.Errorf("probe %s: %w", input, err)
		}
		if st.IsDir() {
			return Probe{}, fmt.Errorf("probe %s: %w", input, fs.ErrInvalid)
		}
		if st.Size() == 0 {
			return Probe{}, &InputError{Reason: reasonEmpty}
		}
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	out, err := t.run(ctx, "probe", t.ffprobe(), probeCmd(input), nil)
	if err != nil {
		var ie *InputError
		var ee *ExecError
		if errors.As(err, &ie) && errors.As(err, &ee) && strings.Contains(ee.Stderr, "moov atom not found") && incompleteMP4(input) {
			ie.Reason = reasonIncomplete
		}
		return Probe{}, err
	}
	return parseProbe(out, input)
}

// parseProbe reads ffprobe's JSON and applies the validation rules.
func parseProbe(out []byte, input string) (Probe, error) {
	var ff ffOutput
	if err := json.Unmarshal(out, &ff); err != nil {
		return Probe{}, fmt.Errorf("probe: decode ffprobe output: %w", err)
	}
	p := Probe{
		Container: ff.Format.FormatName,
		Size:      parseInt(ff.Format.Size),
		Bitrate:   parseInt(ff.Format.BitRate),
	}
	for i := range ff.Streams {
		s := &ff.Streams[i]
		switch s.CodecType {
		case "video":
			picture := s.Disposition.AttachedPic == 1 || imageCodecs[s.CodecName]
			if picture && p.cover == nil {
				p.cover = s
			} else if !picture && p.video == nil {
				p.video = s
			}
		case "audio":
			if p.audio == nil {
				p.audio = s
			}
		}
	}
	p.HasVideo, p.HasAudio, p.HasCover = p.video != nil, p.audio != nil, p.cover != nil
	if !p.HasVideo && !p.HasAudio {
		return Probe{}, &InputError{Reason: reasonNoStream}
	}

	p.Duration = parseFloat(ff.Format.Duration)
	if p.Duration <= 0 {
		for _, s := range []*ffStream{p.video, p.audio} {
			if s != nil {
				p.Duration = max(p.Duration, parseFloat(s.Duration))
			}
		}
	}
	if p.Duration <= 0 {
		return Probe{}, &InputError{Reason: reasonNoDuration}
	}

	if v := p.video; v != nil {
		if v.Width <= 0 || v.Height <= 0 {
			return Probe{}, &InputError{Reason: reasonBadDimension}
		}
		p.VideoCodec = v.CodecName
		p.Rotation = rotation(v)
		p.Width, p.Height = v.Width, v.Height
		if p.Rotation == 90 || p.Rotation == 270 {
			p.Width, p.Height = p.Height, p.Width
		}
		p.FPS = frameRate(v)
		if p.FPS <= 0 {
			return Probe{}, &InputError{Reason: reasonUndecodable}
		}
		if p.Bitrate <= 0 {
			p.Bitrate = parseInt(v.BitRate)
		}
	}
	if a := p.audio; a != nil {
		p.AudioCodec = a.CodecName
		p.AudioBitrate = parseInt(a.BitRate)
	}
	if truncated(ff, p.Size) {
		return Probe{}, &InputError{Reason: reasonIncomplete}
	}

	js, err := publicJSON(out, input)
	if err != nil {
		return Probe{}, err
	}
	p.JSON = js
	return p, nil
}

// incompleteMP4 reports a local file that starts like an MP4 (an ftyp box)
// although ffprobe found no index in it: an upload cut short rather than a
// file of another kind.
func incompleteMP4(input string) bool {
	if isURL(input) {
		return false
	}
	f, err := os.Open(input)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 8)
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return string(head[4:8]) == "ftyp"
}

// rotation returns the clockwise display rotation of a video stream, from
// its display matrix (FFmpeg 5+) or its legacy "rotate" tag.
func rotation(s *ffStream) int {
	deg := 0.0
	found := false
	for _, sd := range s.SideData {
		if sd.Rotation != nil {
			// The display matrix angle is counter-clockwise.
			deg, found = -*sd.Rotation, true
			break
		}
	}
	if !found {
		if r, ok := s.Tags["rotate"]; ok {
			deg = parseFloat(r)
		}
	}
	d := int(math.Round(deg/90)) * 90 % 360
	if d < 0 {
		d += 360
	}
	return d
}

// frameRate is PeerTube's getVideoStreamFPS: the first positive of
// avg_frame_rate and r_frame_rate, rounded to an integer.
func frameRate(s *ffStream) int {
	for _, r := range []string{s.AvgFrameRate, s.RFrameRate} {
		num, den, ok := strings.Cut(r, "/")
		if !ok {
			continue
		}
		n, d := parseFloat(num), parseFloat(den)
		if n > 0 && d > 0 {
			return int(math.Round(n / d))
		}
	}
	return 0
}

// truncated reports an MP4/MOV whose sample tables describe more bytes than
// the file holds: a faststart file cut short keeps its index, so ffprobe
// alone reads it as whole.
func truncated(ff ffOutput, size int64) bool {
	if size <= 0 || !strings.Contains(ff.Format.FormatName, "mov") {
		return false
	}
	var described float64
	for _, s := range ff.Streams {
		described += parseFloat(s.BitRate) * parseFloat(s.Duration) / 8
	}
	// Stream bit rates are rounded down, so a whole file never exceeds size.
	return described > float64(size)+1024
}

// publicJSON compacts ffprobe's output and replaces format.filename (a
// local path or a presigned URL) by its base name.
func publicJSON(out []byte, input string) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out, &top); err != nil {
		return nil, fmt.Errorf("probe: decode ffprobe output: %w", err)
	}
	var format map[string]json.RawMessage
	if raw, ok := top["format"]; ok {
		if err := json.Unmarshal(raw, &format); err != nil {
			return nil, fmt.Errorf("probe: decode ffprobe format: %w", err)
		}
		name, _ := json.Marshal(baseName(input))
		format["filename"] = name
		raw, err := json.Marshal(format)
		if err != nil {
			return nil, fmt.Errorf("probe: encode format: %w", err)
		}
		top["format"] = raw
	}
	js, err := json.Marshal(top)
	if err != nil {
		return nil, fmt.Errorf("probe: encode metadata: %w", err)
	}
	return js, nil
}

func baseName(input string) string {
	if isURL(input) {
		if u, err := url.Parse(input); err == nil {
			return path.Base(u.Path)
		}
		return ""
	}
	return path.Base(input)
}

func parseInt(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return int64(parseFloat(s))
	}
	return n
}

func parseFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}
