package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vidiverse/vidiverse/shared/table"
)

// View counting, as PeerTube counts: a viewer's view of a video counts
// once it has watched for ViewAfter, and at most once per ViewWindow. The
// player reports every few seconds; those reports touch only the viewer's
// small session item, and a counted view is one write to the video's
// counter, so the video item sees one write per view, not per report.
const (
	ViewAfter  = 10 * time.Second
	ViewWindow = time.Hour
)

const (
	attrFirst   = "first"
	attrCounted = "counted"
)

func viewSessionKey(videoID int64, viewer string) table.Key {
	return table.Key{PK: fmt.Sprintf("VIEW#%d#%s", videoID, viewer), SK: skItem}
}

// RecordView notes that viewer is watching a video at position
// currentTime, and counts the view when it qualifies. It reports whether
// this call counted it.
func (s *Store) RecordView(ctx context.Context, videoID int64, viewer string, currentTime float64) (bool, error) {
	now := s.clock()
	k := viewSessionKey(videoID, viewer)
	session := table.Item{table.AttrPK: k.PK, table.AttrSK: k.SK, attrType: "view",
		attrFirst: now.UnixMilli(), attrCounted: false, attrTTL: now.Add(ViewWindow).Unix()}
	err := s.t.Put(ctx, session, table.ItemNotExists())
	var first time.Time
	switch {
	case err == nil:
		first = now
	case errors.Is(err, table.ErrConditionFailed):
		it, err := s.t.Get(ctx, k)
		if errors.Is(err, table.ErrNotFound) {
			return false, nil // expired between the two calls: the next report starts anew
		}
		if err != nil {
			return false, fmt.Errorf("read view session: %w", err)
		}
		if it.Bool(attrCounted) {
			return false, nil
		}
		first = time.UnixMilli(it.Int(attrFirst))
	default:
		return false, fmt.Errorf("start view session: %w", err)
	}
	if now.Sub(first) < ViewAfter && currentTime < ViewAfter.Seconds() {
		return false, nil
	}
	_, err = s.t.Update(ctx, k, table.Update{Set: map[string]any{attrCounted: true}}, table.AttrEquals(attrCounted, false))
	if errors.Is(err, table.ErrConditionFailed) {
		return false, nil // another report counted it
	}
	if err != nil {
		return false, fmt.Errorf("count view: %w", err)
	}
	return true, s.AddViews(ctx, videoID, 1)
}
