package deliver

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/vidiverse/vidiverse/shared/queue"
)

// fanoutChunk is how many single-inbox jobs one SendBatch call carries,
// and fanoutParallel how many such calls run at once: the first
// deliveries start while a large fan-out is still being enqueued, no one
// write holds thousands of activities, and SQS (ten messages a request)
// is not asked one request at a time.
const (
	fanoutChunk    = 256
	fanoutParallel = 4
)

// fanOut expands a fan-out job into single-inbox jobs on the deliver
// queue. An error (a follower lookup or a send that may succeed later)
// reports the record failed, so the whole fan-out is delivered again;
// inboxes already enqueued by an earlier try in this process are then
// left out.
func (d *Deliverer) fanOut(ctx context.Context, messageID string, j Job) error {
	inboxes, err := d.expand(ctx, j)
	if err != nil {
		return err
	}
	done := d.fanned.take(messageID)
	targets := make([]string, 0, len(inboxes))
	for _, in := range inboxes {
		if !done[in] {
			targets = append(targets, in)
		}
	}
	if done == nil {
		done = map[string]bool{}
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		slots    = make(chan struct{}, fanoutParallel)
	)
	for start := 0; start < len(targets); start += fanoutChunk {
		mu.Lock()
		stop := firstErr != nil
		mu.Unlock()
		if stop {
			break
		}
		chunk := targets[start:min(start+fanoutChunk, len(targets))]
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-slots; wg.Done() }()
			sent, refused, err := d.sendChunk(ctx, j, chunk)
			mu.Lock()
			defer mu.Unlock()
			for _, in := range sent {
				done[in] = true
			}
			for _, in := range refused {
				done[in] = true
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		d.fanned.keep(messageID, done)
		left := 0
		for _, in := range targets {
			if !done[in] {
				left++
			}
		}
		return fmt.Errorf("fan out to %d inboxes: %d not enqueued: %w", len(targets), left, firstErr)
	}
	return nil
}

// sendChunk enqueues the single-inbox jobs of chunk. It returns the
// inboxes whose jobs were sent, those the queue refused for what they are
// (too large, invalid: they cannot succeed later, and are logged), and an
// error when others failed.
func (d *Deliverer) sendChunk(ctx context.Context, j Job, chunk []string) (sent, refused []string, err error) {
	ms := make([]queue.Message, len(chunk))
	for i, in := range chunk {
		body, err := Job{Activity: j.Activity, Signer: j.Signer, KeyID: j.KeyID, Inbox: in}.encode()
		if err != nil {
			return nil, nil, err
		}
		ms[i] = queue.Message{Body: body}
	}
	_, err = d.d.Queue.SendBatch(ctx, ms)
	var be *queue.BatchError
	switch {
	case err == nil:
		return chunk, nil, nil
	case !errors.As(err, &be):
		return nil, nil, err
	}
	var lastErr error
	for i, in := range chunk {
		ferr, bad := be.Failed[i]
		switch {
		case !bad:
			sent = append(sent, in)
		case errors.Is(ferr, queue.ErrTooLarge) || errors.Is(ferr, queue.ErrInvalid):
			refused = append(refused, in)
			d.log.ErrorContext(ctx, "delivery job refused by the queue, dropped", "inbox", in, "err", ferr)
		default:
			lastErr = ferr
		}
	}
	return sent, refused, lastErr
}

// expand lists the distinct inboxes of a fan-out job in order: the
// followers' inboxes, then the extra ones, each once, none on this
// instance's origin. Unusable URLs are logged and skipped.
func (d *Deliverer) expand(ctx context.Context, j Job) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(raw string) {
		u, err := parseInbox(raw)
		if err != nil {
			d.log.WarnContext(ctx, "fan-out inbox skipped", "err", err)
			return
		}
		if d.own(u) {
			return
		}
		s := u.String()
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, ref := range j.Followers {
		if d.d.Followers == nil {
			return nil, fmt.Errorf("followers of %s %d: no follower lookup configured", ref.Kind, ref.ID)
		}
		inboxes, err := d.d.Followers(ctx, ref)
		if err != nil {
			return nil, fmt.Errorf("followers of %s %d: %w", ref.Kind, ref.ID, err)
		}
		for _, in := range inboxes {
			add(in)
		}
	}
	for _, in := range j.Inboxes {
		add(in)
	}
	return out, nil
}

// fanoutMemo remembers, by message id, the inboxes a partly failed fan-out
// already enqueued, so its redelivery to this process does not enqueue
// them again. It holds few entries (partial failures are rare); past
// fanoutMemoSize an arbitrary one is forgotten, which costs duplicates
// only.
type fanoutMemo struct {
	mu   sync.Mutex
	done map[string]map[string]bool
}

const fanoutMemoSize = 64

// take removes and returns what the message's earlier tries enqueued.
func (m *fanoutMemo) take(messageID string) map[string]bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	done := m.done[messageID]
	delete(m.done, messageID)
	return done
}

// keep records what the message's tries have enqueued so far.
func (m *fanoutMemo) keep(messageID string, done map[string]bool) {
	if messageID == "" {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done == nil {
		m.done = map[string]map[string]bool{}
	}
	for id := range m.done {
		if len(m.done) < fanoutMemoSize {
			break
		}
		delete(m.done, id)
	}
	m.done[messageID] = done
}
