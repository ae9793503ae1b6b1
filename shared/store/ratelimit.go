package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vidiverse/vidiverse/shared/table"
)

// Hit counts one event for subject in the fixed window of length window
// that contains now, and returns the count so far and when the window
// ends. The window's item expires with it. Every Lambda instance shares
// the count, which an in-memory limiter could not.
func (s *Store) Hit(ctx context.Context, bucket, subject string, window time.Duration) (int64, time.Time, error) {
	now := s.clock()
	start := now.Truncate(window)
	end := start.Add(window)
	it, err := s.t.Update(ctx, rateKey(bucket, subject, start.Unix()), table.Update{
		Add: map[string]int64{attrCount: 1},
		Set: map[string]any{attrTTL: end.Unix() + 1},
	})
	if err != nil {
		return 0, end, fmt.Errorf("count %s hit: %w", bucket, err)
	}
	return it.Int(attrCount), end, nil
}

// Hits returns the count so far of the window that contains now, without
// counting an event.
func (s *Store) Hits(ctx context.Context, bucket, subject string, window time.Duration) (int64, time.Time, error) {
	start := s.clock().Truncate(window)
	it, err := s.t.Get(ctx, rateKey(bucket, subject, start.Unix()))
	if errors.Is(err, table.ErrNotFound) {
		return 0, start.Add(window), nil
	}
	if err != nil {
		return 0, start.Add(window), fmt.Errorf("read %s hits: %w", bucket, err)
	}
	return it.Int(attrCount), start.Add(window), nil
}
