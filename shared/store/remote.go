package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

// Remote actors (accounts and channels of other servers) are accounts and
// channels like local ones, with their Remote set. An actor-URL claim finds
// one by its ActivityPub id, and their names are claimed as "name@host", so
// /accounts/name@host resolves them while local names stay bare.

func actorURLKey(url string) table.Key    { return table.Key{PK: "ACTORURL#" + url, SK: skUnique} }
func videoURLKey(url string) table.Key    { return table.Key{PK: "VIDEOURL#" + url, SK: skUnique} }
func remoteName(name, host string) string { return name + "@" + host }

// ActorByURL resolves an ActivityPub actor id to the account or channel
// holding it (local or remote).
func (s *Store) ActorByURL(ctx context.Context, url string) (model.ActorRef, error) {
	ref, err := s.t.Get(ctx, actorURLKey(url))
	if err != nil {
		return model.ActorRef{}, fmt.Errorf("get actor %s: %w", url, notFound(err))
	}
	return refOfPK(ref.String(attrRef))
}

// refOfPK reads an account's or a channel's partition key.
func refOfPK(pk string) (model.ActorRef, error) {
	var r model.ActorRef
	var kind string
	switch {
	case strings.HasPrefix(pk, "ACCOUNT#"):
		r.Kind, kind = model.KindAccount, "ACCOUNT#%d"
	case strings.HasPrefix(pk, "CHANNEL#"):
		r.Kind, kind = model.KindChannel, "CHANNEL#%d"
	default:
		return r, fmt.Errorf("actor reference %q: %w", pk, ErrNotFound)
	}
	if _, err := fmt.Sscanf(pk, kind, &r.ID); err != nil {
		return r, fmt.Errorf("actor reference %q: %w", pk, err)
	}
	return r, nil
}

// ActorPK is the partition key of the account or channel r names.
func actorPK(r model.ActorRef) string {
	if r.Kind == model.KindChannel {
		return channelKey(r.ID).PK
	}
	return accountKey(r.ID).PK
}

// SaveRemoteAccount stores a copy of a remote account (a.Remote set, its
// Name the remote preferredUsername), or refreshes the copy already held
// for a.Remote.URL, and returns it with its local id.
func (s *Store) SaveRemoteAccount(ctx context.Context, a model.Account) (model.Account, error) {
	if a.Remote == nil || a.Remote.URL == "" {
		return a, errors.New("save remote account: no remote URL")
	}
	for attempt := 0; attempt < 5; attempt++ {
		ref, err := s.ActorByURL(ctx, a.Remote.URL)
		if err == nil {
			if ref.Kind != model.KindAccount {
				return a, fmt.Errorf("save remote account %s: it is known as a channel", a.Remote.URL)
			}
			old, err := s.Account(ctx, ref.ID)
			if err != nil {
				return a, err
			}
			a.ID, a.Version, a.CreatedAt = old.ID, old.Version, old.CreatedAt
			saved, err := s.UpdateAccount(ctx, a)
			if errors.Is(err, ErrStale) {
				continue
			}
			if err == nil && !strings.EqualFold(old.Name, a.Name) {
				err = s.t.Put(ctx, uniqueItem(actorNameKey(remoteName(a.Name, a.Remote.Host)), accountKey(a.ID)))
			}
			return saved, err
		}
		if !errors.Is(err, ErrNotFound) {
			return a, err
		}
		id, err := s.nextID(ctx, "account")
		if err != nil {
			return a, err
		}
		now := s.clock()
		a.ID, a.Version = id, 1
		if a.CreatedAt.IsZero() {
			a.CreatedAt = now
		}
		a.UpdatedAt = now
		it, err := accountItem(a)
		if err != nil {
			return a, err
		}
		nx := table.ItemNotExists()
		err = s.t.Transact(ctx, table.PutOp(it, nx),
			table.PutOp(uniqueItem(actorURLKey(a.Remote.URL), accountKey(a.ID)), nx),
			table.PutOp(uniqueItem(actorNameKey(remoteName(a.Name, a.Remote.Host)), accountKey(a.ID))))
		if err == nil {
			return a, nil
		}
		var tx *table.TxCanceledError
		if !errors.As(err, &tx) {
			return a, fmt.Errorf("create remote account %s: %w", a.Remote.URL, err)
		}
		// Another writer stored the same actor first: refresh theirs.
	}
	return a, fmt.Errorf("save remote account %s: %w", a.Remote.URL, ErrStale)
}

