package table

import (
	"bytes"
	"math"
	"slices"
	"time"
)

// Evaluation shared by the engines: conditions, expiry, updates and sort
// key conditions, computed on items in memory.

// Match reports whether every clause holds on it. A nil item is an absent
// one: only OpNotExists holds on it. Callers pass nil for an expired item.
func Match(it Item, conds []Cond) bool {
	for _, c := range conds {
		if !c.holds(it) {
			return false
		}
	}
	return true
}

func (c Cond) holds(it Item) bool {
	v, present := it[c.Attr]
	switch c.Op {
	case OpExists:
		return present
	case OpNotExists:
		return !present
	}
	if !present {
		return false
	}
	if c.Op == OpEqual {
		return SameValue(v, c.Value)
	}
	var cmp int
	switch a := v.(type) {
	case string:
		b, ok := c.Value.(string)
		if !ok {
			return false
		}
		cmp = compareStrings(a, b)
	case int64:
		b, ok := c.Value.(int64)
		if !ok {
			return false
		}
		cmp = compareInts(a, b)
	default:
		return false
	}
	switch c.Op {
	case OpLess:
		return cmp < 0
	case OpLessEqual:
		return cmp <= 0
	case OpGreater:
		return cmp > 0
	case OpGreaterEqual:
		return cmp >= 0
	}
	return false
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compareInts(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SameValue reports whether two allowed values have the same type and value.
func SameValue(a, b any) bool {
	switch a := a.(type) {
	case string:
		b, ok := b.(string)
		return ok && a == b
	case int64:
		b, ok := b.(int64)
		return ok && a == b
	case bool:
		b, ok := b.(bool)
		return ok && a == b
	case []byte:
		b, ok := b.([]byte)
		return ok && bytes.Equal(a, b)
	case []string:
		b, ok := b.([]string)
		return ok && slices.Equal(a, b)
	}
	return false
}

// Expired reports whether it carries a TTL at or before now.
func (s Schema) Expired(it Item, now time.Time) bool {
	if s.TTLAttribute == "" || it == nil {
		return false
	}
	ttl, ok := it[s.TTLAttribute].(int64)
	return ok && ttl <= now.Unix()
}

// Live returns it, or nil when it is absent or expired at now.
func (s Schema) Live(it Item, now time.Time) Item {
	if it == nil || s.Expired(it, now) {
		return nil
	}
	return it
}

// Apply returns the item that results from applying u to old (nil when
// absent or expired). It does not modify old. The result is checked with
// CheckItem; an Add to a non-int64 attribute or one that overflows is
// ErrInvalid.
func (s Schema) Apply(old Item, k Key, u Update) (Item, error) {
	it := CopyItem(old)
	if it == nil {
		it = Item{}
	}
	it[AttrPK], it[AttrSK] = k.PK, k.SK
	for name, v := range u.Set {
		it[name] = copyValue(v)
	}
	for name, d := range u.Add {
		cur := int64(0)
		if v, ok := it[name]; ok {
			n, isInt := v.(int64)
			if !isInt {
				return nil, invalidf("update of %s: cannot add to %q of type %T", k, name, v)
			}
			cur = n
		}
		if d > 0 && cur > math.MaxInt64-d || d < 0 && cur < math.MinInt64-d {
			return nil, invalidf("update of %s: adding %d to %q overflows", k, d, name)
		}
		it[name] = cur + d
	}
	for _, name := range u.Remove {
		delete(it, name)
	}
	if err := s.CheckItem(it); err != nil {
		return nil, err
	}
	return it, nil
}

// CopyItem returns a deep copy of it (nil for nil).
func CopyItem(it Item) Item {
	if it == nil {
		return nil
	}
	out := make(Item, len(it))
	for k, v := range it {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch v := v.(type) {
	case []byte:
		return append([]byte{}, v...)
	case []string:
		return append([]string{}, v...)
	}
	return v
}

// MatchSK reports whether a sort key satisfies the query's sort key
// condition (of a query returned by CheckQuery).
func (q Query) MatchSK(sk string) bool {
	switch q.SKOp {
	case SKEqual:
		return sk == q.SK
	case SKBeginsWith:
		return len(sk) >= len(q.SK) && sk[:len(q.SK)] == q.SK
	case SKBetween:
		return q.SK <= sk && sk <= q.SK2
	case SKLess:
		return sk < q.SK
	case SKLessEqual:
		return sk <= q.SK
	case SKGreater:
		return sk > q.SK
	case SKGreaterEqual:
		return sk >= q.SK
	}
	return true
}
