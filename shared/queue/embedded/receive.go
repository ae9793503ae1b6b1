package embedded

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
)

// Consumer-side errors.
var (
	// ErrReceiptHandleInvalid: the handle is malformed, or the message was
	// received again (or dead-lettered) since this handle was issued.
	ErrReceiptHandleInvalid = errors.New("receipt handle is invalid")
	// ErrMessageNotInflight: ChangeVisibility on a message that is visible.
	ErrMessageNotInflight = errors.New("message not in flight")
)

// Delivery is one received message.
type Delivery struct {
	MessageID string
	// ReceiptHandle identifies this receive; Delete and ChangeVisibility
	// need the handle of the latest receive.
	ReceiptHandle string
	Body          string
	// Attributes are the String and Number attributes' values.
	Attributes map[string]string
	// TypedAttributes are all attributes with their data types.
	TypedAttributes map[string]Attribute
	// ReceiveCount counts receives including this one.
	ReceiveCount    int
	SenderID        string
	SentAt          time.Time
	FirstReceivedAt time.Time
}

// ReceiveOptions tune ReceiveWith.
type ReceiveOptions struct {
	// Max is the most messages to return (at least 1).
	Max int
	// Wait is the long-poll time: how long to wait for a first message.
	Wait time.Duration
	// VisibilityTimeout overrides the queue's for this receive.
	VisibilityTimeout *time.Duration
}

// Receive returns up to max visible messages, waiting up to wait for at
// least one. Each is invisible to other receivers for the queue's
// visibility timeout.
func (q *Queue) Receive(ctx context.Context, max int, wait time.Duration) ([]Delivery, error) {
	return q.ReceiveWith(ctx, ReceiveOptions{Max: max, Wait: wait})
}

// ReceiveWith is Receive with options.
func (q *Queue) ReceiveWith(ctx context.Context, o ReceiveOptions) ([]Delivery, error) {
	if o.Max < 1 {
		o.Max = 1
	}
	vis := q.policy.VisibilityTimeout
	if o.VisibilityTimeout != nil {
		vis = *o.VisibilityTimeout
	}
	if vis < 0 || vis > MaxVisibilityTimeout {
		return nil, fmt.Errorf("receive from %s: %w: visibility timeout %s out of range", q.name, queue.ErrInvalid, vis)
	}
	clock := q.b.clock
	deadline := clock.Now().Add(o.Wait)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("receive from %s: %w", q.name, err)
		}
		woken := q.wake.wait() // before looking, so a send in between is not missed
		got, next, err := q.receiveOnce(o.Max, vis)
		if err != nil {
			return nil, fmt.Errorf("receive from %s: %w", q.name, err)
		}
		if len(got) > 0 {
			return got, nil
		}
		now := clock.Now()
		if !now.Before(deadline) {
			return nil, nil
		}
		sleep := deadline.Sub(now)
		if !next.IsZero() && next.Sub(now) < sleep {
			sleep = max(next.Sub(now), time.Millisecond)
		}
		select {
		case <-woken:
		case <-clock.After(sleep):
		case <-ctx.Done():
			return nil, fmt.Errorf("receive from %s: %w", q.name, ctx.Err())
		case <-q.b.closed:
			return nil, fmt.Errorf("receive from %s: %w", q.name, ErrClosed)
		}
	}
}

