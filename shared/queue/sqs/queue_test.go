package sqs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sqsapi "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/queue/queuetest"
	"github.com/vidiverse/vidiverse/shared/queue/sqs"
	"github.com/vidiverse/vidiverse/shared/queue/sqsserver"
)

// env is an SQS test server on loopback, reached through a recorder that
// counts operations and can rewrite request bodies on their way in.
type env struct {
	srv    *httptest.Server
	client *sqsapi.Client

	mu      sync.Mutex
	calls   map[string]int
	rewrite func(op string, n int, body []byte) []byte
}

func newEnv(t *testing.T) *env {
	t.Helper()
	b, err := embedded.Open(filepath.Join(t.TempDir(), "sqs.db"))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{calls: map[string]int{}}
	server := sqsserver.New(b, sqsserver.Options{Logger: slog.New(slog.DiscardHandler)})
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		e.calls[op]++
		if e.rewrite != nil {
			body = e.rewrite(op, e.calls[op], body)
		}
		e.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		server.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		e.srv.Close()
		_ = b.Close()
	})
	e.client = sqsapi.New(sqsapi.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(e.srv.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		RetryMaxAttempts: 1,
	})
	return e
}

func (e *env) count(op string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.calls[op]
}

func (e *env) setRewrite(fn func(op string, n int, body []byte) []byte) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.rewrite = fn
}

func (e *env) createQueue(t *testing.T, name string) string {
	t.Helper()
	out, err := e.client.CreateQueue(context.Background(), &sqsapi.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

// receiver reads messages back with the SDK and deletes them.
func (e *env) receiver(url string) queuetest.Receiver {
	return func(ctx context.Context, max int, wait time.Duration) ([]queuetest.Received, error) {
		out, err := e.client.ReceiveMessage(ctx, &sqsapi.ReceiveMessageInput{
			QueueUrl:              aws.String(url),
			MaxNumberOfMessages:   int32(max),
			WaitTimeSeconds:       int32(min(math.Ceil(wait.Seconds()), 20)),
			MessageAttributeNames: []string{"All"},
		})
		if err != nil {
			return nil, err
		}
		got := make([]queuetest.Received, len(out.Messages))
		for i, m := range out.Messages {
			if _, err := e.client.DeleteMessage(ctx, &sqsapi.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return nil, err
			}
			attrs := map[string]string{}
			for k, v := range m.MessageAttributes {
				attrs[k] = aws.ToString(v.StringValue)
			}
			got[i] = queuetest.Received{ID: aws.ToString(m.MessageId), Body: aws.ToString(m.Body), Attributes: attrs}
		}
		return got, nil
	}
}

func TestConformance(t *testing.T) {
	e := newEnv(t)
	n := 0
	var mu sync.Mutex
	queuetest.Run(t, func(t *testing.T) (queue.Sender, queuetest.Receiver) {
		mu.Lock()
		n++
		name := fmt.Sprintf("conformance-%d", n)
		mu.Unlock()
		url := e.createQueue(t, name)
		return sqs.New(e.client, url), e.receiver(url)
	})
}

func TestSendBatchSplitsRequests(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	q := sqs.New(e.client, e.createQueue(t, "split"))
	ms := make([]queue.Message, 25)
	for i := range ms {
		ms[i] = queue.Message{Body: fmt.Sprint(i)}
	}
	if _, err := q.SendBatch(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SendMessageBatch"); n != 3 {
		t.Errorf("25 messages took %d requests, want 3", n)
	}
	big := make([]queue.Message, 5)
	for i := range big {
		big[i] = queue.Message{Body: strings.Repeat("b", 100*1024)}
	}
	if _, err := q.SendBatch(ctx, big); err != nil {
		t.Fatal(err)
	}
	if n := e.count("SendMessageBatch") - 3; n != 3 {
		t.Errorf("5 messages of 100 KiB took %d requests, want 3 (two per 256 KiB request)", n)
	}
}

func TestLocalValidationSendsNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	q := sqs.New(e.client, e.createQueue(t, "local"))
	if _, err := q.Send(ctx, queue.Message{Body: strings.Repeat("x", queue.MaxBodyBytes+1)}); !errors.Is(err, queue.ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
	if _, err := q.Send(ctx, queue.Message{Body: "x", Delay: 16 * time.Minute}); !errors.Is(err, queue.ErrInvalid) {
		t.Errorf("delay: %v", err)
	}
	_, err := q.SendBatch(ctx, []queue.Message{{}, {Body: "\x01"}})
	var be *queue.BatchError
	if !errors.As(err, &be) || len(be.Failed) != 2 {
		t.Errorf("all-invalid batch: %v", err)
	}
	if n := e.count("SendMessage") + e.count("SendMessageBatch"); n != 0 {
		t.Errorf("%d requests were made for invalid messages", n)
	}
}

func TestPerEntryFailuresKeepOriginalIndexes(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := e.createQueue(t, "partial")
	q := sqs.New(e.client, url)
	// Messages whose body is "poison" pass local checks; on the wire they
	// are turned into a NUL character, which the server rejects per entry.
	e.setRewrite(func(op string, _ int, body []byte) []byte {
		return bytes.ReplaceAll(body, []byte(`"MessageBody":"poison"`), []byte(`"MessageBody":"\u0000"`))
	})
	ms := make([]queue.Message, 15)
	for i := range ms {
		ms[i] = queue.Message{Body: fmt.Sprint("m", i)}
	}
	ms[3].Body, ms[12].Body = "poison", "poison"
	ids, err := q.SendBatch(ctx, ms)
	var be *queue.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want *queue.BatchError", err)
	}
	if len(be.Failed) != 2 || be.Failed[3] == nil || be.Failed[12] == nil {
		t.Fatalf("failed = %v, want indexes 3 and 12", be.Failed)
	}
	var ee *sqs.EntryError
	if !errors.As(be.Failed[12], &ee) || ee.Code != "InvalidMessageContents" || !ee.SenderFault || !errors.Is(be.Failed[12], queue.ErrInvalid) {
		t.Errorf("failure 12 = %v", be.Failed[12])
	}
	for i, id := range ids {
		if (i == 3 || i == 12) != (id == "") {
			t.Errorf("ids[%d] = %q", i, id)
		}
	}
	got := collectAll(t, e.receiver(url), 13)
	if len(got) != 13 {
		t.Errorf("received %d messages, want the 13 accepted", len(got))
	}
}

func TestRequestFailureInALaterBatch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := e.createQueue(t, "later")
	q := sqs.New(e.client, url)
	// The second request goes to a queue that does not exist.
	e.setRewrite(func(op string, n int, body []byte) []byte {
		if op == "SendMessageBatch" && n == 2 {
			return bytes.ReplaceAll(body, []byte("/000000000000/later"), []byte("/000000000000/gone"))
		}
		return body
	})
	ms := make([]queue.Message, 25)
	for i := range ms {
		ms[i] = queue.Message{Body: fmt.Sprint(i)}
	}
	ids, err := q.SendBatch(ctx, ms)
	var be *queue.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want *queue.BatchError", err)
	}
	if len(be.Failed) != 15 {
		t.Fatalf("%d failed, want the 15 after the first request", len(be.Failed))
	}
	for i := 10; i < 25; i++ {
		if !errors.Is(be.Failed[i], queue.ErrNoSuchQueue) || ids[i] != "" {
			t.Fatalf("message %d: %v, id %q", i, be.Failed[i], ids[i])
		}
	}
	for i := range 10 {
		if ids[i] == "" {
			t.Fatalf("message %d of the first request has no id", i)
		}
	}
	if n := e.count("SendMessageBatch"); n != 2 {
		t.Errorf("%d requests, want 2 (stop after the failed one)", n)
	}
}

