package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

// Blocks are items in their owner account's blocklist partition; abuse
// reports are listed items of their own kind.

func blockKey(owner int64, kind string, accountID int64, host string) table.Key {
	pk := fmt.Sprintf("BLOCKS#%d", owner)
	if kind == model.BlockServer {
		return table.Key{PK: pk, SK: "SERVER#" + strings.ToLower(host)}
	}
	return table.Key{PK: pk, SK: fmt.Sprintf("ACCOUNT#%020d", accountID)}
}

// AddBlock records a block; adding it twice is adding it once (created
// reports which).
func (s *Store) AddBlock(ctx context.Context, b model.Block) (bool, error) {
	if b.CreatedAt.IsZero() {
		b.CreatedAt = s.clock()
	}
	it, err := docItem(blockKey(b.OwnerAccountID, b.Kind, b.AccountID, b.Host), "block", b, 1)
	if err != nil {
		return false, err
	}
	err = s.t.Put(ctx, it, table.ItemNotExists())
	if errors.Is(err, table.ErrConditionFailed) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("add block: %w", err)
	}
	return true, nil
}

// RemoveBlock deletes a block (ErrNotFound when there is none).
func (s *Store) RemoveBlock(ctx context.Context, b model.Block) error {
	err := s.t.Delete(ctx, blockKey(b.OwnerAccountID, b.Kind, b.AccountID, b.Host), table.ItemExists())
	if errors.Is(err, table.ErrConditionFailed) {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("remove block: %w", notFound(err))
	}
	return nil
}

// Blocks lists an owner's blocks of one kind.
func (s *Store) Blocks(ctx context.Context, owner int64, kind string) ([]model.Block, error) {
	prefix := "ACCOUNT#"
	if kind == model.BlockServer {
		prefix = "SERVER#"
	}
	items, err := s.queryAll(ctx, table.Query{PK: fmt.Sprintf("BLOCKS#%d", owner), SKOp: table.SKBeginsWith, SK: prefix})
	if err != nil {
		return nil, fmt.Errorf("list blocks of %d: %w", owner, err)
	}
	return decodeAll(items, func(it table.Item) (model.Block, error) {
		var b model.Block
		_, err := decodeDoc(it, &b)
		return b, err
	})
}

// Blocked reports whether owner blocks the account or its server.
func (s *Store) Blocked(ctx context.Context, owner, accountID int64, host string) (bool, error) {
	keys := []table.Key{blockKey(owner, model.BlockAccount, accountID, "")}
	if host != "" {
		keys = append(keys, blockKey(owner, model.BlockServer, 0, host))
	}
	got, err := s.t.BatchGet(ctx, keys)
	if err != nil {
		return false, fmt.Errorf("check blocks of %d: %w", owner, err)
	}
	return len(got) > 0, nil
}

const kindAbuses = "ABUSES"

func abuseKey(id int64) table.Key { return table.Key{PK: fmt.Sprintf("ABUSE#%d", id), SK: skItem} }

func decodeAbuse(it table.Item) (model.Abuse, error) {
	var a model.Abuse
	_, err := decodeDoc(it, &a)
	return a, err
}

// CreateAbuse stores an abuse report. A report received twice (same URL)
// is stored once.
func (s *Store) CreateAbuse(ctx context.Context, a model.Abuse) (model.Abuse, error) {
	if a.URL != "" {
		if it, err := s.byClaim(ctx, table.Key{PK: "ABUSEURL#" + a.URL, SK: skUnique}); err == nil {
			return decodeAbuse(it)
		}
	}
	id, err := s.nextID(ctx, "abuse")
	if err != nil {
		return a, err
	}
	now := s.clock()
	a.ID, a.CreatedAt, a.UpdatedAt = id, now, now
	it, err := listedItem(abuseKey(id), "abuse", kindAbuses, a, 1, now, id)
	if err != nil {
		return a, err
	}
	ops := []table.Op{table.PutOp(it, table.ItemNotExists())}
	if a.URL != "" {
		ops = append(ops, table.PutOp(uniqueItem(table.Key{PK: "ABUSEURL#" + a.URL, SK: skUnique}, abuseKey(id)), table.ItemNotExists()))
	}
	if err := s.t.Transact(ctx, ops...); err != nil {
		if isCanceled(err) && a.URL != "" {
			if it, gerr := s.byClaim(ctx, table.Key{PK: "ABUSEURL#" + a.URL, SK: skUnique}); gerr == nil {
				return decodeAbuse(it)
			}
		}
		return a, fmt.Errorf("create abuse: %w", err)
	}
	return a, nil
}

// Abuses lists every abuse report, oldest first.
func (s *Store) Abuses(ctx context.Context) ([]model.Abuse, error) {
	return listKind(ctx, s, kindAbuses, decodeAbuse)
}
