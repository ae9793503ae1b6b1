package apvocab

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
)

// Object is a decoded ActivityStreams object: *Actor, *Video, *Note,
// *Activity, *Collection, *Tombstone, or *Unknown for any other type.
type Object interface {
	// ObjectType is the object's "type".
	ObjectType() string
	// ObjectID is the object's "id".
	ObjectID() string
	object()
}

var (
	_ Object = (*Actor)(nil)
	_ Object = (*Video)(nil)
	_ Object = (*Note)(nil)
	_ Object = (*Activity)(nil)
	_ Object = (*Collection)(nil)
	_ Object = (*Tombstone)(nil)
	_ Object = (*Unknown)(nil)
)

// ErrNotActivity is returned by DecodeActivity for a document that is not
// an activity.
var ErrNotActivity = errors.New("not an activity")

// Unknown is an object of a type this package does not model (a playlist,
// a CacheFile, a Question, ...), kept as received.
type Unknown struct {
	Type string
	ID   string
	Raw  json.RawMessage
}

func (u *Unknown) ObjectType() string { return u.Type }
func (u *Unknown) ObjectID() string   { return u.ID }
func (*Unknown) object()              {}

// Ref is a member that names another object: by its IRI, as a {type, id}
// stub (PeerTube's attributedTo), or with the object embedded.
type Ref struct {
	ID string
	// Type is the type of a stub or of the embedded object; "" for an IRI.
	Type string
	// Object is the embedded object, nil for an IRI or a stub.
	Object Object
}

// IsZero reports whether the reference names nothing.
func (r Ref) IsZero() bool { return r.ID == "" && r.Object == nil }

// maxEmbedded bounds how deep objects embed objects (PeerTube's deepest:
// a collection page of Announces of Creates of Notes). Each embedded
// object is read on its own, so the bound also bounds the work.
const maxEmbedded = 8

func decodeRef(raw []byte, level int) (Ref, error) {
	switch kind(raw) {
	case 'n':
		return Ref{}, nil
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return Ref{ID: s}, err
	case '{':
		order, vals, err := readObject(raw)
		if err != nil {
			return Ref{}, err
		}
		if isStub(order, vals) {
			var r Ref
			_ = json.Unmarshal(vals["id"], &r.ID)
			_ = json.Unmarshal(vals["type"], &r.Type)
			return r, nil
		}
		if level > maxEmbedded {
			return Ref{}, fmt.Errorf("objects embedded more than %d deep", maxEmbedded)
		}
		o, err := decodeRead(raw, order, vals, level)
		if err != nil {
			return Ref{}, err
		}
		return Ref{ID: o.ObjectID(), Type: o.ObjectType(), Object: o}, nil
	}
	return Ref{}, fmt.Errorf("not an object or IRI: %.40s", raw)
}

// isStub reports whether an object has only a string id and a string type.
func isStub(order []string, vals map[string]json.RawMessage) bool {
	if len(order) != 2 {
		return false
	}
	for _, k := range order {
		if (k != "id" && k != "type") || kind(vals[k]) != '"' {
			return false
		}
	}
	return true
}

func encodeRef(e *encoder, r Ref) ([]byte, error) {
	switch {
	case r.Object != nil:
		return encodeObject(e, r.Object, false)
	case r.Type != "":
		w := &objectWriter{first: true}
		t, _ := marshal(r.Type)
		id, _ := marshal(r.ID)
		w.put("type", t)
		w.put("id", id)
		return w.bytes(), nil
	}
	return marshal(r.ID)
}

// refM is a member holding one reference, of an object embedded at level.
func refM(name string, p *Ref, mode emit, level int) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			r, err := decodeRef(raw, level+1)
			*p = r
			return err
		},
		enc:   func(e *encoder) ([]byte, error) { return encodeRef(e, *p) },
		empty: func() bool { return p.IsZero() },
	}
}

// refsM is a member holding a list of references (one alone is read as a
// list of one), of an object embedded at level.
func refsM(name string, p *[]Ref, mode emit, level int) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			rs, err := decodeRefs(raw, level+1)
			*p = rs
			return err
		},
		enc: func(e *encoder) ([]byte, error) {
			var b bytes.Buffer
			b.WriteByte('[')
			for i, r := range *p {
				if i > 0 {
					b.WriteByte(',')
				}
				v, err := encodeRef(e, r)
				if err != nil {
					return nil, fmt.Errorf("[%d]: %w", i, err)
				}
				b.Write(v)
			}
			b.WriteByte(']')
			return b.Bytes(), nil
		},
		empty: func() bool {
			if mode == omitNil {
				return *p == nil
			}
			return len(*p) == 0
		},
	}
}

