package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

func remoteAccount(name, host string) model.Account {
	url := "http://" + host + "/accounts/" + name
	return model.Account{Name: name, DisplayName: name, Remote: &model.Remote{
		URL: url, Host: host, Type: "Person", Inbox: url + "/inbox", SharedInbox: "http://" + host + "/inbox"}}
}

// saveRemoteOwner stores a remote account and its channel.
func saveRemoteOwner(t *testing.T, s *Store, host string) (model.Account, model.Channel) {
	t.Helper()
	ctx := context.Background()
	a, err := s.SaveRemoteAccount(ctx, remoteAccount("alice", host))
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + host + "/video-channels/alice_channel"
	c, err := s.SaveRemoteChannel(ctx, model.Channel{AccountID: a.ID, Name: "alice_channel", Remote: &model.Remote{
		URL: url, Host: host, Type: "Group", Inbox: url + "/inbox", SharedInbox: "http://" + host + "/inbox"}})
	if err != nil {
		t.Fatal(err)
	}
	return a, c
}

func TestRemoteActorsAreStoredOnceAndRefreshed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		var wg sync.WaitGroup
		ids := make([]int64, 6)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, err := s.SaveRemoteAccount(ctx, remoteAccount("alice", "a.example"))
				if err != nil {
					t.Error(err)
				}
				ids[i] = a.ID
			}()
		}
		wg.Wait()
		for _, id := range ids[1:] {
			if id != ids[0] {
				t.Fatalf("concurrent saves of one actor gave ids %v", ids)
			}
		}
		upd := remoteAccount("alice", "a.example")
		upd.DisplayName = "Alice A."
		a, err := s.SaveRemoteAccount(ctx, upd)
		if err != nil || a.ID != ids[0] || a.DisplayName != "Alice A." {
			t.Fatalf("refresh: %+v %v", a, err)
		}
		byName, err := s.AccountByName(ctx, "alice@a.example")
		if err != nil || byName.ID != a.ID || byName.Remote == nil {
			t.Fatalf("by handle: %+v %v", byName, err)
		}
		// A local name is not a remote one.
		if _, err := s.AccountByName(ctx, "alice"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("bare name found a remote account: %v", err)
		}
		_, c := saveRemoteOwner(t, s, "a.example")
		ref, err := s.ActorByURL(ctx, c.Remote.URL)
		if err != nil || ref != (model.ActorRef{Kind: model.KindChannel, ID: c.ID}) {
			t.Fatalf("channel by url: %v %v", ref, err)
		}
		chans, err := s.AccountChannels(ctx, a.ID)
		if err != nil || len(chans) != 1 || chans[0].ID != c.ID {
			t.Fatalf("remote account's channels: %v %v", chans, err)
		}
	})
}

func TestRemoteVideosAreStoredOnceByURL(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		a, c := saveRemoteOwner(t, s, "a.example")
		v := model.Video{UUID: "0b8bd4d2-3e5e-4d3b-8a0c-2f6f3f7d9e11", AccountID: a.ID, Views: 7,
			VideoMeta: model.VideoMeta{Name: "remote", ChannelID: c.ID, Privacy: model.PrivacyPublic},
			Remote:    &model.RemoteVideo{URL: "http://a.example/videos/watch/0b8bd4d2-3e5e-4d3b-8a0c-2f6f3f7d9e11", Host: "a.example"}}
		var wg sync.WaitGroup
		var created atomic.Int32
		for range 5 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, isNew, err := s.SaveRemoteVideo(ctx, v)
				if err != nil {
					t.Error(err)
				}
				if isNew {
					created.Add(1)
				}
			}()
		}
		wg.Wait()
		if created.Load() != 1 {
			t.Fatalf("%d saves created the video, want 1", created.Load())
		}
		v.Name, v.Views = "renamed", 9
		got, isNew, err := s.SaveRemoteVideo(ctx, v)
		if err != nil || isNew || got.Name != "renamed" {
			t.Fatalf("update: %+v %v %v", got, isNew, err)
		}
		stored, err := s.VideoByURL(ctx, v.Remote.URL)
		if err != nil || stored.Views != 9 || stored.Name != "renamed" {
			t.Fatalf("stored %+v %v", stored, err)
		}
		if err := s.DeleteRemoteVideo(ctx, stored); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VideoByURL(ctx, v.Remote.URL); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		// Once deleted, the same URL can come back (a re-federated video).
		if _, isNew, err := s.SaveRemoteVideo(ctx, v); err != nil || !isNew {
			t.Fatalf("re-create: %v %v", isNew, err)
		}
	})
}

