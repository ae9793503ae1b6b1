package transcode

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Variant is one resolution of an HLS stream: a media playlist and the
// fragmented MP4 it indexes, with what the master playlist says about it.
type Variant struct {
	PlaylistName   string // e.g. "{uuid}-720.m3u8"
	FragmentedName string // e.g. "{uuid}-720-fragmented.mp4"
	// Bandwidth is PeerTube's getBandwidthBits: the fragmented file's size
	// in bits over the duration in whole seconds.
	Bandwidth     int
	Width, Height int // display size; 0x0 for audio only
	FPS           int // 0 for audio only
	Codecs        string
	Size          int64   // of the fragmented file, in bytes
	Duration      float64 // seconds
}

// hlsCmd is the ffmpeg argv of HLS.
func hlsCmd(mp4, playlist, fragmented string) []string {
	args := commonArgs()
	args = append(args, ownInput(mp4)...)
	return append(args,
		"-map", "0:v?", // the video, if any
		"-map", "0:a?", // the audio, if any
		"-c", "copy", // remux only: the MP4 is already encoded with segment keyframes
		"-hls_time", strconv.Itoa(SegmentSeconds), // cut at the first keyframe after each 4 s
		"-hls_list_size", "0", // list every segment
		"-hls_playlist_type", "vod", // complete playlist with EXT-X-ENDLIST
		"-hls_segment_type", "fmp4", // fragmented MP4 segments (EXT-X-MAP init section)
		"-hls_flags", "single_file", // one file; segments are byte ranges
		"-hls_segment_filename", fileURL(fragmented), // that file
		"-f", "hls", // HLS muxer
		fileURL(playlist),
	)
}

// checkName accepts a plain file name: no directory, no ffmpeg pattern.
func checkName(name string) error {
	if name == "" || name != filepath.Base(name) || strings.ContainsAny(name, "%\n\r\"") || strings.HasPrefix(name, ".") {
		return fmt.Errorf("file name %q is not a plain name", name)
	}
	return nil
}

// HLS remuxes mp4 (made by Join or EncodeWhole) without re-encoding into
// dir/playlistName and dir/fragmentedName as PeerTube publishes HLS: fMP4,
// a single file with byte-range segments of SegmentSeconds, a VOD playlist.
func (t Tools) HLS(ctx context.Context, mp4, dir, playlistName, fragmentedName string) (Variant, error) {
	for _, n := range []string{playlistName, fragmentedName} {
		if err := checkName(n); err != nil {
			return Variant{}, fmt.Errorf("hls: %w", err)
		}
	}
	playlist := filepath.Join(dir, playlistName)
	fragmented := filepath.Join(dir, fragmentedName)
	if _, err := t.run(ctx, "hls "+playlistName, t.ffmpeg(), hlsCmd(mp4, playlist, fragmented), nil); err != nil {
		return Variant{}, err
	}
	if err := fixPlaylistURIs(playlist, fragmentedName); err != nil {
		return Variant{}, fmt.Errorf("hls %s: %w", playlistName, err)
	}
	p, err := t.Probe(ctx, fragmented)
	if err != nil {
		return Variant{}, fmt.Errorf("hls %s: probe output: %w", playlistName, err)
	}
	v := Variant{
		PlaylistName:   playlistName,
		FragmentedName: fragmentedName,
		Bandwidth:      bandwidth(p.Size, p.Duration),
		Width:          p.Width,
		Height:         p.Height,
		FPS:            p.FPS,
		Codecs:         p.codecs(),
		Size:           p.Size,
		Duration:       p.Duration,
	}
	return v, nil
}

// fixPlaylistURIs makes every URI in the playlist the fragmented file's
// plain name (some ffmpeg versions write the path given on the command
// line; PeerTube rewrites it the same way).
func fixPlaylistURIs(playlist, fragmentedName string) error {
	b, err := os.ReadFile(playlist)
	if err != nil {
		return err
	}
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "#EXT-X-MAP:"):
			if s, e, ok := quotedURI(l); ok && filepath.Base(strings.TrimPrefix(l[s:e], "file:")) == fragmentedName {
				lines[i] = l[:s] + fragmentedName + l[e:]
			}
		case l != "" && !strings.HasPrefix(l, "#"):
			if filepath.Base(strings.TrimPrefix(l, "file:")) == fragmentedName {
				lines[i] = fragmentedName
			}
		}
	}
	fixed := strings.Join(lines, "\n")
	if fixed == string(b) {
		return nil
	}
	return os.WriteFile(playlist, []byte(fixed), 0o644)
}

