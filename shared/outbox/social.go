package outbox

import (
	"context"
	"crypto/sha256"
	"fmt"

	"github.com/vidiverse/vidiverse/shared/apobject"
	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
)

// originInboxes are where activities about a remote video go: its
// channel's and its account's (shared) inboxes.
func (o *Outbox) originInboxes(acc model.Account, ch model.Channel) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range []*model.Remote{ch.Remote, acc.Remote} {
		if r == nil {
			continue
		}
		if in := r.DeliveryInbox(); in != "" && !seen[in] {
			seen[in] = true
			out = append(out, in)
		}
	}
	return out
}

// videoURL is a video's ActivityPub id.
func (o *Outbox) videoURL(v model.Video) string {
	if v.Remote != nil {
		return v.Remote.URL
	}
	return o.PublicURL + "/videos/watch/" + v.UUID
}

// audience is who hears of an activity about video v (acc, ch and inv
// as videoActors gives them): for a local video the followers of its
// account, channel and the instance; for a remote one its origin (which
// forwards it to its followers).
func (o *Outbox) audience(v model.Video, acc model.Account, ch model.Channel, inv []actor) (followers []model.ActorRef, inboxes []string) {
	if v.Remote != nil {
		return nil, o.originInboxes(acc, ch)
	}
	return refs(inv), nil
}

// CommentCreated sends a local comment (by author) as a Create of a Note.
// inReplyTo is the URL of what it answers: the video or a comment.
func (o *Outbox) CommentCreated(ctx context.Context, c model.Comment, v model.Video, author model.Account, inReplyTo string) error {
	if v.Remote == nil && !federated(v) {
		return nil
	}
	acc, ch, inv, err := o.videoActors(ctx, v)
	if err != nil {
		return err
	}
	followers, inboxes := o.audience(v, acc, ch, inv)
	by := o.accountActor(author)
	note := apobject.Comment(o.PublicURL, c, v, o.videoURL(v), by.url, inReplyTo, nil)
	widenCommentAudience(note, v, acc, ch, inv, by)
	act := &apvocab.Activity{Type: apvocab.TypeCreate, ID: note.ID + "/activity", Actor: by.url, To: note.To, CC: note.CC,
		Object: apvocab.Ref{ID: note.ID, Type: apvocab.TypeNote, Object: note}}
	return o.send(ctx, by, act, append(followers, by.ref), inboxes)
}

// widenCommentAudience addresses a comment's Note as PeerTube's Create
// does: on a local video, cc the followers of the author and of the
// video's channel, the instance and the video's account; on a remote
// video, to Public, the followers of the video's channel and account and
// of the author, cc nobody.
func widenCommentAudience(note *apvocab.Note, v model.Video, acc model.Account, ch model.Channel, inv []actor, by actor) {
	if v.Remote == nil {
		note.To, note.CC = []string{apvocab.Public}, append([]string{by.url + "/followers"}, followersURLs(inv)...)
		return
	}
	to := []string{apvocab.Public}
	for _, r := range []*model.Remote{ch.Remote, acc.Remote} {
		if r != nil && r.Followers != "" {
			to = append(to, r.Followers)
		}
	}
	note.To, note.CC = append(to, by.url+"/followers"), []string{}
}

// CommentDeleted sends the Delete of a local comment.
func (o *Outbox) CommentDeleted(ctx context.Context, c model.Comment, v model.Video, author model.Account) error {
	if v.Remote == nil && !federated(v) {
		return nil
	}
	acc, ch, inv, err := o.videoActors(ctx, v)
	if err != nil {
		return err
	}
	followers, inboxes := o.audience(v, acc, ch, inv)
	by := o.accountActor(author)
	del := &apvocab.Activity{Type: apvocab.TypeDelete, ID: c.URL + "/delete", Actor: by.url,
		To: []string{apvocab.Public}, CC: []string{by.url + "/followers"}, Object: apvocab.Ref{ID: c.URL}}
	return o.send(ctx, by, del, append(followers, by.ref), inboxes)
}

