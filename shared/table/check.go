package table

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// The rules below are shared by every engine so that all of them accept and
// refuse the same requests, with the same errors, and agree on what a
// condition, an update and an expiry time mean.

// Key size limits (DynamoDB's).
const (
	MaxPKBytes = 2048
	MaxSKBytes = 1024
)

// String formats a key for messages.
func (k Key) String() string { return strconv.Quote(k.PK) + "/" + strconv.Quote(k.SK) }

func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// CheckKey reports ErrInvalid unless both parts of k are non-empty UTF-8
// strings within the key size limits.
func CheckKey(k Key) error {
	switch {
	case k.PK == "" || k.SK == "":
		return invalidf("key %s: pk and sk must not be empty", k)
	case !utf8.ValidString(k.PK) || !utf8.ValidString(k.SK):
		return invalidf("key %s: not valid UTF-8", k)
	case len(k.PK) > MaxPKBytes || len(k.SK) > MaxSKBytes:
		return invalidf("key %s: longer than %d/%d bytes", k, MaxPKBytes, MaxSKBytes)
	}
	return nil
}

// checkValue reports ErrInvalid unless v has one of the allowed types and
// its strings are valid UTF-8.
func checkValue(name string, v any) error {
	switch v := v.(type) {
	case string:
		if !utf8.ValidString(v) {
			return invalidf("attribute %q: string is not valid UTF-8", name)
		}
	case int64, bool, []byte:
	case []string:
		for _, s := range v {
			if !utf8.ValidString(s) {
				return invalidf("attribute %q: list element is not valid UTF-8", name)
			}
		}
	default:
		return invalidf("attribute %q: type %T is not allowed", name, v)
	}
	return nil
}

func checkName(name string) error {
	if name == "" || !utf8.ValidString(name) || len(name) > 255 {
		return invalidf("attribute name %q: must be 1 to 255 bytes of UTF-8", name)
	}
	return nil
}

// checkAttr checks one non-key attribute against the schema: index key
// attributes must be non-empty strings, the TTL attribute an int64.
func (s Schema) checkAttr(name string, v any) error {
	if err := checkName(name); err != nil {
		return err
	}
	if err := checkValue(name, v); err != nil {
		return err
	}
	if limit, ok := s.indexKeyLimit(name); ok {
		str, isString := v.(string)
		if !isString || str == "" || len(str) > limit {
			return invalidf("attribute %q is an index key: must be a string of 1 to %d bytes", name, limit)
		}
	}
	if name == s.TTLAttribute && s.TTLAttribute != "" {
		if _, ok := v.(int64); !ok {
			return invalidf("attribute %q is the TTL attribute: must be int64", name)
		}
	}
	return nil
}

func (s Schema) isIndexKey(name string) bool {
	_, ok := s.indexKeyLimit(name)
	return ok
}

// indexKeyLimit reports whether name is a key attribute of an index and
// its size limit (the smaller one when it is a sort key anywhere).
func (s Schema) indexKeyLimit(name string) (int, bool) {
	limit, found := MaxPKBytes, false
	for _, ix := range s.Indexes {
		if name == ix.PK {
			found = true
		}
		if name == ix.SK && ix.SK != "" {
			limit, found = MaxSKBytes, true
		}
	}
	return limit, found
}

// CheckItem validates an item to be written: its key attributes, the type
// of every value, index key and TTL attributes, and its size (ErrTooLarge
// above MaxItemBytes).
func (s Schema) CheckItem(it Item) error {
	pk, pkOK := it[AttrPK].(string)
	sk, skOK := it[AttrSK].(string)
	if !pkOK || !skOK {
		return invalidf("item must have string %q and %q attributes", AttrPK, AttrSK)
	}
	if err := CheckKey(Key{PK: pk, SK: sk}); err != nil {
		return err
	}
	for name, v := range it {
		if name == AttrPK || name == AttrSK {
			continue
		}
		if err := s.checkAttr(name, v); err != nil {
			return err
		}
	}
	if n := ItemSize(it); n > MaxItemBytes {
		return fmt.Errorf("%w: item %s is about %d bytes, more than %d", ErrTooLarge, it.Key(), n, MaxItemBytes)
	}
	return nil
}

// ItemSize estimates an item's size as DynamoDB counts it: attribute names
// plus values, numbers at one byte per two digits plus one.
func ItemSize(it Item) int {
	n := 0
	for name, v := range it {
		n += len(name) + valueSize(v)
	}
	return n
}

func valueSize(v any) int {
	switch v := v.(type) {
	case string:
		return len(v)
	case []byte:
		return len(v)
	case int64:
		digits := len(strconv.FormatInt(v, 10))
		if v < 0 {
			digits--
		}
		return (digits+1)/2 + 1
	case bool:
		return 1
	case []string:
		n := 3
		for _, s := range v {
			n += 1 + len(s)
		}
		return n
	}
	return 0
}

// CheckConds validates condition clauses: a non-empty attribute name, a
// known operator, and a value that the operator can compare (any allowed
// scalar for OpEqual, string or int64 for ordering operators).
func CheckConds(conds []Cond) error {
	for _, c := range conds {
		if err := checkName(c.Attr); err != nil {
			return fmt.Errorf("condition: %w", err)
		}
		switch c.Op {
		case OpExists, OpNotExists:
		case OpEqual:
			switch v := c.Value.(type) {
			case string, int64, bool, []byte:
				if err := checkValue(c.Attr, v); err != nil {
					return fmt.Errorf("condition: %w", err)
				}
			default:
				return invalidf("condition on %q: cannot compare with %T", c.Attr, c.Value)
			}
		case OpLess, OpLessEqual, OpGreater, OpGreaterEqual:
			switch v := c.Value.(type) {
			case string:
				if err := checkValue(c.Attr, v); err != nil {
					return fmt.Errorf("condition: %w", err)
				}
			case int64:
			default:
				return invalidf("condition on %q: cannot order %T", c.Attr, c.Value)
			}
		default:
			return invalidf("condition on %q: unknown operator %d", c.Attr, c.Op)
		}
	}
	return nil
}

