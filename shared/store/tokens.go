package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

// ErrExpired means a token exists but has expired.
var ErrExpired = errors.New("expired")

// Token lifetimes, as PeerTube's defaults (oauth2.token_lifetime).
const (
	AccessTokenLifetime  = 24 * time.Hour
	RefreshTokenLifetime = 14 * 24 * time.Hour
)

// Attributes of token items.
const (
	attrUserID      = "userId"
	attrPairHash    = "pair"
	attrExpires     = "expires"
	attrRefreshExps = "refreshExpires"
)

// hashToken is how tokens are stored: only their SHA-256. A token is 160
// random bits, so a fast hash is enough (no KDF needed).
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// randomHex returns n random bytes, hex-encoded.
func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// IssueToken creates a new access/refresh token pair for a user.
func (s *Store) IssueToken(ctx context.Context, userID int64) (model.Token, error) {
	access, err := randomHex(20)
	if err != nil {
		return model.Token{}, fmt.Errorf("issue token: %w", err)
	}
	refresh, err := randomHex(20)
	if err != nil {
		return model.Token{}, fmt.Errorf("issue token: %w", err)
	}
	now := s.clock()
	t := model.Token{UserID: userID, Access: access, Refresh: refresh, CreatedAt: now,
		AccessExpires: now.Add(AccessTokenLifetime), RefreshExpires: now.Add(RefreshTokenLifetime)}
	ah, rh := hashToken(access), hashToken(refresh)
	// The refresh token is kept a day past expiry, so a late use is told it
	// expired; the user's record of the pair lasts as long.
	keep := t.RefreshExpires.Add(24 * time.Hour).Unix()
	accessItem := table.Item{
		table.AttrPK: accessTokenKey(ah).PK, table.AttrSK: skItem, attrType: "token",
		attrUserID: userID, attrPairHash: rh, attrTTL: t.AccessExpires.Unix(),
		attrExpires: t.AccessExpires.UnixMilli(), attrRefreshExps: t.RefreshExpires.UnixMilli(),
	}
	refreshItem := table.Item{
		table.AttrPK: refreshTokenKey(rh).PK, table.AttrSK: skItem, attrType: "refresh",
		attrUserID: userID, attrPairHash: ah, attrTTL: keep, attrExpires: t.RefreshExpires.UnixMilli(),
	}
	uk := userTokenKey(userID, ah)
	userItem := table.Item{table.AttrPK: uk.PK, table.AttrSK: uk.SK, attrType: "usertoken", attrPairHash: rh, attrTTL: keep}
	nx := table.ItemNotExists()
	if err := s.t.Transact(ctx, table.PutOp(accessItem, nx), table.PutOp(refreshItem, nx), table.PutOp(userItem, nx),
		table.CheckOp(userKey(userID), table.ItemExists())); err != nil {
		var tx *table.TxCanceledError
		if errors.As(err, &tx) && tx.FailedOp(table.ErrConditionFailed) == 3 {
			err = ErrNotFound
		}
		return model.Token{}, fmt.Errorf("issue token for user %d: %w", userID, err)
	}
	return t, nil
}

// TokenByAccess finds a live access token. ErrNotFound when unknown,
// revoked or expired.
func (s *Store) TokenByAccess(ctx context.Context, access string) (model.Token, error) {
	it, err := s.t.Get(ctx, accessTokenKey(hashToken(access)))
	if err != nil {
		return model.Token{}, fmt.Errorf("get access token: %w", notFound(err))
	}
	t := model.Token{
		UserID:         it.Int(attrUserID),
		AccessExpires:  time.UnixMilli(it.Int(attrExpires)).UTC(),
		RefreshExpires: time.UnixMilli(it.Int(attrRefreshExps)).UTC(),
	}
	if !s.clock().Before(t.AccessExpires) {
		return model.Token{}, fmt.Errorf("get access token: %w", ErrNotFound)
	}
	return t, nil
}

