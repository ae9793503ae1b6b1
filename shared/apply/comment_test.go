package apply_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
)

const (
	gtsReply1 = "/users/alice/statuses/01M814NZYCDBDVTHY3A2B1JVG0" // first reply, to the video
	gtsReply2 = "/users/alice/statuses/01M814PBEWYQB5NS3R5PAD6QH8" // second reply, delivered to PeerTube
)

// gtsEnv is the PeerTube GoToSocial talked to, with root's video, and a
// loopback GoToSocial serving alice and her first reply.
func gtsEnv(t *testing.T) (*env, *remote, model.Video) {
	t.Helper()
	e := newEnv(t, peertubeS)
	rm := newRemote(t, e)
	rm.capture("/users/alice", gtsDocs+"ap-actor-alice.json", gtsHost)
	rm.capture(gtsReply1, gtsDocs+"ap-note-reply.json", gtsHost)
	root, ch := e.localUser(t, "root")
	return e, rm, e.localVideo(t, gtsVideo, root, ch)
}

// captured content of the second reply, as GoToSocial wrote it.
func noteContent(t *testing.T, create []byte) string {
	t.Helper()
	var a struct {
		Object struct {
			Content string `json:"content"`
		} `json:"object"`
	}
	if err := json.Unmarshal(create, &a); err != nil {
		t.Fatal(err)
	}
	return a.Object.Content
}

func TestCreateNoteFromGoToSocialIsAComment(t *testing.T) {
	e, rm, v := gtsEnv(t)
	ctx := t.Context()
	create := rm.delivery(gtsToPT+"03-create-note-reply-to-peertube", gtsHost)

	e.applied(t, create, create)
	e.applied(t, create)
	c, err := e.st.CommentByURL(ctx, rm.URL+gtsReply2)
	if err != nil {
		t.Fatal(err)
	}
	alice, err := e.st.AccountByURL(ctx, rm.URL+"/users/alice")
	if err != nil {
		t.Fatal(err)
	}
	if alice.Remote == nil || alice.Name != "alice" || alice.Remote.Host != rm.Host {
		t.Errorf("author %+v", alice)
	}
	// The text is GoToSocial's HTML, as received.
	if c.VideoID != v.ID || c.AccountID != alice.ID || c.ThreadID != c.ID || c.InReplyToID != 0 || c.Text != noteContent(t, create) {
		t.Errorf("comment %+v", c)
	}
	if cs, err := e.st.VideoComments(ctx, v.ID); err != nil || len(cs) != 1 {
		t.Errorf("video comments %d %v, want one", len(cs), err)
	}
	if got := rm.fetched(); slices.Contains(got, gtsReply2) || len(got) == 0 || len(got) > 2 {
		t.Errorf("fetched %v, want only alice (once per concurrent delivery at most)", got)
	}

	// Its deletion by its author leaves a tombstone; by someone else,
	// nothing.
	del := func(actor string) []byte {
		return activity(t, map[string]any{"type": "Delete", "id": actor + "/delete/1", "actor": actor, "object": rm.URL + gtsReply2})
	}
	other := newRemote(t, e)
	e.applied(t, del(other.URL+"/users/alice"))
	if c, _ := e.st.CommentByURL(ctx, rm.URL+gtsReply2); c.DeletedAt != nil {
		t.Errorf("deleted by another host")
	}
	e.applied(t, del(rm.URL+"/users/alice"), del(rm.URL+"/users/alice"))
	if c, err := e.st.CommentByURL(ctx, rm.URL+gtsReply2); err != nil || c.DeletedAt == nil || c.Text != "" {
		t.Errorf("after Delete: %+v %v", c, err)
	}
}

func TestCreateNoteNotByItsSenderIsDropped(t *testing.T) {
	e, rm, _ := gtsEnv(t)
	ctx := t.Context()
	create := rm.delivery(gtsToPT+"03-create-note-reply-to-peertube", gtsHost)
	other := newRemote(t, e)
	other.capture("/users/alice", gtsDocs+"ap-actor-alice.json", gtsHost)
	for name, forged := range map[string][]byte{
		// alice's note, sent by another server's alice.
		"foreign sender": edit(t, create, func(m map[string]any) { m["actor"], m["id"] = other.URL+"/users/alice", other.URL+"/c" }),
		// attributed to someone else than its sender.
		"other author": edit(t, create, func(m map[string]any) {
			m["object"].(map[string]any)["attributedTo"] = rm.URL + "/users/bob"
		}),
	} {
		if failed := e.handle(t, forged); len(failed) != 0 {
			t.Errorf("%s: failed (retried) instead of dropped", name)
		}
	}
	if _, err := e.st.CommentByURL(ctx, rm.URL+gtsReply2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a forged note was stored: %v", err)
	}
	if got := other.fetched(); len(got) != 0 {
		t.Errorf("the other server was asked %v", got)
	}
}

