package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

func channelItem(c model.Channel) (table.Item, error) {
	return listedItem(channelKey(c.ID), "channel", kindChannels, c, c.Version, c.CreatedAt, c.ID)
}

// membershipItem records in the account's partition that it owns a channel.
func membershipItem(c model.Channel) table.Item {
	k := accountChannelKey(c.AccountID, c.ID)
	return table.Item{table.AttrPK: k.PK, table.AttrSK: k.SK, attrType: "member", attrRef: channelKey(c.ID).PK}
}

func decodeChannel(it table.Item) (model.Channel, error) {
	var c model.Channel
	ver, err := decodeDoc(it, &c)
	c.Version = ver
	return c, err
}

// ErrTooManyChannels means the account already has its maximum of channels.
var ErrTooManyChannels = errors.New("too many channels")

// ErrLastChannel means the channel is its account's last one.
var ErrLastChannel = errors.New("last channel of the account")

// CreateChannel creates a channel for c.AccountID, claiming its name, as
// long as the account has fewer than max channels (ErrTooManyChannels). It
// returns a *TakenError when the name is taken.
func (s *Store) CreateChannel(ctx context.Context, c model.Channel, max int) (model.Channel, error) {
	id, err := s.nextID(ctx, "channel")
	if err != nil {
		return c, err
	}
	now := s.clock()
	c.ID, c.CreatedAt, c.UpdatedAt, c.Version = id, now, now, 1
	it, err := channelItem(c)
	if err != nil {
		return c, err
	}
	nx := table.ItemNotExists()
	err = s.t.Transact(ctx,
		table.PutOp(it, nx),
		table.PutOp(uniqueItem(actorNameKey(c.Name), channelKey(c.ID)), nx),
		table.PutOp(membershipItem(c), nx),
		// The owner must exist and have room; its count moves with the channel.
		table.UpdateOp(accountKey(c.AccountID), table.Update{Add: map[string]int64{attrChannels: 1}},
			table.ItemExists(), table.Cond{Attr: attrChannels, Op: table.OpLess, Value: int64(max)}))
	if err != nil {
		var tx *table.TxCanceledError
		if errors.As(err, &tx) {
			switch tx.FailedOp(table.ErrConditionFailed) {
			case 1:
				err = &TakenError{What: "name", Value: c.Name}
			case 3:
				if _, gerr := s.Account(ctx, c.AccountID); gerr != nil {
					err = gerr
				} else {
					err = ErrTooManyChannels
				}
			}
		}
		return c, fmt.Errorf("create channel %s: %w", c.Name, err)
	}
	return c, nil
}

// Channel reads a channel by id.
func (s *Store) Channel(ctx context.Context, id int64) (model.Channel, error) {
	it, err := s.t.Get(ctx, channelKey(id))
	if err != nil {
		return model.Channel{}, fmt.Errorf("get channel %d: %w", id, notFound(err))
	}
	return decodeChannel(it)
}

// ChannelByName reads a local channel by name (case-insensitive).
func (s *Store) ChannelByName(ctx context.Context, name string) (model.Channel, error) {
	it, err := s.actorByName(ctx, name, "CHANNEL#")
	if err != nil {
		return model.Channel{}, fmt.Errorf("get channel %q: %w", name, err)
	}
	return decodeChannel(it)
}

// Channels lists every local channel in creation order.
func (s *Store) Channels(ctx context.Context) ([]model.Channel, error) {
	return listKind(ctx, s, kindChannels, decodeChannel)
}

// AccountChannels lists an account's channels in creation order. It reads
// the account's partition, so a channel is listed as soon as it exists.
func (s *Store) AccountChannels(ctx context.Context, accountID int64) ([]model.Channel, error) {
	members, err := s.queryAll(ctx, table.Query{PK: accountKey(accountID).PK, SKOp: table.SKBeginsWith, SK: skChannelPrefix})
	if err != nil {
		return nil, fmt.Errorf("list channels of account %d: %w", accountID, err)
	}
	items, err := s.batchGetRefs(ctx, members)
	if err != nil {
		return nil, fmt.Errorf("read channels of account %d: %w", accountID, err)
	}
	return decodeAll(items, decodeChannel)
}

// UpdateChannel writes c if it is still at c.Version (ErrStale otherwise).
// The name cannot change.
func (s *Store) UpdateChannel(ctx context.Context, c model.Channel) (model.Channel, error) {
	old := c.Version
	c.Version++
	c.UpdatedAt = s.clock()
	it, err := channelItem(c)
	if err != nil {
		return c, err
	}
	if err := s.t.Put(ctx, it, table.AttrEquals(attrVer, old)); err != nil {
		if errors.Is(err, table.ErrConditionFailed) {
			err = ErrStale
		}
		return c, fmt.Errorf("update channel %d: %w", c.ID, err)
	}
	return c, nil
}

// DeleteChannel deletes a channel, unless it is its account's last channel
// (ErrLastChannel). Its name stays claimed (see DeleteUser).
func (s *Store) DeleteChannel(ctx context.Context, c model.Channel) error {
	err := s.t.Transact(ctx,
		table.DeleteOp(channelKey(c.ID), table.ItemExists()),
		table.DeleteOp(accountChannelKey(c.AccountID, c.ID)),
		table.UpdateOp(accountKey(c.AccountID), table.Update{Add: map[string]int64{attrChannels: -1}},
			table.ItemExists(), table.Cond{Attr: attrChannels, Op: table.OpGreater, Value: int64(1)}))
	var tx *table.TxCanceledError
	if errors.As(err, &tx) {
		switch tx.FailedOp(table.ErrConditionFailed) {
		case 0:
			err = ErrNotFound
		case 2:
			err = ErrLastChannel
		}
	}
	if err != nil {
		return fmt.Errorf("delete channel %d: %w", c.ID, err)
	}
	return nil
}
