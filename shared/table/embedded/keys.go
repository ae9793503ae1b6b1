package embedded

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"

	"github.com/vidiverse/vidiverse/shared/table"
)

var (
	bucketItems = []byte("items")
	bucketTTL   = []byte("ttl")
	bucketMeta  = []byte("meta")
)

func indexBucket(name string) []byte { return []byte("ix/" + name) }

// partitionPrefix is uvarint(len(pk)) pk: the prefix of every key of a
// partition, in the items bucket and in index buckets alike.
func partitionPrefix(pk string) []byte {
	b := make([]byte, 0, binary.MaxVarintLen64+len(pk))
	b = binary.AppendUvarint(b, uint64(len(pk)))
	return append(b, pk...)
}

// itemKey is the items bucket key of k: the partition prefix, then sk.
func itemKey(k table.Key) []byte {
	return append(partitionPrefix(k.PK), k.SK...)
}

// parseItemKey is the inverse of itemKey.
func parseItemKey(b []byte) (table.Key, error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || uint64(len(b)-w) < n {
		return table.Key{}, fmt.Errorf("malformed item key %x", b)
	}
	return table.Key{PK: string(b[w : w+int(n)]), SK: string(b[w+int(n):])}, nil
}

// Index sort keys are escaped so that they end with a terminator and still
// sort in byte order: 0x00 becomes 0x00 0xff and the terminator is 0x00
// 0x01. Everything equal to a value v starts with escape(v) 0x00 0x01;
// everything greater than v starts at escape(v) 0x00 0x02 or later.
var (
	skTerm  = []byte{0x00, 0x01}
	skAfter = []byte{0x00, 0x02}
)

func appendEscaped(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		b = append(b, s[i])
		if s[i] == 0 {
			b = append(b, 0xff)
		}
	}
	return b
}

// indexKey is the key of one index entry.
func indexKey(ixpk, ixsk string, ik []byte) []byte {
	b := appendEscaped(partitionPrefix(ixpk), ixsk)
	b = append(b, skTerm...)
	return append(b, ik...)
}

// splitIndexKey returns an index entry's sort key and the item key it
// points at.
func splitIndexKey(b []byte) (string, []byte, error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || uint64(len(b)-w) < n {
		return "", nil, fmt.Errorf("malformed index key %x", b)
	}
	rest := b[w+int(n):]
	var sk []byte
	for i := 0; i+1 < len(rest); i++ {
		if rest[i] != 0 {
			sk = append(sk, rest[i])
			continue
		}
		switch rest[i+1] {
		case 0xff:
			sk = append(sk, 0)
			i++
		case 0x01:
			return string(sk), rest[i+2:], nil
		default:
			return "", nil, fmt.Errorf("malformed index key %x", b)
		}
	}
	return "", nil, fmt.Errorf("malformed index key %x", b)
}

// ttlKey orders entries by expiry (signed, big-endian with the sign bit
// flipped) and then by item key.
func ttlKey(expiry int64, ik []byte) []byte {
	b := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(ik)), uint64(expiry)^(1<<63))
	return append(b, ik...)
}

func ttlKeyExpiry(b []byte) int64 {
	if len(b) < 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b) ^ (1 << 63))
}

// prefixEnd returns the smallest key greater than every key starting with
// p, or nil when there is none.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

func concat(parts ...[]byte) []byte {
	var n int
	for _, p := range parts {
		n += len(p)
	}
	b := make([]byte, 0, n)
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// keyRange returns the bucket key range [lo, hi) that holds the items of a
// (checked) query, hi nil meaning the end of the bucket.
func keyRange(q table.Query) (lo, hi []byte) {
	p := partitionPrefix(q.PK)
	isIndex := q.Index != ""
	// first and after bound the keys whose sort key equals v.
	first := func(v string) []byte {
		if isIndex {
			return concat(appendEscaped(bytes.Clone(p), v), skTerm)
		}
		return concat(p, []byte(v))
	}
	after := func(v string) []byte {
		if isIndex {
			return concat(appendEscaped(bytes.Clone(p), v), skAfter)
		}
		return concat(p, []byte(v), []byte{0})
	}
	end := prefixEnd(p)
	switch q.SKOp {
	case table.SKEqual:
		return first(q.SK), after(q.SK)
	case table.SKBeginsWith:
		var pre []byte
		if isIndex {
			pre = appendEscaped(bytes.Clone(p), q.SK)
		} else {
			pre = concat(p, []byte(q.SK))
		}
		return pre, prefixEnd(pre)
	case table.SKBetween:
		return first(q.SK), after(q.SK2)
	case table.SKLess:
		return p, first(q.SK)
	case table.SKLessEqual:
		return p, after(q.SK)
	case table.SKGreater:
		return after(q.SK), end
	case table.SKGreaterEqual:
		return first(q.SK), end
	}
	return p, end
}

// A cursor is base64url(uvarint(len(index)) index lastkey).
func encodeCursor(index string, last []byte) string {
	b := binary.AppendUvarint(nil, uint64(len(index)))
	b = append(b, index...)
	return base64.RawURLEncoding.EncodeToString(append(b, last...))
}

// decodeCursor returns the last key of a cursor made by a query of the same
// index and partition.
func decodeCursor(q table.Query) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(q.Cursor)
	if err != nil {
		return nil, fmt.Errorf("%w: malformed cursor", table.ErrInvalid)
	}
	n, w := binary.Uvarint(b)
	if w <= 0 || uint64(len(b)-w) < n || string(b[w:w+int(n)]) != q.Index {
		return nil, fmt.Errorf("%w: cursor of another index", table.ErrInvalid)
	}
	last := b[w+int(n):]
	if !bytes.HasPrefix(last, partitionPrefix(q.PK)) {
		return nil, fmt.Errorf("%w: cursor of another partition", table.ErrInvalid)
	}
	if q.Index != "" {
		if _, _, err := splitIndexKey(last); err != nil {
			return nil, fmt.Errorf("%w: malformed cursor", table.ErrInvalid)
		}
	}
	return last, nil
}
