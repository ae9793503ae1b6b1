package apply_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"testing"

	"github.com/vidiverse/vidiverse/shared/deliver"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/reftest"
)

// serveInstance2 makes rm play instance 2: its server actor and root.
func serveInstance2(rm *remote) {
	rm.capture("/accounts/peertube", i2AP+"ap-account-peertube.json", host2)
	rm.capture("/accounts/root", i2AP+"ap-account-root.json", host2)
}

func TestFollowOfTheInstanceIsAcceptedOnce(t *testing.T) {
	e := newEnv(t, instance1)
	rm := newRemote(t, e)
	serveInstance2(rm)
	ctx := t.Context()
	follow := rm.delivery(i2ToI1+"01-follow-server-to-server", host2)

	// Delivered twice in one batch, then once more.
	e.applied(t, follow, follow)
	if got := rm.fetched(); len(got) == 0 || len(got) > 2 {
		t.Errorf("the follower was fetched %v", got)
	}
	e.applied(t, follow)
	if got := rm.fetched(); len(got) != 0 {
		t.Errorf("the follower, held now, was fetched again: %v", got)
	}
	target := model.ActorRef{Kind: model.KindAccount, ID: e.inst.ID}
	fs, err := e.st.Followers(ctx, target)
	if err != nil || len(fs) != 1 {
		t.Fatalf("followers %+v %v, want one", fs, err)
	}
	f := fs[0]
	follower, err := e.st.AccountByURL(ctx, rm.URL+"/accounts/peertube")
	if err != nil {
		t.Fatal(err)
	}
	if f.State != model.FollowAccepted || f.Follower != (model.ActorRef{Kind: model.KindAccount, ID: follower.ID}) ||
		f.URL != rm.URL+"/accounts/peertube/follows/4" {
		t.Errorf("follow %+v", f)
	}
	if inboxes, err := e.st.FollowerInboxes(ctx, target); err != nil || !reflect.DeepEqual(inboxes, []string{rm.URL + "/inbox"}) {
		t.Errorf("follower inboxes %v %v", inboxes, err)
	}
	// Every delivery is answered with the same Accept, to the follower's
	// own inbox, as PeerTube answers.
	jobs := e.sent()
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want an Accept per delivery", len(jobs))
	}
	want := doc(t, deliveryJob(rm, i1ToI2+"01-accept-server-follow", host2))
	for _, j := range jobs {
		if j.Inbox != rm.URL+"/accounts/peertube/inbox" || j.Signer != "account:peertube" || j.KeyID != instance1+"/accounts/peertube" {
			t.Errorf("Accept job %+v", j)
		}
		got := doc(t, j)
		for _, k := range []string{"type", "actor", "object"} {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("Accept %s: %v, PeerTube sent %v", k, got[k], want[k])
			}
		}
		if got["id"] != fmt.Sprintf("%s/accepts/follows/%d", instance1, f.ID) {
			t.Errorf("Accept id %v", got["id"])
		}
	}

	// Undo by someone else than the follower changes nothing.
	undo := func(actor string) []byte {
		return activity(t, map[string]any{"type": "Undo", "id": rm.URL + "/accounts/peertube/follows/4/undo", "actor": actor,
			"object": jsonOf(t, follow)})
	}
	e.applied(t, undo(rm.URL+"/accounts/root"))
	if fs, _ := e.st.Followers(ctx, target); len(fs) != 1 {
		t.Fatalf("an Undo by another actor removed the follow")
	}
	// Undo by the follower, twice.
	e.applied(t, undo(rm.URL+"/accounts/peertube"), undo(rm.URL+"/accounts/peertube"))
	if fs, err := e.st.Followers(ctx, target); err != nil || len(fs) != 0 {
		t.Errorf("after Undo: %+v %v", fs, err)
	}
	if jobs := e.sent(); len(jobs) != 0 {
		t.Errorf("Undo sent %d jobs", len(jobs))
	}
}

// deliveryJob wraps a captured delivery as a job, for doc.
func deliveryJob(rm *remote, name, from string) deliver.Job {
	return deliver.Job{Activity: rm.delivery(name, from)}
}

