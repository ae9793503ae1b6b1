package eventsource_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/queue/eventsource"
)

func TestRecordsLookLikeLambda(t *testing.T) {
	h := newHarness(t, embedded.Policy{VisibilityTimeout: 5 * time.Second})
	before := time.Now()
	id, err := h.q.Send(context.Background(), queue.Message{Body: `{"kind":"transcode"}`, Attributes: map[string]string{"kind": "transcode"}})
	if err != nil {
		t.Fatal(err)
	}
	type seen struct {
		ev       events.SQSEvent
		lc       *lambdacontext.LambdaContext
		deadline time.Time
	}
	got := make(chan seen, 4)
	stop := h.start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		lc, _ := lambdacontext.FromContext(ctx)
		dl, _ := ctx.Deadline()
		got <- seen{ev, lc, dl}
		return events.SQSEventResponse{}, nil
	}, eventsource.Options{Region: "eu-west-1", Timeout: 3 * time.Second})
	var s seen
	select {
	case s = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("no invocation")
	}
	h.waitEmpty()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if len(s.ev.Records) != 1 {
		t.Fatalf("records = %d", len(s.ev.Records))
	}
	r := s.ev.Records[0]
	if r.MessageId != id || r.Body != `{"kind":"transcode"}` || r.ReceiptHandle == "" {
		t.Errorf("record = %+v", r)
	}
	if r.Md5OfBody != embedded.BodyMD5(r.Body) || len(r.Md5OfBody) != 32 {
		t.Errorf("md5OfBody = %q", r.Md5OfBody)
	}
	if r.Md5OfMessageAttributes != embedded.AttributesMD5(map[string]embedded.Attribute{"kind": {DataType: "String", StringValue: "transcode"}}) {
		t.Errorf("md5OfMessageAttributes = %q", r.Md5OfMessageAttributes)
	}
	if r.EventSource != "aws:sqs" || r.EventSourceARN != "arn:aws:sqs:local:000000000000:jobs" || r.AWSRegion != "eu-west-1" {
		t.Errorf("source = %q %q %q", r.EventSource, r.EventSourceARN, r.AWSRegion)
	}
	if r.Attributes["ApproximateReceiveCount"] != "1" || r.Attributes["SenderId"] != embedded.DefaultSenderID {
		t.Errorf("attributes = %v", r.Attributes)
	}
	for _, k := range []string{"SentTimestamp", "ApproximateFirstReceiveTimestamp"} {
		ms, err := strconv.ParseInt(r.Attributes[k], 10, 64)
		if err != nil || ms < before.UnixMilli()-1 || ms > time.Now().UnixMilli() {
			t.Errorf("%s = %q", k, r.Attributes[k])
		}
	}
	a := r.MessageAttributes["kind"]
	if a.DataType != "String" || a.StringValue == nil || *a.StringValue != "transcode" || len(r.MessageAttributes) != 1 {
		t.Errorf("message attributes = %+v", r.MessageAttributes)
	}
	raw, err := json.Marshal(s.ev)
	if err != nil {
		t.Fatal(err)
	}
	for _, frag := range []string{
		`"eventSource":"aws:sqs"`,
		`"messageAttributes":{"kind":{"stringValue":"transcode","stringListValues":[],"binaryListValues":[],"dataType":"String"}}`,
		`"attributes":{"ApproximateFirstReceiveTimestamp":"`,
	} {
		if !strings.Contains(string(raw), frag) {
			t.Errorf("event JSON lacks %s:\n%s", frag, raw)
		}
	}
	if s.lc == nil || len(s.lc.AwsRequestID) != 36 {
		t.Errorf("lambda context = %+v", s.lc)
	}
	if s.deadline.IsZero() || time.Until(s.deadline) > 3*time.Second {
		t.Errorf("deadline = %v", s.deadline)
	}
}

func TestPartialFailuresRetriedThenSucceed(t *testing.T) {
	h := newHarness(t, embedded.Policy{VisibilityTimeout: 200 * time.Millisecond})
	var bodies []string
	for i := range 10 {
		bodies = append(bodies, fmt.Sprintf("m%d", i))
	}
	h.send(bodies...)
	var rec recorder
	h.start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, r := range ev.Records {
			n := rec.add(r.Body)
			if (r.Body == "m3" || r.Body == "m7") && n == 1 {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		return resp, nil
	}, eventsource.Options{})
	h.waitEmpty()
	for _, b := range bodies {
		want := 1
		if b == "m3" || b == "m7" {
			want = 2
		}
		if got := rec.get(b); got != want {
			t.Errorf("%s delivered %d times, want %d", b, got, want)
		}
	}
}

