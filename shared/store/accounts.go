package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

// InstanceActorName is the name of the instance's own actor and account,
// as in PeerTube.
const InstanceActorName = "peertube"

func accountItem(a model.Account) (table.Item, error) {
	return listedItem(accountKey(a.ID), "account", kindAccounts, a, a.Version, a.CreatedAt, a.ID)
}

func decodeAccount(it table.Item) (model.Account, error) {
	var a model.Account
	ver, err := decodeDoc(it, &a)
	a.Version = ver
	return a, err
}

// EnsureInstanceAccount creates the instance actor's account (no user) when
// it does not exist yet, and returns it. Concurrent callers agree on one.
func (s *Store) EnsureInstanceAccount(ctx context.Context) (model.Account, error) {
	a, err := s.AccountByName(ctx, InstanceActorName)
	if !errors.Is(err, ErrNotFound) {
		return a, err
	}
	id, err := s.nextID(ctx, "account")
	if err != nil {
		return a, err
	}
	now := s.clock()
	a = model.Account{ID: id, Name: InstanceActorName, DisplayName: InstanceActorName,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	it, err := accountItem(a)
	if err != nil {
		return a, err
	}
	nx := table.ItemNotExists()
	err = s.t.Transact(ctx, table.PutOp(it, nx),
		table.PutOp(uniqueItem(actorNameKey(a.Name), accountKey(a.ID)), nx))
	if errors.Is(err, table.ErrConditionFailed) {
		return s.AccountByName(ctx, InstanceActorName)
	}
	if err != nil {
		return a, fmt.Errorf("create instance account: %w", err)
	}
	return a, nil
}

// Account reads an account by id.
func (s *Store) Account(ctx context.Context, id int64) (model.Account, error) {
	it, err := s.t.Get(ctx, accountKey(id))
	if err != nil {
		return model.Account{}, fmt.Errorf("get account %d: %w", id, notFound(err))
	}
	return decodeAccount(it)
}

// AccountByName reads a local account by name (case-insensitive).
func (s *Store) AccountByName(ctx context.Context, name string) (model.Account, error) {
	it, err := s.actorByName(ctx, name, "ACCOUNT#")
	if err != nil {
		return model.Account{}, fmt.Errorf("get account %q: %w", name, err)
	}
	return decodeAccount(it)
}

// actorByName resolves an actor-name claim to the item it points at, when
// that item's key has the wanted prefix.
func (s *Store) actorByName(ctx context.Context, name, prefix string) (table.Item, error) {
	ref, err := s.t.Get(ctx, actorNameKey(name))
	if err != nil {
		return nil, notFound(err)
	}
	pk := ref.String(attrRef)
	if !strings.HasPrefix(pk, prefix) {
		return nil, ErrNotFound
	}
	it, err := s.t.Get(ctx, table.Key{PK: pk, SK: skItem})
	return it, notFound(err)
}

// Accounts lists every local account in creation order.
func (s *Store) Accounts(ctx context.Context) ([]model.Account, error) {
	return listKind(ctx, s, kindAccounts, decodeAccount)
}

// UpdateAccount writes a if it is still at a.Version (ErrStale otherwise).
func (s *Store) UpdateAccount(ctx context.Context, a model.Account) (model.Account, error) {
	old := a.Version
	a.Version++
	a.UpdatedAt = s.clock()
	it, err := accountItem(a)
	if err != nil {
		return a, err
	}
	// Update, not Put: the channel count beside the document stays.
	_, err = s.t.Update(ctx, accountKey(a.ID), table.Update{Set: map[string]any{
		attrDoc: it[attrDoc], attrVer: a.Version,
	}}, table.AttrEquals(attrVer, old))
	if err != nil {
		if errors.Is(err, table.ErrConditionFailed) {
			err = ErrStale
		}
		return a, fmt.Errorf("update account %d: %w", a.ID, err)
	}
	return a, nil
}
