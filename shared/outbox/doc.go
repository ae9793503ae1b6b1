// Package outbox turns what happens on this instance into the activities
// PeerTube sends for it, addressed as PeerTube addresses them, and hands
// them to the deliver queue (shared/deliver) as fan-out jobs: a published
// video is a Create by its account and an Announce by its channel and by the
// instance actor; an edit an Update; a removal a Delete; a comment a Create
// of a Note; a rating of a remote video a Like, Dislike or Undo sent to its
// origin; a subscription or a server follow a Follow, answered by an
// Accept. Activity ids are PeerTube's (see docs: peertube-compat.md §3.1).
//
// The deliver consumer expands a fan-out job to the distinct (shared)
// inboxes of the followers it names, so building an activity costs the
// same whatever the audience.
package outbox
