package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

// Attributes of video items besides the document: counters, changed
// without rewriting the document.
const (
	attrViews    = "views"
	attrLikes    = "likes"
	attrDislikes = "dislikes"
	attrRating   = "rating"
)

const (
	kindVideos    = "VIDEOS"
	skVideoPrefix = "VIDEO#"
	skRatePrefix  = "RATE#"
)

func videoKey(id int64) table.Key { return table.Key{PK: fmt.Sprintf("VIDEO#%d", id), SK: skItem} }

func videoUUIDKey(uuid string) table.Key {
	return table.Key{PK: "VIDEOUUID#" + strings.ToLower(uuid), SK: skUnique}
}

// ownerVideoKey records in an owner's partition (an account or a channel)
// that it holds a video.
func ownerVideoKey(ownerPK string, videoID int64) table.Key {
	return table.Key{PK: ownerPK, SK: fmt.Sprintf("%s%020d", skVideoPrefix, videoID)}
}

func ratingKey(videoID, accountID int64) table.Key {
	return table.Key{PK: videoKey(videoID).PK, SK: fmt.Sprintf("%s%d", skRatePrefix, accountID)}
}

func videoItem(v model.Video) (table.Item, error) {
	doc := v
	doc.Views, doc.Likes, doc.Dislikes = 0, 0, 0 // kept beside the document
	return listedItem(videoKey(v.ID), "video", kindVideos, doc, v.Version, v.CreatedAt, v.ID)
}

func decodeVideo(it table.Item) (model.Video, error) {
	var v model.Video
	ver, err := decodeDoc(it, &v)
	v.Version = ver
	v.Views, v.Likes, v.Dislikes = it.Int(attrViews), it.Int(attrLikes), it.Int(attrDislikes)
	return v, err
}

func refItem(k, ref table.Key, typ string) table.Item {
	return table.Item{table.AttrPK: k.PK, table.AttrSK: k.SK, attrType: typ, attrRef: ref.PK}
}

// CreateVideo stores a new video (v.UUID set by the caller), giving it its
// id, and records it in its account's and channel's partitions. The
// channel must exist and belong to v.AccountID.
func (s *Store) CreateVideo(ctx context.Context, v model.Video) (model.Video, error) {
	return s.createVideo(ctx, v, "")
}

// createVideo is CreateVideo; a remote video also claims its URL (a taken
// URL gives ErrTaken).
func (s *Store) createVideo(ctx context.Context, v model.Video, url string) (model.Video, error) {
	id, err := s.nextID(ctx, "video")
	if err != nil {
		return v, err
	}
	now := s.clock()
	v.ID, v.CreatedAt, v.UpdatedAt, v.Version = id, now, now, 1
	if v.PublishedAt.IsZero() {
		v.PublishedAt = now
	}
	v.Views, v.Likes, v.Dislikes = 0, 0, 0
	it, err := videoItem(v)
	if err != nil {
		return v, err
	}
	it[attrViews], it[attrLikes], it[attrDislikes] = int64(0), int64(0), int64(0)
	k := videoKey(v.ID)
	nx := table.ItemNotExists()
	ops := []table.Op{
		table.PutOp(it, nx),
		table.PutOp(refItem(videoUUIDKey(v.UUID), k, "unique"), nx),
		table.PutOp(refItem(ownerVideoKey(accountKey(v.AccountID).PK, v.ID), k, "member"), nx),
		table.PutOp(refItem(ownerVideoKey(channelKey(v.ChannelID).PK, v.ID), k, "member"), nx),
		table.CheckOp(accountChannelKey(v.AccountID, v.ChannelID), table.ItemExists()),
	}
	if url != "" {
		ops = append(ops, table.PutOp(refItem(videoURLKey(url), k, "unique"), nx))
	}
	err = s.t.Transact(ctx, ops...)
	var tx *table.TxCanceledError
	if errors.As(err, &tx) {
		switch tx.FailedOp(table.ErrConditionFailed) {
		case 4:
			err = ErrNotFound // the channel is gone or not the account's
		case 1:
			err = &TakenError{What: "uuid", Value: v.UUID}
		case 5:
			err = &TakenError{What: "url", Value: url}
		}
	}
	if err != nil {
		return v, fmt.Errorf("create video: %w", err)
	}
	return v, nil
}

// Video reads a video by id.
func (s *Store) Video(ctx context.Context, id int64) (model.Video, error) {
	it, err := s.t.Get(ctx, videoKey(id))
	if err != nil {
		return model.Video{}, fmt.Errorf("get video %d: %w", id, notFound(err))
	}
	return decodeVideo(it)
}

// VideoByUUID reads a video by its UUID.
func (s *Store) VideoByUUID(ctx context.Context, uuid string) (model.Video, error) {
	it, err := s.byClaim(ctx, videoUUIDKey(uuid))
	if err != nil {
		return model.Video{}, err
	}
	return decodeVideo(it)
}

// Videos lists every local video in creation order.
func (s *Store) Videos(ctx context.Context) ([]model.Video, error) {
	return listKind(ctx, s, kindVideos, decodeVideo)
}

// AccountVideos lists an account's videos in creation order, strongly
// consistently (a video is listed as soon as it exists).
func (s *Store) AccountVideos(ctx context.Context, accountID int64) ([]model.Video, error) {
	return s.ownerVideos(ctx, accountKey(accountID).PK)
}

// ChannelVideos lists a channel's videos in creation order.
func (s *Store) ChannelVideos(ctx context.Context, channelID int64) ([]model.Video, error) {
	return s.ownerVideos(ctx, channelKey(channelID).PK)
}

