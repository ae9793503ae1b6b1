package outbox_test

import (
	"slices"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/outbox"
	"github.com/vidiverse/vidiverse/shared/store"
)

func TestCommentOnALocalVideoGoesToEveryoneInvolved(t *testing.T) {
	e := newEnv(t, instance1)
	ctx := t.Context()
	v := e.localVideo(t, video2)
	c := model.Comment{ID: 3, VideoID: v.ID, AccountID: e.root.ID, Text: "Comment on the second clip, mentioning nothing.",
		CreatedAt: time.Date(2026, 11, 22, 8, 2, 6, 0, time.UTC)}
	c.URL = instance1 + "/videos/watch/" + video2 + "/comments/3"
	if err := e.o.CommentCreated(ctx, c, v, e.root, ""); err != nil {
		t.Fatal(err)
	}
	jobs := e.sent(t)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
	want := captured(t, "instance1-deliveries-to-instance2/04-create-note")
	got := doc(t, jobs[0].Activity)
	same(t, "Create", got, want, "type", "id", "actor", "to", "object.type", "object.id", "object.content",
		"object.mediaType", "object.inReplyTo", "object.attributedTo", "object.to")
	// PeerTube copies the followers of every actor involved; the author's
	// are among them.
	for _, cc := range [][]string{strs(got["cc"]), strs(member(got, "object.cc"))} {
		if len(cc) == 0 {
			t.Errorf("Create cc is empty")
		}
		for _, u := range cc {
			if !slices.Contains(strs(want["cc"]), u) {
				t.Errorf("Create cc %s, not in PeerTube's %v", u, want["cc"])
			}
		}
	}
	rootRef := model.ActorRef{Kind: model.KindAccount, ID: e.root.ID}
	if j := jobs[0]; j.Signer != "account:root" || len(j.Inboxes) != 0 || !containsAll(j.Followers, append(e.involved(), rootRef)) {
		t.Errorf("Create job %+v", j)
	}

	// A reply by another local account reaches that account's followers
	// too, and answers its parent.
	_, alice, _, err := e.st.CreateUser(ctx, store.NewUser{User: model.User{Username: "alice", Email: "a@example.com", PasswordHash: "x"},
		Channel: model.Channel{Name: "alice_channel"}})
	if err != nil {
		t.Fatal(err)
	}
	reply := model.Comment{ID: 7, VideoID: v.ID, AccountID: alice.ID, ThreadID: 3, InReplyToID: 3, Text: "a reply", CreatedAt: c.CreatedAt}
	if err := e.o.CommentCreated(ctx, reply, v, alice, c.URL); err != nil {
		t.Fatal(err)
	}
	jobs = e.sent(t)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
	got = doc(t, jobs[0].Activity)
	if member(got, "actor") != instance1+"/accounts/alice" || member(got, "object.inReplyTo") != c.URL ||
		member(got, "id") != instance1+"/videos/watch/"+video2+"/comments/7/activity" {
		t.Errorf("reply %v", got)
	}
	aliceRef := model.ActorRef{Kind: model.KindAccount, ID: alice.ID}
	if j := jobs[0]; j.Signer != "account:alice" || !containsAll(j.Followers, append(e.involved(), aliceRef)) {
		t.Errorf("reply job %+v", j)
	}

	// The deletion.
	if err := e.o.CommentDeleted(ctx, c, v, e.root); err != nil {
		t.Fatal(err)
	}
	jobs = e.sent(t)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
	del := doc(t, jobs[0].Activity)
	wantDel := captured(t, "instance1-deliveries-to-instance2/08-delete-comment")
	same(t, "Delete", del, wantDel, "type", "id", "actor", "to", "object")
	for _, u := range strs(del["cc"]) {
		if !slices.Contains(strs(wantDel["cc"]), u) {
			t.Errorf("Delete cc %s, not in PeerTube's %v", u, wantDel["cc"])
		}
	}
	if j := jobs[0]; !containsAll(j.Followers, append(e.involved(), rootRef)) {
		t.Errorf("Delete job %+v", j)
	}

	// Comments on a video that is not federated are not sent.
	private := v
	private.Privacy = model.PrivacyPrivate
	if err := e.o.CommentCreated(ctx, c, private, e.root, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.o.CommentDeleted(ctx, c, private, e.root); err != nil {
		t.Fatal(err)
	}
	if jobs := e.sent(t); len(jobs) != 0 {
		t.Errorf("comment on a private video: %d jobs", len(jobs))
	}
}

func TestCommentOnARemoteVideoGoesToItsOrigin(t *testing.T) {
	// Instance 2's root comments on instance 1's video 1.
	e := newEnv(t, instance2)
	ctx := t.Context()
	acc, ch := e.remoteOwners(t, instance1, true)
	v := e.remoteVideo(t, instance1, video1, acc, ch)
	c := model.Comment{ID: 4, VideoID: v.ID, AccountID: e.root.ID, Text: "Hello from instance 2 on a remote video.",
		CreatedAt: time.Date(2026, 11, 22, 8, 2, 36, 0, time.UTC)}
	c.URL = instance2 + "/videos/watch/" + video1 + "/comments/4"
	if err := e.o.CommentCreated(ctx, c, v, e.root, ""); err != nil {
		t.Fatal(err)
	}
	jobs := e.sent(t)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
	got := doc(t, jobs[0].Activity)
	same(t, "Create", got, captured(t, "instance2-deliveries-to-instance1/02-create-note-comment-on-remote-video"),
		"type", "id", "actor", "object.type", "object.id", "object.content", "object.mediaType", "object.inReplyTo", "object.attributedTo")
	if !slices.Contains(strs(got["to"]), apvocab.Public) {
		t.Errorf("Create to %v", got["to"])
	}
	rootRef := model.ActorRef{Kind: model.KindAccount, ID: e.root.ID}
	// The origin's shared inbox (its channel's and account's: one), and
	// the author's followers here.
	if j := jobs[0]; !slices.Equal(j.Inboxes, []string{instance1 + "/inbox"}) || !slices.Equal(j.Followers, []model.ActorRef{rootRef}) ||
		j.Signer != "account:root" || j.KeyID != instance2+"/accounts/root" {
		t.Errorf("Create job %+v", j)
	}
	if err := e.o.CommentDeleted(ctx, c, v, e.root); err != nil {
		t.Fatal(err)
	}
	jobs = e.sent(t)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
	del := doc(t, jobs[0].Activity)
	if del["type"] != "Delete" || del["object"] != c.URL || del["id"] != c.URL+"/delete" || del["actor"] != instance2+"/accounts/root" {
		t.Errorf("Delete %v", del)
	}
	if j := jobs[0]; !slices.Equal(j.Inboxes, []string{instance1 + "/inbox"}) {
		t.Errorf("Delete job %+v", j)
	}

	// Without shared inboxes, the channel's and the account's own.
	e2 := newEnv(t, instance2)
	acc2, ch2 := e2.remoteOwners(t, instance1, false)
	v2 := e2.remoteVideo(t, instance1, video1, acc2, ch2)
	c.VideoID = v2.ID
	if err := e2.o.CommentCreated(ctx, c, v2, e2.root, ""); err != nil {
		t.Fatal(err)
	}
	jobs = e2.sent(t)
	want := []string{instance1 + "/video-channels/root_channel/inbox", instance1 + "/accounts/root/inbox"}
	if len(jobs) != 1 || !slices.Equal(jobs[0].Inboxes, want) {
		t.Errorf("jobs %+v, want inboxes %v", jobs, want)
	}
}

func TestRatingARemoteVideo(t *testing.T) {
	// Instance 2's root rates instance 1's video 1, as captured.
	e := newEnv(t, instance2)
	ctx := t.Context()
	acc, ch := e.remoteOwners(t, instance1, true)
	v := e.remoteVideo(t, instance1, video1, acc, ch)
	if v.ID != 1 {
		t.Fatalf("the video's local id is %d; the captured ids name 1", v.ID)
	}
	const dir = "instance2-deliveries-to-instance1/"
	check := func(step string, want ...string) {
		t.Helper()
		jobs := e.sent(t)
		if len(jobs) != len(want) {
			t.Fatalf("%s: %d jobs, want %d", step, len(jobs), len(want))
		}
		for i, j := range jobs {
			if j.Inbox != instance1+"/inbox" || j.Signer != "account:root" || j.KeyID != instance2+"/accounts/root" {
				t.Errorf("%s: job %+v", step, j)
			}
			same(t, step, doc(t, j.Activity), captured(t, dir+want[i]), "type", "id", "actor", "to", "cc", "object.type",
				"object.id", "object.actor", "object.object")
		}
	}
	steps := []struct {
		old, rating string
		want        []string
	}{
		{"none", "dislike", []string{"03-dislike"}},
		{"dislike", "like", []string{"09-undo-dislike", "04-like"}},
		{"like", "none", []string{"05-undo-like"}},
		{"none", "like", []string{"06-like-again"}},
		{"like", "like", nil},
		{"like", "dislike", []string{"08-undo-like-again", "07-dislike-again"}},
	}
	for _, s := range steps {
		if err := e.o.Rated(ctx, v, e.root, s.old, s.rating); err != nil {
			t.Fatal(err)
		}
		check(s.old+" to "+s.rating, s.want...)
	}
	// Ratings of local videos travel in the next Update, not as Likes.
	local := e.localVideo(t, video2)
	if err := e.o.Rated(ctx, local, e.root, "none", "like"); err != nil {
		t.Fatal(err)
	}
	check("local video")
}

func TestFollowsAndTheirAnswers(t *testing.T) {
	e := newEnv(t, instance1)
	ctx := t.Context()
	const testActor = "http://127.0.0.1:9450/users/peertube"
	const testInbox = testActor + "/inbox"

	// The instance follows another server's actor.
	f := model.Follow{ID: 5, Follower: model.ActorRef{Kind: model.KindAccount, ID: e.inst.ID}, State: model.FollowPending}
	f.URL = outbox.FollowURL(instance1+"/accounts/peertube", f.ID)
	if err := e.o.Follow(ctx, f, e.inst, testActor, testInbox); err != nil {
		t.Fatal(err)
	}
	jobs := e.sent(t)
	if len(jobs) != 1 || jobs[0].Inbox != testInbox || jobs[0].Signer != "account:peertube" || jobs[0].KeyID != instance1+"/accounts/peertube" {
		t.Fatalf("Follow jobs %+v", jobs)
	}
	same(t, "Follow", doc(t, jobs[0].Activity), captured(t, "instance1-deliveries-to-test-actor/01-follow-by-server-actor"),
		"type", "id", "actor", "object")

	if err := e.o.Unfollow(ctx, f, e.inst, testActor, testInbox); err != nil {
		t.Fatal(err)
	}
	jobs = e.sent(t)
	if len(jobs) != 1 || jobs[0].Inbox != testInbox {
		t.Fatalf("Undo jobs %+v", jobs)
	}
	undo := doc(t, jobs[0].Activity)
	if undo["type"] != "Undo" || undo["id"] != f.URL+"/undo" || undo["actor"] != instance1+"/accounts/peertube" {
		t.Errorf("Undo %v", undo)
	}
	same(t, "Undo's Follow", undo["object"].(map[string]any), captured(t, "instance1-deliveries-to-test-actor/01-follow-by-server-actor"),
		"type", "id", "actor", "object")

	// Follows of local actors are answered by the followed actor.
	for _, c := range []struct {
		capture     string
		id          int64
		target      model.ActorRef
		followerURL string
		followURL   string
		signer      string
	}{
		{"instance1-deliveries-to-instance2/01-accept-server-follow", 5, model.ActorRef{Kind: model.KindAccount, ID: e.inst.ID},
			instance2 + "/accounts/peertube", instance2 + "/accounts/peertube/follows/4", "account:peertube"},
		{"instance1-deliveries-to-test-actor/02-accept-follow-by-account", 3, model.ActorRef{Kind: model.KindAccount, ID: e.root.ID},
			testActor, testActor + "#follow-1795334411828", "account:root"},
		{"instance1-deliveries-to-test-actor/03-accept-follow-by-channel", 4, model.ActorRef{Kind: model.KindChannel, ID: e.ch.ID},
			testActor, testActor + "#follow-1795334411928", "channel:root_channel"},
	} {
		f := model.Follow{ID: c.id, Target: c.target, URL: c.followURL}
		if err := e.o.Accept(ctx, f, c.followerURL, c.followerURL+"/inbox", c.target, false); err != nil {
			t.Fatal(err)
		}
		jobs := e.sent(t)
		if len(jobs) != 1 || jobs[0].Inbox != c.followerURL+"/inbox" || jobs[0].Signer != c.signer {
			t.Fatalf("%s: jobs %+v", c.capture, jobs)
		}
		same(t, c.capture, doc(t, jobs[0].Activity), captured(t, c.capture),
			"type", "id", "actor", "object.type", "object.id", "object.actor", "object.object")
	}

	// A Reject has the Accept's form.
	rf := model.Follow{ID: 9, URL: testActor + "#follow-9"}
	if err := e.o.Accept(ctx, rf, testActor, testInbox, model.ActorRef{Kind: model.KindAccount, ID: e.root.ID}, true); err != nil {
		t.Fatal(err)
	}
	jobs = e.sent(t)
	if len(jobs) != 1 {
		t.Fatalf("Reject jobs %+v", jobs)
	}
	rej := doc(t, jobs[0].Activity)
	if rej["type"] != "Reject" || rej["id"] != instance1+"/rejects/follows/9" || rej["actor"] != instance1+"/accounts/root" ||
		member(rej, "object.id") != rf.URL || member(rej, "object.actor") != testActor || member(rej, "object.object") != instance1+"/accounts/root" {
		t.Errorf("Reject %v", rej)
	}
	// A follow refused before it was stored (id 0): each Reject has an id
	// of its own, the same for one Follow answered twice.
	rejectID := func(followURL string) any {
		t.Helper()
		f := model.Follow{URL: followURL}
		if err := e.o.Accept(ctx, f, testActor, testInbox, model.ActorRef{Kind: model.KindAccount, ID: e.root.ID}, true); err != nil {
			t.Fatal(err)
		}
		jobs := e.sent(t)
		if len(jobs) != 1 {
			t.Fatalf("Reject jobs %+v", jobs)
		}
		return doc(t, jobs[0].Activity)["id"]
	}
	a, b, a2 := rejectID(testActor+"#follow-1"), rejectID(testActor+"#follow-2"), rejectID(testActor+"#follow-1")
	if a == b || a != a2 || a == instance1+"/rejects/follows/0" {
		t.Errorf("Reject ids of unsaved follows: %v, %v, again %v", a, b, a2)
	}

	// An answer for an actor that is not there fails.
	if err := e.o.Accept(ctx, rf, testActor, testInbox, model.ActorRef{Kind: model.KindChannel, ID: 999}, false); err == nil {
		t.Error("Accept by a missing channel succeeded")
	}
}

// containsAll reports whether got holds every ref of want.
func containsAll(got, want []model.ActorRef) bool {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}
