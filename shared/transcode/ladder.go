package transcode

import (
	"math"
	"slices"
)

// Resolutions are PeerTube's standard resolutions (the smaller side of the
// picture), the values an instance can enable for transcoding.
var Resolutions = []int{144, 240, 360, 480, 720, 1080, 1440, 2160}

// AudioResolution is the resolution PeerTube gives audio-only files ("0p").
const AudioResolution = 0

// Rendition is one output of the ladder.
type Rendition struct {
	// Resolution is PeerTube's resolution id: the smaller side of the
	// picture (the height of landscape video, the width of portrait video);
	// 0 for audio only.
	Resolution int
	// Width and Height are the output picture size, both even, aspect kept.
	Width, Height int
	FPS           int
	// VideoBitrate caps the video encode (x264 -maxrate, with a buffer of
	// twice that), in bits/s: PeerTube's target bitrate.
	VideoBitrate int
	// AudioBitrate is the AAC bit rate in bits/s; 0 without audio.
	AudioBitrate int
	AudioOnly    bool
}

// Ladder returns the renditions PeerTube would produce for p with the given
// resolutions enabled, largest first:
//   - the input's own resolution (made even), as PeerTube's
//     transcoding.always_transcode_original_resolution does;
//   - every enabled standard resolution below it;
//   - an audio-only rendition when 0 is enabled and the input has audio.
//
// An audio-only input gets a single audio rendition. An input without
// video or audio gets none.
func Ladder(p Probe, enabled []int) []Rendition {
	audioBitrate := 0
	if p.HasAudio {
		audioBitrate = targetAudioBitrate(p.AudioCodec, p.AudioBitrate)
	}
	audioOnly := Rendition{Resolution: AudioResolution, AudioBitrate: audioBitrate, AudioOnly: true}
	if !p.HasVideo || p.Width <= 0 || p.Height <= 0 {
		if p.HasAudio {
			return []Rendition{audioOnly}
		}
		return nil
	}

	input := min(p.Width, p.Height)
	origin := toEven(input)
	resolutions := []int{origin}
	wantAudio := false
	for _, r := range enabled {
		switch {
		case r == AudioResolution:
			wantAudio = p.HasAudio
		case slices.Contains(Resolutions, r) && r < origin && !slices.Contains(resolutions, r):
			resolutions = append(resolutions, r)
		}
	}
	slices.SortFunc(resolutions, func(a, b int) int { return b - a })

	originFPS := outputFPS(p.FPS, origin, true)
	ratio := aspectRatio(p.Width, p.Height)
	out := make([]Rendition, 0, len(resolutions)+1)
	for _, r := range resolutions {
		fps := outputFPS(originFPS, r, r == origin)
		w, h := scaledSize(p.Width, p.Height, r)
		out = append(out, Rendition{
			Resolution:   r,
			Width:        w,
			Height:       h,
			FPS:          fps,
			VideoBitrate: targetBitrate(p.Bitrate, r, ratio, fps),
			AudioBitrate: audioBitrate,
		})
	}
	if wantAudio {
		out = append(out, audioOnly)
	}
	return out
}

// toEven rounds an odd size up, as PeerTube's toEven does.
func toEven(n int) int {
	if n%2 != 0 {
		return n + 1
	}
	return n
}

// scaledSize is the output size for resolution r: PeerTube scales landscape
// video with scale=w=-2:h=r and portrait video with scale=w=r:h=-2, and
// ffmpeg rounds the free side to the nearest even number.
func scaledSize(width, height, r int) (w, h int) {
	if height > width { // portrait
		return r, evenRescale(r, height, width)
	}
	return evenRescale(r, width, height), r
}

// evenRescale is ffmpeg's av_rescale(a, b, 2c)*2: a*b/c rounded to the
// nearest even integer (halves away from zero).
func evenRescale(a, b, c int) int {
	return int((int64(a)*int64(b) + int64(c)) / (2 * int64(c)) * 2)
}

// aspectRatio is PeerTube's buildAspectRatio: width/height to 4 decimals.
func aspectRatio(width, height int) float64 {
	if width <= 0 || height <= 0 {
		return 0
	}
	return math.Round(float64(width)/float64(height)*10000) / 10000
}