// Rated sends a local account's rating of a remote video to its origin:
// Like or Dislike, and Undo of the one it replaces. Ratings of local
// videos change counters that the next Update carries.
func (o *Outbox) Rated(ctx context.Context, v model.Video, by model.Account, old, rating string) error {
	if v.Remote == nil || old == rating {
		return nil
	}
	acc, ch, err := o.owners(ctx, v)
	if err != nil {
		return err
	}
	inboxes := o.originInboxes(acc, ch)
	a := o.accountActor(by)
	vu := o.videoURL(v)
	rate := func(kind string) *apvocab.Activity {
		typ, path := apvocab.TypeLike, "likes"
		if kind == "dislike" {
			typ, path = apvocab.TypeDislike, "dislikes"
		}
		return &apvocab.Activity{Type: typ, ID: fmt.Sprintf("%s/%s/%d", a.url, path, v.ID), Actor: a.url,
			To: []string{apobject.ActorURL(o.PublicURL, acc)}, CC: []string{}, Object: apvocab.Ref{ID: vu}}
	}
	if old == "like" || old == "dislike" {
		prev := rate(old)
		undo := &apvocab.Activity{Type: apvocab.TypeUndo, ID: prev.ID + "/undo", Actor: a.url, To: prev.To, CC: []string{},
			Object: apvocab.Ref{ID: prev.ID, Type: prev.Type, Object: prev}}
		if err := o.send(ctx, a, undo, nil, inboxes); err != nil {
			return err
		}
	}
	if rating == "like" || rating == "dislike" {
		return o.send(ctx, a, rate(rating), nil, inboxes)
	}
	return nil
}

// followActivity is the Follow of target by follower with id f.URL.
func followActivity(f model.Follow, followerURL, targetURL string) *apvocab.Activity {
	return &apvocab.Activity{Type: apvocab.TypeFollow, ID: f.URL, Actor: followerURL, Object: apvocab.Ref{ID: targetURL}}
}

// FollowURL is the id PeerTube gives a Follow: {follower}/follows/{id}.
func FollowURL(followerURL string, id int64) string {
	return fmt.Sprintf("%s/follows/%d", followerURL, id)
}

// Follow sends the Follow of a remote actor (target, reached at inbox) by
// a local account.
func (o *Outbox) Follow(ctx context.Context, f model.Follow, follower model.Account, targetURL, inbox string) error {
	a := o.accountActor(follower)
	return o.send(ctx, a, followActivity(f, a.url, targetURL), nil, []string{inbox})
}

// Unfollow sends the Undo of a Follow.
func (o *Outbox) Unfollow(ctx context.Context, f model.Follow, follower model.Account, targetURL, inbox string) error {
	a := o.accountActor(follower)
	fa := followActivity(f, a.url, targetURL)
	undo := &apvocab.Activity{Type: apvocab.TypeUndo, ID: f.URL + "/undo", Actor: a.url,
		Object: apvocab.Ref{ID: fa.ID, Type: fa.Type, Object: fa}}
	return o.send(ctx, a, undo, nil, []string{inbox})
}

// Accept answers a remote Follow of a local account or channel (target)
// with an Accept, or a Reject when reject is set.
func (o *Outbox) Accept(ctx context.Context, f model.Follow, followerURL, inbox string, target model.ActorRef, reject bool) error {
	var by actor
	if target.Kind == model.KindChannel {
		c, err := o.Store.Channel(ctx, target.ID)
		if err != nil {
			return err
		}
		by = o.channelActor(c)
	} else {
		a, err := o.Store.Account(ctx, target.ID)
		if err != nil {
			return err
		}
		by = o.accountActor(a)
	}
	typ, path := apvocab.TypeAccept, "accepts"
	if reject {
		typ, path = apvocab.TypeReject, "rejects"
	}
	id := fmt.Sprintf("%s/%s/follows/%d", o.PublicURL, path, f.ID)
	if f.ID == 0 {
		// A follow refused before it was stored has no id of its own: the
		// answer is named by the Follow's, so that answers to different
		// follows never share an id (receivers drop an id seen before).
		id = fmt.Sprintf("%s/%s/follows/%x", o.PublicURL, path, sha256.Sum256([]byte(f.URL)))
	}
	fa := followActivity(f, followerURL, by.url)
	act := &apvocab.Activity{Type: typ, ID: id, Actor: by.url, Object: apvocab.Ref{ID: fa.ID, Type: fa.Type, Object: fa}}
	return o.send(ctx, by, act, nil, []string{inbox})
}
