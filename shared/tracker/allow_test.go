package tracker

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func infoHash(s string) (string, [20]byte) {
	ih := sha1.Sum([]byte(s))
	return hex.EncodeToString(ih[:]), ih
}

// allowEnv is a store on the embedded table with one user, and an
// allow-list over it that counts its listings.
type allowEnv struct {
	st    *store.Store
	acc   model.Account
	ch    model.Channel
	list  *AllowList
	loads atomic.Int32
	clock *testClock
}

func newAllowEnv(t *testing.T) *allowEnv {
	tbl, err := embedded.Open(filepath.Join(t.TempDir(), "table.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	st := store.New(tbl)
	_, acc, ch, err := st.CreateUser(t.Context(), store.NewUser{
		User:               model.User{Username: "alice", Email: "alice@example.org", Role: model.RoleUser, VideoQuota: -1, VideoQuotaDaily: -1},
		AccountDisplayName: "Alice",
		Channel:            model.Channel{Name: "alice_channel", DisplayName: "Alice's channel"},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := &allowEnv{st: st, acc: acc, ch: ch, clock: &testClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}}
	e.list = StoreAllowList(st, time.Minute).WithClock(e.clock.now)
	e.list.missGap = 200 * time.Millisecond // of real time, when the clock stands still
	list := e.list.list
	e.list.list = func(ctx context.Context) ([]model.Video, error) {
		e.loads.Add(1)
		return list(ctx)
	}
	return e
}

func (e *allowEnv) video(t *testing.T, uuid string, state int, remote bool, files []string, hls []string) {
	t.Helper()
	v := model.Video{UUID: uuid, AccountID: e.acc.ID, State: state,
		VideoMeta: model.VideoMeta{Name: uuid, ChannelID: e.ch.ID, Privacy: model.PrivacyPublic, WaitTranscoding: true}}
	for _, h := range files {
		v.Files = append(v.Files, model.VideoFile{Filename: h + ".mp4", InfoHash: h})
	}
	if hls != nil {
		v.HLS = &model.StreamingPlaylist{PlaylistFilename: "master.m3u8"}
		for _, h := range hls {
			v.HLS.Files = append(v.HLS.Files, model.VideoFile{Filename: h + ".mp4", InfoHash: h})
		}
	}
	var err error
	if remote {
		v.Remote = &model.RemoteVideo{URL: "https://peertube.example/videos/watch/" + uuid, Host: "peertube.example"}
		_, _, err = e.st.SaveRemoteVideo(t.Context(), v)
	} else {
		_, err = e.st.CreateVideo(t.Context(), v)
	}
	if err != nil {
		t.Fatal(err)
	}
}

func (e *allowEnv) allowed(t *testing.T, ih [20]byte) bool {
	t.Helper()
	ok, err := e.list.Allowed(t.Context(), ih)
	if err != nil {
		t.Fatal(err)
	}
	return ok
}

func TestStoreAllowList(t *testing.T) {
	e := newAllowEnv(t)
	web, webIH := infoHash("web 720p")
	hls, hlsIH := infoHash("hls 720p")
	draft, draftIH := infoHash("draft")
	remote, remoteIH := infoHash("remote")
	_, unknownIH := infoHash("unknown")
	e.video(t, "11111111-1111-4111-8111-111111111111", model.StatePublished, false, []string{web}, []string{hls})
	e.video(t, "22222222-2222-4222-8222-222222222222", model.StateToTranscode, false, []string{draft}, nil)
	e.video(t, "33333333-3333-4333-8333-333333333333", model.StatePublished, true, []string{remote}, nil)

	for _, c := range []struct {
		name string
		ih   [20]byte
		want bool
	}{{"web video file", webIH, true}, {"HLS file", hlsIH, true}, {"unpublished video", draftIH, false},
		{"remote video", remoteIH, false}, {"unknown", unknownIH, false}} {
		if got := e.allowed(t, c.ih); got != c.want {
			t.Errorf("%s: allowed %v, want %v", c.name, got, c.want)
		}
	}
	// The first call listed; each miss waited for the gap and listed again.
	if n := e.loads.Load(); n != 4 {
		t.Fatalf("%d listings", n)
	}
}

// A miss lists again (a video published since is found), but at most
// once per missGap, and an unknown infohash is then refused from the
// negative cache without listing.
func TestStoreAllowListMisses(t *testing.T) {
	e := newAllowEnv(t)
	_, unknownIH := infoHash("unknown")
	if e.allowed(t, unknownIH) {
		t.Fatal("unknown allowed")
	}
	loads := e.loads.Load()
	for range 50 {
		if e.allowed(t, unknownIH) {
			t.Fatal("unknown allowed")
		}
	}
	if n := e.loads.Load(); n != loads {
		t.Fatalf("repeated misses listed %d times", n-loads)
	}

	// Many distinct unknown infohashes at once share listings: the clock
	// stands still, so after the first they wait missGap of real time.
	e.clock.add(e.list.missGap)
	loads = e.loads.Load()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			_, ih := infoHash("unknown " + string(rune('a'+i)))
			if ok, err := e.list.Allowed(context.Background(), ih); ok || err != nil {
				t.Errorf("allowed %v, %v", ok, err)
			}
		})
	}
	wg.Wait()
	if n := e.loads.Load() - loads; n > 2 {
		t.Fatalf("20 distinct misses listed %d times", n)
	}

	// A video published now is found on its first announce.
	h, ih := infoHash("new video")
	e.video(t, "44444444-4444-4444-8444-444444444444", model.StatePublished, false, []string{h}, nil)
	e.clock.add(e.list.missGap)
	if !e.allowed(t, ih) {
		t.Fatal("a new video's infohash refused")
	}
	// Known ones are answered from memory until refresh.
	loads = e.loads.Load()
	for range 50 {
		e.allowed(t, ih)
	}
	if e.loads.Load() != loads {
		t.Fatal("known infohash listed again")
	}
	e.clock.add(time.Minute)
	e.allowed(t, ih)
	if e.loads.Load() != loads+1 {
		t.Fatal("no listing after refresh")
	}
}

// The store unreadable: infohashes known already stay allowed, others get
// the error.
func TestStoreAllowListError(t *testing.T) {
	e := newAllowEnv(t)
	h, ih := infoHash("web")
	e.video(t, "11111111-1111-4111-8111-111111111111", model.StatePublished, false, []string{h}, nil)
	if !e.allowed(t, ih) {
		t.Fatal("refused")
	}
	e.list.list = func(context.Context) ([]model.Video, error) { return nil, context.DeadlineExceeded }
	e.clock.add(time.Hour)
	if ok, err := e.list.Allowed(t.Context(), ih); !ok || err != nil {
		t.Fatalf("known infohash with the store down: %v, %v", ok, err)
	}
	_, other := infoHash("other")
	if ok, err := e.list.Allowed(t.Context(), other); ok || err == nil {
		t.Fatalf("unknown infohash with the store down: %v, %v", ok, err)
	}
}