// FPS limits of PeerTube's default configuration (transcoding.fps.max 60,
// server/core/helpers/ffmpeg/framerate.ts).
const (
	maxFPS                     = 60
	averageFPS                 = 30
	keepOriginFPSResolutionMin = 720
)

var (
	standardFPS   = []int{30, 25, 24} // largest first
	hdStandardFPS = []int{60, 60, 50} // [50, 60, max] sorted largest first, max = 60
)

// outputFPS is PeerTube's computeOutputFPS for VOD: the original resolution
// keeps its frame rate; smaller renditions below 720p drop to 24, 25 or 30
// and every other one to at most 60, choosing a divisor of the input rate
// where one exists.
func outputFPS(input, resolution int, isOrigin bool) int {
	fps := input
	if !isOrigin && resolution < keepOriginFPSResolutionMin && fps > averageFPS {
		fps = closestFramerate(fps, standardFPS)
	}
	fps = max(fps, 1)
	if !isOrigin && fps > maxFPS {
		fps = closestFramerate(fps, hdStandardFPS)
	}
	return fps
}

// closestFramerate returns the largest candidate that divides fps, else the
// one leaving the smallest remainder (ties to the larger candidate).
func closestFramerate(fps int, candidates []int) int {
	for _, c := range candidates {
		if fps%c == 0 {
			return c
		}
	}
	best := candidates[0]
	for _, c := range candidates[1:] {
		if fps%c < fps%best {
			best = c
		}
	}
	return best
}

// Bits per pixel by resolution, PeerTube's packages/core-utils/src/videos/bitrate.ts.
var (
	bitrateResolutions = []int{2160, 1440, 1080, 720, 480, 360, 240, 144, 0}
	minBitPerPixel     = map[int]float64{2160: 0.02, 1440: 0.02, 1080: 0.02, 720: 0.02, 480: 0.02, 360: 0.02, 240: 0.02, 144: 0.02, 0: 0}
	averageBitPerPixel = map[int]float64{2160: 0.08, 1440: 0.09, 1080: 0.10, 720: 0.11, 480: 0.12, 360: 0.15, 240: 0.17, 144: 0.19, 0: 0}
)

// calculateBitrate is PeerTube's calculateBitrate: pixels per second times
// the bits per pixel of the largest standard resolution not above r.
func calculateBitrate(bpp map[int]float64, r int, ratio float64, fps int) int {
	size2 := float64(r) * ratio
	if ratio > 0 && ratio < 1 { // portrait
		size2 = float64(r) / ratio
	}
	for _, tr := range bitrateResolutions {
		if tr <= r {
			return int(math.Floor(float64(r) * size2 * float64(fps) * bpp[tr]))
		}
	}
	return 0
}

// targetBitrate is PeerTube's getTargetBitrate (ffmpeg-default-transcoding-
// profile.ts): the average theoretical bitrate, capped at the input's
// bitrate plus 30%, but never below the minimum theoretical bitrate.
func targetBitrate(inputBitrate int64, r int, ratio float64, fps int) int {
	average := calculateBitrate(averageBitPerPixel, r, ratio, fps)
	if average == 0 {
		average = 192_000
	}
	minimum := calculateBitrate(minBitPerPixel, r, ratio, fps)
	if minimum == 0 {
		minimum = 10_000
	}
	capped := float64(average)
	if inputBitrate > 0 {
		capped = math.Min(capped, float64(inputBitrate)*1.3)
	}
	return max(minimum, int(capped))
}

// maxAudioKbps is PeerTube's ceiling for AAC audio.
const maxAudioKbps = 384

// targetAudioBitrate follows PeerTube's getMaxAudioKBitrate: the input's
// bit rate capped at 384 kbit/s; 384 for FLAC and 256 for others when the
// input's rate is unknown. (PeerTube copies AAC streams at or below the
// cap; this package re-encodes them at their own rate, so every rendition
// comes out of the same audio encode.)
func targetAudioBitrate(codec string, bitrate int64) int {
	if bitrate <= 0 {
		if codec == "flac" {
			return maxAudioKbps * 1000
		}
		return 256 * 1000
	}
	kbps := int(math.Round(float64(bitrate) / 1000))
	return max(min(kbps, maxAudioKbps), 1) * 1000
}
