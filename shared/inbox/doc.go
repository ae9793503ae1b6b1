// Package inbox owns the HTTP side of the ActivityPub inboxes: the shared
// inbox (POST /inbox) and the inboxes of local accounts and channels
// (POST /accounts/{name}/inbox, POST /video-channels/{name}/inbox). A
// request is verified, recorded under its activity id, put on the inbox
// queue and answered 202 Accepted; a separate consumer applies the
// activity. Applying is not this package's job, and nothing here reads or
// changes the instance's model beyond the Record, Forget and Queue it is
// given.
//
// # Checks, in order
//
// Each refusal answers a PeerTube-style problem+json body and changes
// nothing (no record, no message):
//
//  1. route: an account or channel inbox whose local actor does not exist
//     is 404 (Deps.Exists), before anything else is read; any method but
//     POST is 405;
//  2. Content-Type application/activity+json or application/ld+json, with
//     any parameters (415 otherwise);
//  3. body size: at most MaxBodyBytes (413);
//  4. HTTP signature (shared/httpsig) with a digest required, 30 minutes of
//     clock skew and the host of PublicURL accepted as the signed Host: no
//     or malformed signature, wrong digest, stale Date, unknown key, bad
//     signature are 400 or 401 as httpsig.Status says; a key resolver that
//     fails for another reason is 503, so the sender retries;
//  5. the activity: UTF-8 JSON that decodes as an activity with an id and
//     an actor, both absolute http(s) URLs on the same host (400). The id
//     is the key activities are recorded under, so an actor may only use
//     ids of its own server;
//  6. block list (Deps.Blocked): an activity of a blocked actor or server,
//     or forwarded by one, is answered 202 and dropped, as PeerTube does;
//  7. signer = actor: when the key's owner is not the activity's actor the
//     activity was forwarded, and is accepted only when its origin confirms
//     it (see below); otherwise 401;
//  8. Record: an activity already recorded is answered 202 and not queued
//     again;
//  9. the queue: a Message goes to Deps.Queue; when that fails the record
//     is forgotten and the answer is 503, so the redelivery is not lost.
//
// PeerTube answers 403 to every signature failure and to a wrong Digest;
// this package answers what httpsig.Status says (400 for a malformed
// signature or a wrong digest, 401 for the others). Senders treat any 4xx
// as final (PeerTube tries once, Mastodon and GoToSocial do not retry 4xx
// other than 408 and 429), so the difference is only in the status text.
// PeerTube answers 204 to a delivery it takes; this package answers 202
// (accepted, applied later), which every sender counts as delivered.
//
// # Forwarded activities
//
// PeerTube forwards activities it received for its own videos to their
// followers (a remote comment on a local video reaches every follower with
// the commenter's body and the video server's HTTP signature) and relies
// on the RsaSignature2017 Linked Data signature it adds to every activity.
// This package does not check LD signatures (it keeps the "signature"
// member as received); it asks the origin instead, with a signed GET
// (Deps.Confirm) of a URL on the actor's own host:
//
//   - Create and Update: the object's id; the document fetched must have
//     that id and replaces the embedded object in the recorded activity;
//   - Announce: the Announce's own id (PeerTube and Mastodon serve their
//     Announces); the fetched Announce must have the same id, actor and
//     object and is recorded instead of the forwarded one. Fetching the
//     announced object would prove only that the object exists, not that
//     the actor shared it, and the object of a boost may live on another
//     server;
//   - Delete: the object's id; the origin answering 404 or 410, or a
//     Tombstone with that id, confirms the deletion.
//
// Anything else forwarded (a Like, an Undo, a Follow, an object on another
// host than the actor, an unreachable origin) is refused with 401.
//
// # Queue messages
//
// A Message is the JSON body of one queue message. The activity in it, and
// the bytes given to Record, are the received body compacted (or the
// confirmed activity for a forwarded one), with the two characters SQS
// refuses in message bodies (U+FFFE, U+FFFF) escaped. The default
// MaxBodyBytes leaves room in queue.MaxBodyBytes for the other members
// (ids and actors are at most MaxURLBytes long), and a message that would
// still not fit (a confirmed object larger than the forwarded one) is
// refused with 413 before anything is recorded.
package inbox
