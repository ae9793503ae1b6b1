package apply_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/store"
)

// serveInstance1 makes rm play instance 1: its server actor, root and
// root_channel, and video 2 (as instance 2 fetched it).
func serveInstance1(t *testing.T, rm *remote) {
	rm.capture("/accounts/peertube", i1AP+"ap-account-peertube.json", host1)
	rm.capture("/accounts/root", i1AP+"ap-account-root.json", host1)
	rm.capture("/video-channels/root_channel", i1AP+"ap-channel-root_channel.json", host1)
	rm.capture("/videos/watch/"+video1, i1AP+"ap-video.json", host1)
	var ex struct {
		Response struct {
			Body string `json:"body"`
		} `json:"response"`
	}
	if err := json.Unmarshal(reftest.Read(t, pt+"instance2-fetches-from-instance1/27-video2.exchange.json"), &ex); err != nil {
		t.Fatal(err)
	}
	rm.serve("/videos/watch/"+video2, rm.rewrite([]byte(ex.Response.Body), host1))
}

func TestCreateVideoStoresTheVideoOnce(t *testing.T) {
	e := newEnv(t, instance2)
	rm := newRemote(t, e)
	serveInstance1(t, rm)
	ctx := t.Context()
	create := rm.delivery(i1ToTest+"08-create-video", host1)
	u := rm.URL + "/videos/watch/" + video2

	e.applied(t, create, create)
	v, err := e.st.VideoByURL(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if v.UUID != video2 || v.Name != "Second clip" || v.Description != "Second short clip, uploaded to trigger federation." ||
		v.Remote == nil || v.Remote.URL != u || v.Remote.Host != rm.Host {
		t.Errorf("video %+v", v)
	}
	if len(v.Files) != 1 || !strings.HasPrefix(v.Files[0].URL, rm.URL+"/static/web-videos/") ||
		!strings.HasPrefix(v.Files[0].TorrentURL, rm.URL+"/lazy-static/torrents/") || v.Files[0].InfoHash != "9c8f9943027ad7c3f11ad9bfd2089acf7b671827" {
		t.Errorf("files are not at the origin: %+v", v.Files)
	}
	if !strings.HasPrefix(v.Remote.ThumbnailURL, rm.URL+"/lazy-static/thumbnails/") {
		t.Errorf("thumbnail %q", v.Remote.ThumbnailURL)
	}
	ch, err := e.st.ChannelByURL(ctx, rm.URL+"/video-channels/root_channel")
	if err != nil {
		t.Fatal(err)
	}
	acc, err := e.st.AccountByURL(ctx, rm.URL+"/accounts/root")
	if err != nil {
		t.Fatal(err)
	}
	if v.ChannelID != ch.ID || v.AccountID != acc.ID || ch.AccountID != acc.ID {
		t.Errorf("video of %d/%d; channel %d of %d, account %d", v.AccountID, v.ChannelID, ch.ID, ch.AccountID, acc.ID)
	}
	if vs, err := e.st.ChannelVideos(ctx, ch.ID); err != nil || len(vs) != 1 {
		t.Errorf("channel videos %d %v, want one", len(vs), err)
	}
	// Once more: nothing new, nothing fetched.
	rm.fetched()
	e.applied(t, create)
	if again, err := e.st.VideoByUUID(ctx, video2); err != nil || again.ID != v.ID {
		t.Errorf("again: %+v %v", again, err)
	}
	if got := rm.fetched(); len(got) != 0 {
		t.Errorf("a held video's Create fetched %v", got)
	}
	if jobs := e.sent(); len(jobs) != 0 {
		t.Errorf("Create answered: %+v", jobs)
	}
}

func TestUpdateVideo(t *testing.T) {
	e := newEnv(t, instance2)
	rm := newRemote(t, e)
	serveInstance1(t, rm)
	ctx := t.Context()
	e.applied(t, rm.delivery(i1ToTest+"08-create-video", host1))
	before, err := e.st.VideoByURL(ctx, rm.URL+"/videos/watch/"+video2)
	if err != nil {
		t.Fatal(err)
	}
	update := rm.delivery(i1ToI2+"07-update-video-edited", host1)

	// An Update sent by an actor of another host is dropped.
	other := newRemote(t, e)
	serveInstance1(t, other)
	forged := edit(t, update, func(m map[string]any) { m["actor"] = other.URL + "/accounts/root" })
	e.applied(t, forged)
	if v, _ := e.st.VideoByURL(ctx, before.Remote.URL); v.Name != "Second clip" {
		t.Errorf("forged Update applied: %q", v.Name)
	}

	e.applied(t, update, update)
	v, err := e.st.VideoByURL(ctx, before.Remote.URL)
	if err != nil {
		t.Fatal(err)
	}
	if v.ID != before.ID || v.Name != "Second clip (edited)" || v.Description != "Edited description of the second clip." {
		t.Errorf("updated video %d %q %q (was %d)", v.ID, v.Name, v.Description, before.ID)
	}

	// An Update of a video not held yet is its first sight.
	e2 := newEnv(t, instance2)
	rm2 := newRemote(t, e2)
	serveInstance1(t, rm2)
	e2.applied(t, rm2.delivery(i1ToI2+"05-update-video", host1))
	if v, err := e2.st.VideoByURL(ctx, rm2.URL+"/videos/watch/"+video1); err != nil || v.Name != "Test pattern clip" {
		t.Errorf("first-sight Update: %+v %v", v, err)
	}
}

func TestDeleteVideoOnlyByItsOrigin(t *testing.T) {
	e := newEnv(t, instance2)
	rm := newRemote(t, e)
	serveInstance1(t, rm)
	ctx := t.Context()
	e.applied(t, rm.delivery(i1ToTest+"08-create-video", host1))
	u := rm.URL + "/videos/watch/" + video2
	del := rm.delivery(i1ToI2+"11-delete-video", host1)

	// A Delete by another host is refused: dropped, not retried.
	other := newRemote(t, e)
	serveInstance1(t, other)
	forged := edit(t, del, func(m map[string]any) {
		m["actor"], m["id"] = other.URL+"/accounts/root", other.URL+"/videos/watch/"+video2+"/delete"
	})
	if failed := e.handle(t, forged); len(failed) != 0 {
		t.Errorf("forged Delete failed (retried) instead of being dropped")
	}
	if _, err := e.st.VideoByURL(ctx, u); err != nil {
		t.Fatalf("a Delete by another host removed the video: %v", err)
	}

	e.applied(t, del, del)
	if _, err := e.st.VideoByURL(ctx, u); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("by URL after Delete: %v", err)
	}
	if _, err := e.st.VideoByUUID(ctx, video2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("by UUID after Delete: %v", err)
	}
	// Deleting what is gone is done.
	e.applied(t, del)
	// And the video can come back (a new Create is a new video).
	e.applied(t, rm.delivery(i1ToTest+"08-create-video", host1))
	if _, err := e.st.VideoByURL(ctx, u); err != nil {
		t.Errorf("re-created video: %v", err)
	}
}

