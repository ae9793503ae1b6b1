package store

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
)

func newUpload(id string, now time.Time) UploadSession {
	cat := 15
	return UploadSession{
		ID: id, Kind: UploadResumable, UserID: 7, Filename: "clip.mp4", Size: 20 << 20, ContentType: "video/mp4",
		SourceKey: "originals/" + id, Images: []string{"thumbnail"}, LastModified: "1700000000000",
		Meta:      model.VideoMeta{Name: "Clip", ChannelID: 3, Privacy: 1, Category: &cat, Tags: []string{"a", "b"}},
		CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour),
	}
}

func TestUploadSessionRoundTrip(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		now := c.now().UTC().Truncate(time.Millisecond)
		u := newUpload("abc", now)
		if err := s.CreateUpload(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateUpload(ctx, u); !errors.Is(err, ErrUploadExists) {
			t.Fatalf("second create: %v", err)
		}
		got, err := s.Upload(ctx, "abc")
		if err != nil {
			t.Fatal(err)
		}
		u.State = UploadReceiving
		if got.ID != u.ID || got.Meta.Name != "Clip" || *got.Meta.Category != 15 || len(got.Meta.Tags) != 2 ||
			got.Size != u.Size || got.SourceKey != u.SourceKey || got.State != UploadReceiving || got.Offset != 0 ||
			!got.ExpiresAt.Equal(u.ExpiresAt) || !got.CreatedAt.Equal(u.CreatedAt) || got.Images[0] != "thumbnail" ||
			got.LastModified != u.LastModified || got.Kind != UploadResumable || got.UserID != 7 {
			t.Fatalf("got %+v\nwant %+v", got, u)
		}
		if got.Expired(now) || !got.Expired(u.ExpiresAt) {
			t.Fatal("Expired")
		}
		// The table's TTL removes it a grace period after it expires.
		it, err := s.t.Get(ctx, uploadKey("abc"))
		if err != nil || it.Int(attrTTL) != u.ExpiresAt.Add(UploadGrace).Unix() {
			t.Fatalf("ttl %d %v", it.Int(attrTTL), err)
		}
		if _, err := s.Upload(ctx, "nope"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("absent: %v", err)
		}
		if err := s.DeleteUpload(ctx, "abc"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Upload(ctx, "abc"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.DeleteUpload(ctx, "abc"); err != nil {
			t.Fatalf("deleting twice: %v", err)
		}
	})
}

func TestAdvanceUploadOnlyFromTheCommittedOffset(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		now := c.now()
		if err := s.CreateUpload(ctx, newUpload("u1", now)); err != nil {
			t.Fatal(err)
		}
		// Eight requests race to commit the same first chunk: one wins.
		var wg sync.WaitGroup
		var won atomic.Int32
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.AdvanceUpload(ctx, "u1", 0, 4<<20, now, now.Add(25*time.Hour))
				switch {
				case err == nil:
					won.Add(1)
				case !errors.Is(err, ErrStale):
					t.Errorf("advance: %v", err)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d advances from 0 won, want 1", won.Load())
		}
		// A replay of the same chunk is refused and changes nothing.
		if _, err := s.AdvanceUpload(ctx, "u1", 0, 4<<20, now, now.Add(26*time.Hour)); !errors.Is(err, ErrStale) {
			t.Fatalf("replay: %v", err)
		}
		got, err := s.AdvanceUpload(ctx, "u1", 4<<20, 8<<20, now, now.Add(27*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if got.Offset != 8<<20 || got.Chunks != 2 || !got.ExpiresAt.Equal(now.Add(27*time.Hour).Truncate(time.Millisecond)) {
			t.Fatalf("after two chunks: %+v", got)
		}
		// Past its expiry nothing commits.
		late := got.ExpiresAt
		if _, err := s.AdvanceUpload(ctx, "u1", 8<<20, 12<<20, late, late.Add(time.Hour)); !errors.Is(err, ErrStale) {
			t.Fatalf("expired: %v", err)
		}
		// Nor on an absent session (an update would otherwise create it).
		if _, err := s.AdvanceUpload(ctx, "ghost", 0, 1, now, now.Add(time.Hour)); !errors.Is(err, ErrStale) {
			t.Fatalf("absent: %v", err)
		}
		if _, err := s.Upload(ctx, "ghost"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("advance created a session: %v", err)
		}
	})
}

func TestClaimFinishRelease(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		now := c.now()
		u := newUpload("u2", now)
		u.Size = 10
		if err := s.CreateUpload(ctx, u); err != nil {
			t.Fatal(err)
		}
		// Not every byte is in: no claim.
		if _, err := s.ClaimUpload(ctx, "u2", 10, now, time.Minute); !errors.Is(err, ErrStale) {
			t.Fatalf("claim before the last chunk: %v", err)
		}
		if _, err := s.AdvanceUpload(ctx, "u2", 0, 10, now, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var won atomic.Int32
		for i := 0; i < 6; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := s.ClaimUpload(ctx, "u2", 10, now, time.Minute); err == nil {
					won.Add(1)
				} else if !errors.Is(err, ErrStale) {
					t.Errorf("claim: %v", err)
				}
			}()
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Fatalf("%d claims won, want 1", won.Load())
		}
		// A completing session takes no more chunks.
		if _, err := s.AdvanceUpload(ctx, "u2", 10, 11, now, now.Add(time.Hour)); !errors.Is(err, ErrStale) {
			t.Fatalf("advance while completing: %v", err)
		}
		// Released, it can be claimed again.
		if err := s.ReleaseUpload(ctx, "u2"); err != nil {
			t.Fatal(err)
		}
		if err := s.ReleaseUpload(ctx, "u2"); !errors.Is(err, ErrStale) {
			t.Fatalf("second release: %v", err)
		}
		if _, err := s.FinishUpload(ctx, "u2", 1, "x"); !errors.Is(err, ErrStale) {
			t.Fatalf("finish without a claim: %v", err)
		}
		claimed, err := s.ClaimUpload(ctx, "u2", 10, now, time.Minute)
		if err != nil || claimed.State != UploadCompleting || !claimed.ClaimedAt.Equal(now.Truncate(time.Millisecond)) {
			t.Fatalf("claim: %+v %v", claimed, err)
		}
		// A claim whose request died is taken over once stale.
		if _, err := s.ClaimUpload(ctx, "u2", 10, now.Add(30*time.Second), time.Minute); !errors.Is(err, ErrStale) {
			t.Fatalf("takeover of a fresh claim: %v", err)
		}
		if _, err := s.ClaimUpload(ctx, "u2", 10, now.Add(2*time.Minute), time.Minute); err != nil {
			t.Fatalf("takeover of a stale claim: %v", err)
		}
		done, err := s.FinishUpload(ctx, "u2", 42, "2ce1bf7c-5070-4b7a-9eb8-f67516a5038f")
		if err != nil || done.State != UploadDone || done.VideoID != 42 || done.VideoUUID != "2ce1bf7c-5070-4b7a-9eb8-f67516a5038f" {
			t.Fatalf("finish: %+v %v", done, err)
		}
		if _, err := s.ClaimUpload(ctx, "u2", 10, now.Add(time.Hour), time.Minute); !errors.Is(err, ErrStale) {
			t.Fatalf("claim of a done session: %v", err)
		}
	})
}

