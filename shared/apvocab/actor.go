package apvocab

import (
	"encoding/json"
	"time"
)

// Actor is a Person (a PeerTube account), a Group (a channel), an
// Application (the instance actor) or a Service, as PeerTube, Mastodon
// and GoToSocial write them. Members it does not model (Mastodon's
// manuallyApprovesFollowers, featured, discoverable, ...) stay in Extra.
type Actor struct {
	// To and CC are set on an actor embedded in an Update.
	To, CC []string
	// Context is the document's @context; unset, Encode writes PeerTube's
	// actor context (on embedded actors too, as PeerTube does).
	Context           json.RawMessage
	Type              string
	ID                string
	Following         string
	Followers         string
	Playlists         string
	Inbox             string
	Outbox            string
	PreferredUsername string
	URL               string
	Name              string
	Endpoints         *Endpoints
	PublicKey         *PublicKey
	Published         time.Time
	// Icon is the avatars, Image the banners.
	Icon    []Image
	Image   []Image
	Summary string
	// Support, PostingRestrictedToMods and AttributedTo (the owner
	// account) are a channel's.
	Support                 string
	PostingRestrictedToMods bool
	AttributedTo            []Ref
	Extra                   map[string]json.RawMessage
	memo
}

func (a *Actor) ObjectType() string { return a.Type }
func (a *Actor) ObjectID() string   { return a.ID }
func (*Actor) object()              {}

func (a *Actor) extras() *map[string]json.RawMessage { return &a.Extra }

func (a *Actor) members() []member {
	isGroup := func() bool { return a.Type == TypeGroup }
	support := strM("support", &a.Support, nullEmpty)
	support.when = func() bool { return isGroup() || a.Support != "" }
	restricted := boolM("postingRestrictedToMods", &a.PostingRestrictedToMods, always)
	restricted.when = func() bool { return isGroup() || a.PostingRestrictedToMods }
	fromVocab := func(m member) member { m.dec = nil; return m }
	return []member{
		strsM("to", &a.To, omitNil),
		strsM("cc", &a.CC, omitNil),
		actorContextM(&a.Context),
		strM("type", &a.Type, always),
		strM("id", &a.ID, always),
		fromVocab(iriM("following", &a.Following, omitEmpty)),
		fromVocab(iriM("followers", &a.Followers, omitEmpty)),
		iriM("playlists", &a.Playlists, omitEmpty),
		fromVocab(iriM("inbox", &a.Inbox, omitEmpty)),
		fromVocab(iriM("outbox", &a.Outbox, omitEmpty)),
		strM("preferredUsername", &a.PreferredUsername, omitEmpty),
		iriM("url", &a.URL, omitEmpty),
		strM("name", &a.Name, omitEmpty),
		structM("endpoints", &a.Endpoints, omitEmpty),
		structM("publicKey", &a.PublicKey, omitEmpty),
		timeM("published", &a.Published, omitEmpty),
		sliceM[Image]("icon", &a.Icon, omitEmpty),
		sliceM[Image]("image", &a.Image, omitEmpty),
		strM("summary", &a.Summary, nullEmpty),
		support,
		restricted,
		refsM("attributedTo", &a.AttributedTo, omitEmpty, a.level),
	}
}

// SharedInbox is the actor's shared inbox, "" when it has none.
func (a *Actor) SharedInbox() string {
	if a.Endpoints == nil {
		return ""
	}
	return a.Endpoints.SharedInbox
}