func TestFollowsOfAccountsAndChannels(t *testing.T) {
	// GoToSocial's alice follows root on the PeerTube it talked to.
	e := newEnv(t, peertubeS)
	rm := newRemote(t, e)
	rm.capture("/users/alice", gtsDocs+"ap-actor-alice.json", gtsHost)
	ctx := t.Context()
	root, ch := e.localUser(t, "root")

	e.applied(t, rm.delivery(gtsToPT+"04-follow-to-peertube", gtsHost))
	alice, err := e.st.AccountByURL(ctx, rm.URL+"/users/alice")
	if err != nil {
		t.Fatal(err)
	}
	aliceRef := model.ActorRef{Kind: model.KindAccount, ID: alice.ID}
	f, err := e.st.Follow(ctx, aliceRef, model.ActorRef{Kind: model.KindAccount, ID: root.ID})
	if err != nil || f.State != model.FollowAccepted || f.URL != rm.URL+"/users/alice/follow/01MV3ZRT4W7D55ZQA04ZSJWRG0" {
		t.Fatalf("follow of root: %+v %v", f, err)
	}
	jobs := e.sent()
	// GoToSocial's actor has no shared inbox: its own.
	if len(jobs) != 1 || jobs[0].Inbox != rm.URL+"/users/alice/inbox" || jobs[0].Signer != "account:root" {
		t.Fatalf("Accept jobs %+v", jobs)
	}
	acc := doc(t, jobs[0])
	if acc["type"] != "Accept" || acc["actor"] != peertubeS+"/accounts/root" {
		t.Errorf("Accept %v", acc)
	}
	if obj, _ := acc["object"].(map[string]any); obj["id"] != f.URL || obj["actor"] != rm.URL+"/users/alice" || obj["object"] != peertubeS+"/accounts/root" {
		t.Errorf("Accept's Follow %v", acc["object"])
	}

	// And her follow of root's channel, answered by the channel.
	chFollow := activity(t, map[string]any{"type": "Follow", "id": rm.URL + "/users/alice/follow/2", "actor": rm.URL + "/users/alice",
		"object": peertubeS + "/video-channels/root_channel"})
	e.applied(t, chFollow)
	if f, err := e.st.Follow(ctx, aliceRef, model.ActorRef{Kind: model.KindChannel, ID: ch.ID}); err != nil || f.State != model.FollowAccepted {
		t.Errorf("follow of the channel: %+v %v", f, err)
	}
	jobs = e.sent()
	if len(jobs) != 1 || jobs[0].Signer != "channel:root_channel" || doc(t, jobs[0])["actor"] != peertubeS+"/video-channels/root_channel" {
		t.Errorf("channel's Accept %+v", jobs)
	}

	// Follows of what is not a local actor are dropped, unanswered.
	for _, obj := range []string{peertubeS + "/accounts/nobody", rm.URL + "/users/alice", peertubeS + "/videos/watch/" + gtsVideo} {
		if failed := e.handle(t, activity(t, map[string]any{"type": "Follow", "id": rm.URL + "/users/alice/follow/x",
			"actor": rm.URL + "/users/alice", "object": obj})); len(failed) != 0 {
			t.Errorf("follow of %s failed (retried) instead of being dropped", obj)
		}
	}
	if jobs := e.sent(); len(jobs) != 0 {
		t.Errorf("follows of nothing answered: %+v", jobs)
	}
	if fs, _ := e.st.Following(ctx, aliceRef); len(fs) != 2 {
		t.Errorf("alice follows %d actors, want 2", len(fs))
	}
}

