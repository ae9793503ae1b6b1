// Package apply is the inbox queue's consumer: it applies the activities
// the inboxes verified and recorded (shared/inbox) to this instance's
// state. Follow, Accept, Reject and Undo manage follows (follows of local
// accounts, channels and the instance actor are accepted at once, as
// PeerTube accepts them); Create, Update and Delete of a Video keep remote
// videos; Create and Delete of a Note keep comments (a reply's thread is
// walked up to its video); Like, Dislike and their Undo move a video's
// counts; Announce brings a shared video in; View counts a view; Flag
// files an abuse report.
//
// Applying an activity twice has the effect of applying it once: every
// write is keyed by the activity's objects (a follow by its two actors, a
// comment or video by its URL, a rating by its account). An activity that
// cannot be applied for good (malformed, not owned by its sender, about
// nothing here) is logged and dropped; one that failed for a passing reason
// (a remote server did not answer) is returned to the queue, which retries
// it and dead-letters it after a bound.
package apply
