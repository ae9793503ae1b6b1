package embedded

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"
)

// Stats counts a queue's messages by state.
type Stats struct {
	// Visible messages can be received now.
	Visible int
	// InFlight messages were received and are within their visibility
	// timeout.
	InFlight int
	// Delayed messages were sent with a delay that has not passed yet.
	Delayed int
	// Dead messages were received MaxReceives times without being deleted.
	Dead int
}

// Stats moves exhausted messages to the dead letters, drops expired ones,
// and counts what is left.
func (q *Queue) Stats(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, fmt.Errorf("stats of %s: %w", q.name, err)
	}
	var s Stats
	now := q.b.clock.Now()
	err := q.update(func(bk buckets) error {
		if err := q.sweep(bk, now); err != nil {
			return err
		}
		s = Stats{}
		nowNS := now.UnixNano()
		c := bk.due.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			at, _ := splitTimeKey(k)
			switch {
			case at <= nowNS:
				s.Visible++
			case decodeDue(v).state == stateReceived:
				s.InFlight++
			default:
				s.Delayed++
			}
		}
		dc := bk.dead.Cursor()
		for k, _ := dc.First(); k != nil; k, _ = dc.Next() {
			s.Dead++
		}
		return nil
	})
	if err != nil {
		return Stats{}, fmt.Errorf("stats of %s: %w", q.name, err)
	}
	return s, nil
}

// sweep applies the state changes that receives apply lazily: visible
// messages past retention are dropped, visible messages received
// MaxReceives times become dead letters, and expired dead letters are
// dropped.
func (q *Queue) sweep(bk buckets, now time.Time) error {
	nowNS := now.UnixNano()
	var keys [][]byte
	c := bk.due.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		at, _ := splitTimeKey(k)
		if at > nowNS {
			break
		}
		if e := decodeDue(v); q.expired(e, nowNS) || q.exhausted(e) {
			keys = append(keys, append([]byte(nil), k...))
		}
	}
	for _, k := range keys {
		_, id := splitTimeKey(k)
		r, err := bk.get(id)
		if err != nil {
			return err
		}
		switch {
		case r == nil:
			err = bk.due.Delete(k)
		case r.ExpiresAt <= nowNS:
			err = bk.remove(r)
		default:
			err = bk.toDead(r, now, q.policy.Retention)
		}
		if err != nil {
			return err
		}
	}
	keys = keys[:0]
	c = bk.dead.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if len(v) == 8 && int64(binary.BigEndian.Uint64(v)) <= nowNS {
			keys = append(keys, append([]byte(nil), k...))
		}
	}
	for _, k := range keys {
		_, id := splitTimeKey(k)
		if err := bk.dead.Delete(k); err != nil {
			return err
		}
		if err := bk.msgs.Delete([]byte(id)); err != nil {
			return err
		}
	}
	return nil
}

// DeadLetters returns up to max dead letters, oldest first. They have no
// receipt handle: Redrive moves them back to the queue.
func (q *Queue) DeadLetters(ctx context.Context, max int) ([]Delivery, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("dead letters of %s: %w", q.name, err)
	}
	var out []Delivery
	now := q.b.clock.Now()
	err := q.update(func(bk buckets) error {
		if err := q.sweep(bk, now); err != nil {
			return err
		}
		out = nil
		c := bk.dead.Cursor()
		for k, _ := c.First(); k != nil && len(out) < max; k, _ = c.Next() {
			_, id := splitTimeKey(k)
			r, err := bk.get(id)
			if err != nil {
				return err
			}
			if r != nil {
				out = append(out, r.delivery(""))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dead letters of %s: %w", q.name, err)
	}
	return out, nil
}

// Redrive moves every dead letter back to the queue as a fresh, visible
// message (same id and body, receive count reset, retention restarted) and
// returns how many it moved.
func (q *Queue) Redrive(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("redrive %s: %w", q.name, err)
	}
	n := 0
	now := q.b.clock.Now()
	err := q.update(func(bk buckets) error {
		if err := q.sweep(bk, now); err != nil {
			return err
		}
		n = 0
		var keys [][]byte
		c := bk.dead.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			_, id := splitTimeKey(k)
			if err := bk.dead.Delete(k); err != nil {
				return err
			}
			r, err := bk.get(id)
			if err != nil {
				return err
			}
			if r == nil {
				continue
			}
			r.DeadAt, r.ReceiveCount, r.FirstReceivedAt, r.Receipt = 0, 0, 0, ""
			r.VisibleAt = now.UnixNano()
			r.ExpiresAt = now.Add(q.policy.Retention).UnixNano()
			if err := bk.put(r); err != nil {
				return err
			}
			if err := bk.due.Put(r.dueKey(), r.dueValue()); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("redrive %s: %w", q.name, err)
	}
	if n > 0 {
		q.wake.wake()
	}
	return n, nil
}

// Purge deletes every live message (visible, in flight or delayed) and
// returns how many; dead letters stay.
func (q *Queue) Purge(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("purge %s: %w", q.name, err)
	}
	n := 0
	err := q.update(func(bk buckets) error {
		n = 0
		var keys [][]byte
		c := bk.due.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			_, id := splitTimeKey(k)
			if err := bk.due.Delete(k); err != nil {
				return err
			}
			if err := bk.msgs.Delete([]byte(id)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("purge %s: %w", q.name, err)
	}
	return n, nil
}
