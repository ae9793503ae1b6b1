package embedded

import (
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/vidiverse/vidiverse/shared/queue"
)

// Queue is one named queue of a Broker.
type Queue struct {
	b      *Broker
	name   string
	policy Policy
	wake   *waker
}

var _ queue.Sender = (*Queue)(nil)

// Name is the queue's name.
func (q *Queue) Name() string { return q.name }

// Policy is the queue's policy, defaults filled in.
func (q *Queue) Policy() Policy { return q.policy }

// Send enqueues one message and returns its id.
func (q *Queue) Send(ctx context.Context, m queue.Message) (string, error) {
	ids, failed, err := q.put(ctx, []Entry{EntryFromMessage(m)})
	if err != nil {
		return "", fmt.Errorf("send message to %s: %w", q.name, err)
	}
	if err := failed[0]; err != nil {
		return "", fmt.Errorf("send message to %s: %w", q.name, err)
	}
	return ids[0], nil
}

// SendBatch enqueues messages in one transaction and returns their ids in
// order. Messages that fail validation are reported in a
// *queue.BatchError (their id is ""); the others are sent.
func (q *Queue) SendBatch(ctx context.Context, ms []queue.Message) ([]string, error) {
	es := make([]Entry, len(ms))
	for i, m := range ms {
		es[i] = EntryFromMessage(m)
	}
	return q.SendEntries(ctx, es)
}

// SendEntries is SendBatch for messages with typed attributes.
func (q *Queue) SendEntries(ctx context.Context, es []Entry) ([]string, error) {
	if len(es) == 0 {
		return nil, nil
	}
	ids, failed, err := q.put(ctx, es)
	if err != nil {
		return nil, fmt.Errorf("send %d messages to %s: %w", len(es), q.name, err)
	}
	if len(failed) > 0 {
		return ids, &queue.BatchError{Failed: failed}
	}
	return ids, nil
}

// put validates and stores entries in one transaction. Invalid entries are
// returned in failed; err is a failure of the whole write.
func (q *Queue) put(ctx context.Context, es []Entry) (ids []string, failed map[int]error, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	ids = make([]string, len(es))
	recs := make([]*record, 0, len(es))
	now := q.b.clock.Now()
	for i, e := range es {
		if err := e.Validate(); err != nil {
			if failed == nil {
				failed = map[int]error{}
			}
			failed[i] = err
			continue
		}
		id := newID()
		ids[i] = id
		recs = append(recs, &record{
			ID:         id,
			Body:       e.Body,
			Attributes: e.Attributes,
			SenderID:   q.b.senderID,
			SentAt:     now.UnixNano(),
			VisibleAt:  now.Add(e.Delay).UnixNano(),
			ExpiresAt:  now.Add(q.policy.Retention).UnixNano(),
		})
	}
	if len(recs) == 0 {
		return ids, failed, nil
	}
	err = q.update(func(bk buckets) error {
		for _, r := range recs {
			if err := bk.put(r); err != nil {
				return err
			}
			if err := bk.due.Put(r.dueKey(), r.dueValue()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	q.wake.wake()
	return ids, failed, nil
}

func (q *Queue) bucketsOf(tx *bolt.Tx) (buckets, error) {
	qb := tx.Bucket(bucketQueues).Bucket([]byte(q.name))
	if qb == nil {
		return buckets{}, fmt.Errorf("queue %s: %w", q.name, queue.ErrNoSuchQueue)
	}
	return buckets{msgs: qb.Bucket(keyMsgs), due: qb.Bucket(keyDue), dead: qb.Bucket(keyDead)}, nil
}

func (q *Queue) update(fn func(bk buckets) error) error {
	err := q.b.db.Update(func(tx *bolt.Tx) error {
		bk, err := q.bucketsOf(tx)
		if err != nil {
			return err
		}
		return fn(bk)
	})
	return q.b.mapErr(err)
}
