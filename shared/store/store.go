package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/table"
)

// Store is the data layer over one table.
type Store struct {
	t   table.Table
	now func() time.Time
}

// New returns a store over t.
func New(t table.Table) *Store {
	return &Store{t: t, now: time.Now}
}

// WithClock returns a copy of s that reads time from now (for tests).
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// Errors the store returns.
var (
	ErrNotFound = errors.New("not found")
	// ErrStale means the item changed since it was read; read and retry.
	ErrStale = errors.New("stale revision")
)

// TakenError says which unique value a write collided with.
type TakenError struct {
	// What is "username", "email" or "name" (an actor name).
	What  string
	Value string
}

func (e *TakenError) Error() string { return fmt.Sprintf("%s %q already taken", e.What, e.Value) }

// Is makes errors.Is(err, ErrTaken) true.
func (e *TakenError) Is(target error) bool { return target == ErrTaken }

// ErrTaken matches every *TakenError.
var ErrTaken = errors.New("already taken")

// nextID returns the next number of a counter (1, 2, …).
func (s *Store) nextID(ctx context.Context, kind string) (int64, error) {
	it, err := s.t.Update(ctx, counterKey(kind), table.Update{Add: map[string]int64{attrCount: 1}})
	if err != nil {
		return 0, fmt.Errorf("next %s id: %w", kind, err)
	}
	return it.Int(attrCount), nil
}

// queryAll reads every item of a query, following pages.
func (s *Store) queryAll(ctx context.Context, q table.Query) ([]table.Item, error) {
	var out []table.Item
	for {
		p, err := s.t.Query(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, nil
		}
		q.Cursor = p.Next
	}
}

// now returns the current time at millisecond precision, as PeerTube
// stores and prints times.
func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// txTaken maps a cancelled transaction to the unique claim that failed,
// given which op index claimed what.
func txTaken(err error, claims map[int]*TakenError) error {
	var tx *table.TxCanceledError
	if errors.As(err, &tx) {
		if i := tx.FailedOp(table.ErrConditionFailed); i >= 0 {
			if c, ok := claims[i]; ok {
				return c
			}
		}
	}
	return err
}

// listKind reads every item of a kind from the kind index, in creation
// order, decoded.
func listKind[T any](ctx context.Context, s *Store, kind string, decode func(table.Item) (T, error)) ([]T, error) {
	items, err := s.queryAll(ctx, table.Query{Index: IndexByKind, PK: kind})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", strings.ToLower(kind), err)
	}
	return decodeAll(items, decode)
}

// decodeAll decodes items in order.
func decodeAll[T any](items []table.Item, decode func(table.Item) (T, error)) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, it := range items {
		v, err := decode(it)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// batchGetRefs reads the items that reference items (memberships, claims)
// point at, in their order; items deleted meanwhile are left out.
func (s *Store) batchGetRefs(ctx context.Context, refs []table.Item) ([]table.Item, error) {
	keys := make([]table.Key, 0, len(refs))
	for _, r := range refs {
		keys = append(keys, table.Key{PK: r.String(attrRef), SK: skItem})
	}
	return s.batchGet(ctx, keys)
}

// batchGet reads any number of items, table.MaxBatchGet a call, in the
// order of keys; absent ones are left out.
func (s *Store) batchGet(ctx context.Context, keys []table.Key) ([]table.Item, error) {
	var items []table.Item
	for len(keys) > 0 {
		n := min(len(keys), table.MaxBatchGet)
		got, err := s.t.BatchGet(ctx, keys[:n])
		if err != nil {
			return nil, err
		}
		items, keys = append(items, got...), keys[n:]
	}
	return items, nil
}

// byClaim reads the item a claim (a unique name, email or UUID) points at.
func (s *Store) byClaim(ctx context.Context, k table.Key) (table.Item, error) {
	ref, err := s.t.Get(ctx, k)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", k.PK, notFound(err))
	}
	it, err := s.t.Get(ctx, table.Key{PK: ref.String(attrRef), SK: skItem})
	if err != nil {
		return nil, fmt.Errorf("get the item of %s: %w", k.PK, notFound(err))
	}
	return it, nil
}
