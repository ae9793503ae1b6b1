package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/vidiverse/vidiverse/shared/apobject"
	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/deliver"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
)

// Outbox builds and queues outgoing activities.
type Outbox struct {
	PublicURL string
	Store     *store.Store
	// Send queues a delivery job (deliver.Deliverer.Enqueue).
	Send func(ctx context.Context, j deliver.Job) error
	// Trackers are the tracker URLs videos list.
	Trackers []string
	Log      *slog.Logger
}

// actor is a local signer: its URL and keyring name.
type actor struct {
	url, key string
	ref      model.ActorRef
}

func (o *Outbox) accountActor(a model.Account) actor {
	return actor{url: apobject.ActorURL(o.PublicURL, a), key: "account:" + a.Name, ref: model.ActorRef{Kind: model.KindAccount, ID: a.ID}}
}

func (o *Outbox) channelActor(c model.Channel) actor {
	return actor{url: apobject.ChannelURL(o.PublicURL, c), key: "channel:" + c.Name, ref: model.ActorRef{Kind: model.KindChannel, ID: c.ID}}
}

func (o *Outbox) instance(ctx context.Context) (actor, error) {
	a, err := o.Store.EnsureInstanceAccount(ctx)
	if err != nil {
		return actor{}, err
	}
	return o.accountActor(a), nil
}

// send queues one activity signed by by, to the followers of the local
// actors named and to the inboxes given.
func (o *Outbox) send(ctx context.Context, by actor, act *apvocab.Activity, followersOf []model.ActorRef, inboxes []string) error {
	body, err := apvocab.Encode(act)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", act.Type, act.ID, err)
	}
	j := deliver.Job{Activity: json.RawMessage(body), Signer: by.key, KeyID: by.url, Followers: followersOf, Inboxes: inboxes}
	if len(followersOf) == 0 && len(inboxes) == 1 {
		j = deliver.Job{Activity: j.Activity, Signer: by.key, KeyID: by.url, Inbox: inboxes[0]}
	}
	if len(followersOf) == 0 && len(inboxes) == 0 {
		return nil
	}
	if err := o.Send(ctx, j); err != nil {
		return fmt.Errorf("queue %s %s: %w", act.Type, act.ID, err)
	}
	return nil
}

// owners reads a video's account and channel.
func (o *Outbox) owners(ctx context.Context, v model.Video) (model.Account, model.Channel, error) {
	acc, err := o.Store.Account(ctx, v.AccountID)
	if err != nil {
		return acc, model.Channel{}, fmt.Errorf("video %d: account: %w", v.ID, err)
	}
	ch, err := o.Store.Channel(ctx, v.ChannelID)
	if err != nil {
		return acc, ch, fmt.Errorf("video %d: channel: %w", v.ID, err)
	}
	return acc, ch, nil
}

// videoActors reads a video's account and channel and, for a local
// video, the local actors whose followers hear of it: its channel, the
// instance actor and its account (PeerTube's getActorsInvolvedInVideo).
func (o *Outbox) videoActors(ctx context.Context, v model.Video) (model.Account, model.Channel, []actor, error) {
	acc, ch, err := o.owners(ctx, v)
	if err != nil || v.Remote != nil {
		return acc, ch, nil, err
	}
	inst, err := o.instance(ctx)
	if err != nil {
		return acc, ch, nil, err
	}
	return acc, ch, []actor{o.channelActor(ch), inst, o.accountActor(acc)}, nil
}

func refs(as []actor) []model.ActorRef {
	out := make([]model.ActorRef, len(as))
	for i, a := range as {
		out[i] = a.ref
	}
	return out
}

func followersURLs(as []actor) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.url + "/followers"
	}
	return out
}

// federated reports whether a video is told to other servers: public or
// unlisted, published, local.
func federated(v model.Video) bool {
	return v.Remote == nil && v.State == model.StatePublished &&
		(v.Privacy == model.PrivacyPublic || v.Privacy == model.PrivacyUnlisted)
}

func (o *Outbox) videoObject(acc model.Account, ch model.Channel, v model.Video) *apvocab.Video {
	return apobject.Video(o.PublicURL, v, acc, ch, o.Trackers)
}

