package embedded_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

func TestLongPoll(t *testing.T) {
	f := newFixture(t, embedded.Policy{})
	ctx := context.Background()
	done := make(chan []embedded.Delivery)
	go func() {
		ds, err := f.q.Receive(ctx, 10, 20*time.Second)
		if err != nil {
			t.Error(err)
		}
		done <- ds
	}()
	time.Sleep(20 * time.Millisecond)
	send(t, f.q, queue.Message{Body: "wake"})
	select {
	case ds := <-done:
		if len(ds) != 1 {
			t.Fatalf("got %+v", ds)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("long poll did not wake on send")
	}

	// A poll with nothing to receive ends when the clock passes its wait.
	go func() {
		ds, err := f.q.Receive(ctx, 10, 20*time.Second)
		if err != nil {
			t.Error(err)
		}
		done <- ds
	}()
	var ds []embedded.Delivery
	advanced := time.Duration(0)
wait:
	for {
		select {
		case ds = <-done:
			break wait
		case <-time.After(10 * time.Millisecond):
			f.clock.Advance(time.Second)
			advanced += time.Second
		}
	}
	if len(ds) != 0 {
		t.Fatalf("got %+v", ds)
	}
	if advanced < 20*time.Second {
		t.Fatalf("poll ended after %s of its 20s wait", advanced)
	}

	// Cancelling the context ends a poll.
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error)
	go func() {
		_, err := f.q.Receive(cctx, 10, 20*time.Second)
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled poll: %v", err)
	}

	// Closing the broker ends a poll.
	go func() {
		_, err := f.q.Receive(ctx, 10, 20*time.Second)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	_ = f.b.Close()
	if err := <-errc; !errors.Is(err, embedded.ErrClosed) {
		t.Fatalf("poll on closed broker: %v", err)
	}
}

func TestLongPollSystemClock(t *testing.T) {
	b, err := embedded.Open(filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	q, err := b.Queue("q", embedded.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := q.Send(context.Background(), queue.Message{Body: "soon", Delay: 100 * time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ds, err := q.Receive(context.Background(), 1, 5*time.Second)
	if err != nil || len(ds) != 1 {
		t.Fatalf("got %v, %v", ds, err)
	}
	if el := time.Since(start); el < 90*time.Millisecond || el > 4*time.Second {
		t.Errorf("delayed message arrived after %s", el)
	}
	start = time.Now()
	ds, err = q.Receive(context.Background(), 1, 50*time.Millisecond)
	if err != nil || len(ds) != 0 {
		t.Fatalf("got %v, %v", ds, err)
	}
	if el := time.Since(start); el < 40*time.Millisecond {
		t.Errorf("empty poll returned after %s", el)
	}
}

func TestConcurrentReceiversGetEachMessageOnce(t *testing.T) {
	f := newFixture(t, embedded.Policy{VisibilityTimeout: time.Hour})
	ctx := context.Background()
	const n = 200
	ms := make([]queue.Message, n)
	for i := range ms {
		ms[i] = queue.Message{Body: "m"}
	}
	if _, err := f.q.SendBatch(ctx, ms); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				ds, err := f.q.Receive(ctx, 7, 0)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ds) == 0 {
					return
				}
				mu.Lock()
				for _, d := range ds {
					seen[d.MessageID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("received %d distinct messages, want %d", len(seen), n)
	}
	for id, c := range seen {
		if c != 1 {
			t.Errorf("message %s received %d times", id, c)
		}
	}
}
