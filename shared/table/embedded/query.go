package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/vidiverse/vidiverse/shared/table"
)

// pageBytes caps a page without a limit, as DynamoDB caps a response at
// 1 MB.
const pageBytes = 1 << 20

// scan walks the bucket keys of a query in order, from after the cursor.
type scan struct {
	c       *bolt.Cursor
	lo, hi  []byte
	reverse bool
	started bool
	k, v    []byte
}

func newScan(b *bolt.Bucket, q table.Query, last []byte) *scan {
	s := &scan{c: b.Cursor(), reverse: q.Reverse}
	s.lo, s.hi = keyRange(q)
	if last == nil {
		return s
	}
	if q.Reverse {
		if s.hi == nil || bytes.Compare(last, s.hi) < 0 {
			s.hi = last
		}
	} else if bytes.Compare(last, s.lo) >= 0 {
		s.lo = append(bytes.Clone(last), 0) // the smallest key after last
	}
	return s
}

// next moves to the next key in range; false at the end.
func (s *scan) next() bool {
	if !s.started {
		s.started = true
		if s.reverse {
			if s.hi == nil {
				s.k, s.v = s.c.Last()
			} else if s.k, s.v = s.c.Seek(s.hi); s.k == nil {
				s.k, s.v = s.c.Last()
			} else {
				s.k, s.v = s.c.Prev()
			}
		} else {
			s.k, s.v = s.c.Seek(s.lo)
		}
	} else if s.reverse {
		s.k, s.v = s.c.Prev()
	} else {
		s.k, s.v = s.c.Next()
	}
	if s.k == nil {
		return false
	}
	if s.reverse {
		return bytes.Compare(s.k, s.lo) >= 0
	}
	return s.hi == nil || bytes.Compare(s.k, s.hi) < 0
}

// reader reads the items of one query inside a read transaction.
type reader struct {
	t     *Table
	q     table.Query
	items *bolt.Bucket
	scan  *scan
	now   int64
}

func (t *Table) reader(tx *bolt.Tx, q table.Query, last []byte) *reader {
	r := &reader{t: t, q: q, items: tx.Bucket(bucketItems), now: t.now().Unix()}
	b := r.items
	if q.Index != "" {
		b = tx.Bucket(indexBucket(q.Index))
	}
	r.scan = newScan(b, q, last)
	return r
}

// expired reports whether the current entry is expired, from its TTL alone.
func (r *reader) expired() (bool, error) {
	var ttl int64
	var ok bool
	if r.q.Index == "" {
		var err error
		if ttl, ok, err = valueTTL(r.scan.v); err != nil {
			return false, err
		}
	} else if len(r.scan.v) > 0 {
		var n int
		ttl, n = binary.Varint(r.scan.v)
		ok = n > 0
	}
	return ok && r.t.schema.TTLAttribute != "" && ttl <= r.now, nil
}

// nextLive moves to the next live entry; false at the end.
func (r *reader) nextLive(ctx context.Context) (bool, error) {
	for i := 0; r.scan.next(); i++ {
		if i%256 == 255 {
			if err := ctx.Err(); err != nil {
				return false, err
			}
		}
		expired, err := r.expired()
		if err != nil {
			return false, err
		}
		if !expired {
			return true, nil
		}
	}
	return false, nil
}

// item decodes the current entry's item, and its encoded size.
func (r *reader) item() (table.Item, int, error) {
	ik, v := r.scan.k, r.scan.v
	if r.q.Index != "" {
		var err error
		if _, ik, err = splitIndexKey(r.scan.k); err != nil {
			return nil, 0, err
		}
		if v = r.items.Get(ik); v == nil {
			return nil, 0, fmt.Errorf("index %q entry %x points at no item", r.q.Index, r.scan.k)
		}
	}
	k, err := parseItemKey(ik)
	if err != nil {
		return nil, 0, err
	}
	it, err := decodeItem(r.t.schema, k, v)
	return it, len(ik) + len(v), err
}

// Query reads one page of a partition of the table or of an index.
func (t *Table) Query(ctx context.Context, q table.Query) (table.Page, error) {
	q, last, err := t.checkQuery(ctx, q)
	if err != nil {
		return table.Page{}, fmt.Errorf("query %q: %w", q.PK, err)
	}
	var page table.Page
	err = t.db.View(func(tx *bolt.Tx) error {
		r := t.reader(tx, q, last)
		size := 0
		var lastKey []byte
		for {
			ok, err := r.nextLive(ctx)
			if err != nil || !ok {
				return err
			}
			if q.Limit > 0 && len(page.Items) == q.Limit || q.Limit == 0 && size >= pageBytes {
				page.Next = encodeCursor(q.Index, lastKey)
				return nil
			}
			it, n, err := r.item()
			if err != nil {
				return err
			}
			page.Items = append(page.Items, it)
			size += n
			lastKey = r.scan.k
		}
	})
	if err != nil {
		return table.Page{}, fmt.Errorf("query %q: %w", q.PK, err)
	}
	return page, nil
}

// Count counts the live items a query would return, ignoring its limit and
// cursor. It reads only keys and expiry times.
func (t *Table) Count(ctx context.Context, q table.Query) (int, error) {
	q.Cursor, q.Limit = "", 0
	q, _, err := t.checkQuery(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("count %q: %w", q.PK, err)
	}
	n := 0
	err = t.db.View(func(tx *bolt.Tx) error {
		r := t.reader(tx, q, nil)
		for {
			ok, err := r.nextLive(ctx)
			if err != nil || !ok {
				return err
			}
			n++
		}
	})
	if err != nil {
		return 0, fmt.Errorf("count %q: %w", q.PK, err)
	}
	return n, nil
}

func (t *Table) checkQuery(ctx context.Context, q table.Query) (table.Query, []byte, error) {
	q, err := t.schema.CheckQuery(q)
	if err != nil {
		return q, nil, err
	}
	var last []byte
	if q.Cursor != "" {
		if last, err = decodeCursor(q); err != nil {
			return q, nil, err
		}
	}
	return q, last, ctx.Err()
}
