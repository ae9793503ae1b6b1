package apvocab

import (
	"errors"
	"fmt"

	vocab "github.com/go-ap/activitypub"
	"github.com/valyala/fastjson"
)

// This file is the only one that imports go-ap/activitypub. It supplies the
// type vocabulary and reads the reference members of activities,
// collections and actors (see doc.go for what it loses and why the rest is
// read by this package).

// ActivityStreams types, as go-ap names them.
const (
	TypeApplication  = string(vocab.ApplicationType)
	TypeGroup        = string(vocab.GroupType)
	TypeOrganization = string(vocab.OrganizationType)
	TypePerson       = string(vocab.PersonType)
	TypeService      = string(vocab.ServiceType)

	TypeArticle   = string(vocab.ArticleType)
	TypeImage     = string(vocab.ImageType)
	TypeLink      = string(vocab.LinkType)
	TypeMention   = string(vocab.MentionType)
	TypeNote      = string(vocab.NoteType)
	TypePage      = string(vocab.PageType)
	TypeTombstone = string(vocab.TombstoneType)
	TypeVideo     = string(vocab.VideoType)

	TypeCollection            = string(vocab.CollectionType)
	TypeCollectionPage        = string(vocab.CollectionPageType)
	TypeOrderedCollection     = string(vocab.OrderedCollectionType)
	TypeOrderedCollectionPage = string(vocab.OrderedCollectionPageType)

	TypeAccept   = string(vocab.AcceptType)
	TypeAdd      = string(vocab.AddType)
	TypeAnnounce = string(vocab.AnnounceType)
	TypeBlock    = string(vocab.BlockType)
	TypeCreate   = string(vocab.CreateType)
	TypeDelete   = string(vocab.DeleteType)
	TypeDislike  = string(vocab.DislikeType)
	TypeFlag     = string(vocab.FlagType)
	TypeFollow   = string(vocab.FollowType)
	TypeLike     = string(vocab.LikeType)
	TypeReject   = string(vocab.RejectType)
	TypeRemove   = string(vocab.RemoveType)
	TypeUndo     = string(vocab.UndoType)
	TypeUpdate   = string(vocab.UpdateType)
	TypeView     = string(vocab.ViewType)
)

// Types of the extensions PeerTube and Mastodon use.
const (
	TypeApproveReply       = "ApproveReply" // PeerTube 6.2+: a held comment approved
	TypeRejectReply        = "RejectReply"  // PeerTube 6.2+: a held comment rejected
	TypeCacheFile          = "CacheFile"    // PeerTube redundancy
	TypeHashtag            = "Hashtag"
	TypeInfohash           = "Infohash" // PeerTube: a P2P infohash of an HLS playlist
	TypeSensitiveTag       = "SensitiveTag"
	TypePropertyValue      = "PropertyValue"
	TypeInteractionCounter = "InteractionCounter"
	TypeWatchAction        = "WatchAction"
)

// Public is the ActivityStreams public collection.
const Public = string(vocab.PublicNS)

// IsPublic reports whether an addressee is the public collection, in any
// of the forms servers write (PeerTube accepts "as:Public" too).
func IsPublic(iri string) bool {
	return iri == Public || iri == "as:Public" || iri == "Public"
}

func init() {
	// go-ap's hooks, set here only: PeerTube's own activity types load as
	// activities, and types go-ap does not know (Hashtag, Infohash,
	// CacheFile, ...) as plain objects instead of being dropped.
	vocab.ItemTyperFunc = itemByType
	vocab.JSONItemUnmarshal = loadUnknown
}

func itemByType(t vocab.ActivityVocabularyType) (vocab.Item, error) {
	switch t {
	case TypeApproveReply, TypeRejectReply:
		return &vocab.Activity{Type: t}, nil
	}
	return vocab.GetItemByType(t)
}

func loadUnknown(t vocab.ActivityVocabularyType, val *fastjson.Value, it vocab.Item) error {
	switch v := it.(type) {
	case *vocab.Activity:
		return vocab.JSONLoadActivity(val, v)
	case *vocab.Object:
		return vocab.JSONLoadObject(val, v)
	}
	return fmt.Errorf("no loader for %s into %T", t, it)
}

type objectKind int

const (
	kindUnknown objectKind = iota
	kindActor
	kindVideo
	kindNote
	kindActivity
	kindCollection
	kindTombstone
)

