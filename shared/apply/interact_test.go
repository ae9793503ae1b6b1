package apply_test

import (
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
)

func TestRatingsMoveCountsOnceWhenRedelivered(t *testing.T) {
	// Instance 2's root rates instance 1's video 1: we are instance 1.
	e := newEnv(t, instance1)
	rm := newRemote(t, e)
	serveInstance2(rm)
	root, ch := e.localUser(t, "root")
	v := e.localVideo(t, video1, root, ch)
	counts := func() [2]int64 {
		got, err := e.st.Video(t.Context(), v.ID)
		if err != nil {
			t.Fatal(err)
		}
		return [2]int64{got.Likes, got.Dislikes}
	}
	for _, s := range []struct {
		capture string
		want    [2]int64 // likes, dislikes
	}{
		{"03-dislike", [2]int64{0, 1}},
		{"04-like", [2]int64{1, 0}},
		{"05-undo-like", [2]int64{0, 0}},
		{"06-like-again", [2]int64{1, 0}},
		{"07-dislike-again", [2]int64{0, 1}},
		{"08-undo-like-again", [2]int64{0, 1}}, // a like that is no longer there
		{"09-undo-dislike", [2]int64{0, 0}},
	} {
		act := rm.delivery(i2ToI1+s.capture, host2)
		// Redelivered: twice in one batch, and once more.
		e.applied(t, act, act)
		e.applied(t, act)
		if got := counts(); got != s.want {
			t.Errorf("after %s: likes, dislikes %v, want %v", s.capture, got, s.want)
		}
	}
	if jobs := e.sent(); len(jobs) != 0 {
		t.Errorf("ratings answered: %+v", jobs)
	}

	// An Undo of someone else's Like is dropped.
	e.applied(t, rm.delivery(i2ToI1+"04-like", host2))
	forged := edit(t, rm.delivery(i2ToI1+"05-undo-like", host2), func(m map[string]any) { m["actor"] = rm.URL + "/accounts/peertube" })
	e.applied(t, forged)
	if got := counts(); got != [2]int64{1, 0} {
		t.Errorf("after a forged Undo: %v", got)
	}
	// Likes of a video not held here are dropped, not retried.
	unknown := edit(t, rm.delivery(i2ToI1+"04-like", host2), func(m map[string]any) {
		m["object"] = instance1 + "/videos/watch/00000000-0000-4000-8000-000000000000"
	})
	if failed := e.handle(t, unknown); len(failed) != 0 {
		t.Errorf("Like of an unknown video retried")
	}
}

func TestLikeFromGoToSocial(t *testing.T) {
	e, rm, v := gtsEnv(t)
	like := rm.delivery(gtsToPT+"05-like-to-peertube", gtsHost)
	e.applied(t, like, like)
	got, err := e.st.Video(t.Context(), v.ID)
	if err != nil || got.Likes != 1 || got.Dislikes != 0 {
		t.Errorf("likes %d dislikes %d %v", got.Likes, got.Dislikes, err)
	}
	alice, err := e.st.AccountByURL(t.Context(), rm.URL+"/users/alice")
	if err != nil {
		t.Fatal(err)
	}
	if r, err := e.st.Rating(t.Context(), v.ID, alice.ID); err != nil || r != "like" {
		t.Errorf("alice's rating %q %v", r, err)
	}
}