func TestFollowFromABlockedServerIsRejected(t *testing.T) {
	e := newEnv(t, instance1)
	rm := newRemote(t, e)
	serveInstance2(rm)
	ctx := t.Context()
	if _, err := e.st.AddBlock(ctx, model.Block{OwnerAccountID: e.inst.ID, Kind: model.BlockServer, Host: rm.Host}); err != nil {
		t.Fatal(err)
	}
	e.applied(t, rm.delivery(i2ToI1+"01-follow-server-to-server", host2))
	target := model.ActorRef{Kind: model.KindAccount, ID: e.inst.ID}
	if fs, err := e.st.Followers(ctx, target); err != nil || len(fs) != 0 {
		t.Errorf("blocked server's follow saved: %+v %v", fs, err)
	}
	jobs := e.sent()
	if len(jobs) != 1 || jobs[0].Inbox != rm.URL+"/accounts/peertube/inbox" {
		t.Fatalf("jobs %+v, want one Reject", jobs)
	}
	rej := doc(t, jobs[0])
	if rej["type"] != "Reject" || rej["actor"] != instance1+"/accounts/peertube" {
		t.Errorf("Reject %v", rej)
	}
	if obj, _ := rej["object"].(map[string]any); obj["id"] != rm.URL+"/accounts/peertube/follows/4" {
		t.Errorf("Reject's Follow %v", rej["object"])
	}

	// Another follow from there is refused with a Reject of its own.
	e.applied(t, activity(t, map[string]any{"type": "Follow", "id": rm.URL + "/accounts/root/follows/1",
		"actor": rm.URL + "/accounts/root", "object": instance1 + "/accounts/peertube"}))
	if jobs := e.sent(); len(jobs) != 1 || doc(t, jobs[0])["id"] == rej["id"] {
		t.Errorf("second Reject %+v shares the first's id %v", jobs, rej["id"])
	}

	// A blocked account, its server not blocked.
	e2 := newEnv(t, instance1)
	rm2 := newRemote(t, e2)
	serveInstance2(rm2)
	ref, err := e2.r.Actor(ctx, rm2.URL+"/accounts/root")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e2.st.AddBlock(ctx, model.Block{OwnerAccountID: e2.inst.ID, Kind: model.BlockAccount, AccountID: ref.ID}); err != nil {
		t.Fatal(err)
	}
	e2.applied(t, activity(t, map[string]any{"type": "Follow", "id": rm2.URL + "/accounts/root/follows/1",
		"actor": rm2.URL + "/accounts/root", "object": instance1 + "/accounts/peertube"}))
	if fs, _ := e2.st.Followers(ctx, model.ActorRef{Kind: model.KindAccount, ID: e2.inst.ID}); len(fs) != 0 {
		t.Errorf("blocked account's follow saved")
	}
	if jobs := e2.sent(); len(jobs) != 1 || doc(t, jobs[0])["type"] != "Reject" {
		t.Errorf("blocked account: jobs %+v", jobs)
	}
}

func TestAnswersToOurFollows(t *testing.T) {
	// Instance 2 follows instance 1's server actor; instance 1 answers.
	e := newEnv(t, instance2)
	rm := newRemote(t, e)
	rm.capture("/accounts/peertube", i1AP+"ap-account-peertube.json", host1)
	rm.capture("/accounts/root", i1AP+"ap-account-root.json", host1)
	ctx := t.Context()
	target, err := e.r.Actor(ctx, rm.URL+"/accounts/peertube")
	if err != nil {
		t.Fatal(err)
	}
	me := model.ActorRef{Kind: model.KindAccount, ID: e.inst.ID}
	pending := model.Follow{Follower: me, Target: target, State: model.FollowPending, URL: instance2 + "/accounts/peertube/follows/4"}
	if _, _, err := e.st.SaveFollow(ctx, pending); err != nil {
		t.Fatal(err)
	}
	state := func() string {
		f, err := e.st.Follow(ctx, me, target)
		if err != nil {
			t.Fatal(err)
		}
		return f.State
	}
	accept := rm.delivery(i1ToI2+"01-accept-server-follow", host1)

	// An answer by another actor than the one followed is dropped.
	forged := edit(t, accept, func(m map[string]any) { m["actor"] = rm.URL + "/accounts/root" })
	e.applied(t, forged)
	if s := state(); s != model.FollowPending {
		t.Errorf("after a forged Accept: %s", s)
	}
	// An answer naming the Follow by id only is dropped (PeerTube embeds it).
	byID := edit(t, accept, func(m map[string]any) { m["object"] = instance2 + "/accounts/peertube/follows/4" })
	e.applied(t, byID)
	if s := state(); s != model.FollowPending {
		t.Errorf("after an Accept by id: %s", s)
	}

	// Accepted, the followed actor's earlier videos are brought in from
	// its outbox (as instance 2 read instance 1's).
	for _, f := range []struct{ path, capture string }{
		{"/accounts/peertube/outbox", "06-accounts-peertube-outbox"},
		{"/accounts/peertube/outbox?page=1", "07-accounts-peertube-outbox-page-1"},
	} {
		var ex struct {
			Response struct {
				Body string `json:"body"`
			} `json:"response"`
		}
		if err := json.Unmarshal(reftest.Read(t, pt+"instance2-fetches-from-instance1/"+f.capture+".exchange.json"), &ex); err != nil {
			t.Fatal(err)
		}
		rm.serve(f.path, rm.rewrite([]byte(ex.Response.Body), host1))
	}
	rm.capture("/video-channels/root_channel", i1AP+"ap-channel-root_channel.json", host1)
	rm.capture("/videos/watch/"+video1, i1AP+"ap-video.json", host1)
	e.applied(t, accept, accept)
	if s := state(); s != model.FollowAccepted {
		t.Errorf("after Accept: %s", s)
	}
	if v, err := e.st.VideoByURL(ctx, rm.URL+"/videos/watch/"+video1); err != nil || v.UUID != video1 {
		t.Errorf("video of the followed outbox: %+v %v", v, err)
	}
	reject := edit(t, accept, func(m map[string]any) {
		m["type"], m["id"] = "Reject", rm.URL+"/rejects/follows/5"
	})
	e.applied(t, reject)
	if s := state(); s != model.FollowRejected {
		t.Errorf("after Reject: %s", s)
	}
	if jobs := e.sent(); len(jobs) != 0 {
		t.Errorf("answers answered: %+v", jobs)
	}

	// An Accept of a follow we never made is dropped.
	e.applied(t, edit(t, accept, func(m map[string]any) {
		obj := m["object"].(map[string]any)
		obj["object"], m["actor"] = rm.URL+"/accounts/root", rm.URL+"/accounts/root"
	}))
	if fs, err := e.st.Following(ctx, me); err != nil || len(fs) != 1 || fs[0].Target != target {
		t.Errorf("after an Accept of no follow, following %+v %v", fs, err)
	}
}

