package queuetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
)

// Received is a message read back from the queue.
type Received struct {
	ID         string
	Body       string
	Attributes map[string]string
}

// Receiver returns up to max messages visible now, waiting up to wait for
// a first one, and deletes each message before returning it.
type Receiver func(ctx context.Context, max int, wait time.Duration) ([]Received, error)

// Opener opens a fresh, empty queue for one test.
type Opener func(t *testing.T) (queue.Sender, Receiver)

// Run runs the suite. Subtests run in parallel, each on its own queue.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s queue.Sender, r Receiver)
	}{
		{"RoundTrip", testRoundTrip},
		{"IDsUniqueAndInOrder", testIDsInOrder},
		{"SendBatchOf25", testBatchOf25},
		{"SendBatchOfLargeMessages", testBatchOfLargeMessages},
		{"TooLarge", testTooLarge},
		{"TooLongDelay", testTooLongDelay},
		{"EmptyBody", testEmptyBody},
		{"InvalidContent", testInvalidContent},
		{"Delay", testDelay},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, r := open(t)
			tc.fn(t, s, r)
		})
	}
}

// collect receives until it has n messages or wait has passed.
func collect(t *testing.T, r Receiver, n int, wait time.Duration) []Received {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(wait)
	var out []Received
	for len(out) < n {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		got, err := r(ctx, min(n-len(out), queue.MaxBatch), left)
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		out = append(out, got...)
	}
	return out
}

// expectNothing checks that no message arrives within wait.
func expectNothing(t *testing.T, r Receiver, wait time.Duration) {
	t.Helper()
	got, err := r(context.Background(), queue.MaxBatch, wait)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	if len(got) > 0 {
		t.Fatalf("received %d unexpected messages, first %q", len(got), got[0].Body)
	}
}