func TestAnnounceBringsTheVideoIn(t *testing.T) {
	e := newEnv(t, instance2)
	rm := newRemote(t, e)
	serveInstance1(t, rm)
	ctx := t.Context()
	u := rm.URL + "/videos/watch/" + video2

	// The channel's Announce names the video by URL: it is fetched.
	e.applied(t, rm.delivery(i1ToTest+"09-announce-video-by-channel", host1))
	v, err := e.st.VideoByURL(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if v.UUID != video2 || v.Name != "Second clip" {
		t.Errorf("announced video %+v", v)
	}
	fetchedVideo := func() int {
		n := 0
		for _, p := range rm.fetched() {
			if p == "/videos/watch/"+video2 {
				n++
			}
		}
		return n
	}
	if n := fetchedVideo(); n != 1 {
		t.Errorf("video fetched %d times", n)
	}
	// The instance actor's Announce of the same video: held, not fetched.
	e.applied(t, rm.delivery(i1ToTest+"10-announce-video-by-server-actor", host1))
	if n := fetchedVideo(); n != 0 {
		t.Errorf("held video fetched %d times", n)
	}
	if again, err := e.st.VideoByUUID(ctx, video2); err != nil || again.ID != v.ID {
		t.Errorf("again %+v %v", again, err)
	}
	// An Announce of a local video, or of what is gone, changes nothing.
	local := edit(t, rm.delivery(i1ToTest+"09-announce-video-by-channel", host1), func(m map[string]any) {
		m["object"] = instance2 + "/videos/watch/" + video1
	})
	gone := edit(t, rm.delivery(i1ToTest+"09-announce-video-by-channel", host1), func(m map[string]any) {
		m["object"] = rm.URL + "/videos/watch/00000000-0000-4000-8000-000000000000"
	})
	rm.fail("/videos/watch/busy", http.StatusServiceUnavailable)
	busy := edit(t, rm.delivery(i1ToTest+"09-announce-video-by-channel", host1), func(m map[string]any) {
		m["object"] = rm.URL + "/videos/watch/busy"
	})
	// A server that fails for now makes the record fail (retried).
	if failed := e.handle(t, local, gone, busy); !reflect.DeepEqual(failed, []int{2}) {
		t.Errorf("failed %v, want only the Announce whose video answered 503", failed)
	}
}

func TestViewsOfLocalVideosCountOnce(t *testing.T) {
	e := newEnv(t, instance1)
	rm := newRemote(t, e)
	serveInstance2(rm)
	root, ch := e.localUser(t, "root")
	v := e.localVideo(t, video1, root, ch)
	// Instance 1's View, as instance 2 would send it about our video.
	view := func(viewer string) []byte {
		return edit(t, deliveryBody(t, i1ToI2+"06-view"), func(m map[string]any) {
			m["actor"] = rm.URL + "/accounts/peertube"
			m["id"] = rm.URL + "/accounts/peertube/views/videos/1/" + viewer + "-" + video1
		})
	}
	views := func() int64 {
		got, err := e.st.Video(t.Context(), v.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Views
	}
	e.applied(t, view("a"), view("b"))
	if n := views(); n != 2 {
		t.Fatalf("views %d, want 2", n)
	}
	// A View redelivered is one view.
	e.applied(t, view("a"))
	if n := views(); n != 2 {
		t.Errorf("views %d after a redelivery, want 2", n)
	}
	// A live viewer count is not a view; a View of a remote video is its
	// origin's to count.
	live := edit(t, view("c"), func(m map[string]any) {
		m["result"] = map[string]any{"type": "InteractionCounter", "interactionType": "WatchAction", "userInteractionCount": 3}
	})
	remoteView := edit(t, view("d"), func(m map[string]any) { m["object"] = rm.URL + "/videos/watch/" + video1 })
	e.applied(t, live, remoteView)
	if n := views(); n != 2 {
		t.Errorf("views %d, want 2", n)
	}
}

func TestFlagFilesOneAbuse(t *testing.T) {
	e := newEnv(t, instance1)
	rm := newRemote(t, e)
	serveInstance2(rm)
	ctx := t.Context()
	root, ch := e.localUser(t, "root")
	v := e.localVideo(t, video1, root, ch)
	flag := func(id string, objects ...string) []byte {
		return activity(t, map[string]any{"type": "Flag", "id": rm.URL + "/admin/abuses/" + id, "actor": rm.URL + "/accounts/root",
			"object": objects, "content": "Spam in the description"})
	}
	videoFlag := flag("1", instance1+"/videos/watch/"+video1)
	e.applied(t, videoFlag, videoFlag)
	e.applied(t, videoFlag)
	e.applied(t, flag("2", instance1+"/accounts/root"))
	reporter, err := e.st.AccountByURL(ctx, rm.URL+"/accounts/root")
	if err != nil {
		t.Fatal(err)
	}
	abuses, err := e.st.Abuses(ctx)
	if err != nil || len(abuses) != 2 {
		t.Fatalf("abuses %+v %v, want 2", abuses, err)
	}
	want := []model.Abuse{
		{ReporterAccountID: reporter.ID, Reason: "Spam in the description", VideoID: v.ID, URL: rm.URL + "/admin/abuses/1", State: 1},
		{ReporterAccountID: reporter.ID, Reason: "Spam in the description", AccountID: root.ID, URL: rm.URL + "/admin/abuses/2", State: 1},
	}
	for i, a := range abuses {
		a.ID, a.CreatedAt, a.UpdatedAt = 0, want[i].CreatedAt, want[i].UpdatedAt
		if !reflect.DeepEqual(a, want[i]) {
			t.Errorf("abuse %d: %+v, want %+v", i, a, want[i])
		}
	}
	// A Flag naming nothing held here is dropped.
	if failed := e.handle(t, flag("3", instance1+"/videos/watch/00000000-0000-4000-8000-000000000000")); len(failed) != 0 {
		t.Errorf("Flag of nothing retried")
	}
	if abuses, _ := e.st.Abuses(ctx); len(abuses) != 2 {
		t.Errorf("%d abuses after a Flag of nothing", len(abuses))
	}
}

func TestMalformedMessagesAreDropped(t *testing.T) {
	e := newEnv(t, instance1)
	rm := newRemote(t, e)
	serveInstance2(rm)
	root, ch := e.localUser(t, "root")
	e.localVideo(t, video1, root, ch)
	like := rm.delivery(i2ToI1+"04-like", host2)
	bad := [][]byte{
		[]byte("not json at all"),
		[]byte(`{"id":"x","activity":"a string"}`),
		activity(t, map[string]any{"type": "Note", "id": rm.URL + "/n", "attributedTo": rm.URL + "/accounts/root", "content": "hi"}),
		activity(t, map[string]any{"type": "Move", "id": rm.URL + "/m", "actor": rm.URL + "/accounts/root", "object": rm.URL + "/accounts/root"}),
		activity(t, map[string]any{"type": "Create", "id": rm.URL + "/q", "actor": rm.URL + "/accounts/root",
			"object": map[string]any{"type": "Question", "id": rm.URL + "/q1"}}),
		activity(t, map[string]any{"type": "Undo", "id": rm.URL + "/u", "actor": rm.URL + "/accounts/root", "object": rm.URL + "/accounts/root/likes/1"}),
		activity(t, map[string]any{"type": "Accept", "id": rm.URL + "/a", "actor": rm.URL + "/accounts/root"}),
		// A Video that PeerTube would refuse (no name, no files).
		activity(t, map[string]any{"type": "Create", "id": rm.URL + "/v/activity", "actor": rm.URL + "/accounts/root",
			"object": map[string]any{"type": "Video", "id": rm.URL + "/v"}}),
		// An activity whose actor is this instance.
		edit(t, like, func(m map[string]any) { m["actor"] = instance1 + "/accounts/root" }),
		// Signed by nothing that resolves: the actor is not an actor.
		edit(t, like, func(m map[string]any) { m["actor"] = rm.URL + "/videos/watch/" + video1 }),
	}
	rm.capture("/videos/watch/"+video1, i1AP+"ap-video.json", host1)
	if failed := e.handle(t, bad...); len(failed) != 0 {
		t.Errorf("malformed messages %v failed (retried) instead of being dropped", failed)
	}
	if jobs := e.sent(); len(jobs) != 0 {
		t.Errorf("malformed messages answered: %+v", jobs)
	}
	if got, _ := e.st.VideoByUUID(t.Context(), video1); got.Likes != 0 {
		t.Errorf("likes %d", got.Likes)
	}
	if _, err := e.st.VideoByURL(t.Context(), rm.URL+"/v"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("invalid video stored: %v", err)
	}
}
