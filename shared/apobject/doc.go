// Package apobject maps this server's domain values (shared/model) to and
// from the ActivityPub objects PeerTube federates, in apvocab's types:
//
//   - Video formats a local video as PeerTube 6.1 does
//     (video-activity-pub-format.ts), and FromVideo reads a remote one,
//     in PeerTube's 6.x or 8.x form, validated as PeerTube validates it
//     (helpers/custom-validators/activitypub/videos.ts);
//   - Comment and Tombstone format a local comment (video-comment.ts
//     toActivityPubObject), and FromNote reads a reply from PeerTube
//     (Markdown) or from Mastodon and GoToSocial (HTML);
//   - ActorURL, ChannelURL, VideoURL and CommentURL name local and remote
//     actors and local objects as PeerTube does (lib/activitypub/url.ts).
//
// The package does no I/O: it neither fetches the actors a video names
// nor checks who sent it; callers do that.
package apobject
