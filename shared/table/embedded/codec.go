package embedded

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/vidiverse/vidiverse/shared/table"
)

// An item is stored as:
//
//	version byte (1)
//	flags byte: bit 0 set when the item has a TTL
//	varint TTL, when flagged
//	uvarint number of attributes, then for each attribute, in name order:
//	  uvarint len(name) name, type byte, payload
//
// pk and sk are not stored (the bucket key holds them) and neither is the
// TTL attribute (the header holds it). Payloads: 's' and 'b' uvarint
// length and bytes; 'i' varint; 't' and 'f' nothing (true, false); 'l'
// uvarint count, then each string as uvarint length and bytes.
const codecVersion = 1

const flagTTL = 1

// encodeItem encodes a checked item.
func encodeItem(s table.Schema, it table.Item) []byte {
	names := make([]string, 0, len(it))
	size := 16
	for name, v := range it {
		if name == table.AttrPK || name == table.AttrSK {
			continue
		}
		if _, isInt := v.(int64); isInt && name == s.TTLAttribute {
			continue // kept in the header
		}
		names = append(names, name)
		size += len(name) + 12 + valueLen(v)
	}
	slices.Sort(names)
	b := make([]byte, 0, size)
	b = append(b, codecVersion)
	if ttl, ok := ttlOf(s, it); ok {
		b = append(b, flagTTL)
		b = binary.AppendVarint(b, ttl)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(names)))
	for _, name := range names {
		b = appendString(b, name)
		switch v := it[name].(type) {
		case string:
			b = appendString(append(b, 's'), v)
		case []byte:
			b = appendString(append(b, 'b'), string(v))
		case int64:
			b = binary.AppendVarint(append(b, 'i'), v)
		case bool:
			if v {
				b = append(b, 't')
			} else {
				b = append(b, 'f')
			}
		case []string:
			b = binary.AppendUvarint(append(b, 'l'), uint64(len(v)))
			for _, e := range v {
				b = appendString(b, e)
			}
		}
	}
	return b
}

func valueLen(v any) int {
	switch v := v.(type) {
	case string:
		return len(v)
	case []byte:
		return len(v)
	case []string:
		n := 0
		for _, e := range v {
			n += len(e) + 4
		}
		return n
	}
	return 10
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// ttlOf returns an item's TTL attribute, when it has one.
func ttlOf(s table.Schema, it table.Item) (int64, bool) {
	if s.TTLAttribute == "" {
		return 0, false
	}
	ttl, ok := it[s.TTLAttribute].(int64)
	return ttl, ok
}

var errCorrupt = errors.New("corrupt item encoding")

// valueTTL reads only the TTL from an encoded item.
func valueTTL(b []byte) (int64, bool, error) {
	if len(b) < 2 || b[0] != codecVersion {
		return 0, false, errCorrupt
	}
	if b[1]&flagTTL == 0 {
		return 0, false, nil
	}
	ttl, n := binary.Varint(b[2:])
	if n <= 0 {
		return 0, false, errCorrupt
	}
	return ttl, true, nil
}

// decodeItem decodes an item stored under k. The result shares no memory
// with b (bbolt's memory is only valid inside its transaction).
func decodeItem(s table.Schema, k table.Key, b []byte) (table.Item, error) {
	d := decoder{b: b}
	if d.byte() != codecVersion {
		return nil, fmt.Errorf("item %s: %w: unknown version", k, errCorrupt)
	}
	flags := d.byte()
	it := table.Item{table.AttrPK: k.PK, table.AttrSK: k.SK}
	if flags&flagTTL != 0 {
		it[s.TTLAttribute] = d.varint()
	}
	n := d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		name := d.string()
		switch d.byte() {
		case 's':
			it[name] = d.string()
		case 'b':
			it[name] = []byte(d.string())
		case 'i':
			it[name] = d.varint()
		case 't':
			it[name] = true
		case 'f':
			it[name] = false
		case 'l':
			count := d.uvarint()
			if count > uint64(len(d.b)) {
				d.err = errCorrupt
				break
			}
			list := make([]string, count)
			for j := range list {
				list[j] = d.string()
			}
			it[name] = list
		default:
			d.err = errCorrupt
		}
	}
	if d.err != nil || len(d.b) != 0 {
		return nil, fmt.Errorf("item %s: %w", k, errCorrupt)
	}
	return it, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.err = errCorrupt
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}