// quotedURI finds the value of URI="…" in a tag line.
func quotedURI(l string) (start, end int, ok bool) {
	i := strings.Index(l, `URI="`)
	if i < 0 {
		return 0, 0, false
	}
	start = i + len(`URI="`)
	j := strings.IndexByte(l[start:], '"')
	if j < 0 {
		return 0, 0, false
	}
	return start, start + j, true
}

// bandwidth is PeerTube's getBandwidthBits, with the duration rounded to
// whole seconds as PeerTube stores it.
func bandwidth(size int64, duration float64) int {
	d := math.Round(duration)
	if d <= 0 {
		return int(size)
	}
	return int(math.Ceil(float64(size) * 8 / d))
}

// codecs is the RFC 6381 CODECS value PeerTube writes for a file
// (server/core/helpers/ffmpeg/codecs.ts), video first.
func (p Probe) codecs() string {
	var list []string
	if v := p.video; v != nil {
		list = append(list, videoCodecString(v))
	}
	if a := p.audio; a != nil {
		list = append(list, audioCodecString(a.CodecName))
	}
	return strings.Join(list, ",")
}

func videoCodecString(v *ffStream) string {
	switch v.CodecTag {
	case "vp09":
		return "vp09.00.50.08"
	case "hev1":
		return "hev1.1.6.L93.B0"
	case "av01":
		profile := map[string]string{"High": "1", "Main": "0", "Professional": "2"}[v.Profile]
		if profile == "" {
			profile = "1"
		}
		return fmt.Sprintf("av01.%s.%02dM.08", profile, v.Level)
	}
	profile := map[string]string{
		"High":                 "6400",
		"Main":                 "4D40",
		"Baseline":             "42E0",
		"Constrained Baseline": "42E0",
	}[v.Profile]
	if profile == "" {
		profile = "6400" // PeerTube's fallback
	}
	tag := v.CodecTag
	if tag == "" || tag == "[0][0][0][0]" {
		tag = "avc1"
	}
	return fmt.Sprintf("%s.%s%02x", tag, profile, v.Level)
}

func audioCodecString(codec string) string {
	switch codec {
	case "opus", "vorbis":
		return codec
	case "mp3":
		return "mp4a.40.34"
	default:
		return "mp4a.40.2"
	}
}

// MasterPlaylist is PeerTube's master playlist for the variants: version 3,
// one EXT-X-STREAM-INF per variant in ascending resolution. An audio-only
// variant is listed (without RESOLUTION) only when it is the only one, so
// that no player picks a stream without picture.
func MasterPlaylist(variants []Variant) []byte {
	vs := slices.Clone(variants)
	if len(vs) > 1 {
		vs = slices.DeleteFunc(vs, func(v Variant) bool { return v.Height == 0 })
	}
	slices.SortStableFunc(vs, func(a, b Variant) int { return cmp.Compare(min(a.Width, a.Height), min(b.Width, b.Height)) })
	var b bytes.Buffer
	b.WriteString("#EXTM3U\n#EXT-X-VERSION:3\n")
	for _, v := range vs {
		fmt.Fprintf(&b, "#EXT-X-STREAM-INF:BANDWIDTH=%d", v.Bandwidth)
		if v.Height > 0 {
			fmt.Fprintf(&b, ",RESOLUTION=%dx%d", v.Width, v.Height)
		}
		if v.FPS > 0 {
			fmt.Fprintf(&b, ",FRAME-RATE=%d", v.FPS)
		}
		fmt.Fprintf(&b, ",CODECS=\"%s\"\n%s\n", v.Codecs, v.PlaylistName)
	}
	return b.Bytes()
}
