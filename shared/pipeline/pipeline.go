package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/transcode"
)

// Config sets what the pipeline makes.
type Config struct {
	// PublicURL is the instance's origin (web seeds and trackers of torrents).
	PublicURL string
	// Resolutions are the enabled rendition heights.
	Resolutions []int
	// ChunkSeconds is the length of a chunk of a chunked encode; inputs
	// longer than twice that are chunked. 0 means DefaultChunkSeconds.
	ChunkSeconds float64
	// MaxAttempts is how many deliveries of a job the queue makes; on the
	// last one a failing job marks its video as failed. 0 means 5.
	MaxAttempts int
	// WorkDir holds temporary files ("" means the system's temp dir).
	WorkDir string
	// Published, when set, is told of each video the pipeline publishes
	// (federation). Its failure is logged: the video stays published.
	Published func(ctx context.Context, v model.Video) error
}

// DefaultChunkSeconds is the chunk length of chunked encodes.
const DefaultChunkSeconds = 60

// Pipeline runs jobs.
type Pipeline struct {
	cfg   Config
	st    *store.Store
	blobs blob.Store
	q     queue.Sender
	tools transcode.Tools
	log   *slog.Logger
}

// New returns a pipeline.
func New(cfg Config, st *store.Store, blobs blob.Store, q queue.Sender, tools transcode.Tools, log *slog.Logger) *Pipeline {
	if cfg.ChunkSeconds <= 0 {
		cfg.ChunkSeconds = DefaultChunkSeconds
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 5
	}
	if log == nil {
		log = slog.Default()
	}
	return &Pipeline{cfg: cfg, st: st, blobs: blobs, q: q, tools: tools, log: log}
}

// errFailed wraps what makes a video fail for good (its input is not
// usable): the job is not retried.
type errFailed struct{ reason string }

func (e *errFailed) Error() string { return e.reason }

// Handle is the queue consumer: it runs each record's job and reports the
// ones to retry, as a Lambda SQS handler with partial batch responses does.
func (p *Pipeline) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		job, err := ParseJob(rec.Body)
		if err != nil {
			// A message no consumer can understand is dropped, loudly:
			// retrying cannot fix it.
			p.log.ErrorContext(ctx, "dropping a malformed job", "messageId", rec.MessageId, "err", err)
			continue
		}
		attempt, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
		start := time.Now()
		err = p.Run(ctx, job)
		log := p.log.With("job", job.Kind, "video", job.VideoID, "rendition", job.Rendition, "chunk", job.Chunk,
			"attempt", attempt, "ms", time.Since(start).Milliseconds())
		var failed *errFailed
		switch {
		case err == nil:
			log.InfoContext(ctx, "job done")
		case errors.As(err, &failed):
			log.WarnContext(ctx, "video failed", "reason", failed.reason)
			if merr := p.fail(ctx, job.VideoID, failed.reason); merr != nil {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
		case attempt >= p.cfg.MaxAttempts:
			log.ErrorContext(ctx, "job failed on its last attempt", "err", err)
			if merr := p.fail(ctx, job.VideoID, "Transcoding failed: the server could not process this video."); merr != nil {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			}
		default:
			log.WarnContext(ctx, "job failed, will retry", "err", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// Run runs one job.
func (p *Pipeline) Run(ctx context.Context, j Job) error {
	switch j.Kind {
	case KindIngest:
		return p.ingest(ctx, j.VideoID)
	case KindEncode:
		return p.encode(ctx, j)
	case KindAssemble:
		return p.assemble(ctx, j)
	case KindFinalize:
		return p.finalize(ctx, j.VideoID)
	}
	return fmt.Errorf("unknown job kind %q", j.Kind)
}

// fail marks a video being processed as failed (state 7) with a reason
// users can act on. A video published meanwhile (by another delivery of
// the job) stays published.
func (p *Pipeline) fail(ctx context.Context, videoID int64, reason string) error {
	_, err := p.st.ModifyVideo(ctx, videoID, func(v *model.Video) error {
		if v.State == model.StateToTranscode {
			v.State, v.StateReason = model.StateTranscodingFailed, reason
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// video reads a job's video; ok is false when it was deleted meanwhile
// (the job then has nothing to do).
func (p *Pipeline) video(ctx context.Context, id int64) (model.Video, bool, error) {
	v, err := p.st.Video(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return v, false, nil
	}
	return v, err == nil, err
}

// workDir makes a temporary directory for one job.
func (p *Pipeline) workDir(name string) (string, func(), error) {
	dir, err := os.MkdirTemp(p.cfg.WorkDir, "vidiverse-"+name+"-")
	if err != nil {
		return "", nil, fmt.Errorf("make work dir: %w", err)
	}
	return dir, func() { _ = os.RemoveAll(dir) }, nil
}

// sourceURL is where ffmpeg reads a video's original from.
func (p *Pipeline) sourceURL(ctx context.Context, v model.Video) (string, error) {
	u, err := p.blobs.PresignGet(ctx, v.Source.Key, 2*time.Hour)
	if err != nil {
		return "", fmt.Errorf("presign source of video %d: %w", v.ID, err)
	}
	return u, nil
}
