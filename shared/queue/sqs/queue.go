package sqs

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqsapi "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	"github.com/vidiverse/vidiverse/shared/queue"
)

// Queue sends to one SQS queue.
type Queue struct {
	client *sqsapi.Client
	url    string
}

var _ queue.Sender = (*Queue)(nil)

// New returns a sender for the queue at queueURL.
func New(client *sqsapi.Client, queueURL string) *Queue {
	return &Queue{client: client, url: queueURL}
}

// Send enqueues one message and returns its id.
func (q *Queue) Send(ctx context.Context, m queue.Message) (string, error) {
	if err := queue.Validate(m); err != nil {
		return "", fmt.Errorf("send message to %s: %w", q.url, err)
	}
	out, err := q.client.SendMessage(ctx, &sqsapi.SendMessageInput{
		QueueUrl:          aws.String(q.url),
		MessageBody:       aws.String(m.Body),
		DelaySeconds:      delaySeconds(m.Delay),
		MessageAttributes: attributes(m.Attributes),
	})
	if err != nil {
		return "", fmt.Errorf("send message to %s: %w", q.url, classify(err))
	}
	return aws.ToString(out.MessageId), nil
}

// SendBatch enqueues messages with SendMessageBatch requests of at most ten
// entries and queue.MaxBodyBytes, and returns their ids in order. Messages
// that fail local validation, that SQS rejects, or that were not sent
// because a request failed are reported in a *queue.BatchError (their id
// is ""). When a request fails before any message was sent, the request's
// error is returned instead.
func (q *Queue) SendBatch(ctx context.Context, ms []queue.Message) ([]string, error) {
	ids := make([]string, len(ms))
	failed := map[int]error{}
	var valid []int
	for i, m := range ms {
		if err := queue.Validate(m); err != nil {
			failed[i] = fmt.Errorf("send message %d to %s: %w", i, q.url, err)
			continue
		}
		valid = append(valid, i)
	}
	chunks := pack(ms, valid)
	sent := 0
	for c, chunk := range chunks {
		err := q.sendChunk(ctx, ms, chunk, ids, failed)
		if err == nil {
			sent += len(chunk)
			continue
		}
		err = fmt.Errorf("send message batch to %s: %w", q.url, classify(err))
		if sent == 0 && len(failed) == 0 {
			return nil, err
		}
		for _, rest := range chunks[c:] {
			for _, i := range rest {
				failed[i] = err
			}
		}
		break
	}
	if len(failed) > 0 {
		return ids, &queue.BatchError{Failed: failed}
	}
	return ids, nil
}

// sendChunk sends one SendMessageBatch request. Entry ids are the
// positions in chunk ("0".."9"); results are written to ids and failed by
// original index. An error means the request as a whole failed.
func (q *Queue) sendChunk(ctx context.Context, ms []queue.Message, chunk []int, ids []string, failed map[int]error) error {
	entries := make([]types.SendMessageBatchRequestEntry, len(chunk))
	for j, i := range chunk {
		entries[j] = types.SendMessageBatchRequestEntry{
			Id:                aws.String(strconv.Itoa(j)),
			MessageBody:       aws.String(ms[i].Body),
			DelaySeconds:      delaySeconds(ms[i].Delay),
			MessageAttributes: attributes(ms[i].Attributes),
		}
	}
	out, err := q.client.SendMessageBatch(ctx, &sqsapi.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: entries})
	if err != nil {
		return err
	}
	answered := make([]bool, len(chunk))
	index := func(id *string) (int, bool) {
		j, err := strconv.Atoi(aws.ToString(id))
		if err != nil || j < 0 || j >= len(chunk) {
			return 0, false
		}
		answered[j] = true
		return chunk[j], true
	}
	for _, s := range out.Successful {
		if i, ok := index(s.Id); ok {
			ids[i] = aws.ToString(s.MessageId)
		}
	}
	for _, f := range out.Failed {
		if i, ok := index(f.Id); ok {
			ids[i] = ""
			failed[i] = fmt.Errorf("send message %d to %s: %w", i, q.url, entryError(f))
		}
	}
	for j, ok := range answered {
		if !ok {
			failed[chunk[j]] = fmt.Errorf("send message %d to %s: no result in the batch response", chunk[j], q.url)
		}
	}
	return nil
}

// pack groups message indexes into batches of at most queue.MaxBatch
// entries and queue.MaxBodyBytes in total, keeping their order.
func pack(ms []queue.Message, idx []int) [][]int {
	var chunks [][]int
	var cur []int
	total := 0
	for _, i := range idx {
		n := queue.Size(ms[i])
		if len(cur) == queue.MaxBatch || len(cur) > 0 && total+n > queue.MaxBodyBytes {
			chunks = append(chunks, cur)
			cur, total = nil, 0
		}
		cur = append(cur, i)
		total += n
	}
	if len(cur) > 0 {
		chunks = append(chunks, cur)
	}
	return chunks
}

// delaySeconds converts a delay to SQS's whole seconds, rounding up so a
// message never appears before its delay.
func delaySeconds(d time.Duration) int32 {
	return int32((d + time.Second - 1) / time.Second)
}

func attributes(attrs map[string]string) map[string]types.MessageAttributeValue {
	if len(attrs) == 0 {
		return nil
	}
	out := make(map[string]types.MessageAttributeValue, len(attrs))
	for k, v := range attrs {
		out[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	return out
}

// EntryError is SQS's reason for not sending one message of a batch. It
// matches queue.ErrTooLarge or queue.ErrInvalid where the code says so.
type EntryError struct {
	Code        string
	Message     string
	SenderFault bool
}

func (e *EntryError) Error() string { return e.Code + ": " + e.Message }

// Unwrap maps the SQS code to the port's errors.
func (e *EntryError) Unwrap() error { return kindOf(e.Code, e.Message) }

func entryError(f types.BatchResultErrorEntry) *EntryError {
	return &EntryError{Code: aws.ToString(f.Code), Message: aws.ToString(f.Message), SenderFault: f.SenderFault}
}

// classify wraps an SDK error with the port error it amounts to, keeping
// the SDK error reachable with errors.As.
func classify(err error) error {
	var noQueue *types.QueueDoesNotExist
	if errors.As(err, &noQueue) {
		return fmt.Errorf("%w: %w", queue.ErrNoSuchQueue, err)
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		if kind := kindOf(api.ErrorCode(), api.ErrorMessage()); kind != nil {
			return fmt.Errorf("%w: %w", kind, err)
		}
	}
	return err
}

func kindOf(code, message string) error {
	switch code {
	case "InvalidParameterValue":
		if strings.Contains(message, "shorter than") {
			return queue.ErrTooLarge
		}
		return queue.ErrInvalid
	case "AWS.SimpleQueueService.BatchRequestTooLong", "BatchRequestTooLong":
		return queue.ErrTooLarge
	case "InvalidMessageContents", "MissingParameter":
		return queue.ErrInvalid
	case "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist":
		return queue.ErrNoSuchQueue
	}
	return nil
}
