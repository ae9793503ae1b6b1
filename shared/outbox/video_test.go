package outbox_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/apobject"
	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/deliver"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/outbox"
)

// involved are the followers a local video's news reach: its channel's,
// the instance actor's and its account's.
func (e *env) involved() []model.ActorRef {
	return []model.ActorRef{{Kind: model.KindChannel, ID: e.ch.ID}, {Kind: model.KindAccount, ID: e.inst.ID},
		{Kind: model.KindAccount, ID: e.root.ID}}
}

func TestVideoPublishedIsACreateAndTwoAnnounces(t *testing.T) {
	e := newEnv(t, instance1)
	v := e.localVideo(t, video2)
	if err := e.o.VideoPublished(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	jobs := e.sent(t)
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want a Create and two Announces", len(jobs))
	}
	rootURL, chURL := instance1+"/accounts/root", instance1+"/video-channels/root_channel"

	// The Create, by the account, to the account's followers.
	create := doc(t, jobs[0].Activity)
	same(t, "Create", create, captured(t, "instance1-deliveries-to-test-actor/08-create-video"),
		"type", "id", "actor", "to", "cc", "object.type", "object.id", "object.uuid", "object.to", "object.cc", "object.attributedTo")
	if j := jobs[0]; j.Signer != "account:root" || j.KeyID != rootURL ||
		!slices.Equal(j.Followers, []model.ActorRef{{Kind: model.KindAccount, ID: e.root.ID}}) || len(j.Inboxes) != 0 {
		t.Errorf("Create job %+v", j)
	}
	// What a receiving server reads of the Video is the video.
	act, err := apvocab.DecodeActivity(jobs[0].Activity)
	if err != nil {
		t.Fatal(err)
	}
	rv, err := apobject.FromVideo(act.Object.Object.(*apvocab.Video))
	if err != nil {
		t.Fatalf("the Create's video does not read back: %v", err)
	}
	if rv.Video.UUID != video2 || rv.Video.Name != "Second clip" || len(rv.Video.Files) != 1 ||
		!strings.HasPrefix(rv.Video.Files[0].URL, instance1+"/") || rv.AccountURL != rootURL || rv.ChannelURL != chURL {
		t.Errorf("video read back: %+v", rv)
	}

	// The Announces, by the channel then the instance actor, to the
	// followers of all three.
	for i, c := range []struct{ capture, signer, keyID string }{
		{"instance1-deliveries-to-test-actor/09-announce-video-by-channel", "channel:root_channel", chURL},
		{"instance1-deliveries-to-test-actor/10-announce-video-by-server-actor", "account:peertube", instance1 + "/accounts/peertube"},
	} {
		j := jobs[1+i]
		ann := doc(t, j.Activity)
		same(t, "Announce", ann, captured(t, c.capture), "type", "actor", "to", "cc", "object")
		if id, _ := ann["id"].(string); !strings.HasPrefix(id, instance1+"/videos/watch/"+video2+"/announces/") ||
			id != outbox.AnnounceURL(instance1+"/videos/watch/"+video2, e.involved()[i]) {
			t.Errorf("Announce id %q", id)
		}
		if j.Signer != c.signer || j.KeyID != c.keyID || !slices.Equal(j.Followers, e.involved()) || len(j.Inboxes) != 0 {
			t.Errorf("Announce job %+v", j)
		}
	}
	// Two activities, two ids: receivers (PeerTube keeps a share per
	// Announce url; inboxes drop an id seen before) must not take the
	// second for the first.
	if a, b := doc(t, jobs[1].Activity)["id"], doc(t, jobs[2].Activity)["id"]; a == b {
		t.Errorf("the channel's and the instance actor's Announces share the id %v", a)
	}
}

