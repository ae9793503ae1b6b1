package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

// Comments live in their video's partition (one query lists a video's
// comments for its threads); a URL claim finds one by its ActivityPub id.

const skCommentPrefix = "COMMENT#"

func commentKey(videoID, id int64) table.Key {
	return table.Key{PK: videoKey(videoID).PK, SK: fmt.Sprintf("%s%020d", skCommentPrefix, id)}
}

func commentURLKey(url string) table.Key { return table.Key{PK: "COMMENTURL#" + url, SK: skUnique} }

const attrRefSK = "refsk"

func decodeComment(it table.Item) (model.Comment, error) {
	var c model.Comment
	_, err := decodeDoc(it, &c)
	return c, err
}

// NewCommentID returns a fresh comment id (local comments need theirs
// before their URL exists).
func (s *Store) NewCommentID(ctx context.Context) (int64, error) { return s.nextID(ctx, "comment") }

// CreateComment stores a comment (c.ID from NewCommentID, c.URL set) once:
// a second comment with the same URL gives the first back with created
// false.
func (s *Store) CreateComment(ctx context.Context, c model.Comment) (model.Comment, bool, error) {
	if c.ID == 0 || c.URL == "" {
		return c, false, errors.New("create comment: no id or url")
	}
	now := s.clock()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	if c.ThreadID == 0 {
		c.ThreadID = c.ID
	}
	k := commentKey(c.VideoID, c.ID)
	it, err := docItem(k, "comment", c, 1)
	if err != nil {
		return c, false, err
	}
	claim := uniqueItem(commentURLKey(c.URL), k)
	claim[attrRefSK] = k.SK
	nx := table.ItemNotExists()
	err = s.t.Transact(ctx, table.PutOp(it, nx), table.PutOp(claim, nx),
		table.CheckOp(videoKey(c.VideoID), table.ItemExists()))
	var tx *table.TxCanceledError
	if errors.As(err, &tx) {
		switch tx.FailedOp(table.ErrConditionFailed) {
		case 1:
			existing, gerr := s.CommentByURL(ctx, c.URL)
			return existing, false, gerr
		case 2:
			return c, false, fmt.Errorf("create comment: video %d: %w", c.VideoID, ErrNotFound)
		}
	}
	if err != nil {
		return c, false, fmt.Errorf("create comment %s: %w", c.URL, err)
	}
	return c, true, nil
}

// CommentByURL reads a comment by its ActivityPub id.
func (s *Store) CommentByURL(ctx context.Context, url string) (model.Comment, error) {
	ref, err := s.t.Get(ctx, commentURLKey(url))
	if err != nil {
		return model.Comment{}, fmt.Errorf("get comment %s: %w", url, notFound(err))
	}
	it, err := s.t.Get(ctx, table.Key{PK: ref.String(attrRef), SK: ref.String(attrRefSK)})
	if err != nil {
		return model.Comment{}, fmt.Errorf("get comment %s: %w", url, notFound(err))
	}
	return decodeComment(it)
}

// Comment reads a comment of a video by id.
func (s *Store) Comment(ctx context.Context, videoID, id int64) (model.Comment, error) {
	it, err := s.t.Get(ctx, commentKey(videoID, id))
	if err != nil {
		return model.Comment{}, fmt.Errorf("get comment %d: %w", id, notFound(err))
	}
	return decodeComment(it)
}

// VideoComments lists a video's comments, deleted ones included, in id
// (creation) order.
func (s *Store) VideoComments(ctx context.Context, videoID int64) ([]model.Comment, error) {
	items, err := s.queryAll(ctx, table.Query{PK: videoKey(videoID).PK, SKOp: table.SKBeginsWith, SK: skCommentPrefix})
	if err != nil {
		return nil, fmt.Errorf("list comments of video %d: %w", videoID, err)
	}
	return decodeAll(items, decodeComment)
}

// DeleteComment marks a comment deleted (its text gone, kept as a
// tombstone so its replies keep their thread). Deleting twice is deleting
// once.
func (s *Store) DeleteComment(ctx context.Context, c model.Comment) (model.Comment, error) {
	if c.DeletedAt != nil {
		return c, nil
	}
	now := s.clock()
	c.DeletedAt, c.Text, c.UpdatedAt = &now, "", now
	it, err := docItem(commentKey(c.VideoID, c.ID), "comment", c, 2)
	if err != nil {
		return c, err
	}
	if err := s.t.Put(ctx, it, table.ItemExists()); err != nil {
		return c, fmt.Errorf("delete comment %d: %w", c.ID, notFound(err))
	}
	return c, nil
}

// Activity journal: every activity the inboxes accepted, by id, for a week.

const journalTTL = 7 * 24 * time.Hour

func journalKey(id string) table.Key { return table.Key{PK: "ACTIVITY#" + hashToken(id), SK: skItem} }

// RecordActivity stores a received activity under its id unless it is
// there already; fresh reports whether it was not.
func (s *Store) RecordActivity(ctx context.Context, id string, raw []byte) (bool, error) {
	k := journalKey(id)
	it := table.Item{table.AttrPK: k.PK, table.AttrSK: k.SK, attrType: "activity", "id": id, "raw": string(raw),
		attrTTL: s.clock().Add(journalTTL).Unix()}
	err := s.t.Put(ctx, it, table.ItemNotExists())
	if errors.Is(err, table.ErrConditionFailed) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("record activity %s: %w", id, err)
	}
	return true, nil
}

// ForgetActivity removes a recorded activity (its enqueue failed, so the
// sender's retry must be taken).
func (s *Store) ForgetActivity(ctx context.Context, id string) error {
	if err := s.t.Delete(ctx, journalKey(id)); err != nil && !errors.Is(err, table.ErrNotFound) {
		return fmt.Errorf("forget activity %s: %w", id, err)
	}
	return nil
}