func TestFollowsListBothWaysAndDedupeInboxes(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		_, _, ch, err := s.CreateUser(ctx, newUser("bob"))
		if err != nil {
			t.Fatal(err)
		}
		target := model.ActorRef{Kind: model.KindChannel, ID: ch.ID}
		a1, _ := saveRemoteOwner(t, s, "a.example")
		a2, err := s.SaveRemoteAccount(ctx, remoteAccount("carol", "a.example"))
		if err != nil {
			t.Fatal(err)
		}
		a3, err := s.SaveRemoteAccount(ctx, remoteAccount("dave", "b.example"))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []model.Account{a1, a2, a3} {
			f := model.Follow{Follower: model.ActorRef{Kind: model.KindAccount, ID: a.ID}, Target: target, State: model.FollowAccepted, URL: a.Remote.URL + "/follows/1"}
			for range 2 { // a Follow received twice is one follow
				if _, _, err := s.SaveFollow(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
		}
		pending := model.Follow{Follower: model.ActorRef{Kind: model.KindAccount, ID: a3.ID}, Target: model.ActorRef{Kind: model.KindAccount, ID: a1.ID}, State: model.FollowPending}
		if _, created, err := s.SaveFollow(ctx, pending); err != nil || !created {
			t.Fatal(created, err)
		}
		followers, err := s.Followers(ctx, target)
		if err != nil || len(followers) != 3 {
			t.Fatalf("followers %v %v", followers, err)
		}
		inboxes, err := s.FollowerInboxes(ctx, target)
		if err != nil || len(inboxes) != 2 {
			t.Fatalf("inboxes %v %v, want the two shared inboxes", inboxes, err)
		}
		following, err := s.Following(ctx, model.ActorRef{Kind: model.KindAccount, ID: a3.ID})
		if err != nil || len(following) != 2 {
			t.Fatalf("following %v %v", following, err)
		}
		pending.State = model.FollowAccepted
		if f, created, err := s.SaveFollow(ctx, pending); err != nil || created || f.State != model.FollowAccepted {
			t.Fatalf("accept: %+v %v %v", f, created, err)
		}
		if err := s.DeleteFollow(ctx, pending.Follower, pending.Target); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Follow(ctx, pending.Follower, pending.Target); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})
}

