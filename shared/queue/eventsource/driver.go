package eventsource

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

// Options configure a Driver. Zero values take the defaults.
type Options struct {
	// BatchSize is the most records per invocation (default and maximum 10).
	BatchSize int
	// MaxBatchingWindow is how long to keep gathering records after the
	// first one until the batch is full (default 0: invoke at once).
	MaxBatchingWindow time.Duration
	// Concurrency is how many batches may run at once (default 1).
	Concurrency int
	// PollWait is the long-poll wait of each receive (default 20s).
	PollWait time.Duration
	// Timeout bounds each invocation, like a function timeout (default the
	// queue's visibility timeout). A consumer still running at the
	// deadline fails its batch.
	Timeout time.Duration
	// QueueARN is each record's eventSourceARN (default
	// "arn:aws:sqs:local:000000000000:" + queue name).
	QueueARN string
	// Region is each record's awsRegion (default: the ARN's region).
	Region string
	// FunctionARN is the InvokedFunctionArn in the Lambda context.
	FunctionARN string
	// Logger receives failures (default slog.Default()).
	Logger *slog.Logger
}

// Limits of an SQS event source mapping that this driver keeps.
const (
	MaxBatchSize    = 10
	DefaultPollWait = 20 * time.Second
)

// Driver feeds a queue's messages to a consumer.
type Driver struct {
	q   *embedded.Queue
	c   queue.Consumer
	o   Options
	log *slog.Logger
}

// New returns a driver for q and c. Nothing runs until Run.
func New(q *embedded.Queue, c queue.Consumer, o Options) *Driver {
	if o.BatchSize <= 0 || o.BatchSize > MaxBatchSize {
		o.BatchSize = MaxBatchSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.PollWait <= 0 {
		o.PollWait = DefaultPollWait
	}
	if o.Timeout <= 0 {
		o.Timeout = q.Policy().VisibilityTimeout
	}
	if o.QueueARN == "" {
		o.QueueARN = "arn:aws:sqs:local:000000000000:" + q.Name()
	}
	if o.Region == "" {
		if parts := strings.Split(o.QueueARN, ":"); len(parts) > 3 {
			o.Region = parts[3]
		}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Driver{q: q, c: c, o: o, log: o.Logger.With("queue", q.Name())}
}

// Run polls the queue and invokes the consumer until ctx is done, then
// waits for the batches in flight to finish (they keep their own
// deadlines) and returns nil. It returns early with an error when the
// queue or its broker goes away.
func (d *Driver) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		fatalErr error
	)
	for range d.o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.poll(ctx); err != nil {
				once.Do(func() { fatalErr = err })
				cancel()
			}
		}()
	}
	wg.Wait()
	return fatalErr
}

// poll is one worker: receive a batch, handle it, repeat.
func (d *Driver) poll(ctx context.Context) error {
	backoff := 50 * time.Millisecond
	for ctx.Err() == nil {
		batch, err := d.gather(ctx)
		if len(batch) > 0 {
			// Messages already received are handled even if ctx ended
			// while gathering: they are in flight either way.
			d.handle(context.WithoutCancel(ctx), batch)
		}
		if err == nil {
			backoff = 50 * time.Millisecond
			continue
		}
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, embedded.ErrClosed) || errors.Is(err, queue.ErrNoSuchQueue) {
			return fmt.Errorf("poll %s: %w", d.q.Name(), err)
		}
		d.log.ErrorContext(ctx, "receive failed", "err", err, "retryIn", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 5*time.Second)
	}
	return nil
}

// gather receives up to BatchSize messages, waiting up to
// MaxBatchingWindow after the first for the batch to fill.
func (d *Driver) gather(ctx context.Context) ([]embedded.Delivery, error) {
	ds, err := d.q.Receive(ctx, d.o.BatchSize, d.o.PollWait)
	if err != nil || len(ds) == 0 || d.o.MaxBatchingWindow <= 0 {
		return ds, err
	}
	deadline := time.Now().Add(d.o.MaxBatchingWindow)
	for len(ds) < d.o.BatchSize {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		more, err := d.q.Receive(ctx, d.o.BatchSize-len(ds), left)
		ds = append(ds, more...)
		if err != nil {
			return ds, err
		}
	}
	return ds, nil
}

// handle invokes the consumer with one batch and deletes what succeeded,
// following the event source mapping's rules for partial batch responses.
func (d *Driver) handle(ctx context.Context, batch []embedded.Delivery) {
	ev := d.event(batch)
	reqID := newRequestID()
	log := d.log.With("awsRequestID", reqID, "records", len(batch))

	ictx, cancel := context.WithTimeout(ctx, d.o.Timeout)
	ictx = lambdacontext.NewContext(ictx, &lambdacontext.LambdaContext{
		AwsRequestID:       reqID,
		InvokedFunctionArn: d.o.FunctionARN,
	})
	resp, err := d.invoke(ictx, ev, log)
	timedOut := errors.Is(ictx.Err(), context.DeadlineExceeded)
	cancel()

	switch {
	case err != nil:
		log.ErrorContext(ctx, "batch failed, all records will be retried", "err", err)
		return
	case timedOut:
		log.ErrorContext(ctx, "invocation timed out, all records will be retried", "timeout", d.o.Timeout)
		return
	}
	failed, err := itemFailures(resp, batch)
	if err != nil {
		log.ErrorContext(ctx, "invalid batch item failures, all records will be retried", "err", err)
		return
	}
	handles := make([]string, 0, len(batch))
	for _, m := range batch {
		if !failed[m.MessageID] {
			handles = append(handles, m.ReceiptHandle)
		}
	}
	if len(failed) > 0 {
		log.WarnContext(ctx, "records failed and will be retried", "failed", len(failed))
	}
	if len(handles) == 0 {
		return
	}
	errs, err := d.q.DeleteBatch(ctx, handles)
	if err != nil {
		log.ErrorContext(ctx, "delete handled records", "err", err)
		return
	}
	for _, err := range errs {
		if err != nil {
			log.WarnContext(ctx, "delete handled record", "err", err)
		}
	}
}

// invoke calls the consumer, turning a panic into an error.
func (d *Driver) invoke(ctx context.Context, ev events.SQSEvent, log *slog.Logger) (resp events.SQSEventResponse, err error) {
	defer func() {
		if r := recover(); r != nil {
			log.ErrorContext(ctx, "consumer panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("consumer panicked: %v", r)
		}
	}()
	return d.c(ctx, ev)
}

// itemFailures checks a partial batch response the way Lambda does: an
// empty or unknown itemIdentifier fails the whole batch.
func itemFailures(resp events.SQSEventResponse, batch []embedded.Delivery) (map[string]bool, error) {
	if len(resp.BatchItemFailures) == 0 {
		return nil, nil
	}
	inBatch := make(map[string]bool, len(batch))
	for _, m := range batch {
		inBatch[m.MessageID] = true
	}
	failed := make(map[string]bool, len(resp.BatchItemFailures))
	for _, f := range resp.BatchItemFailures {
		switch {
		case f.ItemIdentifier == "":
			return nil, errors.New("empty itemIdentifier")
		case !inBatch[f.ItemIdentifier]:
			return nil, fmt.Errorf("itemIdentifier %q is not in the batch", f.ItemIdentifier)
		}
		failed[f.ItemIdentifier] = true
	}
	return failed, nil
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