func TestReplyToAnUnknownParentWalksUpTheThread(t *testing.T) {
	e, rm, v := gtsEnv(t)
	ctx := t.Context()
	// The second reply, made an answer to the first, which is not held.
	create := edit(t, rm.delivery(gtsToPT+"03-create-note-reply-to-peertube", gtsHost), func(m map[string]any) {
		m["object"].(map[string]any)["inReplyTo"] = rm.URL + gtsReply1
	})
	e.applied(t, create)
	parent, err := e.st.CommentByURL(ctx, rm.URL+gtsReply1)
	if err != nil {
		t.Fatalf("parent: %v", err)
	}
	reply, err := e.st.CommentByURL(ctx, rm.URL+gtsReply2)
	if err != nil {
		t.Fatal(err)
	}
	if parent.VideoID != v.ID || parent.ThreadID != parent.ID || parent.InReplyToID != 0 {
		t.Errorf("parent %+v", parent)
	}
	if reply.VideoID != v.ID || reply.ThreadID != parent.ID || reply.InReplyToID != parent.ID || reply.AccountID != parent.AccountID {
		t.Errorf("reply %+v, parent %d", reply, parent.ID)
	}
	n := 0
	for _, p := range rm.fetched() {
		if p == gtsReply1 {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the parent was fetched %d times", n)
	}
}

func TestCommentFromPeerTubeOnALocalVideo(t *testing.T) {
	// Instance 2's root comments on instance 1's video 1: we are
	// instance 1.
	e := newEnv(t, instance1)
	rm := newRemote(t, e)
	serveInstance2(rm)
	root, ch := e.localUser(t, "root")
	v := e.localVideo(t, video1, root, ch)
	create := rm.delivery(i2ToI1+"02-create-note-comment-on-remote-video", host2)
	e.applied(t, create)
	c, err := e.st.CommentByURL(t.Context(), rm.URL+"/videos/watch/"+video1+"/comments/4")
	if err != nil {
		t.Fatal(err)
	}
	author, err := e.st.AccountByURL(t.Context(), rm.URL+"/accounts/root")
	if err != nil {
		t.Fatal(err)
	}
	if c.VideoID != v.ID || c.AccountID != author.ID || c.Text != "Hello from instance 2 on a remote video." {
		t.Errorf("comment %+v", c)
	}
	if author.ID == root.ID || author.Remote == nil {
		t.Errorf("the remote root is the local root: %+v", author)
	}
	// A reply to a local comment joins its thread.
	local := model.Comment{VideoID: v.ID, AccountID: root.ID, Text: "First comment on the test pattern clip."}
	if local.ID, err = e.st.NewCommentID(t.Context()); err != nil {
		t.Fatal(err)
	}
	local.URL = instance1 + "/videos/watch/" + video1 + "/comments/" + fmt.Sprint(local.ID)
	if local, _, err = e.st.CreateComment(t.Context(), local); err != nil {
		t.Fatal(err)
	}
	reply := edit(t, create, func(m map[string]any) {
		m["id"] = rm.URL + "/videos/watch/" + video1 + "/comments/5/activity"
		o := m["object"].(map[string]any)
		o["id"], o["inReplyTo"], o["content"] = rm.URL+"/videos/watch/"+video1+"/comments/5", local.URL, "A reply"
	})
	e.applied(t, reply)
	rc, err := e.st.CommentByURL(t.Context(), rm.URL+"/videos/watch/"+video1+"/comments/5")
	if err != nil {
		t.Fatal(err)
	}
	if rc.VideoID != v.ID || rc.ThreadID != local.ID || rc.InReplyToID != local.ID || rc.Text != "A reply" {
		t.Errorf("reply to a local comment %+v (parent %d)", rc, local.ID)
	}

	// Comment edits are ignored, as PeerTube ignores them.
	upd := edit(t, create, func(m map[string]any) {
		m["type"], m["id"] = "Update", rm.URL+"/u"
		m["object"].(map[string]any)["content"] = "edited"
	})
	e.applied(t, upd)
	if c, _ := e.st.CommentByURL(t.Context(), c.URL); c.Text != "Hello from instance 2 on a remote video." {
		t.Errorf("after Update: %q", c.Text)
	}
}

func TestCommentAuthorUnreachableIsRetriedGoneIsDropped(t *testing.T) {
	e, rm, _ := gtsEnv(t)
	create := rm.delivery(gtsToPT+"03-create-note-reply-to-peertube", gtsHost)
	rm.fail("/users/alice", http.StatusServiceUnavailable)
	if failed := e.handle(t, create); !reflect.DeepEqual(failed, []int{0}) {
		t.Errorf("author answering 503: failed %v, want retried", failed)
	}
	rm.fail("/users/alice", http.StatusNotFound)
	if failed := e.handle(t, create); len(failed) != 0 {
		t.Errorf("author gone: failed %v, want dropped", failed)
	}
	if _, err := e.st.CommentByURL(t.Context(), rm.URL+gtsReply2); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("comment stored: %v", err)
	}
}