func testRoundTrip(t *testing.T, s queue.Sender, r Receiver) {
	ctx := context.Background()
	body := `{"kind":"transcode","video":"5f1e","title":"Grüße, 世界 🎬 <&>"}`
	attrs := map[string]string{"kind": "transcode", "trace.id": "abc-123"}
	id, err := s.Send(ctx, queue.Message{Body: body, Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	if id == "" {
		t.Fatal("Send returned an empty id")
	}
	plainID, err := s.Send(ctx, queue.Message{Body: "plain"})
	if err != nil {
		t.Fatal(err)
	}
	got := collect(t, r, 2, 5*time.Second)
	if len(got) != 2 {
		t.Fatalf("received %d messages, want 2", len(got))
	}
	byID := map[string]Received{}
	for _, m := range got {
		byID[m.ID] = m
	}
	m := byID[id]
	if m.Body != body {
		t.Errorf("body = %q, want %q", m.Body, body)
	}
	if !maps.Equal(m.Attributes, attrs) {
		t.Errorf("attributes = %v, want %v", m.Attributes, attrs)
	}
	if p := byID[plainID]; p.Body != "plain" || len(p.Attributes) != 0 {
		t.Errorf("plain message = %+v", p)
	}
	expectNothing(t, r, 100*time.Millisecond)
}

func testIDsInOrder(t *testing.T, s queue.Sender, r Receiver) {
	ms := make([]queue.Message, 7)
	for i := range ms {
		ms[i] = queue.Message{Body: fmt.Sprintf("message %d", i)}
	}
	ids, err := s.SendBatch(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(ms) {
		t.Fatalf("got %d ids for %d messages", len(ids), len(ms))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			t.Fatalf("ids not unique and non-empty: %q", ids)
		}
		seen[id] = true
	}
	got := collect(t, r, len(ms), 5*time.Second)
	bodyOf := map[string]string{}
	for _, m := range got {
		bodyOf[m.ID] = m.Body
	}
	for i, id := range ids {
		if bodyOf[id] != ms[i].Body {
			t.Errorf("id %d (%s) names body %q, want %q", i, id, bodyOf[id], ms[i].Body)
		}
	}
}

func testBatchOf25(t *testing.T, s queue.Sender, r Receiver) {
	ms := make([]queue.Message, 25)
	for i := range ms {
		ms[i] = queue.Message{Body: fmt.Sprintf(`{"n":%d}`, i), Attributes: map[string]string{"n": fmt.Sprint(i)}}
	}
	ids, err := s.SendBatch(context.Background(), ms)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 25 {
		t.Fatalf("got %d ids", len(ids))
	}
	got := collect(t, r, 25, 10*time.Second)
	if len(got) != 25 {
		t.Fatalf("received %d of 25 messages", len(got))
	}
	index := map[string]int{}
	for i, id := range ids {
		index[id] = i
	}
	seen := map[string]bool{}
	for _, m := range got {
		i, ok := index[m.ID]
		if !ok || seen[m.ID] {
			t.Fatalf("unexpected or repeated message %s", m.ID)
		}
		seen[m.ID] = true
		if m.Body != ms[i].Body || m.Attributes["n"] != fmt.Sprint(i) {
			t.Errorf("message %d = %+v", i, m)
		}
	}
}

func testBatchOfLargeMessages(t *testing.T, s queue.Sender, r Receiver) {
	ms := make([]queue.Message, 5)
	for i := range ms {
		ms[i] = queue.Message{Body: fmt.Sprintf("%d:%s", i, strings.Repeat("x", 100*1024))}
	}
	ids, err := s.SendBatch(context.Background(), ms)
	if err != nil {
		t.Fatalf("5 messages of 100 KiB (more than one request's worth): %v", err)
	}
	got := collect(t, r, 5, 10*time.Second)
	if len(got) != 5 {
		t.Fatalf("received %d of 5", len(got))
	}
	bodyOf := map[string]string{}
	for _, m := range got {
		bodyOf[m.ID] = m.Body
	}
	for i, id := range ids {
		if bodyOf[id] != ms[i].Body {
			t.Errorf("message %d did not round-trip", i)
		}
	}
}

func testTooLarge(t *testing.T, s queue.Sender, r Receiver) {
	ctx := context.Background()
	cases := []queue.Message{
		{Body: strings.Repeat("x", queue.MaxBodyBytes+1)},
		{Body: strings.Repeat("x", queue.MaxBodyBytes-7), Attributes: map[string]string{"k": "v"}}, // 1 byte over: k + String + v
	}
	for i, m := range cases {
		if _, err := s.Send(ctx, m); !errors.Is(err, queue.ErrTooLarge) {
			t.Errorf("case %d: err = %v, want ErrTooLarge", i, err)
		}
	}
	_, err := s.SendBatch(ctx, []queue.Message{{Body: "ok"}, cases[0]})
	var be *queue.BatchError
	if !errors.As(err, &be) || len(be.Failed) != 1 || !errors.Is(be.Failed[1], queue.ErrTooLarge) {
		t.Errorf("batch with a large message: err = %v", err)
	}
	got := collect(t, r, 2, 2*time.Second)
	if len(got) != 1 || got[0].Body != "ok" {
		t.Fatalf("received %d messages, want only the valid one", len(got))
	}
	exact := strings.Repeat("y", queue.MaxBodyBytes)
	if _, err := s.Send(ctx, queue.Message{Body: exact}); err != nil {
		t.Fatalf("a body of exactly MaxBodyBytes: %v", err)
	}
	if got := collect(t, r, 1, 5*time.Second); len(got) != 1 || got[0].Body != exact {
		t.Fatal("the message of exactly MaxBodyBytes did not arrive intact")
	}
}

func testTooLongDelay(t *testing.T, s queue.Sender, r Receiver) {
	ctx := context.Background()
	for _, d := range []time.Duration{queue.MaxDelay + time.Second, -time.Second} {
		if _, err := s.Send(ctx, queue.Message{Body: "x", Delay: d}); !errors.Is(err, queue.ErrInvalid) {
			t.Errorf("delay %s: err = %v, want ErrInvalid", d, err)
		}
	}
	expectNothing(t, r, 100*time.Millisecond)
}

func testEmptyBody(t *testing.T, s queue.Sender, r Receiver) {
	ctx := context.Background()
	if _, err := s.Send(ctx, queue.Message{}); !errors.Is(err, queue.ErrInvalid) {
		t.Errorf("empty body: err = %v, want ErrInvalid", err)
	}
	ids, err := s.SendBatch(ctx, []queue.Message{{Body: "a"}, {Body: ""}, {Body: "c"}})
	var be *queue.BatchError
	if !errors.As(err, &be) || !errors.Is(err, queue.ErrBatchPartial) {
		t.Fatalf("batch with an empty body: err = %v, want *queue.BatchError", err)
	}
	if len(be.Failed) != 1 || !errors.Is(be.Failed[1], queue.ErrInvalid) {
		t.Errorf("failed = %v, want only index 1", be.Failed)
	}
	if len(ids) != 3 || ids[0] == "" || ids[1] != "" || ids[2] == "" {
		t.Errorf("ids = %q", ids)
	}
	got := collect(t, r, 2, 5*time.Second)
	if len(got) != 2 {
		t.Fatalf("received %d messages, want the 2 valid ones", len(got))
	}
	expectNothing(t, r, 100*time.Millisecond)
}

func testInvalidContent(t *testing.T, s queue.Sender, r Receiver) {
	ctx := context.Background()
	cases := []queue.Message{
		{Body: "nul \x00 byte"},
		{Body: "x", Attributes: map[string]string{"AWS.reserved": "v"}},
		{Body: "x", Attributes: map[string]string{"spaced name": "v"}},
		{Body: "x", Attributes: map[string]string{"empty": ""}},
	}
	for i, m := range cases {
		if _, err := s.Send(ctx, m); !errors.Is(err, queue.ErrInvalid) {
			t.Errorf("case %d: err = %v, want ErrInvalid", i, err)
		}
	}
	expectNothing(t, r, 100*time.Millisecond)
}

func testDelay(t *testing.T, s queue.Sender, r Receiver) {
	ctx := context.Background()
	const delay = time.Second
	start := time.Now()
	delayed, err := s.Send(ctx, queue.Message{Body: "delayed", Delay: delay})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Send(ctx, queue.Message{Body: "now"}); err != nil {
		t.Fatal(err)
	}
	first := collect(t, r, 1, 2*time.Second)
	if len(first) != 1 || first[0].Body != "now" {
		t.Fatalf("first receive = %+v, want only the undelayed message", first)
	}
	got := collect(t, r, 1, 5*time.Second)
	if len(got) != 1 || got[0].ID != delayed {
		t.Fatalf("delayed message not received: %+v", got)
	}
	if el := time.Since(start); el < delay {
		t.Errorf("delayed message received after %s, before its %s delay", el, delay)
	}
}