// RefreshToken trades a live refresh token for a new pair; the old pair
// stops working. A refresh token works once: concurrent uses race on a
// conditional delete and only one wins.
func (s *Store) RefreshToken(ctx context.Context, refresh string) (model.Token, error) {
	rk := refreshTokenKey(hashToken(refresh))
	it, err := s.t.Get(ctx, rk)
	if err != nil {
		return model.Token{}, fmt.Errorf("get refresh token: %w", notFound(err))
	}
	if !s.clock().Before(time.UnixMilli(it.Int(attrExpires))) {
		return model.Token{}, fmt.Errorf("get refresh token: %w", ErrExpired)
	}
	ah := it.String(attrPairHash)
	err = s.t.Transact(ctx,
		table.DeleteOp(rk, table.ItemExists()),
		table.DeleteOp(accessTokenKey(ah)),
		table.DeleteOp(userTokenKey(it.Int(attrUserID), ah)))
	if errors.Is(err, table.ErrConditionFailed) {
		err = ErrNotFound
	}
	if err != nil {
		return model.Token{}, fmt.Errorf("use refresh token: %w", err)
	}
	return s.IssueToken(ctx, it.Int(attrUserID))
}

// RevokeAccess revokes an access token and its refresh token.
func (s *Store) RevokeAccess(ctx context.Context, access string) error {
	ak := accessTokenKey(hashToken(access))
	it, err := s.t.Get(ctx, ak)
	if errors.Is(err, table.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if err := s.t.Transact(ctx, table.DeleteOp(ak),
		table.DeleteOp(refreshTokenKey(it.String(attrPairHash))),
		table.DeleteOp(userTokenKey(it.Int(attrUserID), hashToken(access)))); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// RevokeUserTokens revokes every token of a user but the access token
// exceptAccess (and its refresh token), when not "". It reads the user's
// partition, so a token issued a moment ago is revoked too.
func (s *Store) RevokeUserTokens(ctx context.Context, userID int64, exceptAccess string) error {
	items, err := s.queryAll(ctx, table.Query{PK: userKey(userID).PK, SKOp: table.SKBeginsWith, SK: skTokenPrefix})
	if err != nil {
		return fmt.Errorf("list tokens of user %d: %w", userID, err)
	}
	keep := ""
	if exceptAccess != "" {
		keep = hashToken(exceptAccess)
	}
	for _, it := range items {
		ah := strings.TrimPrefix(it.String(table.AttrSK), skTokenPrefix)
		if ah == keep {
			continue
		}
		err := s.t.Transact(ctx, table.DeleteOp(accessTokenKey(ah)),
			table.DeleteOp(refreshTokenKey(it.String(attrPairHash))), table.DeleteOp(it.Key()))
		if err != nil {
			return fmt.Errorf("revoke tokens of user %d: %w", userID, err)
		}
	}
	return nil
}

// EnsureOAuthClient returns the instance's OAuth client, creating it on
// first use. Concurrent callers agree on one.
func (s *Store) EnsureOAuthClient(ctx context.Context) (model.OAuthClient, error) {
	it, err := s.t.Get(ctx, oauthClientKey())
	if err == nil {
		return model.OAuthClient{ID: it.String("clientId"), Secret: it.String("clientSecret")}, nil
	}
	if !errors.Is(err, table.ErrNotFound) {
		return model.OAuthClient{}, fmt.Errorf("get oauth client: %w", err)
	}
	id, err := randomHex(16)
	if err != nil {
		return model.OAuthClient{}, err
	}
	secret, err := randomHex(16)
	if err != nil {
		return model.OAuthClient{}, err
	}
	k := oauthClientKey()
	err = s.t.Put(ctx, table.Item{table.AttrPK: k.PK, table.AttrSK: k.SK, attrType: "oauthclient",
		"clientId": id, "clientSecret": secret}, table.ItemNotExists())
	if errors.Is(err, table.ErrConditionFailed) {
		return s.EnsureOAuthClient(ctx)
	}
	if err != nil {
		return model.OAuthClient{}, fmt.Errorf("create oauth client: %w", err)
	}
	return model.OAuthClient{ID: id, Secret: secret}, nil
}