func decodeRefs(raw []byte, level int) ([]Ref, error) {
	switch kind(raw) {
	case 'n':
		return nil, nil
	case '[':
	default:
		r, err := decodeRef(raw, level)
		return []Ref{r}, err
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	out := make([]Ref, len(list))
	for i, v := range list {
		r, err := decodeRef(v, level)
		if err != nil {
			return nil, fmt.Errorf("[%d]: %w", i, err)
		}
		out[i] = r
	}
	return out, nil
}

// Decode reads one ActivityStreams document into the type its "type"
// names. Every member is kept: those the type models in its fields, the
// others in its Extra map; Encode of an unchanged value gives the document
// back.
func Decode(raw []byte) (Object, error) {
	if d := nesting(raw); d > maxNesting {
		return nil, fmt.Errorf("decode activitystreams object: nested %d levels deep, more than %d", d, maxNesting)
	}
	order, vals, err := readObject(raw)
	if err != nil {
		return nil, fmt.Errorf("decode activitystreams object: %w", err)
	}
	o, err := decodeRead(raw, order, vals, 0)
	if err != nil {
		return nil, fmt.Errorf("decode activitystreams object: %w", err)
	}
	return o, nil
}

// DecodeActivity reads an activity (Create, Follow, Like, View, ...,
// PeerTube's ApproveReply and RejectReply). Other documents give an error
// wrapping ErrNotActivity.
func DecodeActivity(raw []byte) (*Activity, error) {
	o, err := Decode(raw)
	if err != nil {
		return nil, err
	}
	a, ok := o.(*Activity)
	if !ok {
		return nil, fmt.Errorf("decode activity of type %q: %w", o.ObjectType(), ErrNotActivity)
	}
	return a, nil
}

// maxNesting bounds how deep a document nests objects and lists; the
// deepest PeerTube writes (a collection page of Create activities of
// Videos, their HLS links and files) is about a dozen. Each nested value
// is read on its own, so the bound also bounds the work.
const maxNesting = 32

// nesting is the deepest nesting of objects and lists in a JSON document.
func nesting(raw []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}

func decodeRead(raw []byte, order []string, vals map[string]json.RawMessage, level int) (Object, error) {
	var typ, id string
	if kind(vals["type"]) == '"' {
		_ = json.Unmarshal(vals["type"], &typ)
	}
	if kind(vals["id"]) == '"' {
		_ = json.Unmarshal(vals["id"], &id)
	}
	var (
		o   Object
		err error
	)
	switch classify(typ) {
	case kindActor:
		a := &Actor{memo: memo{level: level}}
		o, err = a, decodeObject(raw, order, vals, a, readActorRefs)
	case kindVideo:
		v := &Video{memo: memo{level: level}}
		o, err = v, decodeObject(raw, order, vals, v, nil)
	case kindNote:
		n := &Note{memo: memo{level: level}}
		o, err = n, decodeObject(raw, order, vals, n, nil)
	case kindActivity:
		a := &Activity{memo: memo{level: level}}
		o, err = a, decodeObject(raw, order, vals, a, readActivityRefs)
	case kindCollection:
		c := &Collection{memo: memo{level: level}}
		o, err = c, decodeObject(raw, order, vals, c, readCollectionRefs)
	case kindTombstone:
		t := &Tombstone{memo: memo{level: level}}
		o, err = t, decodeObject(raw, order, vals, t, nil)
	default:
		return &Unknown{Type: typ, ID: id, Raw: bytes.Clone(raw)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", typ, id, err)
	}
	return o, nil
}

func decodeObject[T structured](raw []byte, order []string, vals map[string]json.RawMessage, v T,
	refs func([]byte, T) error) error {
	if err := decodeParsed(order, vals, v); err != nil {
		return err
	}
	if refs != nil {
		if err := refs(raw, v); err != nil {
			return err
		}
	}
	return remember(v)
}

// Encode writes an object as JSON. A decoded, unchanged object gives back
// its document; a changed one keeps the order and form of its unchanged
// members. An object built in Go is written as PeerTube writes it, with
// PeerTube's @context for its type when Context is unset.
func Encode(o Object) ([]byte, error) {
	if isNil(o) {
		return nil, errors.New("encode: no object")
	}
	b, err := encodeObject(&encoder{}, o, true)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", o.ObjectType(), o.ObjectID(), err)
	}
	return b, nil
}

// EncodeCanonical writes an object as PeerTube writes its own, ignoring how
// a decoded object was written: member order and forms are PeerTube's,
// members an object does not model follow by name.
func EncodeCanonical(o Object) ([]byte, error) {
	if isNil(o) {
		return nil, errors.New("encode: no object")
	}
	b, err := encodeObject(&encoder{canonical: true}, o, true)
	if err != nil {
		return nil, fmt.Errorf("encode %s %s: %w", o.ObjectType(), o.ObjectID(), err)
	}
	return b, nil
}

// isNil reports whether o is nil or a nil pointer.
func isNil(o Object) bool {
	if o == nil {
		return true
	}
	v := reflect.ValueOf(o)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

func encodeObject(e *encoder, o Object, top bool) ([]byte, error) {
	if isNil(o) {
		return nil, errors.New("nil object")
	}
	if u, ok := o.(*Unknown); ok {
		if len(u.Raw) == 0 {
			return nil, errors.New("unknown object without a document")
		}
		return u.Raw, nil
	}
	s, ok := o.(structured)
	if !ok {
		return nil, fmt.Errorf("cannot encode %T", o)
	}
	b, done, err := encodeMembers(e, s)
	if err != nil || !top || done["@context"] {
		return b, err
	}
	// A document needs a context: PeerTube's for the object's type.
	ctx := defaultContext(o)
	out := make([]byte, 0, len(b)+len(ctx)+16)
	out = append(out, `{"@context":`...)
	out = append(out, ctx...)
	if len(b) > 2 {
		out = append(out, ',')
	}
	return append(out, b[1:]...), nil
}
