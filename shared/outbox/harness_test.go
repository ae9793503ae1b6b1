package outbox_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/deliver"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/outbox"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
)

// The captured instances: instance 1 published the videos, instance 2
// commented on and rated them from afar. Tests run an outbox on the
// instance's URL so that ids compare with the captures as they are.
const (
	instance1 = "http://127.0.0.1:9001"
	instance2 = "http://127.0.0.1:9002"
	video1    = "2ce1bf7c-5070-4b7a-9eb8-f67516a5038f"
	video2    = "5b896a80-08be-4021-b702-da538396fb0a"
)

// env is an outbox over a fresh store holding the instance actor, root
// with its channel root_channel, and what Send received.
type env struct {
	o    *outbox.Outbox
	st   *store.Store
	inst model.Account
	root model.Account
	ch   model.Channel

	mu   sync.Mutex
	jobs []deliver.Job
}

func newEnv(t *testing.T, publicURL string) *env {
	t.Helper()
	tbl, err := embedded.Open(filepath.Join(t.TempDir(), "t.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	e := &env{st: store.New(tbl)}
	ctx := t.Context()
	// The instance actor first, as a fresh instance creates it at start.
	if e.inst, err = e.st.EnsureInstanceAccount(ctx); err != nil {
		t.Fatal(err)
	}
	if _, e.root, e.ch, err = e.st.CreateUser(ctx, store.NewUser{
		User:               model.User{Username: "root", Email: "root@example.com", PasswordHash: "x"},
		AccountDisplayName: "root", Channel: model.Channel{Name: "root_channel", DisplayName: "Main root channel"},
	}); err != nil {
		t.Fatal(err)
	}
	ws, tracker, err := torrentfile.TrackerURLs(publicURL)
	if err != nil {
		t.Fatal(err)
	}
	e.o = &outbox.Outbox{PublicURL: publicURL, Store: e.st, Trackers: []string{tracker, ws},
		Send: func(_ context.Context, j deliver.Job) error {
			e.mu.Lock()
			defer e.mu.Unlock()
			e.jobs = append(e.jobs, j)
			return nil
		}}
	return e
}

// sent returns the jobs Send received since the last call, checking
// what every job needs.
func (e *env) sent(t *testing.T) []deliver.Job {
	t.Helper()
	e.mu.Lock()
	out := e.jobs
	e.jobs = nil
	e.mu.Unlock()
	for _, j := range out {
		if !json.Valid(j.Activity) || j.Signer == "" || !strings.HasPrefix(j.KeyID, e.o.PublicURL+"/") {
			t.Errorf("malformed job %+v", j)
		}
		if (j.Inbox == "") == (len(j.Followers) == 0 && len(j.Inboxes) == 0) {
			t.Errorf("job with no destination, or both kinds: %+v", j)
		}
	}
	return out
}

// localVideo stores a published public video of root in root_channel.
func (e *env) localVideo(t *testing.T, uuid string) model.Video {
	t.Helper()
	cat, lic := 15, 1
	v := model.Video{UUID: uuid, AccountID: e.root.ID, State: model.StatePublished, Duration: 3, AspectRatio: 4.0 / 3,
		Thumbnail: uuid + ".jpg", Preview: uuid + "-preview.jpg",
		Files: []model.VideoFile{{ID: 1, Resolution: 240, Width: 320, Height: 240, FPS: 25, Size: 43859,
			Filename: uuid + "-240.mp4", TorrentFilename: uuid + "-240.torrent",
			InfoHash: "954b3ab96b2cb6c992d71c9470087bd288eaec09", HasAudio: true, HasVideo: true}},
		PublishedAt: time.Date(2026, 11, 22, 8, 1, 50, 0, time.UTC)}
	v.VideoMeta = model.VideoMeta{Name: "Second clip", ChannelID: e.ch.ID, Privacy: model.PrivacyPublic,
		Category: &cat, Licence: &lic, Language: "en", Description: "A second clip.", CommentsPolicy: model.CommentsEnabled,
		DownloadEnabled: true}
	v, err := e.st.CreateVideo(t.Context(), v)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// remoteOwners stores the account and channel of another instance, with
// the inboxes PeerTube's documents give.
func (e *env) remoteOwners(t *testing.T, origin string, shared bool) (model.Account, model.Channel) {
	t.Helper()
	ctx := t.Context()
	host := strings.TrimPrefix(origin, "http://")
	sharedInbox := ""
	if shared {
		sharedInbox = origin + "/inbox"
	}
	au := origin + "/accounts/root"
	acc, err := e.st.SaveRemoteAccount(ctx, model.Account{Name: "root", DisplayName: "root", Remote: &model.Remote{
		URL: au, Host: host, Type: "Person", Inbox: au + "/inbox", SharedInbox: sharedInbox, Followers: au + "/followers"}})
	if err != nil {
		t.Fatal(err)
	}
	cu := origin + "/video-channels/root_channel"
	ch, err := e.st.SaveRemoteChannel(ctx, model.Channel{AccountID: acc.ID, Name: "root_channel", Remote: &model.Remote{
		URL: cu, Host: host, Type: "Group", Inbox: cu + "/inbox", SharedInbox: sharedInbox, Followers: cu + "/followers",
		ChannelOwnerURL: au}})
	if err != nil {
		t.Fatal(err)
	}
	return acc, ch
}

// remoteVideo stores a copy of a video of origin.
func (e *env) remoteVideo(t *testing.T, origin, uuid string, acc model.Account, ch model.Channel) model.Video {
	t.Helper()
	u := origin + "/videos/watch/" + uuid
	v := model.Video{UUID: uuid, AccountID: acc.ID, State: model.StatePublished,
		Remote: &model.RemoteVideo{URL: u, Host: strings.TrimPrefix(origin, "http://")}}
	v.VideoMeta = model.VideoMeta{Name: "Test pattern clip", ChannelID: ch.ID, Privacy: model.PrivacyPublic}
	v, _, err := e.st.SaveRemoteVideo(t.Context(), v)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// doc decodes a JSON document.
func doc(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

// captured decodes the activity of a captured delivery.
func captured(t *testing.T, name string) map[string]any {
	t.Helper()
	var ex struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(reftest.Read(t, "peertube-6.1/"+name+".exchange.json"), &ex); err != nil {
		t.Fatal(err)
	}
	return doc(t, []byte(ex.Body))
}

// same reports the members of got (dotted paths into objects) that differ
// from want's.
func same(t *testing.T, what string, got, want map[string]any, paths ...string) {
	t.Helper()
	for _, p := range paths {
		g, w := member(got, p), member(want, p)
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s: %s is %#v, PeerTube sent %#v", what, p, g, w)
		}
	}
}

func member(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

// strs is a JSON array of strings.
func strs(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, x := range a {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}
