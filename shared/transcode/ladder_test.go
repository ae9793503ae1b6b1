package transcode

import (
	"reflect"
	"testing"
)

// The expected bitrates below were worked out by hand from PeerTube's
// formulas (bitrate.ts, ffmpeg-default-transcoding-profile.ts).
func TestLadder(t *testing.T) {
	all := Resolutions
	tests := []struct {
		name    string
		probe   Probe
		enabled []int
		want    []Rendition
	}{
		{
			name:    "720p source, every resolution enabled",
			probe:   Probe{HasVideo: true, HasAudio: true, Width: 1280, Height: 720, FPS: 25, Bitrate: 6459838, AudioCodec: "aac", AudioBitrate: 96000},
			enabled: all,
			want: []Rendition{
				{Resolution: 720, Width: 1280, Height: 720, FPS: 25, VideoBitrate: 2534431, AudioBitrate: 96000},
				{Resolution: 480, Width: 854, Height: 480, FPS: 25, VideoBitrate: 1228815, AudioBitrate: 96000},
				{Resolution: 360, Width: 640, Height: 360, FPS: 25, VideoBitrate: 864010, AudioBitrate: 96000},
				{Resolution: 240, Width: 426, Height: 240, FPS: 25, VideoBitrate: 435205, AudioBitrate: 96000},
				{Resolution: 144, Width: 256, Height: 144, FPS: 25, VideoBitrate: 175106, AudioBitrate: 96000},
			},
		},
		{
			name:    "low input bitrate caps the target at input+30%, never under the minimum",
			probe:   Probe{HasVideo: true, Width: 1280, Height: 720, FPS: 25, Bitrate: 200000},
			enabled: []int{240},
			want: []Rendition{
				{Resolution: 720, Width: 1280, Height: 720, FPS: 25, VideoBitrate: 460805},
				{Resolution: 240, Width: 426, Height: 240, FPS: 25, VideoBitrate: 260000},
			},
		},
		{
			name:    "portrait 60 fps: resolution is the width; 720p keeps 60 fps, 480p drops to 30",
			probe:   Probe{HasVideo: true, HasAudio: true, Width: 1080, Height: 1920, FPS: 60, Bitrate: 8000000, AudioCodec: "opus", AudioBitrate: 64000},
			enabled: []int{2160, 1080, 720, 480},
			want: []Rendition{
				{Resolution: 1080, Width: 1080, Height: 1920, FPS: 60, VideoBitrate: 10400000, AudioBitrate: 64000},
				{Resolution: 720, Width: 720, Height: 1280, FPS: 60, VideoBitrate: 6082560, AudioBitrate: 64000},
				{Resolution: 480, Width: 480, Height: 854, FPS: 30, VideoBitrate: 1474560, AudioBitrate: 64000},
			},
		},
		{
			name:    "odd size: the original resolution is made even, unknown input bitrate",
			probe:   Probe{HasVideo: true, Width: 853, Height: 479, FPS: 30},
			enabled: []int{360, 480, 720},
			want: []Rendition{
				{Resolution: 480, Width: 854, Height: 480, FPS: 30, VideoBitrate: 1477066},
				{Resolution: 360, Width: 642, Height: 360, FPS: 30, VideoBitrate: 1038562},
			},
		},
		{
			name:    "144 fps: original keeps it, 720p takes 60, 480p takes 24 (a divisor)",
			probe:   Probe{HasVideo: true, Width: 1920, Height: 1080, FPS: 144, Bitrate: 20000000},
			enabled: []int{480, 720},
			want: []Rendition{
				{Resolution: 1080, Width: 1920, Height: 1080, FPS: 144, VideoBitrate: 26000000},
				{Resolution: 720, Width: 1280, Height: 720, FPS: 60, VideoBitrate: 6082636},
				{Resolution: 480, Width: 854, Height: 480, FPS: 24, VideoBitrate: 1179662},
			},
		},
		{
			name:    "below 144p: only the original, with PeerTube's fallback bitrates",
			probe:   Probe{HasVideo: true, Width: 160, Height: 120, FPS: 25, Bitrate: 50000},
			enabled: all,
			want:    []Rendition{{Resolution: 120, Width: 160, Height: 120, FPS: 25, VideoBitrate: 65000}},
		},
		{
			name:    "nothing enabled: still the original",
			probe:   Probe{HasVideo: true, Width: 640, Height: 360, FPS: 24},
			enabled: nil,
			want:    []Rendition{{Resolution: 360, Width: 640, Height: 360, FPS: 24, VideoBitrate: 829450}},
		},
		{
			name:    "unknown and duplicate resolutions are ignored",
			probe:   Probe{HasVideo: true, Width: 640, Height: 360, FPS: 24},
			enabled: []int{500, 360, 240, 240, -1},
			want: []Rendition{
				{Resolution: 360, Width: 640, Height: 360, FPS: 24, VideoBitrate: 829450},
				{Resolution: 240, Width: 426, Height: 240, FPS: 24, VideoBitrate: 417797},
			},
		},
		{
			name:    "0p enabled adds an audio-only rendition",
			probe:   Probe{HasVideo: true, HasAudio: true, Width: 640, Height: 360, FPS: 24, AudioCodec: "aac", AudioBitrate: 500000},
			enabled: []int{0, 240},
			want: []Rendition{
				{Resolution: 360, Width: 640, Height: 360, FPS: 24, VideoBitrate: 829450, AudioBitrate: 384000},
				{Resolution: 240, Width: 426, Height: 240, FPS: 24, VideoBitrate: 417797, AudioBitrate: 384000},
				{Resolution: 0, AudioOnly: true, AudioBitrate: 384000},
			},
		},
		{
			name:    "0p enabled without audio adds nothing",
			probe:   Probe{HasVideo: true, Width: 640, Height: 360, FPS: 24},
			enabled: []int{0},
			want:    []Rendition{{Resolution: 360, Width: 640, Height: 360, FPS: 24, VideoBitrate: 829450}},
		},
		{
			name:    "audio-only input: one audio rendition (FLAC of unknown rate gets 384k)",
			probe:   Probe{HasAudio: true, AudioCodec: "flac"},
			enabled: all,
			want:    []Rendition{{Resolution: 0, AudioOnly: true, AudioBitrate: 384000}},
		},
		{
			name:    "audio-only MP3 of unknown rate gets 256k",
			probe:   Probe{HasAudio: true, AudioCodec: "mp3"},
			enabled: all,
			want:    []Rendition{{AudioOnly: true, AudioBitrate: 256000}},
		},
		{
			name:    "no stream, no rendition",
			probe:   Probe{},
			enabled: all,
			want:    nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Ladder(tt.probe, tt.enabled)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Ladder =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestOutputFPS(t *testing.T) {
	tests := []struct {
		input, resolution int
		origin            bool
		want              int
	}{
		{60, 480, false, 30},
		{50, 360, false, 25},
		{48, 240, false, 24},
		{45, 480, false, 30}, // no divisor: smallest remainder
		{30, 144, false, 30},
		{60, 720, false, 60}, // 720p and up keep up to 60
		{144, 720, false, 60},
		{100, 1080, false, 50},
		{120, 1080, true, 120}, // the original keeps its rate
		{0, 480, true, 1},      // at least 1
	}
	for _, tt := range tests {
		if got := outputFPS(tt.input, tt.resolution, tt.origin); got != tt.want {
			t.Errorf("outputFPS(%d, %dp, origin %v) = %d, want %d", tt.input, tt.resolution, tt.origin, got, tt.want)
		}
	}
}

func TestPlanChunks(t *testing.T) {
	tests := []struct {
		name            string
		duration, chunk float64
		want            []Chunk
	}{
		{"10 s in 4 s chunks", 10, 4, []Chunk{
			{Index: 0, Start: 0, Duration: 4}, {Index: 1, Start: 4, Duration: 4}, {Index: 2, Start: 8, Duration: 2, Last: true}}},
		{"chunk length rounds down to whole segments", 25, 10, []Chunk{
			{Index: 0, Start: 0, Duration: 8}, {Index: 1, Start: 8, Duration: 8}, {Index: 2, Start: 16, Duration: 8}, {Index: 3, Start: 24, Duration: 1, Last: true}}},
		{"a remainder under a second joins the chunk before", 8.5, 4, []Chunk{
			{Index: 0, Start: 0, Duration: 4}, {Index: 1, Start: 4, Duration: 4.5, Last: true}}},
		{"shorter than a chunk", 3, 60, []Chunk{{Index: 0, Start: 0, Duration: 3, Last: true}}},
		{"exact multiple", 8, 4, []Chunk{{Index: 0, Start: 0, Duration: 4}, {Index: 1, Start: 4, Duration: 4, Last: true}}},
		{"chunk below one segment becomes one segment", 6, 1, []Chunk{{Index: 0, Start: 0, Duration: 4}, {Index: 1, Start: 4, Duration: 2, Last: true}}},
		{"no duration", 0, 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanChunks(tt.duration, tt.chunk)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PlanChunks(%v, %v) =\n%+v\nwant\n%+v", tt.duration, tt.chunk, got, tt.want)
			}
			for _, c := range got {
				if !isSegmentMultiple(c.Start) {
					t.Errorf("chunk %d starts at %v, not a multiple of %d", c.Index, c.Start, SegmentSeconds)
				}
			}
		})
	}
}
