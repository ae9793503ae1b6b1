package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vidiverse/vidiverse/shared/table"
)

// A video's processing plan and progress live in the video's partition:
// the plan says which renditions are made and in how many chunks each; a
// marker per finished chunk and per finished rendition is written in the
// same transaction as the counter it decrements, so a job delivered twice
// counts once, and a job that died after its transaction finds, when
// retried, that its part is done and what is left.

const (
	skPlan       = "PLAN"
	skDonePrefix = "DONE#"
	attrPlan     = "plan"
	attrLeft     = "left"
)

// Plan is what a video's processing will make.
type Plan struct {
	// Renditions maps a rendition's name (e.g. "720", "0" for audio only) to
	// its number of chunks (1: encoded whole).
	Renditions map[string]int `json:"renditions"`
	// ChunkSeconds is the chunk length used to cut the source.
	ChunkSeconds float64 `json:"chunkSeconds"`
}

func planKey(videoID int64) table.Key { return table.Key{PK: videoKey(videoID).PK, SK: skPlan} }

func leftAttr(rendition string) string { return attrLeft + "_" + rendition }

func doneKey(videoID int64, part string) table.Key {
	return table.Key{PK: videoKey(videoID).PK, SK: skDonePrefix + part}
}

// SavePlan stores a video's plan unless one exists, and returns the plan
// in force (the stored one when a redelivered job planned again).
func (s *Store) SavePlan(ctx context.Context, videoID int64, p Plan) (Plan, error) {
	raw, err := json.Marshal(p)
	if err != nil {
		return p, err
	}
	k := planKey(videoID)
	it := table.Item{table.AttrPK: k.PK, table.AttrSK: k.SK, attrType: "plan", attrPlan: string(raw),
		attrLeft: int64(len(p.Renditions))}
	for name, chunks := range p.Renditions {
		it[leftAttr(name)] = int64(chunks)
	}
	err = s.t.Put(ctx, it, table.ItemNotExists())
	if errors.Is(err, table.ErrConditionFailed) {
		stored, _, err := s.planState(ctx, videoID)
		return stored, err
	}
	if err != nil {
		return p, fmt.Errorf("save plan of video %d: %w", videoID, err)
	}
	return p, nil
}

// planState reads a plan and its item (for the counters).
func (s *Store) planState(ctx context.Context, videoID int64) (Plan, table.Item, error) {
	it, err := s.t.Get(ctx, planKey(videoID))
	if err != nil {
		return Plan{}, nil, fmt.Errorf("get plan of video %d: %w", videoID, notFound(err))
	}
	var p Plan
	if err := json.Unmarshal([]byte(it.String(attrPlan)), &p); err != nil {
		return p, nil, fmt.Errorf("decode plan of video %d: %w", videoID, err)
	}
	return p, it, nil
}

// ChunkDone records that one chunk of a rendition is encoded and returns
// how many chunks of that rendition are still to do.
func (s *Store) ChunkDone(ctx context.Context, videoID int64, rendition string, chunk int) (int64, error) {
	return s.done(ctx, videoID, fmt.Sprintf("%s#%06d", rendition, chunk), leftAttr(rendition))
}

// RenditionDone records that a rendition is published and returns how
// many renditions are still to do.
func (s *Store) RenditionDone(ctx context.Context, videoID int64, rendition string) (int64, error) {
	return s.done(ctx, videoID, rendition, attrLeft)
}

func (s *Store) done(ctx context.Context, videoID int64, part, counter string) (int64, error) {
	dk := doneKey(videoID, part)
	err := s.t.Transact(ctx,
		table.PutOp(table.Item{table.AttrPK: dk.PK, table.AttrSK: dk.SK, attrType: "done"}, table.ItemNotExists()),
		table.UpdateOp(planKey(videoID), table.Update{Add: map[string]int64{counter: -1}}, table.ItemExists()))
	var tx *table.TxCanceledError
	if errors.As(err, &tx) && tx.FailedOp(table.ErrConditionFailed) == 1 {
		return 0, fmt.Errorf("record %s of video %d: %w", part, videoID, ErrNotFound)
	}
	if err != nil && !errors.Is(err, table.ErrConditionFailed) {
		return 0, fmt.Errorf("record %s of video %d: %w", part, videoID, err)
	}
	// Done now or before: either way, report what is left.
	_, it, err := s.planState(ctx, videoID)
	if err != nil {
		return 0, err
	}
	return it.Int(counter), nil
}

// Plan returns a video's plan.
func (s *Store) Plan(ctx context.Context, videoID int64) (Plan, error) {
	p, _, err := s.planState(ctx, videoID)
	return p, err
}

// DeletePlan removes a video's plan and progress markers (after the video
// is published, or deleted).
func (s *Store) DeletePlan(ctx context.Context, videoID int64) error {
	for _, prefix := range []string{skPlan, skDonePrefix} {
		items, err := s.queryAll(ctx, table.Query{PK: videoKey(videoID).PK, SKOp: table.SKBeginsWith, SK: prefix})
		if err != nil {
			return fmt.Errorf("list plan items of video %d: %w", videoID, err)
		}
		for _, it := range items {
			if err := s.t.Delete(ctx, it.Key()); err != nil {
				return fmt.Errorf("delete plan item of video %d: %w", videoID, err)
			}
		}
	}
	return nil
}
