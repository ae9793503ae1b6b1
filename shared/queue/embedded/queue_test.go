package embedded_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

type fixture struct {
	path  string
	clock *embedded.ManualClock
	b     *embedded.Broker
	q     *embedded.Queue
}

func newFixture(t *testing.T, p embedded.Policy) *fixture {
	t.Helper()
	f := &fixture{path: filepath.Join(t.TempDir(), "queues.db"), clock: embedded.NewManualClock(t0)}
	f.open(t, p)
	return f
}

func (f *fixture) open(t *testing.T, p embedded.Policy) {
	t.Helper()
	b, err := embedded.Open(f.path, embedded.WithClock(f.clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	q, err := b.Queue("work", p)
	if err != nil {
		t.Fatal(err)
	}
	f.b, f.q = b, q
}

func (f *fixture) receive(t *testing.T, max int) []embedded.Delivery {
	t.Helper()
	ds, err := f.q.Receive(context.Background(), max, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func (f *fixture) stats(t *testing.T) embedded.Stats {
	t.Helper()
	s, err := f.q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func send(t *testing.T, q *embedded.Queue, m queue.Message) string {
	t.Helper()
	id, err := q.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRoundTrip(t *testing.T) {
	f := newFixture(t, embedded.Policy{})
	id := send(t, f.q, queue.Message{Body: `{"kind":"x"}`, Attributes: map[string]string{"kind": "x", "n": "1"}})
	f.clock.Advance(time.Second)
	ds := f.receive(t, 10)
	if len(ds) != 1 {
		t.Fatalf("got %d deliveries, want 1", len(ds))
	}
	d := ds[0]
	if d.MessageID != id || d.Body != `{"kind":"x"}` || d.ReceiveCount != 1 {
		t.Errorf("delivery = %+v", d)
	}
	if d.Attributes["kind"] != "x" || d.Attributes["n"] != "1" || len(d.Attributes) != 2 {
		t.Errorf("attributes = %v", d.Attributes)
	}
	if d.TypedAttributes["kind"].DataType != "String" {
		t.Errorf("typed attributes = %v", d.TypedAttributes)
	}
	if !d.SentAt.Equal(t0) || !d.FirstReceivedAt.Equal(t0.Add(time.Second)) {
		t.Errorf("sent %v first received %v", d.SentAt, d.FirstReceivedAt)
	}
	if d.SenderID != embedded.DefaultSenderID {
		t.Errorf("sender = %q", d.SenderID)
	}
	if err := f.q.Delete(context.Background(), d.ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	if err := f.q.Delete(context.Background(), d.ReceiptHandle); err != nil {
		t.Errorf("second delete of a deleted message: %v", err)
	}
	if s := f.stats(t); s != (embedded.Stats{}) {
		t.Errorf("stats after delete = %+v", s)
	}
}

func TestVisibilityTimeoutAndStaleHandle(t *testing.T) {
	f := newFixture(t, embedded.Policy{VisibilityTimeout: 30 * time.Second})
	send(t, f.q, queue.Message{Body: "a"})
	first := f.receive(t, 1)
	if len(first) != 1 {
		t.Fatal("no delivery")
	}
	if got := f.receive(t, 1); len(got) != 0 {
		t.Fatal("in-flight message delivered again")
	}
	if s := f.stats(t); s.InFlight != 1 || s.Visible != 0 {
		t.Errorf("stats = %+v", s)
	}
	f.clock.Advance(29 * time.Second)
	if got := f.receive(t, 1); len(got) != 0 {
		t.Fatal("delivered before the visibility timeout")
	}
	f.clock.Advance(time.Second)
	second := f.receive(t, 1)
	if len(second) != 1 || second[0].ReceiveCount != 2 || second[0].MessageID != first[0].MessageID {
		t.Fatalf("second delivery = %+v", second)
	}
	if second[0].ReceiptHandle == first[0].ReceiptHandle {
		t.Fatal("receipt handle reused")
	}
	if !second[0].FirstReceivedAt.Equal(first[0].FirstReceivedAt) {
		t.Error("first-received time changed")
	}
	err := f.q.Delete(context.Background(), first[0].ReceiptHandle)
	if !errors.Is(err, embedded.ErrReceiptHandleInvalid) {
		t.Fatalf("delete with stale handle: %v", err)
	}
	if s := f.stats(t); s.InFlight != 1 {
		t.Fatalf("stale delete removed the message: %+v", s)
	}
	if err := f.q.Delete(context.Background(), "garbage"); !errors.Is(err, embedded.ErrReceiptHandleInvalid) {
		t.Errorf("delete with malformed handle: %v", err)
	}
	if err := f.q.Delete(context.Background(), second[0].ReceiptHandle); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	if got := f.receive(t, 1); len(got) != 0 {
		t.Fatal("deleted message came back")
	}
}

func TestDelay(t *testing.T) {
	f := newFixture(t, embedded.Policy{})
	send(t, f.q, queue.Message{Body: "later", Delay: 10 * time.Second})
	send(t, f.q, queue.Message{Body: "now"})
	if s := f.stats(t); s.Delayed != 1 || s.Visible != 1 {
		t.Errorf("stats = %+v", s)
	}
	got := f.receive(t, 10)
	if len(got) != 1 || got[0].Body != "now" {
		t.Fatalf("got %+v", got)
	}
	f.clock.Advance(9 * time.Second)
	if got := f.receive(t, 10); len(got) != 0 {
		t.Fatal("delayed message delivered early")
	}
	f.clock.Advance(time.Second)
	if got := f.receive(t, 10); len(got) != 1 || got[0].Body != "later" {
		t.Fatalf("got %+v", got)
	}
}

func TestDeadLettersAndRedrive(t *testing.T) {
	f := newFixture(t, embedded.Policy{VisibilityTimeout: 10 * time.Second, MaxReceives: 2})
	id := send(t, f.q, queue.Message{Body: "poison"})
	send(t, f.q, queue.Message{Body: "fine", Delay: 25 * time.Second})
	for i := 1; i <= 2; i++ {
		got := f.receive(t, 10)
		if len(got) != 1 || got[0].ReceiveCount != i {
			t.Fatalf("receive %d: %+v", i, got)
		}
		f.clock.Advance(10 * time.Second)
	}
	if s := f.stats(t); s.Dead != 1 || s.Visible != 0 || s.Delayed != 1 {
		t.Fatalf("stats = %+v", s)
	}
	f.clock.Advance(5 * time.Second)
	got := f.receive(t, 10)
	if len(got) != 1 || got[0].Body != "fine" {
		t.Fatalf("after dead-lettering got %+v", got)
	}
	dead, err := f.q.DeadLetters(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].MessageID != id || dead[0].ReceiveCount != 2 || dead[0].Body != "poison" {
		t.Fatalf("dead letters = %+v", dead)
	}
	n, err := f.q.Redrive(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("redrive = %d, %v", n, err)
	}
	got = f.receive(t, 10)
	if len(got) != 1 || got[0].MessageID != id || got[0].ReceiveCount != 1 {
		t.Fatalf("after redrive got %+v", got)
	}
	if s := f.stats(t); s.Dead != 0 {
		t.Errorf("stats after redrive = %+v", s)
	}
}

func TestNeverDeadLetter(t *testing.T) {
	f := newFixture(t, embedded.Policy{VisibilityTimeout: time.Second, MaxReceives: -1})
	send(t, f.q, queue.Message{Body: "again"})
	for i := 1; i <= 20; i++ {
		got := f.receive(t, 1)
		if len(got) != 1 || got[0].ReceiveCount != i {
			t.Fatalf("receive %d: %+v", i, got)
		}
		f.clock.Advance(time.Second)
	}
}

func TestRetention(t *testing.T) {
	f := newFixture(t, embedded.Policy{Retention: time.Hour})
	send(t, f.q, queue.Message{Body: "old"})
	f.clock.Advance(time.Hour)
	if got := f.receive(t, 1); len(got) != 0 {
		t.Fatalf("expired message delivered: %+v", got)
	}
	if s := f.stats(t); s != (embedded.Stats{}) {
		t.Errorf("stats = %+v", s)
	}
}

func TestChangeVisibility(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, embedded.Policy{VisibilityTimeout: 30 * time.Second})
	send(t, f.q, queue.Message{Body: "a"})
	d := f.receive(t, 1)[0]
	if err := f.q.ChangeVisibility(ctx, d.ReceiptHandle, 0); err != nil {
		t.Fatal(err)
	}
	d2 := f.receive(t, 1)
	if len(d2) != 1 || d2[0].ReceiveCount != 2 {
		t.Fatalf("after visibility 0: %+v", d2)
	}
	if err := f.q.ChangeVisibility(ctx, d.ReceiptHandle, time.Minute); !errors.Is(err, embedded.ErrReceiptHandleInvalid) {
		t.Errorf("stale handle: %v", err)
	}
	if err := f.q.ChangeVisibility(ctx, d2[0].ReceiptHandle, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Minute)
	if got := f.receive(t, 1); len(got) != 0 {
		t.Fatal("visible before the extended timeout")
	}
	f.clock.Advance(time.Minute)
	if err := f.q.ChangeVisibility(ctx, d2[0].ReceiptHandle, time.Minute); !errors.Is(err, embedded.ErrMessageNotInflight) {
		t.Errorf("visible message: %v", err)
	}
	if err := f.q.ChangeVisibility(ctx, d2[0].ReceiptHandle, 13*time.Hour); !errors.Is(err, queue.ErrInvalid) {
		t.Errorf("13h: %v", err)
	}
	if got := f.receive(t, 1); len(got) != 1 {
		t.Fatal("not visible after the extended timeout")
	}
}

func TestSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	p := embedded.Policy{VisibilityTimeout: 30 * time.Second}
	f := newFixture(t, p)
	for _, body := range []string{"a", "b", "c"} {
		send(t, f.q, queue.Message{Body: body, Attributes: map[string]string{"k": body}})
	}
	send(t, f.q, queue.Message{Body: "d", Delay: time.Minute})
	inFlight := f.receive(t, 1)[0]
	if err := f.b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.q.Send(ctx, queue.Message{Body: "x"}); !errors.Is(err, embedded.ErrClosed) {
		t.Fatalf("send on closed broker: %v", err)
	}

	b, err := embedded.Open(f.path, embedded.WithClock(f.clock))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	q, err := b.Lookup("work")
	if err != nil {
		t.Fatal(err)
	}
	if q.Policy().VisibilityTimeout != 30*time.Second || q.Policy().MaxReceives != embedded.DefaultMaxReceives {
		t.Errorf("policy after restart = %+v", q.Policy())
	}
	f.q = q
	if s := f.stats(t); s.Visible != 2 || s.InFlight != 1 || s.Delayed != 1 {
		t.Fatalf("stats after restart = %+v", s)
	}
	f.clock.Advance(time.Minute)
	got := f.receive(t, 10)
	if len(got) != 4 {
		t.Fatalf("after timeout got %d messages, want 4", len(got))
	}
	for _, d := range got {
		if d.Attributes["k"] != d.Body && d.Body != "d" {
			t.Errorf("attributes lost: %+v", d)
		}
		if d.MessageID == inFlight.MessageID && d.ReceiveCount != 2 {
			t.Errorf("in-flight message receive count = %d", d.ReceiveCount)
		}
	}
	if _, err := b.Lookup("nope"); !errors.Is(err, queue.ErrNoSuchQueue) {
		t.Errorf("lookup of a missing queue: %v", err)
	}
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, embedded.Policy{})
	cases := []struct {
		name string
		m    queue.Message
		want error
	}{
		{"empty body", queue.Message{}, embedded.ErrEmptyBody},
		{"too large", queue.Message{Body: strings.Repeat("x", queue.MaxBodyBytes+1)}, queue.ErrTooLarge},
		{"attributes count", queue.Message{Body: strings.Repeat("x", queue.MaxBodyBytes-10), Attributes: map[string]string{"name": "value"}}, queue.ErrTooLarge},
		{"delay", queue.Message{Body: "x", Delay: queue.MaxDelay + time.Second}, embedded.ErrInvalidDelay},
		{"negative delay", queue.Message{Body: "x", Delay: -time.Second}, embedded.ErrInvalidDelay},
		{"control character", queue.Message{Body: "a\x01b"}, embedded.ErrInvalidCharacters},
		{"invalid utf-8", queue.Message{Body: "a\xffb"}, embedded.ErrInvalidCharacters},
		{"reserved attribute name", queue.Message{Body: "x", Attributes: map[string]string{"AWS.trace": "1"}}, embedded.ErrInvalidAttribute},
		{"attribute name character", queue.Message{Body: "x", Attributes: map[string]string{"a b": "1"}}, embedded.ErrInvalidAttribute},
		{"empty attribute value", queue.Message{Body: "x", Attributes: map[string]string{"a": ""}}, embedded.ErrInvalidAttribute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.q.Send(ctx, c.m)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if errors.Is(c.want, queue.ErrInvalid) && !errors.Is(err, queue.ErrInvalid) {
				t.Fatalf("err %v does not match queue.ErrInvalid", err)
			}
		})
	}
	if s := f.stats(t); s != (embedded.Stats{}) {
		t.Fatalf("invalid messages were stored: %+v", s)
	}
	if _, err := f.q.Send(ctx, queue.Message{Body: strings.Repeat("é", queue.MaxBodyBytes/2)}); err != nil {
		t.Fatalf("message of exactly the limit: %v", err)
	}
	if _, err := f.q.Send(ctx, queue.Message{Body: "tab\tnewline\n emoji 🎬 and \uFFFD"}); err != nil {
		t.Fatalf("allowed characters: %v", err)
	}
	if _, err := f.b.Queue("bad name", embedded.Policy{}); !errors.Is(err, queue.ErrInvalid) {
		t.Errorf("bad queue name: %v", err)
	}
}

func TestSendBatchPartial(t *testing.T) {
	f := newFixture(t, embedded.Policy{})
	ids, err := f.q.SendBatch(context.Background(), []queue.Message{{Body: "a"}, {Body: ""}, {Body: "c"}})
	var be *queue.BatchError
	if !errors.As(err, &be) || !errors.Is(err, queue.ErrBatchPartial) {
		t.Fatalf("err = %v", err)
	}
	if len(be.Failed) != 1 || !errors.Is(be.Failed[1], queue.ErrInvalid) {
		t.Fatalf("failed = %v", be.Failed)
	}
	if len(ids) != 3 || ids[0] == "" || ids[1] != "" || ids[2] == "" {
		t.Fatalf("ids = %q", ids)
	}
	got := f.receive(t, 10)
	if len(got) != 2 {
		t.Fatalf("got %d messages, want 2", len(got))
	}
}

func TestPurge(t *testing.T) {
	f := newFixture(t, embedded.Policy{})
	send(t, f.q, queue.Message{Body: "a"})
	send(t, f.q, queue.Message{Body: "b", Delay: time.Minute})
	f.receive(t, 1)
	n, err := f.q.Purge(context.Background())
	if err != nil || n != 2 {
		t.Fatalf("purge = %d, %v", n, err)
	}
	if s := f.stats(t); s != (embedded.Stats{}) {
		t.Errorf("stats = %+v", s)
	}
}

func TestReceiveVisibilityOverride(t *testing.T) {
	f := newFixture(t, embedded.Policy{VisibilityTimeout: time.Hour})
	send(t, f.q, queue.Message{Body: "a"})
	short := 5 * time.Second
	ds, err := f.q.ReceiveWith(context.Background(), embedded.ReceiveOptions{Max: 1, VisibilityTimeout: &short})
	if err != nil || len(ds) != 1 {
		t.Fatalf("%v, %v", ds, err)
	}
	f.clock.Advance(5 * time.Second)
	if got := f.receive(t, 1); len(got) != 1 || got[0].ReceiveCount != 2 {
		t.Fatalf("after the overridden timeout: %+v", got)
	}
	zero := time.Duration(0)
	if ds, err := f.q.ReceiveWith(context.Background(), embedded.ReceiveOptions{Max: 1, VisibilityTimeout: &zero}); err != nil || len(ds) != 0 {
		t.Fatalf("in-flight message received: %v, %v", ds, err)
	}
}