// VideoPublished tells followers of a newly published video: Create by its
// account to the account's followers, then Announce by its channel and by
// the instance actor to the followers of all three.
func (o *Outbox) VideoPublished(ctx context.Context, v model.Video) error {
	if !federated(v) {
		return nil
	}
	acc, ch, inv, err := o.videoActors(ctx, v)
	if err != nil {
		return err
	}
	obj := o.videoObject(acc, ch, v)
	by := o.accountActor(acc)
	create := &apvocab.Activity{Type: apvocab.TypeCreate, ID: obj.ID + "/activity", Actor: by.url,
		To: obj.To, CC: obj.CC, Object: apvocab.Ref{ID: obj.ID, Type: apvocab.TypeVideo, Object: obj}}
	if err := o.send(ctx, by, create, []model.ActorRef{by.ref}, nil); err != nil {
		return err
	}
	to := append([]string{apvocab.Public}, followersURLs(inv)...)
	for _, a := range inv[:2] { // the channel, then the instance actor
		ann := &apvocab.Activity{Type: apvocab.TypeAnnounce, ID: AnnounceURL(obj.ID, a.ref),
			Actor: a.url, To: to, CC: []string{}, Object: apvocab.Ref{ID: obj.ID}}
		if err := o.send(ctx, a, ann, refs(inv), nil); err != nil {
			return err
		}
	}
	return nil
}

// AnnounceURL is the id of an Announce of videoURL by a local actor:
// PeerTube's {video}/announces/{actorId}. Accounts and channels number
// their ids apart here, so a channel's is marked as one: the channel's and
// the instance actor's Announces of one video never share an id. Outbox
// collections list the same ids.
func AnnounceURL(videoURL string, by model.ActorRef) string {
	if by.Kind == model.KindChannel {
		return fmt.Sprintf("%s/announces/channel-%d", videoURL, by.ID)
	}
	return fmt.Sprintf("%s/announces/%d", videoURL, by.ID)
}

// VideoUpdated sends the new version of a video to the followers of its
// account, channel and the instance.
func (o *Outbox) VideoUpdated(ctx context.Context, v model.Video) error {
	if !federated(v) {
		return nil
	}
	acc, ch, inv, err := o.videoActors(ctx, v)
	if err != nil {
		return err
	}
	obj := o.videoObject(acc, ch, v)
	by := o.accountActor(acc)
	upd := &apvocab.Activity{Type: apvocab.TypeUpdate, ID: obj.ID + "/updates/" + v.UpdatedAt.UTC().Format("2006-01-02T15:04:05.000Z"),
		Actor: by.url, To: obj.To, CC: obj.CC, Object: apvocab.Ref{ID: obj.ID, Type: apvocab.TypeVideo, Object: obj}}
	return o.send(ctx, by, upd, refs(inv), nil)
}

// VideoChanged tells followers of an edit: an Update while the video stays
// federated, a Create (and Announces) when it becomes so, a Delete when it
// stops being so (made private).
func (o *Outbox) VideoChanged(ctx context.Context, old, cur model.Video) error {
	switch {
	case federated(old) && federated(cur):
		return o.VideoUpdated(ctx, cur)
	case federated(cur):
		return o.VideoPublished(ctx, cur)
	case federated(old):
		return o.VideoDeleted(ctx, cur)
	}
	return nil
}

// VideoDeleted tells the followers who heard of a video that it is gone.
// v is the video as it was before deletion.
func (o *Outbox) VideoDeleted(ctx context.Context, v model.Video) error {
	if v.Remote != nil {
		return nil
	}
	acc, _, inv, err := o.videoActors(ctx, v)
	if err != nil {
		return err
	}
	id := o.PublicURL + "/videos/watch/" + v.UUID
	by := o.accountActor(acc)
	del := &apvocab.Activity{Type: apvocab.TypeDelete, ID: id + "/delete", Actor: by.url,
		To: append([]string{apvocab.Public}, followersURLs(inv)...), CC: []string{}, Object: apvocab.Ref{ID: id}}
	return o.send(ctx, by, del, refs(inv), nil)
}
