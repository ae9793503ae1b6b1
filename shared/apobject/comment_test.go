package apobject

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/reftest"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCommentAsPeerTube61 formats the captured comments as their
// instances held them: each document is the capture, byte for byte.
func TestCommentAsPeerTube61(t *testing.T) {
	const instance2 = "http://127.0.0.1:9002"
	video := capturedVideo1()
	videoURL := VideoURL(instance1, video.UUID)
	rootURL := ActorURL(instance1, root)
	for _, tc := range []struct {
		capture                         string
		publicURL, author, inReplyToURL string
		comment                         model.Comment
		mentions                        []model.Account
	}{
		{
			capture: "peertube-6.1/instance1-activitypub/ap-comment-1.json", publicURL: instance1, author: rootURL,
			comment: model.Comment{ID: 1, ThreadID: 1, Text: "First comment on the test pattern clip.",
				CreatedAt: at("2026-11-22T08:00:33.212Z"), UpdatedAt: at("2026-11-22T08:00:33.215Z")},
		},
		{
			capture: "peertube-6.1/instance1-activitypub/ap-comment-2-reply.json", publicURL: instance1, author: rootURL,
			inReplyToURL: CommentURL(instance1, video.UUID, 1), mentions: []model.Account{root},
			comment: model.Comment{ID: 2, ThreadID: 1, InReplyToID: 1, Text: "A reply to the first comment.",
				CreatedAt: at("2026-11-22T08:00:35.357Z"), UpdatedAt: at("2026-11-22T08:00:35.360Z")},
		},
		{
			// A comment of instance 2 on instance 1's video.
			capture: "peertube-6.1/instance2-remote-view/ap-comment-4-on-remote-video.json", publicURL: instance2,
			author: instance2 + "/accounts/root",
			comment: model.Comment{ID: 4, ThreadID: 4, Text: "Hello from instance 2 on a remote video.",
				CreatedAt: at("2026-11-22T08:02:36.906Z"), UpdatedAt: at("2026-11-22T08:02:36.908Z")},
		},
	} {
		n := Comment(tc.publicURL, tc.comment, video, videoURL, tc.author, tc.inReplyToURL, tc.mentions)
		got, want := encode(t, n), reftest.Read(t, tc.capture)
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n got %s\nwant %s", tc.capture, got, want)
		}
	}
}

// TestCommentMentionsRemoteAuthors: a reply deep in a thread mentions each
// parent's author, remote ones by their own id and host.
func TestCommentMentionsRemoteAuthors(t *testing.T) {
	bob := model.Account{Name: "bob", Remote: &model.Remote{URL: "https://m.example/users/bob", Host: "m.example"}}
	c := model.Comment{ID: 9, Text: "Thanks", CreatedAt: at("2026-01-02T03:04:05.006Z")}
	n := Comment("https://v.example/", c, capturedVideo1(), "https://v.example/videos/watch/u", "https://v.example/accounts/ann",
		"https://m.example/users/bob/statuses/1", []model.Account{root, bob})
	b := string(encode(t, n))
	for _, want := range []string{
		`"cc":["https://v.example/accounts/ann/followers"]`,
		`"id":"https://v.example/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f/comments/9"`,
		`"inReplyTo":"https://m.example/users/bob/statuses/1","updated":"2026-01-02T03:04:05.006Z","published":"2026-01-02T03:04:05.006Z"`,
		`"tag":[{"type":"Mention","href":"https://v.example/accounts/root","name":"@root@v.example"},{"type":"Mention","href":"https://m.example/users/bob","name":"@bob@m.example"}]`,
	} {
		if !strings.Contains(b, want) {
			t.Errorf("note lacks %s\nin %s", want, b)
		}
	}
}

// TestTombstone writes a deleted comment as PeerTube's
// toActivityPubObject does: no audience, PeerTube's member order.
func TestTombstone(t *testing.T) {
	deleted := at("2026-11-22T08:04:26.700Z")
	c := model.Comment{ID: 3, Text: "gone", CreatedAt: at("2026-11-22T08:02:06.700Z"), UpdatedAt: deleted, DeletedAt: &deleted}
	v := capturedVideo1()
	got := string(encode(t, Tombstone(instance1, c, v, VideoURL(instance1, v.UUID), "")))
	want := `{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"}],` +
		`"id":"http://127.0.0.1:9001/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f/comments/3","type":"Tombstone","formerType":"Note",` +
		`"inReplyTo":"http://127.0.0.1:9001/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f",` +
		`"published":"2026-11-22T08:02:06.700Z","updated":"2026-11-22T08:04:26.700Z","deleted":"2026-11-22T08:04:26.700Z"}`
	if got != want {
		t.Errorf("tombstone\n got %s\nwant %s", got, want)
	}
}