func TestPoisonMessageEndsInDeadLetters(t *testing.T) {
	h := newHarness(t, embedded.Policy{VisibilityTimeout: 100 * time.Millisecond, MaxReceives: 3})
	ids := h.send("a", "poison", "b", "c")
	var rec recorder
	h.start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		var resp events.SQSEventResponse
		for _, r := range ev.Records {
			rec.add(r.Body)
			if r.Body == "poison" {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		return resp, nil
	}, eventsource.Options{})
	eventually(t, "dead letter", func() bool { return h.stats().Dead == 1 })
	h.waitEmpty()
	dead, err := h.q.DeadLetters(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].MessageID != ids[1] || dead[0].ReceiveCount != 3 {
		t.Fatalf("dead letters = %+v", dead)
	}
	if got := rec.get("poison"); got != 3 {
		t.Errorf("poison delivered %d times, want 3", got)
	}
	for _, b := range []string{"a", "b", "c"} {
		if got := rec.get(b); got != 1 {
			t.Errorf("%s delivered %d times, want 1", b, got)
		}
	}
}

func TestWholeBatchFailuresRetried(t *testing.T) {
	cases := []struct {
		name string
		fail func(ev events.SQSEvent) (events.SQSEventResponse, error)
		log  string
	}{
		{"error", func(events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{}, errors.New("database down")
		}, "database down"},
		{"panic", func(events.SQSEvent) (events.SQSEventResponse, error) {
			panic("nil map")
		}, "consumer panicked"},
		{"empty item identifier", func(events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ""}}}, nil
		}, "empty itemIdentifier"},
		{"unknown item identifier", func(events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: "not-in-batch"}}}, nil
		}, "not in the batch"},
		{"error with item failures", func(ev events.SQSEvent) (events.SQSEventResponse, error) {
			return events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{{ItemIdentifier: ev.Records[0].MessageId}}}, errors.New("both")
		}, "both"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			// Long enough that the retried batch is deleted before it
			// could be seen again on a loaded machine (each test here
			// waits it out once).
			h := newHarness(t, embedded.Policy{VisibilityTimeout: time.Second})
			h.send("x", "y", "z")
			var rec recorder
			var mu sync.Mutex
			calls := 0
			h.start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
				mu.Lock()
				calls++
				first := calls == 1
				mu.Unlock()
				for _, r := range ev.Records {
					rec.add(r.Body)
				}
				if first {
					return c.fail(ev)
				}
				return events.SQSEventResponse{}, nil
			}, eventsource.Options{MaxBatchingWindow: 50 * time.Millisecond})
			h.waitEmpty()
			for _, b := range []string{"x", "y", "z"} {
				if got := rec.get(b); got != 2 {
					t.Errorf("%s delivered %d times, want 2 (the first batch failed whole)", b, got)
				}
			}
			if !strings.Contains(h.logs.String(), c.log) {
				t.Errorf("log does not mention %q:\n%s", c.log, h.logs.String())
			}
		})
	}
}

func TestTimeoutFailsBatch(t *testing.T) {
	h := newHarness(t, embedded.Policy{VisibilityTimeout: 150 * time.Millisecond})
	h.send("slow")
	var rec recorder
	h.start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		if rec.add(ev.Records[0].Body) == 1 {
			<-ctx.Done() // overruns the function timeout
		}
		return events.SQSEventResponse{}, nil
	}, eventsource.Options{Timeout: 50 * time.Millisecond})
	h.waitEmpty()
	if got := rec.get("slow"); got != 2 {
		t.Errorf("delivered %d times, want 2", got)
	}
	if !strings.Contains(h.logs.String(), "timed out") {
		t.Errorf("log does not mention the timeout:\n%s", h.logs.String())
	}
}

