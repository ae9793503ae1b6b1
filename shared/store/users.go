package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

// NewUser is what CreateUser needs: the user, its account's display name
// and its default channel.
type NewUser struct {
	User               model.User
	AccountDisplayName string
	Channel            model.Channel
}

// CreateUser creates a user, its account and its default channel in one
// transaction, claiming the username, the email and both actor names. It
// returns a *TakenError when one of them is taken.
func (s *Store) CreateUser(ctx context.Context, nu NewUser) (model.User, model.Account, model.Channel, error) {
	u, ch := nu.User, nu.Channel
	if strings.EqualFold(ch.Name, u.Username) {
		return u, model.Account{}, ch, &TakenError{What: "name", Value: ch.Name}
	}
	var err error
	if u.ID, err = s.nextID(ctx, "user"); err != nil {
		return u, model.Account{}, ch, err
	}
	accountID, err := s.nextID(ctx, "account")
	if err != nil {
		return u, model.Account{}, ch, err
	}
	if ch.ID, err = s.nextID(ctx, "channel"); err != nil {
		return u, model.Account{}, ch, err
	}
	now := s.clock()
	u.AccountID, u.CreatedAt, u.Version = accountID, now, 1
	acc := model.Account{ID: accountID, UserID: u.ID, Name: u.Username, DisplayName: nu.AccountDisplayName,
		CreatedAt: now, UpdatedAt: now, Version: 1}
	ch.AccountID, ch.CreatedAt, ch.UpdatedAt, ch.Version = accountID, now, now, 1

	ui, err := userItem(u)
	if err != nil {
		return u, acc, ch, err
	}
	ai, err := accountItem(acc)
	if err != nil {
		return u, acc, ch, err
	}
	ai[attrChannels] = int64(1)
	ci, err := channelItem(ch)
	if err != nil {
		return u, acc, ch, err
	}
	nx := table.ItemNotExists()
	ops := []table.Op{
		table.PutOp(ui, nx), table.PutOp(ai, nx), table.PutOp(ci, nx),
		table.PutOp(uniqueItem(usernameKey(u.Username), userKey(u.ID)), nx),
		table.PutOp(uniqueItem(emailKey(u.Email), userKey(u.ID)), nx),
		table.PutOp(uniqueItem(actorNameKey(acc.Name), accountKey(acc.ID)), nx),
		table.PutOp(uniqueItem(actorNameKey(ch.Name), channelKey(ch.ID)), nx),
		table.PutOp(membershipItem(ch), nx),
	}
	claims := map[int]*TakenError{
		3: {What: "username", Value: u.Username},
		4: {What: "email", Value: u.Email},
		5: {What: "name", Value: acc.Name},
		6: {What: "name", Value: ch.Name},
	}
	if err := s.t.Transact(ctx, ops...); err != nil {
		return u, acc, ch, fmt.Errorf("create user %s: %w", u.Username, txTaken(err, claims))
	}
	return u, acc, ch, nil
}

func userItem(u model.User) (table.Item, error) {
	return listedItem(userKey(u.ID), "user", kindUsers, u, u.Version, u.CreatedAt, u.ID)
}

func decodeUser(it table.Item) (model.User, error) {
	var u model.User
	ver, err := decodeDoc(it, &u)
	u.Version = ver
	return u, err
}

// User reads a user by id.
func (s *Store) User(ctx context.Context, id int64) (model.User, error) {
	it, err := s.t.Get(ctx, userKey(id))
	if err != nil {
		return model.User{}, fmt.Errorf("get user %d: %w", id, notFound(err))
	}
	return decodeUser(it)
}

// UserByUsername reads a user by username (case-insensitive).
func (s *Store) UserByUsername(ctx context.Context, name string) (model.User, error) {
	return s.userByUnique(ctx, usernameKey(name))
}

// UserByEmail reads a user by email (case-insensitive).
func (s *Store) UserByEmail(ctx context.Context, email string) (model.User, error) {
	return s.userByUnique(ctx, emailKey(email))
}

// UserByLogin reads a user by username or, failing that, email, as
// PeerTube's password grant does.
func (s *Store) UserByLogin(ctx context.Context, login string) (model.User, error) {
	u, err := s.UserByUsername(ctx, login)
	if errors.Is(err, ErrNotFound) && strings.Contains(login, "@") {
		return s.UserByEmail(ctx, login)
	}
	return u, err
}

func (s *Store) userByUnique(ctx context.Context, k table.Key) (model.User, error) {
	it, err := s.byClaim(ctx, k)
	if err != nil {
		return model.User{}, err
	}
	return decodeUser(it)
}

// Users lists every user in creation order.
func (s *Store) Users(ctx context.Context) ([]model.User, error) {
	return listKind(ctx, s, kindUsers, decodeUser)
}

// UpdateUser writes u if it is still at u.Version (ErrStale otherwise),
// moving the email claim when the email changed. It returns the stored user.
func (s *Store) UpdateUser(ctx context.Context, u model.User) (model.User, error) {
	old, err := s.User(ctx, u.ID)
	if err != nil {
		return u, err
	}
	if old.Version != u.Version {
		return u, fmt.Errorf("update user %d: %w", u.ID, ErrStale)
	}
	u.Version++
	it, err := userItem(u)
	if err != nil {
		return u, err
	}
	ops := []table.Op{table.PutOp(it, table.AttrEquals(attrVer, old.Version))}
	claims := map[int]*TakenError{}
	if !strings.EqualFold(old.Email, u.Email) {
		claims[len(ops)] = &TakenError{What: "email", Value: u.Email}
		ops = append(ops,
			table.PutOp(uniqueItem(emailKey(u.Email), userKey(u.ID)), table.ItemNotExists()),
			table.DeleteOp(emailKey(old.Email)))
	}
	if err := s.t.Transact(ctx, ops...); err != nil {
		err = txTaken(err, claims)
		if errors.Is(err, table.ErrConditionFailed) {
			err = ErrStale
		}
		return u, fmt.Errorf("update user %d: %w", u.ID, err)
	}
	return u, nil
}

// DeleteUser deletes a user with its account, channels and tokens, and
// frees its username and email. The account and channel names stay
// claimed, as in PeerTube: remote servers remember those actors, so a new
// actor must never take over their names.
func (s *Store) DeleteUser(ctx context.Context, id int64) error {
	u, err := s.User(ctx, id)
	if err != nil {
		return err
	}
	acc, err := s.Account(ctx, u.AccountID)
	if err != nil {
		return err
	}
	chans, err := s.AccountChannels(ctx, acc.ID)
	if err != nil {
		return err
	}
	ops := []table.Op{
		table.DeleteOp(userKey(u.ID), table.AttrEquals(attrVer, u.Version)),
		table.DeleteOp(accountKey(acc.ID)),
		table.DeleteOp(usernameKey(u.Username)),
		table.DeleteOp(emailKey(u.Email)),
	}
	for _, ch := range chans {
		ops = append(ops, table.DeleteOp(channelKey(ch.ID)), table.DeleteOp(accountChannelKey(acc.ID, ch.ID)))
	}
	if err := s.t.Transact(ctx, ops...); err != nil {
		if errors.Is(err, table.ErrConditionFailed) {
			err = ErrStale
		}
		return fmt.Errorf("delete user %d: %w", id, err)
	}
	return s.RevokeUserTokens(ctx, id, "")
}

// notFound maps the table's not-found to the store's.
func notFound(err error) error {
	if errors.Is(err, table.ErrNotFound) {
		return ErrNotFound
	}
	return err
}
