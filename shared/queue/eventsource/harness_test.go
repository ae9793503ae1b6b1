package eventsource_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/queue/eventsource"
)

type harness struct {
	t    *testing.T
	b    *embedded.Broker
	q    *embedded.Queue
	logs *syncBuffer
}

func newHarness(t *testing.T, p embedded.Policy) *harness {
	t.Helper()
	b, err := embedded.Open(filepath.Join(t.TempDir(), "queues.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	q, err := b.Queue("jobs", p)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, b: b, q: q, logs: &syncBuffer{}}
}

// start runs a driver until the returned stop is called; stop returns
// Run's error.
func (h *harness) start(c queue.Consumer, o eventsource.Options) (stop func() error) {
	h.t.Helper()
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(h.logs, nil))
	}
	if o.PollWait == 0 {
		o.PollWait = 100 * time.Millisecond
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- eventsource.New(h.q, c, o).Run(ctx) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				err = errors.New("Run did not return within 10s of cancel")
			}
		})
		return err
	}
	h.t.Cleanup(func() { _ = stop() })
	return stop
}

func (h *harness) send(bodies ...string) []string {
	h.t.Helper()
	ms := make([]queue.Message, len(bodies))
	for i, b := range bodies {
		ms[i] = queue.Message{Body: b}
	}
	ids, err := h.q.SendBatch(context.Background(), ms)
	if err != nil {
		h.t.Fatal(err)
	}
	return ids
}

func (h *harness) stats() embedded.Stats {
	h.t.Helper()
	s, err := h.q.Stats(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

func (h *harness) waitEmpty() {
	h.t.Helper()
	eventually(h.t, "queue empty", func() bool {
		s := h.stats()
		return s.Visible == 0 && s.InFlight == 0 && s.Delayed == 0
	})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// recorder counts deliveries per message body.
type recorder struct {
	mu     sync.Mutex
	counts map[string]int
}

func (r *recorder) add(body string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.counts == nil {
		r.counts = map[string]int{}
	}
	r.counts[body]++
	return r.counts[body]
}

func (r *recorder) get(body string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[body]
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
