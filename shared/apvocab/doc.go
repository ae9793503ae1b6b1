// Package apvocab reads and writes the ActivityStreams documents of
// federation as PeerTube, Mastodon and GoToSocial write them: actors
// (Person, Group, Application, Service), PeerTube's Video, Notes
// (comments), activities, collections and their pages, and Tombstones.
// Callers see only this package's types; go-ap/activitypub is used here
// and nowhere else.
//
// Decode reads a document into the type its "type" names (Unknown for
// others); DecodeActivity reads an inbox body. Nothing is lost: members a
// type does not model stay in its Extra map, and each decoded value
// remembers how it was written, so Encode of an unchanged value gives the
// received bytes back, and of a changed one keeps the order and form of
// its unchanged members. A value built in Go is written as PeerTube writes
// its own documents: its member order, its nulls, its @context for the
// type (Video, actor, View, or the base one). EncodeCanonical writes any
// value that way.
//
// Why go-ap is fenced (docs style.md §5, guideline 9). On its own, go-ap
// loses what PeerTube federates: a Video's "duration":"PT42S" decodes to 0
// (it uses time.ParseDuration); Hashtag and Infohash tags are dropped
// (unknown types fail to load and JSONGetItems discards the error); a
// single tag object is dropped; "as:Public" in to/cc is dropped (not an
// absolute IRI); uuid, views, state, commentsEnabled and a Link's size,
// fps, rel[], tag[] and attachment[] have no field and vanish on
// re-encoding; name, content and summary are unescaped twice (a literal
// backslash-n becomes a newline); PeerTube's ApproveReply is not an
// activity; and a struct embedding its Object is refused by
// OnObject and ToObject. So go-ap does only what it does well: the type
// vocabulary (the Type constants; which type is an actor, an activity or a
// collection) and the reference members, which it reads from any of their
// forms (an IRI, an embedded object) and holds to absolute IRIs: an
// activity's actor, target and object, a collection's count and page
// links, an actor's inbox, outbox, followers and following. Every other
// member is read with encoding/json into this package's types. go-ap's
// package hooks (ItemTyperFunc, JSONItemUnmarshal) are set in this package
// only, so that PeerTube's own activity types load as activities and types
// go-ap does not know load as plain objects. The module is pinned to one
// pseudo-version in go.mod (go-ap has no releases).
package apvocab