func (s *Store) ownerVideos(ctx context.Context, ownerPK string) ([]model.Video, error) {
	members, err := s.queryAll(ctx, table.Query{PK: ownerPK, SKOp: table.SKBeginsWith, SK: skVideoPrefix})
	if err != nil {
		return nil, fmt.Errorf("list videos of %s: %w", ownerPK, err)
	}
	items, err := s.batchGetRefs(ctx, members)
	if err != nil {
		return nil, fmt.Errorf("read videos of %s: %w", ownerPK, err)
	}
	return decodeAll(items, decodeVideo)
}

// UpdateVideo writes v if it is still at v.Version (ErrStale otherwise).
// Counters are left as they are.
func (s *Store) UpdateVideo(ctx context.Context, v model.Video) (model.Video, error) {
	old := v.Version
	v.Version++
	v.UpdatedAt = s.clock()
	it, err := videoItem(v)
	if err != nil {
		return v, err
	}
	_, err = s.t.Update(ctx, videoKey(v.ID), table.Update{Set: map[string]any{attrDoc: it[attrDoc], attrVer: v.Version}},
		table.AttrEquals(attrVer, old))
	if errors.Is(err, table.ErrConditionFailed) {
		err = ErrStale
	}
	if err != nil {
		return v, fmt.Errorf("update video %d: %w", v.ID, err)
	}
	return v, nil
}

// ModifyVideo applies fn to the stored video and writes it, retrying when
// a concurrent write got there first. fn may return an error to stop.
func (s *Store) ModifyVideo(ctx context.Context, id int64, fn func(*model.Video) error) (model.Video, error) {
	for attempt := 0; ; attempt++ {
		v, err := s.Video(ctx, id)
		if err != nil {
			return v, err
		}
		if err := fn(&v); err != nil {
			return v, err
		}
		v, err = s.UpdateVideo(ctx, v)
		if errors.Is(err, ErrStale) && attempt < 10 {
			continue
		}
		return v, err
	}
}

// DeleteVideo deletes a video, its UUID claim and its memberships.
// Its ratings are left to expire with nothing pointing at them.
func (s *Store) DeleteVideo(ctx context.Context, v model.Video) error {
	err := s.t.Transact(ctx,
		table.DeleteOp(videoKey(v.ID), table.ItemExists()),
		table.DeleteOp(videoUUIDKey(v.UUID)),
		table.DeleteOp(ownerVideoKey(accountKey(v.AccountID).PK, v.ID)),
		table.DeleteOp(ownerVideoKey(channelKey(v.ChannelID).PK, v.ID)))
	if errors.Is(err, table.ErrConditionFailed) {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("delete video %d: %w", v.ID, err)
	}
	return nil
}

// AddViews adds n to a video's view count.
func (s *Store) AddViews(ctx context.Context, videoID, n int64) error {
	_, err := s.t.Update(ctx, videoKey(videoID), table.Update{Add: map[string]int64{attrViews: n}}, table.ItemExists())
	if errors.Is(err, table.ErrConditionFailed) {
		err = ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("add views to video %d: %w", videoID, err)
	}
	return nil
}

// Rating is an account's rating of a video: "like", "dislike" or "none".
func (s *Store) Rating(ctx context.Context, videoID, accountID int64) (string, error) {
	it, err := s.t.Get(ctx, ratingKey(videoID, accountID))
	if errors.Is(err, table.ErrNotFound) {
		return "none", nil
	}
	if err != nil {
		return "", fmt.Errorf("get rating: %w", err)
	}
	return it.String(attrRating), nil
}

// Rate sets an account's rating of a video and moves the video's like and
// dislike counts with it, in one transaction conditional on the rating it
// replaces, so concurrent ratings never count twice.
func (s *Store) Rate(ctx context.Context, videoID, accountID int64, rating string) error {
	for attempt := 0; ; attempt++ {
		old, err := s.Rating(ctx, videoID, accountID)
		if err != nil {
			return err
		}
		if old == rating {
			return nil
		}
		add := map[string]int64{}
		counter := map[string]string{"like": attrLikes, "dislike": attrDislikes}
		if c, ok := counter[old]; ok {
			add[c]--
		}
		if c, ok := counter[rating]; ok {
			add[c]++
		}
		rk := ratingKey(videoID, accountID)
		var ratingOp table.Op
		var cond table.Cond
		if old == "none" {
			cond = table.ItemNotExists()
		} else {
			cond = table.AttrEquals(attrRating, old)
		}
		if rating == "none" {
			ratingOp = table.DeleteOp(rk, cond)
		} else {
			ratingOp = table.PutOp(table.Item{table.AttrPK: rk.PK, table.AttrSK: rk.SK, attrType: "rating", attrRating: rating}, cond)
		}
		err = s.t.Transact(ctx, ratingOp, table.UpdateOp(videoKey(videoID), table.Update{Add: add}, table.ItemExists()))
		var tx *table.TxCanceledError
		if errors.As(err, &tx) {
			switch tx.FailedOp(table.ErrConditionFailed) {
			case 0:
				if attempt < 10 {
					continue // another rating landed first: re-read
				}
			case 1:
				return fmt.Errorf("rate video %d: %w", videoID, ErrNotFound)
			}
		}
		if err != nil {
			return fmt.Errorf("rate video %d: %w", videoID, err)
		}
		return nil
	}
}

// NewFileID returns a fresh id for a video file or streaming playlist.
func (s *Store) NewFileID(ctx context.Context) (int64, error) { return s.nextID(ctx, "file") }
