package apply

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/resolve"
	"github.com/vidiverse/vidiverse/shared/store"
)

// create applies Create of a Video or a Note.
func (a *Applier) create(ctx context.Context, act *apvocab.Activity) error {
	switch o := act.Object.Object.(type) {
	case *apvocab.Video:
		_, _, err := a.Resolver.SaveVideo(ctx, o, act.Actor)
		return err
	case *apvocab.Note:
		if o.AttributedTo != act.Actor {
			return drop("note %s by %s sent by %s", o.ID, o.AttributedTo, act.Actor)
		}
		if !resolve.SameOrigin(o.ID, act.Actor) {
			return drop("note %s sent by %s: %v", o.ID, act.Actor, resolve.ErrNotOwner)
		}
		_, err := a.Resolver.SaveComment(ctx, o)
		return err
	}
	return drop("create of %q is not handled", objectType(act))
}

// update applies Update of a Video (a new version from its origin) or of
// an actor (fetched again).
func (a *Applier) update(ctx context.Context, act *apvocab.Activity) error {
	switch o := act.Object.Object.(type) {
	case *apvocab.Video:
		// An update of a video not held yet is its first sight.
		_, _, err := a.Resolver.SaveVideo(ctx, o, act.Actor)
		return err
	case *apvocab.Actor:
		if o.ID != act.Actor {
			return drop("update of actor %s by %s", o.ID, act.Actor)
		}
		if _, err := a.Store.ActorByURL(ctx, o.ID); errors.Is(err, store.ErrNotFound) {
			return nil // not known here: nothing to refresh
		}
		_, err := a.Resolver.Refresh(ctx, o.ID)
		return err
	case *apvocab.Note:
		return nil // PeerTube ignores comment edits
	}
	return drop("update of %q is not handled", objectType(act))
}

// delete applies Delete of a video, a comment or an actor.
func (a *Applier) delete(ctx context.Context, act *apvocab.Activity) error {
	id := act.Object.ID
	if !resolve.SameOrigin(id, act.Actor) {
		return drop("delete of %s by %s: %v", id, act.Actor, resolve.ErrNotOwner)
	}
	if v, err := a.Store.VideoByURL(ctx, id); err == nil {
		return a.Store.DeleteRemoteVideo(ctx, v)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if c, err := a.Store.CommentByURL(ctx, id); err == nil {
		_, err = a.Store.DeleteComment(ctx, c)
		return err
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil // nothing held by that id: already gone, or never seen
}

// announce brings in a shared video (fetched when not held).
func (a *Applier) announce(ctx context.Context, act *apvocab.Activity) error {
	if v, ok := act.Object.Object.(*apvocab.Video); ok {
		if resolve.SameOrigin(v.ID, act.Actor) {
			_, _, err := a.Resolver.SaveVideo(ctx, v, act.Actor)
			return err
		}
	}
	id := act.Object.ID
	if a.Resolver.IsLocal(id) {
		return nil
	}
	_, err := a.Resolver.Video(ctx, id)
	return err
}

// view counts a remote view of a local video (PeerTube's servers send one
// View per viewer, already deduplicated at their end). A View delivered
// again (the queue delivers at least once) is counted once: the view is
// recorded as a viewer session named by the activity's id.
func (a *Applier) view(ctx context.Context, act *apvocab.Activity) error {
	v, err := a.Resolver.LocalVideo(ctx, act.Object.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // a view of a remote video: its origin counts it
	}
	if err != nil {
		return err
	}
	if act.Result != nil {
		return nil // a live viewer count, not a view
	}
	viewer := fmt.Sprintf("activity:%x", sha256.Sum256([]byte(act.ID)))
	_, err = a.Store.RecordView(ctx, v.ID, viewer, store.ViewAfter.Seconds())
	return err
}

// flag files a remote abuse report about local content.
func (a *Applier) flag(ctx context.Context, act *apvocab.Activity) error {
	acc, err := a.senderAccount(ctx, act)
	if err != nil {
		return err
	}
	ab := model.Abuse{ReporterAccountID: acc.ID, Reason: act.Content, URL: act.ID, State: 1}
	for _, id := range act.ObjectIDs() {
		if v, err := a.Resolver.LocalVideo(ctx, id); err == nil {
			ab.VideoID = v.ID
			continue
		}
		if c, err := a.Store.CommentByURL(ctx, id); err == nil {
			ab.CommentID = c.ID
			continue
		}
		if ref, err := a.Resolver.Local(ctx, id); err == nil && ref.Kind == model.KindAccount {
			ab.AccountID = ref.ID
		}
	}
	if ab.VideoID == 0 && ab.CommentID == 0 && ab.AccountID == 0 {
		return drop("flag %s names nothing held here", act.ID)
	}
	_, err = a.Store.CreateAbuse(ctx, ab)
	return err
}
