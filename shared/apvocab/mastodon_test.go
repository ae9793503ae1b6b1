package apvocab

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Mastodon-shaped documents (testdata/README.md): decoded, their members
// are where callers look for them, and they re-encode byte for byte.
func TestMastodonShapes(t *testing.T) {
	read := func(name string) (Object, []byte) {
		t.Helper()
		raw, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		o, err := Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := Encode(o)
		if err != nil || !bytes.Equal(b, raw) {
			t.Errorf("%s re-encoded differently (%v):\n got %s\nwant %s", name, err, b, raw)
		}
		return o, raw
	}

	o, _ := read("mastodon-actor.json")
	bob := o.(*Actor)
	if bob.Inbox != "https://mastodon.example/users/bob/inbox" || bob.SharedInbox() != "https://mastodon.example/inbox" ||
		bob.Summary != "<p>Films &amp; birds.</p>" || bob.PublicKey.Owner != bob.ID {
		t.Errorf("actor = %+v", bob)
	}
	// Mastodon writes one icon object where PeerTube writes a list.
	if len(bob.Icon) != 1 || !strings.HasSuffix(bob.Icon[0].URL, "/a1.png") || len(bob.Image) != 1 {
		t.Errorf("icon %+v image %+v", bob.Icon, bob.Image)
	}
	if _, ok := bob.Extra["attachment"]; !ok {
		t.Errorf("profile fields not kept: %v", bob.Extra)
	}

	o, _ = read("mastodon-create-note.json")
	create := o.(*Activity)
	n, ok := create.Object.Object.(*Note)
	if !ok {
		t.Fatalf("object = %+v", create.Object)
	}
	if n.InReplyTo != "https://peertube.example/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f" || n.Summary != "" ||
		n.Sensitive || n.AttributedTo != create.Actor || !strings.HasPrefix(n.Content, `<p><span class="h-card"`) {
		t.Errorf("note = %+v", n)
	}
	if !slices.Equal(n.Mentions(), []string{"https://peertube.example/accounts/root"}) || len(n.Tag) != 3 ||
		n.Tag[1].Type != TypeHashtag || n.Tag[2].Type != "Emoji" || n.Tag[2].Extra["icon"] == nil {
		t.Errorf("tags = %+v", n.Tag)
	}
	for _, k := range []string{"attachment", "replies", "atomUri", "conversation"} {
		if _, ok := n.Extra[k]; !ok {
			t.Errorf("%s not kept", k)
		}
	}

	o, _ = read("mastodon-delete-note.json")
	del := o.(*Activity)
	if ts, ok := del.Object.Object.(*Tombstone); !ok || ts.ID != "https://mastodon.example/users/bob/statuses/113529000000000001" ||
		del.Object.ID != ts.ID || ts.Extra["atomUri"] == nil {
		t.Errorf("deleted object = %+v", del.Object)
	}
}

func TestTombstone(t *testing.T) {
	// PeerTube lists a deleted comment as a Tombstone, written as
	// video-comment.ts toActivityPubObject writes it.
	raw := []byte(`{"@context":` + contextBase + `,"id":"https://p/videos/watch/u/comments/3","type":"Tombstone","formerType":"Note",` +
		`"inReplyTo":"https://p/videos/watch/u","published":"2026-11-22T08:02:06.699Z","updated":"2026-11-22T08:04:26.700Z","deleted":"2026-11-22T08:04:26.700Z"}`)
	o, err := Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	ts := o.(*Tombstone)
	if ts.FormerType != TypeNote || ts.InReplyTo != "https://p/videos/watch/u" || ts.Deleted.IsZero() {
		t.Errorf("tombstone = %+v", ts)
	}
	forget(reflect.ValueOf(ts))
	b, err := Encode(ts)
	if err != nil || !bytes.Equal(b, raw) {
		t.Errorf("tombstone built in Go encodes as %s (%v)\nwant %s", b, err, raw)
	}
}

func TestEncodeNothing(t *testing.T) {
	var v *Video
	for _, o := range []Object{nil, v, &Unknown{Type: "X"}} {
		if _, err := Encode(o); err == nil {
			t.Errorf("Encode(%#v) succeeded", o)
		}
	}
	if _, err := Encode(&Activity{Type: TypeAnnounce, Object: Ref{Object: v}}); err == nil {
		t.Error("an Announce of a nil video encoded")
	}
}