func TestCommentsJournalBlocksAbuses(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		u, _, ch, err := s.CreateUser(ctx, newUser("bob"))
		if err != nil {
			t.Fatal(err)
		}
		v, err := s.CreateVideo(ctx, newVideo(u, ch, "6f1c1a52-5d0f-4b0a-9d55-0c3b1e1b6a01"))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := s.NewCommentID(ctx)
		c := model.Comment{ID: id, URL: "http://a.example/c/1", VideoID: v.ID, AccountID: u.AccountID, Text: "hi"}
		if _, created, err := s.CreateComment(ctx, c); err != nil || !created {
			t.Fatal(created, err)
		}
		id2, _ := s.NewCommentID(ctx)
		dup := c
		dup.ID = id2
		got, created, err := s.CreateComment(ctx, dup)
		if err != nil || created || got.ID != id {
			t.Fatalf("same URL twice: %+v %v %v", got, created, err)
		}
		list, err := s.VideoComments(ctx, v.ID)
		if err != nil || len(list) != 1 || list[0].ThreadID != id {
			t.Fatalf("comments %v %v", list, err)
		}
		if _, _, err := s.CreateComment(ctx, model.Comment{ID: id2, URL: "x", VideoID: 9999}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("comment on a missing video: %v", err)
		}
		del, err := s.DeleteComment(ctx, list[0])
		if err != nil || del.DeletedAt == nil || del.Text != "" {
			t.Fatalf("delete: %+v %v", del, err)
		}

		fresh, err := s.RecordActivity(ctx, "http://a.example/act/1", []byte(`{}`))
		if err != nil || !fresh {
			t.Fatal(fresh, err)
		}
		if fresh, err := s.RecordActivity(ctx, "http://a.example/act/1", []byte(`{}`)); err != nil || fresh {
			t.Fatalf("second record: %v %v", fresh, err)
		}
		if err := s.ForgetActivity(ctx, "http://a.example/act/1"); err != nil {
			t.Fatal(err)
		}
		if fresh, err := s.RecordActivity(ctx, "http://a.example/act/1", []byte(`{}`)); err != nil || !fresh {
			t.Fatalf("record after forget: %v %v", fresh, err)
		}

		b := model.Block{OwnerAccountID: u.AccountID, Kind: model.BlockServer, Host: "Evil.example"}
		if created, err := s.AddBlock(ctx, b); err != nil || !created {
			t.Fatal(created, err)
		}
		if created, err := s.AddBlock(ctx, b); err != nil || created {
			t.Fatal(created, err)
		}
		if blocked, err := s.Blocked(ctx, u.AccountID, 42, "evil.example"); err != nil || !blocked {
			t.Fatalf("server block: %v %v", blocked, err)
		}
		if blocked, err := s.Blocked(ctx, u.AccountID, 42, "good.example"); err != nil || blocked {
			t.Fatalf("not blocked: %v %v", blocked, err)
		}
		if list, err := s.Blocks(ctx, u.AccountID, model.BlockServer); err != nil || len(list) != 1 {
			t.Fatalf("blocks %v %v", list, err)
		}
		if err := s.RemoveBlock(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveBlock(ctx, b); !errors.Is(err, ErrNotFound) {
			t.Fatalf("remove twice: %v", err)
		}

		ab := model.Abuse{ReporterAccountID: u.AccountID, Reason: "spam", VideoID: v.ID, URL: "http://a.example/flag/1"}
		a1, err := s.CreateAbuse(ctx, ab)
		if err != nil {
			t.Fatal(err)
		}
		a2, err := s.CreateAbuse(ctx, ab)
		if err != nil || a2.ID != a1.ID {
			t.Fatalf("a Flag received twice: %v %v", a2.ID, err)
		}
		if all, err := s.Abuses(ctx); err != nil || len(all) != 1 {
			t.Fatalf("abuses %v %v", all, err)
		}
	})
}

// FollowerInboxes reads the followers in batches: more than one batch's
// worth keep their order, and local followers are left out.
func TestFollowerInboxesOverManyBatches(t *testing.T) {
	forEachEngine(t, func(t *testing.T, s *Store, _ *clock) {
		ctx := context.Background()
		_, acc, ch, err := s.CreateUser(ctx, newUser("bob"))
		if err != nil {
			t.Fatal(err)
		}
		target := model.ActorRef{Kind: model.KindChannel, ID: ch.ID}
		local := model.Follow{Follower: model.ActorRef{Kind: model.KindAccount, ID: acc.ID}, Target: target,
			State: model.FollowAccepted, URL: "http://local/follows/1"}
		if _, _, err := s.SaveFollow(ctx, local); err != nil {
			t.Fatal(err)
		}
		n := table.MaxBatchGet + 5
		var want []string
		for i := range n {
			host := fmt.Sprintf("h%03d.example", i)
			a, err := s.SaveRemoteAccount(ctx, remoteAccount("u", host))
			if err != nil {
				t.Fatal(err)
			}
			f := model.Follow{Follower: model.ActorRef{Kind: model.KindAccount, ID: a.ID}, Target: target,
				State: model.FollowAccepted, URL: a.Remote.URL + "/follows/1"}
			if _, _, err := s.SaveFollow(ctx, f); err != nil {
				t.Fatal(err)
			}
			want = append(want, "http://"+host+"/inbox")
		}
		got, err := s.FollowerInboxes(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("got %d inboxes %v, want the %d shared inboxes", len(got), got, n)
		}
	})
}
