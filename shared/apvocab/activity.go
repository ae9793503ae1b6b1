package apvocab

import (
	"encoding/json"
	"time"
)

// Activity is any activity: Create, Update, Delete, Announce, Like,
// Dislike, Undo, Follow, Accept, Reject, View, Flag, ... and PeerTube's
// ApproveReply and RejectReply. Actor, Target and a single Object's ID are
// read by go-ap: they hold absolute IRIs only.
type Activity struct {
	Context json.RawMessage
	To, CC  []string
	Type    string
	ID      string
	Actor   string
	// Object is what the activity acts on: an IRI (Announce, Like,
	// Delete, Follow), or embedded (Create, Update, Undo, Accept).
	Object Ref
	// Objects is set instead of Object when "object" is a list (a Flag of
	// several objects).
	Objects []Ref
	Target  Ref
	// InReplyTo is set on PeerTube's ApproveReply and RejectReply.
	InReplyTo string
	Content   string
	Published time.Time
	// Expires and Result are a View's.
	Expires time.Time
	Result  *InteractionCounter
	// Signature is the Linked Data signature (RsaSignature2017) PeerTube
	// adds, kept as received.
	Signature json.RawMessage
	Extra     map[string]json.RawMessage
	memo
}

func (a *Activity) ObjectType() string { return a.Type }
func (a *Activity) ObjectID() string   { return a.ID }
func (*Activity) object()              {}

func (a *Activity) extras() *map[string]json.RawMessage { return &a.Extra }

func (a *Activity) members() []member {
	typ := strM("type", &a.Type, always)
	id := strM("id", &a.ID, always)
	actor := iriM("actor", &a.Actor, omitEmpty)
	actor.dec = nil // go-ap reads it
	head := []member{contextM(&a.Context), strsM("to", &a.To, omitNil), strsM("cc", &a.CC, omitNil)}
	switch a.Type {
	case TypeLike, TypeDislike, TypeView:
		head = append(head, id, typ) // PeerTube's order for rates and views
	default:
		head = append(head, typ, id)
	}
	return append(head,
		actor,
		a.objectM(),
		refM("target", &a.Target, omitEmpty, a.level),
		iriM("inReplyTo", &a.InReplyTo, omitEmpty),
		strM("content", &a.Content, omitEmpty),
		timeM("published", &a.Published, omitEmpty),
		timeM("expires", &a.Expires, omitEmpty),
		structM("result", &a.Result, omitEmpty),
		rawM("signature", &a.Signature, omitEmpty),
	)
}

// objectM is the "object" member: one reference, or a list of them.
func (a *Activity) objectM() member {
	one := refM("object", &a.Object, omitEmpty, a.level)
	list := refsM("object", &a.Objects, omitEmpty, a.level)
	return member{
		name: "object", mode: omitEmpty,
		dec: func(raw json.RawMessage) error {
			if kind(raw) == '[' {
				a.Object = Ref{}
				return list.dec(raw)
			}
			a.Objects = nil
			return one.dec(raw)
		},
		enc: func(e *encoder) ([]byte, error) {
			if a.Objects != nil {
				return list.enc(e)
			}
			return one.enc(e)
		},
		empty: func() bool { return a.Object.IsZero() && a.Objects == nil },
	}
}

// ObjectIDs are the IRIs of the activity's objects.
func (a *Activity) ObjectIDs() []string {
	if a.Objects == nil {
		if a.Object.ID == "" {
			return nil
		}
		return []string{a.Object.ID}
	}
	out := make([]string, 0, len(a.Objects))
	for _, r := range a.Objects {
		out = append(out, r.ID)
	}
	return out
}

// Collection is a Collection, OrderedCollection, CollectionPage or
// OrderedCollectionPage: PeerTube's outboxes, followers, likes, shares and
// comments, paged by ?page=N. The count and the page links are read by
// go-ap.
type Collection struct {
	Context    json.RawMessage
	ID         string
	Type       string
	TotalItems int64
	First      Ref
	Last       Ref
	Current    Ref
	Prev       Ref
	Next       Ref
	PartOf     Ref
	// OrderedItems (ordered collections) or Items: IRIs or objects.
	OrderedItems []Ref
	Items        []Ref
	Extra        map[string]json.RawMessage
	memo
}

func (c *Collection) ObjectType() string { return c.Type }
func (c *Collection) ObjectID() string   { return c.ID }
func (*Collection) object()              {}

func (c *Collection) extras() *map[string]json.RawMessage { return &c.Extra }

// IsPage reports whether the collection is a page of another.
func (c *Collection) IsPage() bool {
	return c.Type == TypeCollectionPage || c.Type == TypeOrderedCollectionPage
}

func (c *Collection) members() []member {
	link := func(name string, r *Ref) member {
		m := refM(name, r, omitEmpty, c.level)
		inner := m.dec
		m.dec = func(raw json.RawMessage) error {
			// go-ap reads the IRI; an embedded page is read here.
			if kind(raw) != '{' {
				return nil
			}
			return inner(raw)
		}
		return m
	}
	total := int64M("totalItems", &c.TotalItems, always)
	total.dec = nil
	head := []member{contextM(&c.Context), strM("id", &c.ID, always), strM("type", &c.Type, always)}
	ordered := refsM("orderedItems", &c.OrderedItems, omitEmpty, c.level)
	items := refsM("items", &c.Items, omitEmpty, c.level)
	if c.Type == TypeOrderedCollectionPage {
		ordered.mode = always // PeerTube writes an empty page as []
	}
	if c.IsPage() {
		return append(head, link("prev", &c.Prev), link("next", &c.Next), link("partOf", &c.PartOf),
			ordered, items, total, link("first", &c.First), link("last", &c.Last), link("current", &c.Current))
	}
	return append(head, total, link("first", &c.First), link("last", &c.Last), link("current", &c.Current),
		link("prev", &c.Prev), link("next", &c.Next), link("partOf", &c.PartOf), ordered, items)
}