func TestUnlistedVideoIsPublishedCopiedToPublic(t *testing.T) {
	e := newEnv(t, instance1)
	v := e.localVideo(t, video2)
	v.Privacy = model.PrivacyUnlisted
	if err := e.o.VideoPublished(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	jobs := e.sent(t)
	if len(jobs) != 3 {
		t.Fatalf("%d jobs", len(jobs))
	}
	create := doc(t, jobs[0].Activity)
	if slices.Contains(strs(create["to"]), apvocab.Public) || !slices.Contains(strs(create["cc"]), apvocab.Public) {
		t.Errorf("unlisted Create addressed to %v, cc %v", create["to"], create["cc"])
	}
}

func TestVideosNotFederatedSendNothing(t *testing.T) {
	e := newEnv(t, instance1)
	ctx := t.Context()
	pub := e.localVideo(t, video2)
	private := pub
	private.Privacy = model.PrivacyPrivate
	transcoding := pub
	transcoding.State = 2
	for name, v := range map[string]model.Video{"private": private, "not published": transcoding} {
		if err := e.o.VideoPublished(ctx, v); err != nil {
			t.Fatal(err)
		}
		if err := e.o.VideoUpdated(ctx, v); err != nil {
			t.Fatal(err)
		}
		if err := e.o.VideoChanged(ctx, v, v); err != nil {
			t.Fatal(err)
		}
		if jobs := e.sent(t); len(jobs) != 0 {
			t.Errorf("%s video: sent %d jobs", name, len(jobs))
		}
	}
	// A remote copy is its origin's to tell about.
	acc, ch := e.remoteOwners(t, instance2, true)
	rv := e.remoteVideo(t, instance2, video1, acc, ch)
	for _, f := range []func() error{
		func() error { return e.o.VideoPublished(ctx, rv) },
		func() error { return e.o.VideoUpdated(ctx, rv) },
		func() error { return e.o.VideoDeleted(ctx, rv) },
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	if jobs := e.sent(t); len(jobs) != 0 {
		t.Errorf("remote video: sent %d jobs", len(jobs))
	}
}

func TestVideoUpdatedGoesToEveryoneInvolved(t *testing.T) {
	e := newEnv(t, instance1)
	v := e.localVideo(t, video1)
	v.UpdatedAt = time.Date(2026, 11, 22, 8, 2, 11, 762e6, time.UTC)
	if err := e.o.VideoUpdated(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	jobs := e.sent(t)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
	upd := doc(t, jobs[0].Activity)
	same(t, "Update", upd, captured(t, "instance1-deliveries-to-instance2/05-update-video"),
		"type", "id", "actor", "to", "cc", "object.type", "object.id", "object.uuid", "object.to", "object.cc", "object.attributedTo")
	if j := jobs[0]; j.Signer != "account:root" || !slices.Equal(j.Followers, e.involved()) {
		t.Errorf("Update job %+v", j)
	}
}

func TestVideoDeletedGoesToEveryoneInvolved(t *testing.T) {
	e := newEnv(t, instance1)
	v := e.localVideo(t, video2)
	if err := e.o.VideoDeleted(t.Context(), v); err != nil {
		t.Fatal(err)
	}
	jobs := e.sent(t)
	if len(jobs) != 1 {
		t.Fatalf("%d jobs", len(jobs))
	}
	// PeerTube's capture is of a video deleted on instance 1 with that
	// UUID: the whole activity compares.
	same(t, "Delete", doc(t, jobs[0].Activity), captured(t, "instance1-deliveries-to-instance2/11-delete-video"),
		"type", "id", "actor", "to", "cc", "object")
	if j := jobs[0]; j.Signer != "account:root" || !slices.Equal(j.Followers, e.involved()) {
		t.Errorf("Delete job %+v", j)
	}
}

func TestVideoChangedSendsWhatTheChangeMeans(t *testing.T) {
	e := newEnv(t, instance1)
	ctx := t.Context()
	pub := e.localVideo(t, video2)
	private := pub
	private.Privacy = model.PrivacyPrivate
	types := func() []string {
		var out []string
		for _, j := range e.sent(t) {
			out = append(out, doc(t, j.Activity)["type"].(string))
		}
		return out
	}
	for _, c := range []struct {
		name     string
		old, cur model.Video
		want     []string
	}{
		{"edited", pub, pub, []string{"Update"}},
		{"made public", private, pub, []string{"Create", "Announce", "Announce"}},
		{"made private", pub, private, []string{"Delete"}},
		{"private edited", private, private, nil},
	} {
		if err := e.o.VideoChanged(ctx, c.old, c.cur); err != nil {
			t.Fatal(err)
		}
		if got := types(); !slices.Equal(got, c.want) {
			t.Errorf("%s: sent %v, want %v", c.name, got, c.want)
		}
	}
}

var errQueue = errors.New("send message: queue unavailable")

func TestSendFailureIsReturned(t *testing.T) {
	e := newEnv(t, instance1)
	v := e.localVideo(t, video2)
	calls := 0
	e.o.Send = func(_ context.Context, j deliver.Job) error {
		calls++
		return errQueue
	}
	if err := e.o.VideoPublished(t.Context(), v); err == nil || !strings.Contains(err.Error(), errQueue.Error()) {
		t.Errorf("VideoPublished with a failing queue: %v", err)
	}
	if calls != 1 {
		t.Errorf("%d sends after the first failed", calls)
	}
}