func TestFollowerUnreachableIsRetriedMissingIsDropped(t *testing.T) {
	e := newEnv(t, instance1)
	rm := newRemote(t, e)
	follow := func(actor string) []byte {
		return activity(t, map[string]any{"type": "Follow", "id": actor + "/follows/1", "actor": actor, "object": instance1 + "/accounts/peertube"})
	}
	rm.fail("/accounts/busy", http.StatusServiceUnavailable)
	failed := e.handle(t, follow(rm.URL+"/accounts/busy"), follow(rm.URL+"/accounts/gone"))
	if !reflect.DeepEqual(failed, []int{0}) {
		t.Errorf("failed %v, want only the follow whose actor answered 503", failed)
	}
	if fs, _ := e.st.Followers(t.Context(), model.ActorRef{Kind: model.KindAccount, ID: e.inst.ID}); len(fs) != 0 {
		t.Errorf("follows saved: %+v", fs)
	}
	// The server is back: the retry applies it.
	busy := edit(t, rm.rewrite(reftest.Read(t, i2AP+"ap-account-root.json"), host2), func(m map[string]any) {
		m["id"], m["preferredUsername"] = rm.URL+"/accounts/busy", "busy"
	})
	rm.serve("/accounts/busy", busy)
	e.applied(t, follow(rm.URL+"/accounts/busy"))
	if fs, _ := e.st.Followers(t.Context(), model.ActorRef{Kind: model.KindAccount, ID: e.inst.ID}); len(fs) != 1 {
		t.Errorf("retried follow: %d follows", len(fs))
	}
}

func TestFollowerThatCanNeverBeFetchedIsDropped(t *testing.T) {
	e := newEnv(t, instance1)
	rm := newRemote(t, e)
	rm.serve("/accounts/huge", bytes.Repeat([]byte(" "), 2<<20))
	follow := func(actor string) []byte {
		return activity(t, map[string]any{"type": "Follow", "id": actor + "/follows/1", "actor": actor, "object": instance1 + "/accounts/peertube"})
	}
	// An answer larger than any actor document, and an address the
	// client may not reach: retrying cannot help.
	if failed := e.handle(t, follow(rm.URL+"/accounts/huge"), follow("https://10.255.255.1/accounts/x")); len(failed) != 0 {
		t.Errorf("failed %v, want both dropped", failed)
	}
}
