package embedded

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// sweepBatch is how many expired items one write transaction deletes.
const sweepBatch = 1000

func (t *Table) sweepLoop() {
	defer close(t.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-t.stop:
			cancel() // interrupts a sweep in progress
		case <-ctx.Done():
		}
	}()
	ticker := time.NewTicker(t.opts.sweepInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			n, err := t.Sweep(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				t.opts.log.Error("sweep expired items", "path", t.db.Path(), "err", err)
			case n > 0:
				t.opts.log.Debug("swept expired items", "path", t.db.Path(), "count", n)
			}
		}
	}
}

// Sweep deletes every item that has expired by now, in batches of
// sweepBatch per write transaction, and returns how many it deleted.
func (t *Table) Sweep(ctx context.Context) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, fmt.Errorf("sweep: %w", err)
		}
		n, more := 0, false
		err := t.db.Update(func(tx *bolt.Tx) error {
			w := t.writer(tx)
			now := w.now.Unix()
			var stale [][]byte
			c := w.ttl.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				if ttlKeyExpiry(k) > now {
					break
				}
				if len(stale) == sweepBatch {
					more = true
					break
				}
				stale = append(stale, k)
			}
			for _, tk := range stale {
				k, err := parseItemKey(tk[8:])
				if err != nil {
					return err
				}
				it, err := w.load(k)
				if err != nil {
					return err
				}
				if it != nil && t.schema.Expired(it, w.now) {
					if err := w.delete(k); err != nil {
						return err
					}
					n++
				} else if err := w.ttl.Delete(tk); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("sweep: %w", err)
		}
		total += n
		if !more {
			return total, nil
		}
	}
}
