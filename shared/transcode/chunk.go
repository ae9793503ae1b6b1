package transcode

import "math"

// SegmentSeconds is the HLS segment length (PeerTube's -hls_time 4). Every
// encode forces a keyframe at each multiple of it, and chunk boundaries
// fall on multiples of it, so chunks join into a file whose HLS segments
// are exactly SegmentSeconds long.
const SegmentSeconds = 4

// minLastChunk is the shortest last chunk PlanChunks leaves on its own; a
// shorter remainder joins the chunk before it.
const minLastChunk = 1.0

// Chunk is one time range of an input, encoded on its own and joined.
type Chunk struct {
	Index    int
	Start    float64 // seconds, a multiple of SegmentSeconds
	Duration float64 // seconds; a multiple of SegmentSeconds except for the last chunk
	// Last marks the chunk that runs to the end of the input. A Duration
	// that is not a multiple of SegmentSeconds marks it too; set Last for a
	// last chunk of whole segments.
	Last bool
}

// isLast reports the last chunk: marked so, or not a whole number of
// segments long (only the last chunk can be).
func (c Chunk) isLast() bool { return c.Last || !isSegmentMultiple(c.Duration) }

// End is Start+Duration.
func (c Chunk) End() float64 { return c.Start + c.Duration }

// PlanChunks cuts [0, duration) into chunks of chunkSeconds, rounded down to
// a multiple of SegmentSeconds (at least one segment). The last chunk takes
// the remainder; a remainder under a second is merged into the chunk before
// it. A duration of zero or less gives no chunks.
func PlanChunks(duration, chunkSeconds float64) []Chunk {
	if !(duration > 0) || math.IsInf(duration, 0) {
		return nil
	}
	step := math.Floor(chunkSeconds/SegmentSeconds) * SegmentSeconds
	if !(step >= SegmentSeconds) {
		step = SegmentSeconds
	}
	var chunks []Chunk
	for start := 0.0; start < duration; start += step {
		chunks = append(chunks, Chunk{Index: len(chunks), Start: start, Duration: math.Min(step, duration-start)})
	}
	if n := len(chunks); n > 1 && chunks[n-1].Duration < minLastChunk {
		chunks[n-2].Duration += chunks[n-1].Duration
		chunks = chunks[:n-1]
	}
	chunks[len(chunks)-1].Last = true
	return chunks
}

// Frames is the number of frames a non-last chunk holds at fps.
func (c Chunk) Frames(fps int) int { return int(math.Round(c.Duration * float64(fps))) }