func TestNoSuchQueue(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	q := sqs.New(e.client, e.srv.URL+"/000000000000/missing")
	_, err := q.Send(ctx, queue.Message{Body: "x"})
	var typed *types.QueueDoesNotExist
	if !errors.Is(err, queue.ErrNoSuchQueue) || !errors.As(err, &typed) {
		t.Errorf("Send: %v", err)
	}
	ids, err := q.SendBatch(ctx, []queue.Message{{Body: "x"}, {Body: "y"}})
	if !errors.Is(err, queue.ErrNoSuchQueue) || ids != nil {
		t.Errorf("SendBatch: %v, %v", ids, err)
	}
	if !strings.Contains(err.Error(), "missing") {
		t.Errorf("error does not name the queue: %v", err)
	}
}

func TestDelayRoundsUpToSeconds(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	url := e.createQueue(t, "delay")
	q := sqs.New(e.client, url)
	if _, err := q.Send(ctx, queue.Message{Body: "x", Delay: 300 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.GetQueueAttributes(ctx, &sqsapi.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{"ApproximateNumberOfMessagesDelayed"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Attributes["ApproximateNumberOfMessagesDelayed"] != "1" {
		t.Errorf("a 300ms delay was not sent as a delay: %v", out.Attributes)
	}
}

func collectAll(t *testing.T, r queuetest.Receiver, n int) []queuetest.Received {
	t.Helper()
	var out []queuetest.Received
	deadline := time.Now().Add(5 * time.Second)
	for len(out) < n && time.Now().Before(deadline) {
		got, err := r(context.Background(), 10, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
	}
	return out
}