func TestExpiredUploads(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, c *clock) {
		ctx := context.Background()
		now := c.now()
		for i, id := range []string{"late", "early", "live"} {
			u := newUpload(id, now)
			u.ExpiresAt = now.Add(time.Duration([]int{2, 1, 48}[i]) * time.Hour)
			if err := s.CreateUpload(ctx, u); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.ExpiredUploads(ctx, now.Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "early" || got[1].ID != "late" {
			t.Fatalf("expired: %+v", got)
		}
		if none, err := s.ExpiredUploads(ctx, now); err != nil || len(none) != 0 {
			t.Fatalf("nothing expired yet: %+v %v", none, err)
		}
		// A session renewed since it was listed is not deleted.
		late := got[1]
		if _, err := s.AdvanceUpload(ctx, "late", 0, 5, now, now.Add(50*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteExpiredUpload(ctx, "late", late.ExpiresAt); !errors.Is(err, ErrStale) {
			t.Fatalf("renewed session: %v", err)
		}
		if err := s.DeleteExpiredUpload(ctx, "early", got[0].ExpiresAt); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Upload(ctx, "early"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted session: %v", err)
		}
		if _, err := s.Upload(ctx, "late"); err != nil {
			t.Fatalf("renewed session: %v", err)
		}
	})
}
