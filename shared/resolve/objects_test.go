package resolve_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/apobject"
	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/resolve"
	"github.com/vidiverse/vidiverse/shared/store"
)

func TestVideoIsFetchedWithItsOwnersAndKeptOnce(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()
	u := rm.URL + "/videos/watch/" + ptVideoUUID

	v, err := e.r.Video(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if v.ID == 0 || v.UUID != ptVideoUUID || v.Name != "Test pattern clip" || v.Remote == nil || v.Remote.URL != u {
		t.Fatalf("video %+v", v)
	}
	ch, err := e.st.ChannelByURL(ctx, rm.URL+"/video-channels/root_channel")
	if err != nil {
		t.Fatal(err)
	}
	if v.ChannelID != ch.ID || v.AccountID != ch.AccountID {
		t.Errorf("video owned by %d/%d, channel %d of %d", v.AccountID, v.ChannelID, ch.ID, ch.AccountID)
	}
	if len(v.Files) == 0 {
		t.Fatal("no files")
	}
	for _, f := range v.Files {
		if !strings.HasPrefix(f.URL, rm.URL+"/") {
			t.Errorf("file %q is not at the origin", f.URL)
		}
	}
	if got := rm.fetched(); !slices.Equal(got, []string{"/videos/watch/" + ptVideoUUID, "/video-channels/root_channel", "/accounts/root"}) {
		t.Errorf("fetched %v", got)
	}
	again, err := e.r.Video(ctx, u)
	if err != nil || again.ID != v.ID {
		t.Fatalf("second resolution %+v %v", again, err)
	}
	if got := rm.fetched(); len(got) != 0 {
		t.Errorf("held video fetched again: %v", got)
	}
	if known, err := e.r.KnownVideo(ctx, u); err != nil || known.ID != v.ID {
		t.Errorf("KnownVideo: %+v %v", known, err)
	}
	// A remote copy is not a local video, even by its UUID.
	if _, err := e.r.LocalVideo(ctx, publicURL+"/videos/watch/"+ptVideoUUID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LocalVideo of a remote copy: %v", err)
	}
}

func TestVideoOwnershipIsChecked(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	other := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()

	// other answers, at its own URL, rm's video.
	other.serve("/videos/watch/"+ptVideoUUID, rm.rewrite(reftest.Read(t, ptVideo), peertubeHost))
	if _, err := e.r.Video(ctx, other.URL+"/videos/watch/"+ptVideoUUID); !errors.Is(err, apobject.ErrInvalid) {
		t.Errorf("video of another host: %v, want ErrInvalid", err)
	}
	// A video object sent by an actor of another host.
	obj, err := apvocab.Decode(rm.rewrite(reftest.Read(t, ptVideo), peertubeHost))
	if err != nil {
		t.Fatal(err)
	}
	av := obj.(*apvocab.Video)
	if _, _, err := e.r.SaveVideo(ctx, av, other.URL+"/accounts/root"); !errors.Is(err, resolve.ErrNotOwner) {
		t.Errorf("sent by another host: %v, want ErrNotOwner", err)
	}
	// A video whose channel is on another host than the video.
	moved := *av
	moved.AttributedTo = []apvocab.Ref{{ID: other.URL + "/accounts/root", Type: "Person"}, {ID: other.URL + "/video-channels/root_channel", Type: "Group"}}
	if _, _, err := e.r.SaveVideo(ctx, &moved, ""); !errors.Is(err, resolve.ErrNotOwner) {
		t.Errorf("owners on another host: %v, want ErrNotOwner", err)
	}
	// A remote server claiming a local URL.
	local := *av
	local.ID = publicURL + "/videos/watch/" + ptVideoUUID
	if _, _, err := e.r.SaveVideo(ctx, &local, ""); !errors.Is(err, resolve.ErrNotOwner) {
		t.Errorf("local URL: %v, want ErrNotOwner", err)
	}
	if got := other.fetched(); len(got) != 1 {
		t.Errorf("other host asked %v, want only the video", got)
	}
	if _, err := e.st.VideoByUUID(ctx, ptVideoUUID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused video was stored: %v", err)
	}
	// Missing, and failing for now.
	if _, err := e.r.Video(ctx, rm.URL+"/videos/watch/00000000-0000-4000-8000-000000000000"); !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("missing video: %v", err)
	}
	rm.fail("/videos/watch/busy", http.StatusServiceUnavailable)
	if _, err := e.r.Video(ctx, rm.URL+"/videos/watch/busy"); !fetch.Retryable(err) {
		t.Errorf("503: %v, want retryable", err)
	}
}

