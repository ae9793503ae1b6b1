package apvocab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// Every struct of this package is read and written through a table of its
// members (name, decoder, encoder, emission rule), so one table gives both
// directions and the field order PeerTube writes.

// emit says when a member is written for a value built in Go (not decoded).
type emit int

const (
	omitEmpty emit = iota // written when not empty
	omitNil               // slices: written when not nil ([] for an empty one)
	always                // always written
	nullEmpty             // always written, null when empty
)

type member struct {
	name  string
	dec   func(json.RawMessage) error // nil: read elsewhere (go-ap's pass)
	enc   func(e *encoder) ([]byte, error)
	empty func() bool
	mode  emit
	// when, if set, decides whether a value built in Go writes the member.
	when func() bool
}

// value is the member's encoding: null for an empty nullEmpty member.
func (m *member) value(e *encoder) ([]byte, error) {
	if m.mode == nullEmpty && m.empty() {
		return []byte("null"), nil
	}
	return m.enc(e)
}

// fresh says whether a value built in Go writes the member.
func (m *member) fresh() bool {
	if m.when != nil {
		return m.when()
	}
	switch m.mode {
	case always, nullEmpty:
		return true
	default:
		return !m.empty()
	}
}

// structured is implemented by every struct of the package.
type structured interface {
	members() []member
	extras() *map[string]json.RawMessage
	source() **source
}

// source remembers how a decoded value was written, so that re-encoding an
// unchanged value gives back the document it came from: the member order,
// each member's bytes as received, and our own encoding of each decoded
// known member (when it still encodes the same, the received bytes are
// written instead, keeping forms such as a single "to" string, a time
// without milliseconds or an escaped character).
type source struct {
	order []string
	raw   map[string]json.RawMessage
	seen  map[string][]byte
}

// readObject splits a JSON object into its members, in document order. A
// repeated name keeps its first position and its last value.
func readObject(raw []byte) ([]string, map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	tok, err := dec.Token()
	if err != nil {
		return nil, nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, fmt.Errorf("not a JSON object")
	}
	var order []string
	vals := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, fmt.Errorf("member %q: %w", key, err)
		}
		if _, dup := vals[key]; !dup {
			order = append(order, key)
		}
		vals[key] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, nil, fmt.Errorf("data after the JSON object")
	}
	return order, vals, nil
}

// WithMember returns the JSON object raw with member name set to value,
// in place when present, last otherwise; the other members keep their
// order and bytes (a repeated name once, with its last value).
func WithMember(raw []byte, name string, value json.RawMessage) ([]byte, error) {
	order, vals, err := readObject(raw)
	if err != nil {
		return nil, err
	}
	if _, ok := vals[name]; !ok {
		order = append(order, name)
	}
	vals[name] = value
	w := &objectWriter{first: true}
	for _, k := range order {
		w.put(k, vals[k])
	}
	return w.bytes(), nil
}

// decodeMembers fills s from a JSON object: known members through their
// decoders, the others into its Extra map. remember must be called once the
// value is complete.
func decodeMembers(raw []byte, s structured) error {
	order, vals, err := readObject(raw)
	if err != nil {
		return err
	}
	return decodeParsed(order, vals, s)
}

// decodeParsed is decodeMembers on an object readObject has split.
func decodeParsed(order []string, vals map[string]json.RawMessage, s structured) error {
	ms := s.members()
	known := make(map[string]*member, len(ms))
	for i := range ms {
		known[ms[i].name] = &ms[i]
	}
	extra := s.extras()
	for _, k := range order {
		v := vals[k]
		m, ok := known[k]
		if !ok {
			if *extra == nil {
				*extra = map[string]json.RawMessage{}
			}
			(*extra)[k] = v
			continue
		}
		if m.dec == nil {
			continue
		}
		if err := m.dec(v); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	*s.source() = &source{order: order, raw: vals}
	return nil
}

// remember records our encoding of each decoded known member.
func remember(s structured) error {
	src := *s.source()
	if src == nil {
		return nil
	}
	e := &encoder{}
	src.seen = map[string][]byte{}
	for _, m := range s.members() {
		if _, ok := src.raw[m.name]; !ok {
			continue
		}
		b, err := m.value(e)
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		src.seen[m.name] = b
	}
	return nil
}

// encoder writes values; canonical ignores how decoded values were written.
type encoder struct {
	canonical bool
}

type objectWriter struct {
	buf   bytes.Buffer
	first bool
}

func (w *objectWriter) put(name string, v []byte) {
	if w.first {
		w.buf.WriteByte('{')
		w.first = false
	} else {
		w.buf.WriteByte(',')
	}
	k, _ := marshal(name)
	w.buf.Write(k)
	w.buf.WriteByte(':')
	w.buf.Write(v)
}

func (w *objectWriter) bytes() []byte {
	if w.first {
		return []byte("{}")
	}
	w.buf.WriteByte('}')
	return w.buf.Bytes()
}

// encodeMembers writes s as a JSON object. A decoded value keeps its member
// order and the received bytes of unchanged members; members it did not
// have are written after them when not empty. A value built in Go is
// written in the members' order, then its Extra members by name.
func encodeMembers(e *encoder, s structured) ([]byte, map[string]bool, error) {
	ms := s.members()
	extra := *s.extras()
	var src *source
	if !e.canonical {
		src = *s.source()
	}
	w := &objectWriter{first: true}
	done := make(map[string]bool, len(ms)+len(extra))
	byName := make(map[string]*member, len(ms))
	for i := range ms {
		byName[ms[i].name] = &ms[i]
	}
	if src != nil {
		for _, k := range src.order {
			m, ok := byName[k]
			if !ok {
				if v, ok := extra[k]; ok {
					w.put(k, v)
					done[k] = true
				}
				continue
			}
			v, err := m.value(e)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", k, err)
			}
			if seen, ok := src.seen[k]; ok && bytes.Equal(seen, v) {
				v = src.raw[k]
			}
			w.put(k, v)
			done[k] = true
		}
	}
	for i := range ms {
		m := &ms[i]
		if done[m.name] {
			continue
		}
		if _, dup := extra[m.name]; dup && m.empty() {
			continue // an Extra member of that name stands in for it
		}
		if src != nil && m.empty() {
			continue
		}
		if src == nil && !m.fresh() {
			continue
		}
		v, err := m.value(e)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", m.name, err)
		}
		w.put(m.name, v)
		done[m.name] = true
	}
	var rest []string
	for k := range extra {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		w.put(k, extra[k])
		done[k] = true
	}
	return w.bytes(), done, nil
}

// marshal encodes a plain value without escaping <, > and &, as PeerTube
// (JavaScript's JSON.stringify) writes them.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