// CheckUpdate validates an update before it is applied: the key, at least
// one change, no attribute changed twice, no key attribute changed, allowed
// value types, no Add to an index key, and a size that can fit.
func (s Schema) CheckUpdate(k Key, u Update) error {
	if err := CheckKey(k); err != nil {
		return err
	}
	if len(u.Set)+len(u.Add)+len(u.Remove) == 0 {
		return invalidf("update of %s changes nothing", k)
	}
	seen := make(map[string]bool, len(u.Set)+len(u.Add)+len(u.Remove))
	touch := func(name string) error {
		if err := checkName(name); err != nil {
			return err
		}
		if name == AttrPK || name == AttrSK {
			return invalidf("update of %s: key attribute %q cannot change", k, name)
		}
		if seen[name] {
			return invalidf("update of %s: attribute %q changed twice", k, name)
		}
		seen[name] = true
		return nil
	}
	size := len(AttrPK) + len(k.PK) + len(AttrSK) + len(k.SK)
	for name, v := range u.Set {
		if err := touch(name); err != nil {
			return err
		}
		if err := s.checkAttr(name, v); err != nil {
			return err
		}
		size += len(name) + valueSize(v)
	}
	for name := range u.Add {
		if err := touch(name); err != nil {
			return err
		}
		if s.isIndexKey(name) {
			return invalidf("update of %s: index key %q cannot be a number", k, name)
		}
	}
	for _, name := range u.Remove {
		if err := touch(name); err != nil {
			return err
		}
	}
	if size > MaxItemBytes {
		return fmt.Errorf("%w: update of %s sets about %d bytes, more than %d", ErrTooLarge, k, size, MaxItemBytes)
	}
	return nil
}

// CheckQuery validates a query and returns it normalized: SKBeginsWith ""
// becomes SKAny. It reports ErrInvalid for an unknown index, an empty
// partition, an empty sort key bound, a BETWEEN whose bounds are reversed, a
// sort key condition on an index without a sort key, or a negative limit.
func (s Schema) CheckQuery(q Query) (Query, error) {
	skAttr := AttrSK
	if q.Index != "" {
		ix, ok := s.IndexByName(q.Index)
		if !ok {
			return q, invalidf("query: unknown index %q", q.Index)
		}
		skAttr = ix.SK
	}
	if q.PK == "" || !utf8.ValidString(q.PK) {
		return q, invalidf("query: partition key must be non-empty UTF-8")
	}
	if q.Limit < 0 {
		return q, invalidf("query: negative limit %d", q.Limit)
	}
	if q.SKOp == SKBeginsWith && q.SK == "" {
		q.SKOp = SKAny
	}
	switch q.SKOp {
	case SKAny:
		q.SK, q.SK2 = "", ""
		return q, nil
	case SKEqual, SKBeginsWith, SKLess, SKLessEqual, SKGreater, SKGreaterEqual:
		q.SK2 = ""
	case SKBetween:
		if q.SK2 == "" || !utf8.ValidString(q.SK2) || q.SK > q.SK2 {
			return q, invalidf("query: BETWEEN needs bounds %q <= %q", q.SK, q.SK2)
		}
	default:
		return q, invalidf("query: unknown sort key operator %d", q.SKOp)
	}
	if skAttr == "" {
		return q, invalidf("query: index %q has no sort key", q.Index)
	}
	if q.SK == "" || !utf8.ValidString(q.SK) {
		return q, invalidf("query: sort key bound must be non-empty UTF-8")
	}
	return q, nil
}

// CheckBatchKeys validates the keys of a BatchGet: at most MaxBatchGet,
// each a valid key. Repeated keys are allowed.
func CheckBatchKeys(keys []Key) error {
	if len(keys) > MaxBatchGet {
		return invalidf("batch get of %d keys, more than %d", len(keys), MaxBatchGet)
	}
	for _, k := range keys {
		if err := CheckKey(k); err != nil {
			return err
		}
	}
	return nil
}

// Target returns the key an operation touches.
func (op Op) Target() Key {
	if op.Kind == OpPut {
		return op.Item.Key()
	}
	return op.Key
}

// CheckOps validates a transaction: 1 to MaxTransactOps operations of known
// kinds, each valid on its own, conditions on every check, and no key
// touched twice.
func (s Schema) CheckOps(ops []Op) error {
	if len(ops) == 0 || len(ops) > MaxTransactOps {
		return invalidf("transaction of %d operations, want 1 to %d", len(ops), MaxTransactOps)
	}
	seen := make(map[Key]int, len(ops))
	for i, op := range ops {
		var err error
		switch op.Kind {
		case OpPut:
			err = s.CheckItem(op.Item)
		case OpUpdate:
			err = s.CheckUpdate(op.Key, op.Update)
		case OpDelete:
			err = CheckKey(op.Key)
		case OpCheck:
			err = CheckKey(op.Key)
			if err == nil && len(op.Conds) == 0 {
				err = invalidf("check of %s without conditions", op.Key)
			}
		default:
			err = invalidf("unknown operation kind %d", op.Kind)
		}
		if err == nil {
			err = CheckConds(op.Conds)
		}
		if err != nil {
			return fmt.Errorf("op %d: %w", i, err)
		}
		k := op.Target()
		if j, dup := seen[k]; dup {
			return invalidf("ops %d and %d both touch %s", j, i, k)
		}
		seen[k] = i
	}
	return nil
}