// receiveOnce takes up to max visible messages. Visible messages past
// their retention are dropped and those received MaxReceives times move to
// the dead letters on the way. next is when the next message becomes
// visible (zero when none is pending).
func (q *Queue) receiveOnce(max int, vis time.Duration) (out []Delivery, next time.Time, err error) {
	now := q.b.clock.Now()
	nowNS := now.UnixNano()
	err = q.update(func(bk buckets) error {
		out = nil
		var keys [][]byte
		deliverable := 0
		c := bk.due.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			at, _ := splitTimeKey(k)
			if at > nowNS {
				next = time.Unix(0, at)
				break
			}
			keys = append(keys, append([]byte(nil), k...))
			if !q.expired(decodeDue(v), nowNS) && !q.exhausted(decodeDue(v)) {
				deliverable++
				if deliverable == max {
					break
				}
			}
		}
		for _, k := range keys {
			_, id := splitTimeKey(k)
			r, err := bk.get(id)
			if err != nil {
				return err
			}
			if r == nil {
				if err := bk.due.Delete(k); err != nil {
					return err
				}
				continue
			}
			e := decodeDue(bk.due.Get(k))
			switch {
			case q.expired(e, nowNS):
				err = bk.remove(r)
			case q.exhausted(e):
				err = bk.toDead(r, now, q.policy.Retention)
			default:
				var d Delivery
				d, err = q.deliver(bk, r, now, vis)
				out = append(out, d)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, time.Time{}, err
	}
	return out, next, nil
}

func (q *Queue) expired(e dueEntry, nowNS int64) bool { return e.expiresAt <= nowNS }

func (q *Queue) exhausted(e dueEntry) bool {
	return q.policy.MaxReceives > 0 && int(e.receives) >= q.policy.MaxReceives
}

func (q *Queue) deliver(bk buckets, r *record, now time.Time, vis time.Duration) (Delivery, error) {
	if err := bk.due.Delete(r.dueKey()); err != nil {
		return Delivery{}, err
	}
	r.ReceiveCount++
	if r.FirstReceivedAt == 0 {
		r.FirstReceivedAt = now.UnixNano()
	}
	r.Receipt = newNonce()
	r.VisibleAt = now.Add(vis).UnixNano()
	if err := bk.put(r); err != nil {
		return Delivery{}, err
	}
	if err := bk.due.Put(r.dueKey(), r.dueValue()); err != nil {
		return Delivery{}, err
	}
	return r.delivery(receiptHandle(r.ID, r.Receipt)), nil
}

// Delete removes a received message. Deleting a message that is already
// gone succeeds; a handle from an earlier receive of a message that was
// received again fails with ErrReceiptHandleInvalid and deletes nothing.
func (q *Queue) Delete(ctx context.Context, receiptHandle string) error {
	errs, err := q.DeleteBatch(ctx, []string{receiptHandle})
	if err != nil {
		return err
	}
	return errs[0]
}

// DeleteBatch deletes several messages in one transaction. errs[i] is the
// outcome for handles[i]; err is a failure of the whole batch.
func (q *Queue) DeleteBatch(ctx context.Context, handles []string) (errs []error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("delete messages from %s: %w", q.name, err)
	}
	err = q.update(func(bk buckets) error {
		errs = make([]error, len(handles))
		for i, h := range handles {
			r, err := q.byHandle(bk, h)
			if err != nil {
				errs[i] = fmt.Errorf("delete message from %s: %w", q.name, err)
				continue
			}
			if r == nil {
				continue
			}
			if err := bk.remove(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete messages from %s: %w", q.name, err)
	}
	return errs, nil
}

// byHandle finds the live message a current receipt handle names. It
// returns nil, nil when the message no longer exists.
func (q *Queue) byHandle(bk buckets, h string) (*record, error) {
	id, nonce, ok := parseReceiptHandle(h)
	if !ok {
		return nil, ErrReceiptHandleInvalid
	}
	r, err := bk.get(id)
	if err != nil || r == nil {
		return nil, err
	}
	if r.DeadAt != 0 || r.Receipt != nonce {
		return nil, fmt.Errorf("%w: message %s was received again or dead-lettered since", ErrReceiptHandleInvalid, id)
	}
	return r, nil
}

// ChangeVisibility sets a received message's remaining invisibility to d
// from now (0 makes it visible at once). The message must still be in
// flight and the handle current.
func (q *Queue) ChangeVisibility(ctx context.Context, receiptHandle string, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("change visibility in %s: %w", q.name, err)
	}
	if d < 0 || d > MaxVisibilityTimeout {
		return fmt.Errorf("change visibility in %s: %w: timeout %s out of range", q.name, queue.ErrInvalid, d)
	}
	now := q.b.clock.Now()
	err := q.update(func(bk buckets) error {
		r, err := q.byHandle(bk, receiptHandle)
		if err != nil {
			return err
		}
		if r == nil {
			return fmt.Errorf("%w: message no longer exists", ErrReceiptHandleInvalid)
		}
		if r.VisibleAt <= now.UnixNano() {
			return fmt.Errorf("%w: message %s", ErrMessageNotInflight, r.ID)
		}
		if err := bk.due.Delete(r.dueKey()); err != nil {
			return err
		}
		r.VisibleAt = now.Add(d).UnixNano()
		if err := bk.put(r); err != nil {
			return err
		}
		return bk.due.Put(r.dueKey(), r.dueValue())
	})
	if err != nil {
		return fmt.Errorf("change visibility in %s: %w", q.name, err)
	}
	q.wake.wake()
	return nil
}