func TestVideoFromAnotherHostOrUnreachableOwners(t *testing.T) {
	e := newEnv(t, instance2)
	rm := newRemote(t, e)
	serveInstance1(t, rm)
	other := newRemote(t, e)
	serveInstance1(t, other)
	ctx := t.Context()
	create := rm.delivery(i1ToTest+"08-create-video", host1)

	// Sent by an actor of another host than the video's.
	forged := edit(t, create, func(m map[string]any) { m["actor"], m["id"] = other.URL+"/accounts/root", other.URL+"/x/activity" })
	if failed := e.handle(t, forged); len(failed) != 0 {
		t.Errorf("forged Create failed (retried) instead of being dropped")
	}
	// Its channel's server fails for now: retried; gone: dropped.
	rm.fail("/video-channels/root_channel", http.StatusServiceUnavailable)
	if failed := e.handle(t, create); !reflect.DeepEqual(failed, []int{0}) {
		t.Errorf("Create with its channel answering 503: failed %v, want retried", failed)
	}
	rm.fail("/video-channels/root_channel", http.StatusNotFound)
	if failed := e.handle(t, create); len(failed) != 0 {
		t.Errorf("Create with its channel gone: failed %v, want dropped", failed)
	}
	if _, err := e.st.VideoByUUID(ctx, video2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("video stored: %v", err)
	}
	// Back: the retry stores it.
	rm.capture("/video-channels/root_channel", i1AP+"ap-channel-root_channel.json", host1)
	e.applied(t, create)
	if _, err := e.st.VideoByUUID(ctx, video2); err != nil {
		t.Errorf("retried Create: %v", err)
	}
}