func TestCommentWalksItsThreadUpToTheVideo(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()
	base := rm.URL + "/videos/watch/" + ptVideoUUID

	reply, err := e.r.Comment(ctx, base+"/comments/2")
	if err != nil {
		t.Fatal(err)
	}
	thread, err := e.st.CommentByURL(ctx, base+"/comments/1")
	if err != nil {
		t.Fatalf("parent not stored: %v", err)
	}
	v, err := e.st.VideoByURL(ctx, base)
	if err != nil {
		t.Fatalf("video not stored: %v", err)
	}
	root, err := e.st.AccountByURL(ctx, rm.URL+"/accounts/root")
	if err != nil {
		t.Fatal(err)
	}
	if thread.VideoID != v.ID || thread.ThreadID != thread.ID || thread.InReplyToID != 0 || thread.AccountID != root.ID ||
		thread.Text != "First comment on the test pattern clip." {
		t.Errorf("thread %+v", thread)
	}
	if reply.VideoID != v.ID || reply.ThreadID != thread.ID || reply.InReplyToID != thread.ID || reply.AccountID != root.ID ||
		reply.Text != "A reply to the first comment." || reply.URL != base+"/comments/2" {
		t.Errorf("reply %+v (thread %d)", reply, thread.ID)
	}
	want := []string{"/videos/watch/" + ptVideoUUID + "/comments/2", "/accounts/root", "/videos/watch/" + ptVideoUUID,
		"/videos/watch/" + ptVideoUUID + "/comments/1", "/video-channels/root_channel"}
	got := rm.fetched()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("fetched %v, want %v", got, want)
	}
	if again, err := e.r.Comment(ctx, base+"/comments/2"); err != nil || again.ID != reply.ID {
		t.Errorf("held comment: %+v %v", again, err)
	}
	if got := rm.fetched(); len(got) != 0 {
		t.Errorf("held comment fetched %v", got)
	}
	comments, err := e.st.VideoComments(ctx, v.ID)
	if err != nil || len(comments) != 2 {
		t.Errorf("video comments %v %v", comments, err)
	}
}

func TestCommentThreadDepthIsBounded(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()
	// A chain of notes each answering the next, longer than the bound,
	// never reaching a video.
	note := func(i int) string { return rm.URL + "/notes/" + string(rune('a'+i/26)) + string(rune('a'+i%26)) }
	for i := 0; i <= resolve.MaxThreadDepth+1; i++ {
		n := &apvocab.Note{Type: apvocab.TypeNote, ID: note(i), AttributedTo: rm.URL + "/accounts/root", InReplyTo: note(i + 1),
			Content: "deep", To: []string{apvocab.Public}}
		n.Published = e.clock.now()
		b, err := apvocab.Encode(n)
		if err != nil {
			t.Fatal(err)
		}
		rm.serve(strings.TrimPrefix(note(i), rm.URL), b)
	}
	_, err := e.r.Comment(ctx, note(0))
	if !errors.Is(err, apobject.ErrInvalid) {
		t.Fatalf("endless thread: %v, want ErrInvalid", err)
	}
	n := 0
	for _, p := range rm.fetched() {
		if strings.HasPrefix(p, "/notes/") {
			n++
		}
	}
	if n > resolve.MaxThreadDepth+1 {
		t.Errorf("fetched %d notes, bound %d", n, resolve.MaxThreadDepth)
	}
}

func TestCommentAuthorMustBeOnItsHost(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	other := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()
	n := &apvocab.Note{Type: apvocab.TypeNote, ID: rm.URL + "/notes/x", AttributedTo: other.URL + "/accounts/root",
		InReplyTo: rm.URL + "/videos/watch/" + ptVideoUUID, Content: "hi", To: []string{apvocab.Public}}
	n.Published = e.clock.now()
	// (apobject.FromNote already refuses it, before resolve's own check.)
	if _, err := e.r.SaveComment(ctx, n); !errors.Is(err, resolve.ErrNotOwner) && !errors.Is(err, apobject.ErrInvalid) {
		t.Errorf("foreign author: %v, want ErrNotOwner or ErrInvalid", err)
	}
	if got := other.fetched(); len(got) != 0 {
		t.Errorf("foreign author fetched %v", got)
	}
	// A channel cannot author a comment.
	n.AttributedTo = rm.URL + "/video-channels/root_channel"
	if _, err := e.r.SaveComment(ctx, n); !errors.Is(err, apobject.ErrInvalid) {
		t.Errorf("channel author: %v, want ErrInvalid", err)
	}
	if _, err := e.st.CommentByURL(ctx, n.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("refused comment stored: %v", err)
	}
}