// TestFromNoteEveryCapture reads every captured Note: PeerTube's comments
// (GET answers and Create deliveries, one forwarded) and GoToSocial's
// replies to a PeerTube video.
func TestFromNoteEveryCapture(t *testing.T) {
	all := objectsIn[*apvocab.Note](t)
	var gts int
	for _, f := range all {
		n := f.obj
		c, err := FromNote(n)
		if err != nil {
			t.Errorf("%s: %v", f.where, err)
			continue
		}
		if c.URL != n.ID || c.InReplyTo != n.InReplyTo || c.AttributedTo != n.AttributedTo || c.Text != n.Content ||
			!c.Published.Equal(n.Published) || c.Updated.Before(c.Published) {
			t.Errorf("%s: read as %+v", f.where, c)
		}
		if strings.HasPrefix(f.where, "gotosocial") {
			gts++
			if !strings.HasPrefix(c.Text, "<p>") || !c.Updated.Equal(c.Published) ||
				!strings.HasPrefix(c.InReplyTo, "https://127.0.0.1:9443/videos/watch/") {
				t.Errorf("%s: GoToSocial reply read as %+v", f.where, c)
			}
		}
	}
	if len(all) < 15 || gts < 5 {
		t.Errorf("%d captured notes, %d of GoToSocial", len(all), gts)
	}
}

// TestFromNoteOwnComment reads back a comment this server writes.
func TestFromNoteOwnComment(t *testing.T) {
	v := capturedVideo1()
	c := model.Comment{ID: 5, Text: "**bold** reply", CreatedAt: at("2026-02-03T04:05:06.007Z"), UpdatedAt: at("2026-02-03T05:00:00Z")}
	o, err := apvocab.Decode(encode(t, Comment(instance1, c, v, VideoURL(instance1, v.UUID), ActorURL(instance1, root), "", nil)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := FromNote(o.(*apvocab.Note))
	if err != nil {
		t.Fatal(err)
	}
	want := RemoteComment{URL: CommentURL(instance1, v.UUID, 5), InReplyTo: VideoURL(instance1, v.UUID),
		AttributedTo: instance1 + "/accounts/root", Text: c.Text, Published: c.CreatedAt, Updated: c.UpdatedAt}
	if got != want {
		t.Errorf("read back %+v, want %+v", got, want)
	}
}

const gtsNote = "gotosocial-0.18/gotosocial-responses/ap-note-reply-mentioning-author.json"

func noteDoc(t testing.TB) map[string]any { return withoutMembers(t, reftest.Read(t, gtsNote)) }

func decodeNote(t testing.TB, doc map[string]any) *apvocab.Note {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	o, err := apvocab.Decode(b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	n, ok := o.(*apvocab.Note)
	if !ok {
		t.Fatalf("decoded a %T", o)
	}
	return n
}

// TestFromNoteRules changes one thing at a time in GoToSocial's reply.
func TestFromNoteRules(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(m map[string]any)
		reason string // "" when accepted
	}{
		"an Article":       {func(m map[string]any) { m["type"] = "Article" }, "type"},
		"no id":            {func(m map[string]any) { delete(m, "id") }, "id"},
		"relative id":      {func(m map[string]any) { m["id"] = "/statuses/1" }, "id"},
		"bad url":          {func(m map[string]any) { m["url"] = "ftp://127.0.0.1:8081/x" }, "url"},
		"no content":       {func(m map[string]any) { delete(m, "content"); delete(m, "contentMap") }, "content"},
		"content too long": {func(m map[string]any) { m["content"] = strings.Repeat("x", 10001) }, "content"},
		"no inReplyTo":     {func(m map[string]any) { delete(m, "inReplyTo") }, "inReplyTo"},
		"no published":     {func(m map[string]any) { delete(m, "published") }, "published"},
		"no author":        {func(m map[string]any) { delete(m, "attributedTo") }, "attributedTo"},
		"author elsewhere": {func(m map[string]any) { m["attributedTo"] = "http://127.0.0.1:8082/users/alice" }, "attributedTo"},
		"followers only":   {func(m map[string]any) { m["to"] = "http://127.0.0.1:8081/users/alice/followers" }, "public"},
		"public in cc":     {func(m map[string]any) { m["to"], m["cc"] = []any{}, []any{"as:Public"} }, ""},
		"no url":           {func(m map[string]any) { delete(m, "url") }, ""},
		"content of 10000": {func(m map[string]any) { m["content"] = strings.Repeat("é", 10000) }, ""},
		"contentMap only": {func(m map[string]any) {
			delete(m, "content")
			m["contentMap"] = map[string]any{"fr": "<p>Salut</p>", "de": "<p>Hallo</p>"}
		}, ""},
		"an updated date": {func(m map[string]any) { m["updated"] = "2026-11-23T00:00:00Z" }, ""},
	} {
		doc := noteDoc(t)
		tc.change(doc)
		c, err := FromNote(decodeNote(t, doc))
		switch {
		case tc.reason == "" && err != nil:
			t.Errorf("%s: %v", name, err)
		case tc.reason != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.reason)):
			t.Errorf("%s: error %v, want ErrInvalid for its %s", name, err, tc.reason)
		}
		switch name {
		case "contentMap only":
			if c.Text != "<p>Hallo</p>" {
				t.Errorf("text from contentMap = %q, want the first language's (de)", c.Text)
			}
		case "an updated date":
			if !c.Updated.Equal(at("2026-11-23T00:00:00Z")) {
				t.Errorf("updated = %v", c.Updated)
			}
		}
	}
	if _, err := FromNote(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil note: %v", err)
	}
}
