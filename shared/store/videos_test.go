package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
)

func newVideo(u model.User, ch model.Channel, uuid string) model.Video {
	return model.Video{UUID: uuid, AccountID: u.AccountID, State: model.StateToTranscode,
		VideoMeta: model.VideoMeta{Name: "clip " + uuid, ChannelID: ch.ID, Privacy: model.PrivacyPublic}}
}

func TestVideos(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		u, _, ch, err := s.CreateUser(ctx, newUser("gina"))
		if err != nil {
			t.Fatal(err)
		}
		other, _, otherCh, _ := s.CreateUser(ctx, newUser("hank"))
		v, err := s.CreateVideo(ctx, newVideo(u, ch, "11111111-1111-4111-8111-111111111111"))
		if err != nil {
			t.Fatal(err)
		}
		if v.ID == 0 || v.Version != 1 || v.PublishedAt.IsZero() {
			t.Fatalf("created %+v", v)
		}
		// A video goes only into a channel its account owns.
		bad := newVideo(u, otherCh, "22222222-2222-4222-8222-222222222222")
		if _, err := s.CreateVideo(ctx, bad); !errors.Is(err, ErrNotFound) {
			t.Fatalf("video in another's channel: %v", err)
		}
		// A UUID is claimed once.
		if _, err := s.CreateVideo(ctx, newVideo(u, ch, v.UUID)); err == nil {
			t.Fatal("duplicate UUID accepted")
		}
		got, err := s.VideoByUUID(ctx, "11111111-1111-4111-8111-111111111111")
		if err != nil || got.ID != v.ID {
			t.Fatalf("by uuid: %v %v", got.ID, err)
		}
		for name, list := range map[string]func() ([]model.Video, error){
			"account": func() ([]model.Video, error) { return s.AccountVideos(ctx, u.AccountID) },
			"channel": func() ([]model.Video, error) { return s.ChannelVideos(ctx, ch.ID) },
			"all":     func() ([]model.Video, error) { return s.Videos(ctx) },
		} {
			vs, err := list()
			if err != nil || len(vs) != 1 || vs[0].ID != v.ID {
				t.Fatalf("%s videos: %v %v", name, vs, err)
			}
		}
		if vs, _ := s.AccountVideos(ctx, other.AccountID); len(vs) != 0 {
			t.Fatalf("hank has gina's video: %v", vs)
		}

		v.Name = "renamed"
		v2, err := s.UpdateVideo(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.UpdateVideo(ctx, v); !errors.Is(err, ErrStale) {
			t.Fatalf("stale update: %v", err)
		}
		// Counters survive document updates.
		if err := s.AddViews(ctx, v.ID, 3); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ModifyVideo(ctx, v.ID, func(x *model.Video) error { x.State = model.StatePublished; return nil }); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Video(ctx, v.ID)
		if got.Views != 3 || got.State != model.StatePublished || got.Name != "renamed" || got.Version != v2.Version+1 {
			t.Fatalf("after updates: %+v", got)
		}

		if err := s.DeleteVideo(ctx, got); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VideoByUUID(ctx, v.UUID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted video by uuid: %v", err)
		}
		if vs, _ := s.ChannelVideos(ctx, ch.ID); len(vs) != 0 {
			t.Fatalf("deleted video still listed: %v", vs)
		}
		if err := s.AddViews(ctx, v.ID, 1); !errors.Is(err, ErrNotFound) {
			t.Fatalf("views on a deleted video: %v", err)
		}
	})
}

func TestRatingsCountOnceUnderConcurrency(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		u, _, ch, _ := s.CreateUser(ctx, newUser("ivy"))
		v, err := s.CreateVideo(ctx, newVideo(u, ch, "33333333-3333-4333-8333-333333333333"))
		if err != nil {
			t.Fatal(err)
		}
		// Ten accounts like at once, and one of them flips between like
		// and dislike concurrently.
		var wg sync.WaitGroup
		for i := int64(100); i < 110; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Rate(ctx, v.ID, i, "like"); err != nil {
					t.Error(err)
				}
			}()
		}
		for _, r := range []string{"dislike", "like", "dislike", "none", "like"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := s.Rate(ctx, v.ID, 200, r); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, _ := s.Video(ctx, v.ID)
		r200, _ := s.Rating(ctx, v.ID, 200)
		wantLikes, wantDislikes := int64(10), int64(0)
		switch r200 {
		case "like":
			wantLikes++
		case "dislike":
			wantDislikes++
		}
		if got.Likes != wantLikes || got.Dislikes != wantDislikes {
			t.Fatalf("likes %d dislikes %d with account 200 at %q, want %d/%d", got.Likes, got.Dislikes, r200, wantLikes, wantDislikes)
		}
		if err := s.Rate(ctx, 424242, 1, "like"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("rating a missing video: %v", err)
		}
		if r, _ := s.Rating(ctx, 424242, 1); r != "none" {
			t.Fatalf("a failed rating was stored: %q", r)
		}
	})
}

func TestViewsCountAfterTenSecondsOncePerHour(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		u, _, ch, _ := s.CreateUser(ctx, newUser("jack"))
		v, _ := s.CreateVideo(ctx, newVideo(u, ch, "44444444-4444-4444-8444-444444444444"))
		report := func(viewer string, at float64) bool {
			counted, err := s.RecordView(ctx, v.ID, viewer, at)
			if err != nil {
				t.Fatal(err)
			}
			return counted
		}
		// Pings every 5 s: the view counts on the ping after 10 s of watching.
		if report("a", 0) || (func() bool { c.add(5 * time.Second); return report("a", 5) })() {
			t.Fatal("counted before 10 s")
		}
		c.add(5 * time.Second)
		if !report("a", 10) {
			t.Fatal("not counted after 10 s")
		}
		c.add(5 * time.Second)
		if report("a", 15) {
			t.Fatal("counted twice in the hour")
		}
		// A viewer who seeks past 10 s counts at once (PeerTube uses the
		// player's position too).
		if !report("b", 42) {
			t.Fatal("a viewer at 42 s not counted")
		}
		// Concurrent reports of one viewer count once.
		var wg sync.WaitGroup
		var mu sync.Mutex
		n := 0
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if counted, _ := s.RecordView(ctx, v.ID, "c", 30); counted {
					mu.Lock()
					n++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if n != 1 {
			t.Fatalf("concurrent reports counted %d views", n)
		}
		got, _ := s.Video(ctx, v.ID)
		if got.Views != 3 {
			t.Fatalf("views %d, want 3", got.Views)
		}
	})
}