// SaveRemoteChannel is SaveRemoteAccount for a channel; c.AccountID is its
// owner's local id (an account saved first).
func (s *Store) SaveRemoteChannel(ctx context.Context, c model.Channel) (model.Channel, error) {
	if c.Remote == nil || c.Remote.URL == "" {
		return c, errors.New("save remote channel: no remote URL")
	}
	for attempt := 0; attempt < 5; attempt++ {
		ref, err := s.ActorByURL(ctx, c.Remote.URL)
		if err == nil {
			if ref.Kind != model.KindChannel {
				return c, fmt.Errorf("save remote channel %s: it is known as an account", c.Remote.URL)
			}
			old, err := s.Channel(ctx, ref.ID)
			if err != nil {
				return c, err
			}
			c.ID, c.Version, c.CreatedAt = old.ID, old.Version, old.CreatedAt
			if c.AccountID != old.AccountID {
				// Ownership of a channel does not move on our side.
				c.AccountID = old.AccountID
			}
			saved, err := s.UpdateChannel(ctx, c)
			if errors.Is(err, ErrStale) {
				continue
			}
			return saved, err
		}
		if !errors.Is(err, ErrNotFound) {
			return c, err
		}
		id, err := s.nextID(ctx, "channel")
		if err != nil {
			return c, err
		}
		now := s.clock()
		c.ID, c.Version = id, 1
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		c.UpdatedAt = now
		it, err := channelItem(c)
		if err != nil {
			return c, err
		}
		nx := table.ItemNotExists()
		err = s.t.Transact(ctx, table.PutOp(it, nx),
			table.PutOp(uniqueItem(actorURLKey(c.Remote.URL), channelKey(c.ID)), nx),
			table.PutOp(uniqueItem(actorNameKey(remoteName(c.Name, c.Remote.Host)), channelKey(c.ID))),
			table.PutOp(membershipItem(c)),
			table.CheckOp(accountKey(c.AccountID), table.ItemExists()))
		if err == nil {
			return c, nil
		}
		var tx *table.TxCanceledError
		if errors.As(err, &tx) && tx.FailedOp(table.ErrConditionFailed) == 4 {
			return c, fmt.Errorf("create remote channel %s: owner account %d: %w", c.Remote.URL, c.AccountID, ErrNotFound)
		}
		if !errors.As(err, &tx) {
			return c, fmt.Errorf("create remote channel %s: %w", c.Remote.URL, err)
		}
	}
	return c, fmt.Errorf("save remote channel %s: %w", c.Remote.URL, ErrStale)
}

// SaveRemoteVideo stores a copy of a remote video (v.Remote set, v.AccountID
// and v.ChannelID its remote owners' local ids) or refreshes the copy held
// for v.Remote.URL. Its view count is the origin's; likes and dislikes are
// counted here. It reports whether the video was new.
func (s *Store) SaveRemoteVideo(ctx context.Context, v model.Video) (model.Video, bool, error) {
	if v.Remote == nil || v.Remote.URL == "" {
		return v, false, errors.New("save remote video: no remote URL")
	}
	for attempt := 0; attempt < 5; attempt++ {
		cur, err := s.VideoByURL(ctx, v.Remote.URL)
		if err == nil {
			if !strings.EqualFold(cur.UUID, v.UUID) {
				return cur, false, fmt.Errorf("save remote video %s: its uuid changed: %w", v.Remote.URL, ErrTaken)
			}
			v.ID, v.Version, v.CreatedAt = cur.ID, cur.Version, cur.CreatedAt
			v.AccountID, v.ChannelID = cur.AccountID, cur.ChannelID
			saved, err := s.UpdateVideo(ctx, v)
			if errors.Is(err, ErrStale) {
				continue
			}
			if err == nil && v.Views != cur.Views {
				_, err = s.t.Update(ctx, videoKey(v.ID), table.Update{Set: map[string]any{attrViews: v.Views}})
			}
			saved.Views, saved.Likes, saved.Dislikes = v.Views, cur.Likes, cur.Dislikes
			return saved, false, err
		}
		if !errors.Is(err, ErrNotFound) {
			return v, false, err
		}
		views := v.Views
		created, err := s.createVideo(ctx, v, v.Remote.URL)
		var taken *TakenError
		if errors.As(err, &taken) {
			if _, gerr := s.VideoByURL(ctx, v.Remote.URL); gerr == nil {
				continue // stored meanwhile by another writer: refresh it
			}
		}
		if err != nil {
			return v, false, err
		}
		if views > 0 {
			if err := s.AddViews(ctx, created.ID, views); err != nil {
				return created, true, err
			}
			created.Views = views
		}
		return created, true, nil
	}
	return v, false, fmt.Errorf("save remote video %s: %w", v.Remote.URL, ErrStale)
}

// VideoByURL reads a video by its ActivityPub id (remote videos only).
func (s *Store) VideoByURL(ctx context.Context, url string) (model.Video, error) {
	it, err := s.byClaim(ctx, videoURLKey(url))
	if err != nil {
		return model.Video{}, err
	}
	return decodeVideo(it)
}

// DeleteRemoteVideo deletes a remote copy and its URL claim.
func (s *Store) DeleteRemoteVideo(ctx context.Context, v model.Video) error {
	if err := s.DeleteVideo(ctx, v); err != nil {
		return err
	}
	if v.Remote != nil {
		if err := s.t.Delete(ctx, videoURLKey(v.Remote.URL)); err != nil && !errors.Is(err, table.ErrNotFound) {
			return fmt.Errorf("delete video claim %s: %w", v.Remote.URL, err)
		}
	}
	return nil
}

// AccountByURL reads the account (local or remote) an actor URL names.
func (s *Store) AccountByURL(ctx context.Context, url string) (model.Account, error) {
	ref, err := s.ActorByURL(ctx, url)
	if err != nil {
		return model.Account{}, err
	}
	if ref.Kind != model.KindAccount {
		return model.Account{}, fmt.Errorf("account %s: it is a channel: %w", url, ErrNotFound)
	}
	return s.Account(ctx, ref.ID)
}

// ChannelByURL reads the channel (local or remote) an actor URL names.
func (s *Store) ChannelByURL(ctx context.Context, url string) (model.Channel, error) {
	ref, err := s.ActorByURL(ctx, url)
	if err != nil {
		return model.Channel{}, err
	}
	if ref.Kind != model.KindChannel {
		return model.Channel{}, fmt.Errorf("channel %s: it is an account: %w", url, ErrNotFound)
	}
	return s.Channel(ctx, ref.ID)
}
