package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
)

// follow records a remote actor's follow of a local actor and accepts it.
func (a *Applier) follow(ctx context.Context, act *apvocab.Activity) error {
	target, err := a.Resolver.Local(ctx, act.Object.ID)
	if err != nil {
		return drop("follow of %s: not a local actor", act.Object.ID)
	}
	follower, err := a.sender(ctx, act)
	if err != nil {
		return err
	}
	rem, err := a.Store.RemoteOf(ctx, follower)
	if err != nil {
		return err
	}
	if rem == nil {
		return drop("follower %s is local", act.Actor)
	}
	if blocked, err := a.blockedByInstance(ctx, follower, rem.Host); err != nil {
		return err
	} else if blocked {
		f := model.Follow{ID: 0, Follower: follower, Target: target, URL: act.ID}
		return a.Outbox.Accept(ctx, f, rem.URL, rem.Inbox, target, true)
	}
	f, _, err := a.Store.SaveFollow(ctx, model.Follow{Follower: follower, Target: target, State: model.FollowAccepted, URL: act.ID})
	if err != nil {
		return err
	}
	f.URL = act.ID
	return a.Outbox.Accept(ctx, f, rem.URL, rem.Inbox, target, false)
}

// blockedByInstance reports whether the instance blocks an actor or its host.
func (a *Applier) blockedByInstance(ctx context.Context, r model.ActorRef, host string) (bool, error) {
	inst, err := a.Store.EnsureInstanceAccount(ctx)
	if err != nil {
		return false, err
	}
	id := int64(0)
	if r.Kind == model.KindAccount {
		id = r.ID
	}
	return a.Store.Blocked(ctx, inst.ID, id, host)
}

// followOf finds the local follow an Accept, Reject or Undo is about: its
// object is the Follow, embedded or by id.
func (a *Applier) followOf(ctx context.Context, obj apvocab.Ref) (followerURL, targetURL string, err error) {
	if f, ok := obj.Object.(*apvocab.Activity); ok && f.Type == apvocab.TypeFollow {
		return f.Actor, f.Object.ID, nil
	}
	return "", "", drop("follow %s is not embedded", obj.ID)
}

// answer applies a remote actor's Accept or Reject of a local follow.
func (a *Applier) answer(ctx context.Context, act *apvocab.Activity) error {
	followerURL, targetURL, err := a.followOf(ctx, act.Object)
	if err != nil {
		return err
	}
	if targetURL != act.Actor {
		return drop("%s answers a follow of %s", act.Actor, targetURL)
	}
	follower, err := a.Resolver.Local(ctx, followerURL)
	if err != nil {
		return drop("answer to a follow by %s, not a local actor", followerURL)
	}
	target, err := a.Store.ActorByURL(ctx, targetURL)
	if err != nil {
		return drop("answer from %s, which is not followed", targetURL)
	}
	f, err := a.Store.Follow(ctx, follower, target)
	if errors.Is(err, store.ErrNotFound) {
		return drop("no follow of %s by %s", targetURL, followerURL)
	}
	if err != nil {
		return err
	}
	f.State = model.FollowAccepted
	if act.Type == apvocab.TypeReject {
		f.State = model.FollowRejected
	}
	saved, _, err := a.Store.SaveFollow(ctx, f)
	if err != nil || act.Type == apvocab.TypeReject || saved.State != model.FollowAccepted {
		return err
	}
	// Bring in what the followed actor published before (PeerTube crawls
	// the outbox once a follow is accepted); a failure leaves it for the
	// next videos to come.
	if rem, err := a.Store.RemoteOf(ctx, target); err == nil && rem != nil && rem.Outbox != "" {
		n, err := a.Resolver.CrawlOutbox(ctx, rem.Outbox, OutboxCrawlItems)
		if err != nil {
			a.log().InfoContext(ctx, "outbox crawl failed", "outbox", rem.Outbox, "err", err)
		} else if n > 0 {
			a.log().InfoContext(ctx, "videos brought in from an outbox", "outbox", rem.Outbox, "videos", n)
		}
	}
	return nil
}

// OutboxCrawlItems bounds how many outbox items a newly accepted follow
// brings in.
const OutboxCrawlItems = 30

// undo applies Undo of a Follow, Like, Dislike or Announce.
func (a *Applier) undo(ctx context.Context, act *apvocab.Activity) error {
	inner, ok := act.Object.Object.(*apvocab.Activity)
	if !ok {
		return drop("undo of %s: object not embedded", act.Object.ID)
	}
	if inner.Actor != act.Actor {
		return drop("undo by %s of an activity by %s", act.Actor, inner.Actor)
	}
	switch inner.Type {
	case apvocab.TypeFollow:
		target, err := a.Resolver.Local(ctx, inner.Object.ID)
		if err != nil {
			return drop("undo of a follow of %s: not local", inner.Object.ID)
		}
		follower, err := a.Store.ActorByURL(ctx, act.Actor)
		if errors.Is(err, store.ErrNotFound) {
			return nil // never followed
		}
		if err != nil {
			return err
		}
		return a.Store.DeleteFollow(ctx, follower, target)
	case apvocab.TypeLike, apvocab.TypeDislike:
		acc, err := a.senderAccount(ctx, act)
		if err != nil {
			return err
		}
		v, err := a.Resolver.KnownVideo(ctx, inner.Object.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		cur, err := a.Store.Rating(ctx, v.ID, acc.ID)
		if err != nil {
			return err
		}
		if (inner.Type == apvocab.TypeLike && cur == "like") || (inner.Type == apvocab.TypeDislike && cur == "dislike") {
			return a.Store.Rate(ctx, v.ID, acc.ID, "none")
		}
		return nil
	case apvocab.TypeAnnounce:
		return nil // shares are not counted here
	}
	return drop("undo of %s is not handled", inner.Type)
}

// rate applies a remote account's Like or Dislike of a video held here.
func (a *Applier) rate(ctx context.Context, act *apvocab.Activity) error {
	acc, err := a.senderAccount(ctx, act)
	if err != nil {
		return err
	}
	v, err := a.Resolver.KnownVideo(ctx, act.Object.ID)
	if err != nil {
		return fmt.Errorf("rate %s: %w", act.Object.ID, err)
	}
	rating := "like"
	if act.Type == apvocab.TypeDislike {
		rating = "dislike"
	}
	return a.Store.Rate(ctx, v.ID, acc.ID, rating)
}
