package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/queue"
)

// Job kinds.
const (
	KindIngest   = "ingest"
	KindEncode   = "encode"
	KindAssemble = "assemble"
	KindFinalize = "finalize"
)

// Job is the body of one transcode queue message: ids only, never media.
type Job struct {
	Kind    string `json:"kind"`
	VideoID int64  `json:"videoId"`
	// Rendition is a rendition's resolution: PeerTube's id, the smaller
	// side of the picture ("0" for audio only).
	Rendition string `json:"rendition,omitempty"`
	// Chunk is the chunk index of a chunked encode, -1 for a whole one.
	Chunk    int     `json:"chunk"`
	Start    float64 `json:"start,omitempty"`
	Duration float64 `json:"duration,omitempty"`
	Last     bool    `json:"last,omitempty"`
}

// Message encodes a job for the queue.
func (j Job) Message() queue.Message {
	b, _ := json.Marshal(j) // a struct of plain fields always encodes
	return queue.Message{Body: string(b), Attributes: map[string]string{"kind": j.Kind}}
}

// ParseJob decodes a queue message body.
func ParseJob(body string) (Job, error) {
	var j Job
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		return j, fmt.Errorf("decode job: %w", err)
	}
	switch j.Kind {
	case KindIngest, KindFinalize:
	case KindEncode, KindAssemble:
		if _, err := strconv.Atoi(j.Rendition); err != nil {
			return j, fmt.Errorf("job %s of video %d: bad rendition %q", j.Kind, j.VideoID, j.Rendition)
		}
	default:
		return j, fmt.Errorf("unknown job kind %q", j.Kind)
	}
	if j.VideoID < 1 {
		return j, fmt.Errorf("job %s: bad video id %d", j.Kind, j.VideoID)
	}
	return j, nil
}

// Enqueue queues jobs.
func Enqueue(ctx context.Context, q queue.Sender, jobs ...Job) error {
	ms := make([]queue.Message, len(jobs))
	for i, j := range jobs {
		ms[i] = j.Message()
	}
	if _, err := q.SendBatch(ctx, ms); err != nil {
		return fmt.Errorf("queue %d jobs: %w", len(jobs), err)
	}
	return nil
}
