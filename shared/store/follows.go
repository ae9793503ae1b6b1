package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

// A follow is two items written together: one in the target's followers
// partition and one in the follower's following partition, each holding
// the whole follow, so both lists are one strongly consistent query.

const (
	skFollowerPrefix  = "FOLLOWER#"
	skFollowingPrefix = "FOLLOWING#"
)

func refSK(r model.ActorRef) string { return fmt.Sprintf("%s#%020d", r.Kind, r.ID) }

func followerKey(target, follower model.ActorRef) table.Key {
	return table.Key{PK: "FOLLOWS#" + actorPK(target), SK: skFollowerPrefix + refSK(follower)}
}

func followingKey(follower, target model.ActorRef) table.Key {
	return table.Key{PK: "FOLLOWS#" + actorPK(follower), SK: skFollowingPrefix + refSK(target)}
}

func followItems(f model.Follow, ver int64) ([]table.Item, error) {
	a, err := docItem(followerKey(f.Target, f.Follower), "follow", f, ver)
	if err != nil {
		return nil, err
	}
	b, err := docItem(followingKey(f.Follower, f.Target), "follow", f, ver)
	if err != nil {
		return nil, err
	}
	return []table.Item{a, b}, nil
}

func decodeFollow(it table.Item) (model.Follow, error) {
	var f model.Follow
	_, err := decodeDoc(it, &f)
	return f, err
}

// Follow reads the follow of target by follower.
func (s *Store) Follow(ctx context.Context, follower, target model.ActorRef) (model.Follow, error) {
	it, err := s.t.Get(ctx, followerKey(target, follower))
	if err != nil {
		return model.Follow{}, fmt.Errorf("get follow of %v by %v: %w", target, follower, notFound(err))
	}
	return decodeFollow(it)
}

// SaveFollow creates the follow of f.Target by f.Follower, or sets the
// state and URL of the one that exists (a Follow received twice is one
// follow). It returns the follow and whether it was created.
func (s *Store) SaveFollow(ctx context.Context, f model.Follow) (model.Follow, bool, error) {
	for attempt := 0; attempt < 5; attempt++ {
		cur, err := s.Follow(ctx, f.Follower, f.Target)
		switch {
		case err == nil:
			ver := int64(0)
			it, gerr := s.t.Get(ctx, followerKey(f.Target, f.Follower))
			if gerr == nil {
				ver = it.Int(attrVer)
			}
			next := cur
			next.State = f.State
			if f.URL != "" {
				next.URL = f.URL
			}
			if next == cur {
				return cur, false, nil
			}
			next.UpdatedAt = s.clock()
			items, err := followItems(next, ver+1)
			if err != nil {
				return cur, false, err
			}
			err = s.t.Transact(ctx, table.PutOp(items[0], table.AttrEquals(attrVer, ver)), table.PutOp(items[1]))
			if isCanceled(err) {
				continue
			}
			if err != nil {
				return cur, false, fmt.Errorf("update follow: %w", err)
			}
			return next, false, nil
		case !errors.Is(err, ErrNotFound):
			return f, false, err
		}
		id, err := s.nextID(ctx, "follow")
		if err != nil {
			return f, false, err
		}
		now := s.clock()
		f.ID, f.CreatedAt, f.UpdatedAt = id, now, now
		items, err := followItems(f, 1)
		if err != nil {
			return f, false, err
		}
		err = s.t.Transact(ctx, table.PutOp(items[0], table.ItemNotExists()), table.PutOp(items[1]))
		if isCanceled(err) {
			continue
		}
		if err != nil {
			return f, false, fmt.Errorf("create follow: %w", err)
		}
		return f, true, nil
	}
	return f, false, fmt.Errorf("save follow: %w", ErrStale)
}

func isCanceled(err error) bool {
	var tx *table.TxCanceledError
	return errors.As(err, &tx) || errors.Is(err, table.ErrConditionFailed)
}

// DeleteFollow removes the follow of target by follower; a follow that is
// not there is not an error.
func (s *Store) DeleteFollow(ctx context.Context, follower, target model.ActorRef) error {
	err := s.t.Transact(ctx, table.DeleteOp(followerKey(target, follower)), table.DeleteOp(followingKey(follower, target)))
	if err != nil {
		return fmt.Errorf("delete follow of %v by %v: %w", target, follower, err)
	}
	return nil
}

// Followers lists the follows of target (every state), oldest first by
// follower id.
func (s *Store) Followers(ctx context.Context, target model.ActorRef) ([]model.Follow, error) {
	items, err := s.queryAll(ctx, table.Query{PK: "FOLLOWS#" + actorPK(target), SKOp: table.SKBeginsWith, SK: skFollowerPrefix})
	if err != nil {
		return nil, fmt.Errorf("list followers of %v: %w", target, err)
	}
	return decodeAll(items, decodeFollow)
}

// Following lists the follows by follower (every state).
func (s *Store) Following(ctx context.Context, follower model.ActorRef) ([]model.Follow, error) {
	items, err := s.queryAll(ctx, table.Query{PK: "FOLLOWS#" + actorPK(follower), SKOp: table.SKBeginsWith, SK: skFollowingPrefix})
	if err != nil {
		return nil, fmt.Errorf("list following of %v: %w", follower, err)
	}
	return decodeAll(items, decodeFollow)
}

// FollowerInboxes lists the distinct delivery inboxes (shared inboxes when
// they have one) of target's accepted remote followers, whose items are
// read in batches.
func (s *Store) FollowerInboxes(ctx context.Context, target model.ActorRef) ([]string, error) {
	follows, err := s.Followers(ctx, target)
	if err != nil {
		return nil, err
	}
	keys := make([]table.Key, 0, len(follows))
	for _, f := range follows {
		if f.State == model.FollowAccepted {
			keys = append(keys, table.Key{PK: actorPK(f.Follower), SK: skItem})
		}
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read followers of %v: %w", target, err)
	}
	seen := map[string]bool{}
	var out []string
	for _, it := range items {
		// Accounts and channels keep their Remote under one name.
		var actor struct{ Remote *model.Remote }
		if _, err := decodeDoc(it, &actor); err != nil {
			return nil, err
		}
		if actor.Remote == nil {
			continue
		}
		if in := actor.Remote.DeliveryInbox(); in != "" && !seen[in] {
			seen[in] = true
			out = append(out, in)
		}
	}
	return out, nil
}

// RemoteOf returns the Remote of an account or channel (nil for a local one).
func (s *Store) RemoteOf(ctx context.Context, r model.ActorRef) (*model.Remote, error) {
	if r.Kind == model.KindChannel {
		c, err := s.Channel(ctx, r.ID)
		return c.Remote, err
	}
	a, err := s.Account(ctx, r.ID)
	return a.Remote, err
}
