package store

import (
	"context"
	"errors"
	"sync"
	"testing"
)

func TestPlanCountsEachPartOnce(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		u, _, ch, _ := s.CreateUser(ctx, newUser("kim"))
		v, err := s.CreateVideo(ctx, newVideo(u, ch, "55555555-5555-4555-8555-555555555555"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := s.SavePlan(ctx, v.ID, Plan{Renditions: map[string]int{"720": 4, "360": 1}, ChunkSeconds: 8})
		if err != nil {
			t.Fatal(err)
		}
		// Planning again (a redelivered ingest) keeps the first plan.
		again, err := s.SavePlan(ctx, v.ID, Plan{Renditions: map[string]int{"1080": 9}})
		if err != nil || again.Renditions["720"] != 4 || len(again.Renditions) != 2 {
			t.Fatalf("replanned: %+v %v (first %+v)", again, err, p)
		}
		// Chunks finish concurrently, each delivered twice.
		var wg sync.WaitGroup
		zeros := make(chan int, 8)
		for i := 0; i < 4; i++ {
			for dup := 0; dup < 2; dup++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					left, err := s.ChunkDone(ctx, v.ID, "720", i)
					if err != nil {
						t.Error(err)
					}
					if left == 0 {
						zeros <- i
					}
				}()
			}
		}
		wg.Wait()
		close(zeros)
		if len(zeros) == 0 {
			t.Fatal("no finisher saw 0 chunks left")
		}
		if _, it, _ := s.planState(ctx, v.ID); it.Int(leftAttr("720")) != 0 {
			t.Fatalf("chunks left %d after all four, want 0", it.Int(leftAttr("720")))
		}
		if left, _ := s.RenditionDone(ctx, v.ID, "720"); left != 1 {
			t.Fatalf("renditions left %d, want 1", left)
		}
		if left, _ := s.RenditionDone(ctx, v.ID, "720"); left != 1 {
			t.Fatalf("a repeated rendition counted twice: %d left", left)
		}
		if left, _ := s.RenditionDone(ctx, v.ID, "360"); left != 0 {
			t.Fatalf("renditions left %d, want 0", left)
		}
		if err := s.DeletePlan(ctx, v.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Plan(ctx, v.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("plan after delete: %v", err)
		}
		if _, err := s.ChunkDone(ctx, v.ID, "720", 9); !errors.Is(err, ErrNotFound) {
			t.Fatalf("chunk of a deleted plan: %v", err)
		}
	})
}
