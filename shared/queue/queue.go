package queue

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Message is one message to send.
type Message struct {
	// Body is the message text (JSON by convention; shared/messages owns the
	// shapes). At most MaxBodyBytes.
	Body string
	// Delay hides the message from consumers for a while (at most MaxDelay).
	Delay time.Duration
	// Attributes are string message attributes, delivered with the message.
	Attributes map[string]string
}

// Limits shared by every engine (SQS's).
const (
	MaxBodyBytes = 256 * 1024
	MaxDelay     = 15 * time.Minute
	MaxBatch     = 10
)

// Sender is the producer side of one queue, the only side code running in
// Lambda needs: there the event source mapping consumes. Engines:
// shared/queue/sqs (Amazon SQS) and shared/queue/embedded (a durable local
// queue). Both pass the conformance suite in shared/queue/queuetest.
type Sender interface {
	// Send enqueues one message and returns its id.
	Send(ctx context.Context, m Message) (string, error)
	// SendBatch enqueues messages (any number; engines split them into
	// batches of MaxBatch) and returns their ids in order. On a partial
	// failure it returns a *BatchError naming the messages that were not
	// sent; the others were.
	SendBatch(ctx context.Context, ms []Message) ([]string, error)
}

// Consumer handles a batch of messages the way a Lambda function subscribed
// to an SQS queue does: it returns the ids of the records that failed (the
// others are deleted), or an error to fail the whole batch.
type Consumer func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error)

// Errors engines return (wrapped with the operation).
var (
	ErrTooLarge     = errors.New("message too large")
	ErrInvalid      = errors.New("invalid message")
	ErrNoSuchQueue  = errors.New("no such queue")
	ErrBatchPartial = errors.New("some messages of the batch were not sent")
)

// BatchError reports which messages of a SendBatch were not sent.
type BatchError struct {
	// Failed maps the index of each unsent message to its error.
	Failed map[int]error
}

func (e *BatchError) Error() string { return ErrBatchPartial.Error() }

// Is makes errors.Is(err, ErrBatchPartial) true.
func (e *BatchError) Is(target error) bool { return target == ErrBatchPartial }