func TestConcurrentBatchesNeverShareAMessage(t *testing.T) {
	h := newHarness(t, embedded.Policy{VisibilityTimeout: 10 * time.Second})
	var bodies []string
	for i := range 60 {
		bodies = append(bodies, fmt.Sprintf("m%02d", i))
	}
	h.send(bodies...)
	var (
		mu          sync.Mutex
		inFlight    = map[string]bool{}
		running     int
		maxParallel int
		rec         recorder
	)
	h.start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		mu.Lock()
		running++
		maxParallel = max(maxParallel, running)
		for _, r := range ev.Records {
			if inFlight[r.MessageId] {
				t.Errorf("message %s is in two batches at once", r.MessageId)
			}
			inFlight[r.MessageId] = true
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
		mu.Lock()
		for _, r := range ev.Records {
			delete(inFlight, r.MessageId)
			rec.add(r.Body)
		}
		running--
		mu.Unlock()
		return events.SQSEventResponse{}, nil
	}, eventsource.Options{Concurrency: 4, BatchSize: 3})
	h.waitEmpty()
	for _, b := range bodies {
		if got := rec.get(b); got != 1 {
			t.Errorf("%s delivered %d times", b, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if maxParallel < 2 {
		t.Errorf("at most %d batches ran at once with Concurrency 4", maxParallel)
	}
}

func TestRunStopsCleanlyAndFinishesInFlightBatch(t *testing.T) {
	h := newHarness(t, embedded.Policy{VisibilityTimeout: 5 * time.Second})
	h.send("long")
	started := make(chan struct{})
	release := make(chan struct{})
	var ctxErr error
	stop := h.start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		close(started)
		<-release
		ctxErr = ctx.Err()
		return events.SQSEventResponse{}, nil
	}, eventsource.Options{PollWait: 20 * time.Second})
	<-started
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	select {
	case <-stopped:
		t.Fatal("Run returned while a batch was in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case err := <-stopped:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return")
	}
	if ctxErr != nil {
		t.Errorf("in-flight invocation's context was cancelled by stopping: %v", ctxErr)
	}
	if s := h.stats(); s != (embedded.Stats{}) {
		t.Errorf("the finished batch was not deleted: %+v", s)
	}

	// An idle driver stops promptly even in the middle of a long poll.
	stop = h.start(func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{}, nil
	}, eventsource.Options{PollWait: 20 * time.Second, Concurrency: 3})
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("stopping an idle driver took %s", el)
	}
}

func TestRunFailsWhenBrokerCloses(t *testing.T) {
	h := newHarness(t, embedded.Policy{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	d := eventsource.New(h.q, func(context.Context, events.SQSEvent) (events.SQSEventResponse, error) {
		return events.SQSEventResponse{}, nil
	}, eventsource.Options{Logger: slog.New(slog.NewTextHandler(h.logs, nil))})
	go func() { done <- d.Run(ctx) }()
	time.Sleep(50 * time.Millisecond)
	_ = h.b.Close()
	if err := <-done; !errors.Is(err, embedded.ErrClosed) {
		t.Fatalf("Run = %v, want ErrClosed", err)
	}
}

// TestAtLeastOnceWithoutRedeliveryOfHandled drives a flaky consumer:
// every message is seen at least once, and no message whose handling
// succeeded is ever delivered again.
func TestAtLeastOnceWithoutRedeliveryOfHandled(t *testing.T) {
	h := newHarness(t, embedded.Policy{VisibilityTimeout: 100 * time.Millisecond, MaxReceives: -1})
	var bodies []string
	for i := range 50 {
		bodies = append(bodies, fmt.Sprintf("m%02d", i))
	}
	ids := h.send(bodies...)
	var (
		mu      sync.Mutex
		rng     = rand.New(rand.NewPCG(1, 2))
		seen    = map[string]int{}
		handled = map[string]bool{}
	)
	h.start(func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range ev.Records {
			seen[r.MessageId]++
			if handled[r.MessageId] {
				t.Errorf("message %s was handled and then delivered again", r.MessageId)
			}
		}
		if rng.IntN(5) == 0 {
			return events.SQSEventResponse{}, errors.New("flaky dependency")
		}
		var resp events.SQSEventResponse
		for _, r := range ev.Records {
			if rng.IntN(3) == 0 {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
				continue
			}
			handled[r.MessageId] = true
		}
		return resp, nil
	}, eventsource.Options{Concurrency: 2, BatchSize: 5})
	h.waitEmpty()
	mu.Lock()
	defer mu.Unlock()
	for _, id := range ids {
		if seen[id] < 1 || !handled[id] {
			t.Errorf("message %s seen %d times, handled %v", id, seen[id], handled[id])
		}
	}
	retried := 0
	for _, n := range seen {
		if n > 1 {
			retried++
		}
	}
	if retried == 0 {
		t.Error("no message was retried: the flaky consumer did not exercise retries")
	}
}