// classify says which of the package's types holds an object of type t.
func classify(t string) objectKind {
	vt := vocab.ActivityVocabularyType(t)
	switch {
	case t == "":
		return kindUnknown
	case vocab.ActorTypes.Contains(vt):
		return kindActor
	case vt == vocab.VideoType:
		return kindVideo
	case vt == vocab.NoteType, vt == vocab.ArticleType, vt == vocab.PageType:
		return kindNote
	case vt == vocab.TombstoneType:
		return kindTombstone
	case vt == vocab.CollectionType, vt == vocab.OrderedCollectionType,
		vt == vocab.CollectionPageType, vt == vocab.OrderedCollectionPageType:
		return kindCollection
	case vocab.ActivityTypes.Contains(vt), vt == vocab.ArriveType, vt == vocab.TravelType,
		t == TypeApproveReply, t == TypeRejectReply:
		return kindActivity
	}
	return kindUnknown
}

// readVocab is go-ap's reading of a document.
func readVocab(raw []byte) (it vocab.Item, err error) {
	defer func() {
		if r := recover(); r != nil {
			it, err = nil, fmt.Errorf("activity vocabulary: %v", r)
		}
	}()
	it, err = vocab.UnmarshalJSON(raw)
	if err == nil && vocab.IsNil(it) {
		err = errors.New("activity vocabulary: not an ActivityStreams object")
	}
	return it, err
}

// iri is the IRI of a reference member go-ap read: an absolute IRI, or the
// id of an embedded object; "" for anything else.
func iri(it vocab.Item) string {
	if vocab.IsNil(it) || vocab.IsItemCollection(it) {
		return ""
	}
	return string(it.GetLink())
}

// readActivityRefs sets an activity's actor, target and (single) object
// reference from go-ap's reading.
func readActivityRefs(raw []byte, a *Activity) error {
	it, err := readVocab(raw)
	if err != nil {
		return err
	}
	var actor, object, target vocab.Item
	switch v := it.(type) {
	case *vocab.Activity:
		actor, object, target = v.Actor, v.Object, v.Target
	case *vocab.IntransitiveActivity:
		actor, target = v.Actor, v.Target
	default:
		return fmt.Errorf("activity vocabulary: %T is not an activity", it)
	}
	a.Actor = iri(actor)
	if a.Objects == nil {
		a.Object.ID = iri(object)
	}
	a.Target.ID = iri(target)
	return nil
}

// readCollectionRefs sets a collection's count and page links from go-ap's
// reading.
func readCollectionRefs(raw []byte, c *Collection) error {
	it, err := readVocab(raw)
	if err != nil {
		return err
	}
	var total uint
	var first, last, current, next, prev, partOf vocab.Item
	switch v := it.(type) {
	case *vocab.OrderedCollectionPage:
		total, first, last, current = v.TotalItems, v.First, v.Last, v.Current
		next, prev, partOf = v.Next, v.Prev, v.PartOf
	case *vocab.CollectionPage:
		total, first, last, current = v.TotalItems, v.First, v.Last, v.Current
		next, prev, partOf = v.Next, v.Prev, v.PartOf
	case *vocab.OrderedCollection:
		total, first, last, current = v.TotalItems, v.First, v.Last, v.Current
	case *vocab.Collection:
		total, first, last, current = v.TotalItems, v.First, v.Last, v.Current
	default:
		return fmt.Errorf("activity vocabulary: %T is not a collection", it)
	}
	c.TotalItems = int64(total)
	c.First.ID, c.Last.ID, c.Current.ID = iri(first), iri(last), iri(current)
	c.Next.ID, c.Prev.ID, c.PartOf.ID = iri(next), iri(prev), iri(partOf)
	return nil
}

// readActorRefs sets an actor's inbox, outbox, followers and following
// from go-ap's reading.
func readActorRefs(raw []byte, a *Actor) error {
	it, err := readVocab(raw)
	if err != nil {
		return err
	}
	v, ok := it.(*vocab.Actor)
	if !ok {
		return fmt.Errorf("activity vocabulary: %T is not an actor", it)
	}
	a.Inbox, a.Outbox = iri(v.Inbox), iri(v.Outbox)
	a.Followers, a.Following = iri(v.Followers), iri(v.Following)
	return nil
}
