package apvocab

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

// body is the body of a captured request.
func body(t *testing.T, name string) []byte {
	t.Helper()
	_, b, ok := bytes.Cut(reftest.Read(t, name), []byte("\r\n\r\n"))
	if !ok {
		t.Fatalf("%s: no body", name)
	}
	return b
}

func TestDecodeActivityForms(t *testing.T) {
	const (
		pt1    = "peertube-6.1/instance1-deliveries-to-instance2/"
		pt1t   = "peertube-6.1/instance1-deliveries-to-test-actor/"
		pt2    = "peertube-6.1/instance2-deliveries-to-instance1/"
		gts    = "gotosocial-0.18/gotosocial-deliveries/"
		video1 = "http://127.0.0.1:9001/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f"
	)
	for _, tc := range []struct {
		file       string
		typ, actor string
		object     string // the object's IRI
		embedded   string // the embedded object's Go type, "" for an IRI
		check      func(t *testing.T, a *Activity)
	}{
		{file: pt2 + "03-dislike.request.http", typ: TypeDislike, actor: "http://127.0.0.1:9002/accounts/root", object: video1,
			check: func(t *testing.T, a *Activity) {
				var sig struct{ Type, Creator string }
				if err := json.Unmarshal(a.Signature, &sig); err != nil || sig.Type != "RsaSignature2017" || sig.Creator != a.Actor {
					t.Errorf("LD signature kept as %s (%v)", a.Signature, err)
				}
			}},
		{file: pt2 + "05-undo-like.request.http", typ: TypeUndo, actor: "http://127.0.0.1:9002/accounts/root",
			object: "http://127.0.0.1:9002/accounts/root/likes/1", embedded: "*apvocab.Activity",
			check: func(t *testing.T, a *Activity) {
				like := a.Object.Object.(*Activity)
				if like.Type != TypeLike || like.Actor != a.Actor || like.Object.ID != video1 {
					t.Errorf("undone like = %+v", like)
				}
			}},
		{file: pt1 + "01-accept-server-follow.request.http", typ: TypeAccept, actor: "http://127.0.0.1:9001/accounts/peertube",
			object: "http://127.0.0.1:9002/accounts/peertube/follows/4", embedded: "*apvocab.Activity",
			check: func(t *testing.T, a *Activity) {
				if f := a.Object.Object.(*Activity); f.Type != TypeFollow || f.Object.ID != "http://127.0.0.1:9001/accounts/peertube" {
					t.Errorf("accepted follow = %+v", f)
				}
			}},
		{file: pt1 + "02-announce-video-by-channel.request.http", typ: TypeAnnounce,
			actor: "http://127.0.0.1:9001/video-channels/root_channel", object: "http://127.0.0.1:9001/videos/watch/5b896a80-08be-4021-b702-da538396fb0a",
			check: func(t *testing.T, a *Activity) {
				if a.CC == nil || len(a.CC) != 0 || !IsPublic(a.To[0]) {
					t.Errorf("to %v cc %#v", a.To, a.CC)
				}
			}},
		{file: pt1 + "06-view.request.http", typ: TypeView, actor: "http://127.0.0.1:9001/accounts/peertube", object: video1,
			check: func(t *testing.T, a *Activity) {
				if !a.Expires.Equal(time.Date(2026, 11, 22, 8, 2, 21, 807e6, time.UTC)) {
					t.Errorf("expires %v", a.Expires)
				}
			}},
		{file: pt1 + "09-update-person.request.http", typ: TypeUpdate, actor: "http://127.0.0.1:9001/accounts/root",
			object: "http://127.0.0.1:9001/accounts/root", embedded: "*apvocab.Actor",
			check: func(t *testing.T, a *Activity) {
				p := a.Object.Object.(*Actor)
				if p.Name != "Root Admin" || p.SharedInbox() != "http://127.0.0.1:9001/inbox" || p.Inbox != p.ID+"/inbox" ||
					p.PublicKey == nil || p.PublicKey.ID != p.ID+"#main-key" || !strings.HasPrefix(p.PublicKey.PublicKeyPem, "-----BEGIN PUBLIC KEY-----") ||
					len(p.Context) == 0 || len(p.To) != 1 {
					t.Errorf("updated person = %+v", p)
				}
			}},
		{file: pt1 + "10-update-group.request.http", typ: TypeUpdate, actor: "http://127.0.0.1:9001/video-channels/root_channel",
			object: "http://127.0.0.1:9001/video-channels/root_channel", embedded: "*apvocab.Actor",
			check: func(t *testing.T, a *Activity) {
				g := a.Object.Object.(*Actor)
				if g.Type != TypeGroup || !g.PostingRestrictedToMods || g.Support == "" ||
					len(g.AttributedTo) != 1 || g.AttributedTo[0].ID != "http://127.0.0.1:9001/accounts/root" {
					t.Errorf("updated group = %+v", g)
				}
			}},
		{file: pt1t + "08-create-video.request.http", typ: TypeCreate, actor: "http://127.0.0.1:9001/accounts/root",
			object: "http://127.0.0.1:9001/videos/watch/5b896a80-08be-4021-b702-da538396fb0a", embedded: "*apvocab.Video"},
		{file: pt1t + "06-create-note-reply-a.request.http", typ: TypeCreate, actor: "http://127.0.0.1:9001/accounts/root",
			object: video1 + "/comments/2", embedded: "*apvocab.Note",
			check: func(t *testing.T, a *Activity) {
				n := a.Object.Object.(*Note)
				if n.InReplyTo != video1+"/comments/1" || n.MediaType != "text/markdown" || n.AttributedTo != a.Actor ||
					!slices.Equal(n.Mentions(), []string{"http://127.0.0.1:9001/accounts/root"}) {
					t.Errorf("reply = %+v", n)
				}
			}},
		{file: pt1t + "27-delete-video.request.http", typ: TypeDelete, actor: "http://127.0.0.1:9001/accounts/root",
			object: "http://127.0.0.1:9001/videos/watch/5b896a80-08be-4021-b702-da538396fb0a"},
		{file: gts + "02-create-note-reply-mentioning-author-to-test-actor.request.http", typ: TypeCreate,
			actor: "http://127.0.0.1:8081/users/alice", object: "http://127.0.0.1:8081/users/alice/statuses/01M814PBEWYQB5NS3R5PAD6QH8",
			embedded: "*apvocab.Note",
			check: func(t *testing.T, a *Activity) {
				n := a.Object.Object.(*Note)
				// GoToSocial writes "to" as one string: read as a list of one.
				if !slices.Equal(a.To, []string{Public}) || !slices.Equal(n.To, []string{Public}) {
					t.Errorf("to = %v / %v", a.To, n.To)
				}
				if n.InReplyTo != "https://127.0.0.1:9443/videos/watch/86e0f407-4d42-4cdd-8ae4-54c4b0bcf254" ||
					!strings.Contains(n.ContentMap["en"], "Second reply") || n.Content != n.ContentMap["en"] ||
					len(n.Mentions()) != 2 || a.Published.IsZero() || n.Sensitive {
					t.Errorf("GoToSocial reply = %+v", n)
				}
				if _, ok := n.Extra["interactionPolicy"]; !ok {
					t.Errorf("interactionPolicy not kept: %v", n.Extra)
				}
			}},
		{file: gts + "04-follow-to-peertube.request.http", typ: TypeFollow, actor: "http://127.0.0.1:8081/users/alice",
			object: "https://127.0.0.1:9443/accounts/root"},
		{file: gts + "05-like-to-peertube.request.http", typ: TypeLike, actor: "http://127.0.0.1:8081/users/alice",
			object: "https://127.0.0.1:9443/videos/watch/86e0f407-4d42-4cdd-8ae4-54c4b0bcf254"},
	} {
		t.Run(tc.file[strings.LastIndex(tc.file, "/")+1:], func(t *testing.T) {
			a, err := DecodeActivity(body(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if a.Type != tc.typ || a.Actor != tc.actor || a.Object.ID != tc.object {
				t.Errorf("got %s by %s of %s; want %s by %s of %s", a.Type, a.Actor, a.Object.ID, tc.typ, tc.actor, tc.object)
			}
			got := ""
			if a.Object.Object != nil {
				got = typeName(a.Object.Object)
			}
			if got != tc.embedded {
				t.Errorf("embedded object %q, want %q", got, tc.embedded)
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

func typeName(o Object) string {
	switch o.(type) {
	case *Activity:
		return "*apvocab.Activity"
	case *Actor:
		return "*apvocab.Actor"
	case *Video:
		return "*apvocab.Video"
	case *Note:
		return "*apvocab.Note"
	}
	return "other"
}

func TestDecodeActivityRefusesOthers(t *testing.T) {
	_, err := DecodeActivity(reftest.Read(t, "peertube-6.1/instance1-activitypub/ap-account-root.json"))
	if !errors.Is(err, ErrNotActivity) {
		t.Errorf("an actor decoded as an activity: %v", err)
	}
	for _, bad := range []string{``, `[]`, `"Create"`, `{"type":"Create"`, `{"type":"Create"} {}`, `{"type":"Create","to":7}`,
		`{"type":"Video","duration":"P1Y"}`,
		strings.Repeat(`{"type":"Undo","object":`, 70) + `"x"` + strings.Repeat(`}`, 70), // nested too deep
		strings.Repeat(`{"type":"Undo","object":`, 10) + `"x"` + strings.Repeat(`}`, 10), // embedded too deep
	} {
		if _, err := DecodeActivity([]byte(bad)); err == nil {
			t.Errorf("DecodeActivity(%.60q) succeeded", bad)
		}
	}
}

// TestActivityReferences: go-ap reads the reference members, accepting
// absolute IRIs and embedded objects; "as:Public", which go-ap drops, is
// kept in the audience; PeerTube's own activity types are activities.
func TestActivityReferences(t *testing.T) {
	a, err := DecodeActivity([]byte(`{"type":"Like","id":"https://a.example/l/1","actor":"/users/relative",` +
		`"object":{"type":"Video","id":"https://b.example/v/1","duration":"PT1M"},"to":["as:Public"],"cc":"https://a.example/f"}`))
	if err != nil {
		t.Fatal(err)
	}
	if a.Actor != "" {
		t.Errorf("relative actor read as %q", a.Actor)
	}
	if v, ok := a.Object.Object.(*Video); !ok || a.Object.ID != "https://b.example/v/1" || v.Duration != 60 {
		t.Errorf("object = %+v", a.Object)
	}
	if !slices.Equal(a.To, []string{"as:Public"}) || !IsPublic(a.To[0]) || !slices.Equal(a.CC, []string{"https://a.example/f"}) {
		t.Errorf("audience to %v cc %v", a.To, a.CC)
	}

	r, err := DecodeActivity([]byte(`{"type":"ApproveReply","id":"https://a.example/x","actor":"https://a.example/accounts/o",` +
		`"object":"https://b.example/c/1","inReplyTo":"https://a.example/videos/watch/1"}`))
	if err != nil {
		t.Fatal(err)
	}
	if r.Actor != "https://a.example/accounts/o" || r.Object.ID != "https://b.example/c/1" || r.InReplyTo != "https://a.example/videos/watch/1" {
		t.Errorf("ApproveReply = %+v", r)
	}

	f, err := DecodeActivity([]byte(`{"type":"Flag","actor":"https://a.example/accounts/peertube","content":"spam",` +
		`"object":["https://b.example/videos/watch/1","https://b.example/accounts/x"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.ObjectIDs(); !slices.Equal(got, []string{"https://b.example/videos/watch/1", "https://b.example/accounts/x"}) || f.Content != "spam" {
		t.Errorf("flag objects %v content %q", got, f.Content)
	}
	if b, err := EncodeCanonical(f); err != nil || !strings.Contains(string(b), `"object":["https://b.example/videos/watch/1","https://b.example/accounts/x"]`) {
		t.Errorf("flag re-encoded as %s (%v)", b, err)
	}
}

// TestChangedValueKeepsForms edits a decoded GoToSocial reply: the edited
// member is written anew, the others as GoToSocial wrote them, in its order.
func TestChangedValueKeepsForms(t *testing.T) {
	raw := body(t, "gotosocial-0.18/gotosocial-deliveries/01-create-note-reply-to-test-actor.request.http")
	a, err := DecodeActivity(raw)
	if err != nil {
		t.Fatal(err)
	}
	n := a.Object.Object.(*Note)
	n.Content = "<p>edited & shorter</p>"
	b, err := Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`"content":"<p>edited & shorter</p>"`,                        // ours: not escaped
		`"to":"https://www.w3.org/ns/activitystreams#Public"`,        // GoToSocial's single-string form
		`"published":"2026-11-22T08:06:39Z"`,                         // its time form
		`"contentMap":{"en":"\u003cp\u003e\u003cspan class=\"h-card`, // its escaping
	} {
		if !strings.Contains(s, want) {
			t.Errorf("re-encoded reply lacks %s:\n%s", want, s)
		}
	}
	order := func(doc []byte) []string {
		n, err := reftest.Parse(doc)
		if err != nil {
			t.Fatal(err)
		}
		return n.Fields["object"].Keys
	}
	if !slices.Equal(order(b), order(raw)) {
		t.Errorf("member order changed: %v, was %v", order(b), order(raw))
	}
	back, err := DecodeActivity(b)
	if err != nil || back.Object.Object.(*Note).Content != n.Content {
		t.Errorf("edited content not read back (%v)", err)
	}
}

func TestCollections(t *testing.T) {
	o, err := Decode(reftest.Read(t, "peertube-6.1/instance1-activitypub/ap-video-comments-page1-with-remote.json"))
	if err != nil {
		t.Fatal(err)
	}
	c := o.(*Collection)
	const comments = "http://127.0.0.1:9001/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f/comments"
	if !c.IsPage() || c.TotalItems != 3 || c.PartOf.ID != comments || c.Next.ID != comments+"?page=2" || c.Prev.ID != "" ||
		len(c.OrderedItems) != 2 || c.OrderedItems[1].ID != comments+"/2" || c.OrderedItems[1].Object != nil {
		t.Errorf("comments page = %+v", c)
	}

	o, err = Decode(reftest.Read(t, "peertube-6.1/instance1-activitypub/ap-account-root-outbox-page1.json"))
	if err != nil {
		t.Fatal(err)
	}
	c = o.(*Collection)
	create, ok := c.OrderedItems[0].Object.(*Activity)
	if !ok || create.Type != TypeCreate {
		t.Fatalf("outbox item = %+v", c.OrderedItems[0])
	}
	if v, ok := create.Object.Object.(*Video); !ok || v.Duration != 3 || len(v.Hashtags()) != 2 {
		t.Errorf("outbox video = %+v", create.Object)
	}

	// GoToSocial embeds a note's first page of replies.
	o, err = Decode([]byte(`{"first":{"id":"https://g.example/r?page=true","next":"https://g.example/r?only_other_accounts=false\u0026page=true",` +
		`"partOf":"https://g.example/r","type":"CollectionPage"},"id":"https://g.example/r","type":"Collection"}`))
	if err != nil {
		t.Fatal(err)
	}
	c = o.(*Collection)
	page, ok := c.First.Object.(*Collection)
	if !ok || c.First.ID != "https://g.example/r?page=true" || page.Next.ID != "https://g.example/r?only_other_accounts=false&page=true" || page.PartOf.ID != c.ID {
		t.Errorf("embedded first page = %+v", c.First)
	}
}

func TestActorsAndKeys(t *testing.T) {
	o, err := Decode(reftest.Read(t, "gotosocial-0.18/gotosocial-responses/ap-main-key-alice.json"))
	if err != nil {
		t.Fatal(err)
	}
	stub := o.(*Actor)
	if stub.Inbox != "" || stub.PublicKey == nil || stub.PublicKey.Owner != "http://127.0.0.1:8081/users/alice" ||
		stub.PublicKey.ID != "http://127.0.0.1:8081/users/alice/main-key" {
		t.Errorf("GoToSocial key stub = %+v", stub)
	}
	o, err = Decode(reftest.Read(t, "gotosocial-0.18/gotosocial-responses/ap-actor-alice.json"))
	if err != nil {
		t.Fatal(err)
	}
	alice := o.(*Actor)
	if alice.Inbox != "http://127.0.0.1:8081/users/alice/inbox" || alice.SharedInbox() != "" || alice.URL != "http://127.0.0.1:8081/@alice" ||
		string(alice.Extra["manuallyApprovesFollowers"]) != "true" {
		t.Errorf("GoToSocial actor = %+v", alice)
	}
	o, err = Decode(reftest.Read(t, "peertube-6.1/instance1-activitypub/ap-account-peertube.json"))
	if err != nil {
		t.Fatal(err)
	}
	if app := o.(*Actor); app.Type != TypeApplication || app.PreferredUsername != "peertube" || app.Playlists != app.ID+"/playlists" ||
		app.Summary != "" || app.Published.IsZero() {
		t.Errorf("instance actor = %+v", app)
	}
}

// TestBuiltActivitiesUsePeerTubeContexts: activities built in Go get the
// @context PeerTube gives them.
func TestBuiltActivitiesUsePeerTubeContexts(t *testing.T) {
	for _, tc := range []struct {
		a    *Activity
		want string
	}{
		{&Activity{Type: TypeFollow, ID: "https://a/f/1", Actor: "https://a/accounts/peertube", Object: Ref{ID: "https://b/accounts/peertube"}},
			`{"@context":` + contextBase + `,"type":"Follow","id":"https://a/f/1","actor":"https://a/accounts/peertube","object":"https://b/accounts/peertube"}`},
		{&Activity{Type: TypeView, ID: "https://a/v/1", To: []string{Public}, CC: []string{}, Actor: "https://a/accounts/peertube",
			Object: Ref{ID: "https://a/videos/watch/1"}, Expires: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
			`{"@context":` + contextView + `,"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":[],"id":"https://a/v/1","type":"View","actor":"https://a/accounts/peertube","object":"https://a/videos/watch/1","expires":"2026-01-01T00:00:00.000Z"}`},
		{&Activity{Type: TypeUpdate, ID: "https://a/accounts/x/updates/1", Actor: "https://a/accounts/x",
			Object: Ref{Object: &Actor{Type: TypePerson, ID: "https://a/accounts/x", Name: "X"}}},
			`{"@context":` + contextActor + `,"type":"Update","id":"https://a/accounts/x/updates/1","actor":"https://a/accounts/x","object":{"@context":` + contextActor + `,"type":"Person","id":"https://a/accounts/x","name":"X","summary":null}}`},
		{&Activity{Type: TypeCreate, ID: "https://a/videos/watch/1/activity", Actor: "https://a/accounts/x",
			Object: Ref{Object: &Video{Type: TypeVideo, ID: "https://a/videos/watch/1"}}},
			`{"@context":` + contextVideo + `,"type":"Create"`},
	} {
		b, err := Encode(tc.a)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(b), tc.want) {
			t.Errorf("encoded %s\nwant %s", b, tc.want)
		}
	}
}
