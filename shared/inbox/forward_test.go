package inbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"testing"

	"github.com/vidiverse/vidiverse/shared/fetch"
)

// A comment by alice, forwarded by her server's actor (as PeerTube
// forwards comments on its videos to their followers): the origin serves
// the comment, and what it serves is what gets recorded.
func TestForwardedCreateConfirmed(t *testing.T) {
	f := newFixture(t)
	origin := note(commentID, alice, "Edited since: the origin's copy")
	originDoc, _ := json.Marshal(origin)
	f.origin[commentID] = func() ([]byte, error) { return originDoc, nil }

	// PeerTube's member order, and the object embedded as it was sent.
	embedded, _ := json.Marshal(note(commentID, alice, "Nice video"))
	body := []byte(`{"@context":["https://www.w3.org/ns/activitystreams"],"type":"Create","id":"` + commentID +
		`/activity","actor":"` + alice + `","object":` + string(embedded) + `,"to":["https://www.w3.org/ns/activitystreams#Public"],` +
		`"signature":{"type":"RsaSignature2017","creator":"` + alice + `","signatureValue":"eA=="}}`)
	if code := f.post(localInbox, body, srvKey(), remoteSrv); code != http.StatusAccepted {
		t.Fatalf("status %d, want 202", code)
	}
	if !slices.Equal(f.confirms, []string{commentID}) {
		t.Errorf("origin asked for %v, want the object %s", f.confirms, commentID)
	}
	msgs := f.q.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if !m.Forwarded || m.Signer != remoteSrv || m.Actor != alice || m.ID != commentID+"/activity" {
		t.Errorf("message %+v: want forwarded by %s for %s", m, remoteSrv, alice)
	}
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(f.store.get(m.ID), &rec); err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(rec["object"], &obj); err != nil {
		t.Fatal(err)
	}
	if obj["content"] != origin["content"] {
		t.Errorf("recorded object %v, want the origin's %v", obj, origin)
	}
	if _, ok := rec["signature"]; !ok {
		t.Error("LD signature member dropped")
	}
	if !bytes.Equal(m.Activity, f.store.get(m.ID)) {
		t.Errorf("queued activity differs from the recorded one")
	}
	// The member order of the forwarded body is kept.
	var order []string
	dec := json.NewDecoder(bytes.NewReader(m.Activity))
	dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		order = append(order, k.(string))
		var v json.RawMessage
		_ = dec.Decode(&v)
	}
	want := []string{"@context", "type", "id", "actor", "object", "to", "signature"}
	if !slices.Equal(order, want) {
		t.Errorf("member order %v, want %v", order, want)
	}
}

func TestForwardedRefusals(t *testing.T) {
	otherHostNote := "https://other.example/notes/1"
	for _, tc := range []struct {
		name     string
		body     []byte
		origin   map[string]func() ([]byte, error)
		confirms []string
	}{
		{"object on another host than the actor",
			activity("Create", commentID+"/activity", alice, note(otherHostNote, alice, "x")),
			nil, nil},
		{"origin serves another id",
			aliceCreate(),
			map[string]func() ([]byte, error){commentID: func() ([]byte, error) {
				return json.Marshal(note(commentID+"9", alice, "x"))
			}},
			[]string{commentID}},
		{"origin down",
			aliceCreate(),
			map[string]func() ([]byte, error){commentID: func() ([]byte, error) {
				return nil, &fetch.ErrRemote{Method: "GET", URL: commentID, Status: http.StatusBadGateway}
			}},
			[]string{commentID}},
		{"origin serves garbage",
			aliceCreate(),
			map[string]func() ([]byte, error){commentID: func() ([]byte, error) { return []byte("<html>"), nil }},
			[]string{commentID}},
		{"delete of an object that still exists",
			activity("Delete", commentID+"/delete", alice, commentID),
			map[string]func() ([]byte, error){commentID: func() ([]byte, error) {
				return json.Marshal(note(commentID, alice, "still here"))
			}},
			[]string{commentID}},
		{"delete, origin down",
			activity("Delete", commentID+"/delete", alice, commentID),
			map[string]func() ([]byte, error){commentID: func() ([]byte, error) {
				return nil, &fetch.ErrRemote{Method: "GET", URL: commentID, Status: http.StatusInternalServerError}
			}},
			[]string{commentID}},
		{"announce the origin did not make",
			activity("Announce", alice+"/announces/1", alice, "https://remote.example/videos/watch/1"),
			map[string]func() ([]byte, error){alice + "/announces/1": func() ([]byte, error) {
				return activity("Announce", alice+"/announces/1", alice, "https://remote.example/videos/watch/2"), nil
			}},
			[]string{alice + "/announces/1"}},
		{"like", activity("Like", alice+"/likes/1", alice, commentID), nil, nil},
		{"undo", activity("Undo", alice+"/likes/1/undo", alice, map[string]any{
			"type": "Like", "id": alice + "/likes/1", "actor": alice, "object": commentID}), nil, nil},
		{"follow", activity("Follow", alice+"/follows/1", alice, publicURL+"/accounts/root"), nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			for u, a := range tc.origin {
				f.origin[u] = a
			}
			code, body := f.do(f.request(localInbox, tc.body, srvKey(), remoteSrv))
			if code != http.StatusUnauthorized || !bytes.Contains(body, []byte("could not be confirmed")) {
				t.Errorf("answer %d %s, want 401", code, body)
			}
			if !slices.Equal(f.confirms, tc.confirms) {
				t.Errorf("origin asked for %v, want %v", f.confirms, tc.confirms)
			}
			f.nothingChanged(t)
		})
	}
}

func TestForwardedDeleteConfirmedByAbsence(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer func() ([]byte, error)
	}{
		{"404", nil}, // the fixture's origin answers 404 for unknown URLs
		{"410", func() ([]byte, error) {
			return nil, &fetch.ErrRemote{Method: "GET", URL: commentID, Status: http.StatusGone}
		}},
		{"Tombstone", func() ([]byte, error) {
			return json.Marshal(map[string]any{"type": "Tombstone", "id": commentID, "formerType": "Note"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			if tc.answer != nil {
				f.origin[commentID] = tc.answer
			}
			body := activity("Delete", commentID+"/delete", alice, commentID)
			if code := f.post(localInbox, body, srvKey(), remoteSrv); code != http.StatusAccepted {
				t.Fatalf("status %d, want 202", code)
			}
			msgs := f.q.messages(t)
			if len(msgs) != 1 || !msgs[0].Forwarded {
				t.Fatalf("messages %+v, want one forwarded", msgs)
			}
			var compact bytes.Buffer
			_ = json.Compact(&compact, body)
			if !bytes.Equal(msgs[0].Activity, compact.Bytes()) {
				t.Errorf("recorded %s, want the forwarded Delete as received", msgs[0].Activity)
			}
		})
	}
}

func TestForwardedAnnounceConfirmed(t *testing.T) {
	f := newFixture(t)
	id := "https://remote.example/videos/watch/1/announces/4"
	video := "https://remote.example/videos/watch/1"
	originDoc := activity("Announce", id, alice, video)
	f.origin[id] = func() ([]byte, error) { return originDoc, nil }
	if code := f.post(localInbox, activity("Announce", id, alice, video), srvKey(), remoteSrv); code != http.StatusAccepted {
		t.Fatalf("status %d, want 202", code)
	}
	if !slices.Equal(f.confirms, []string{id}) {
		t.Errorf("origin asked for %v, want the Announce %s", f.confirms, id)
	}
	msgs := f.q.messages(t)
	var compact bytes.Buffer
	_ = json.Compact(&compact, originDoc)
	if len(msgs) != 1 || !bytes.Equal(msgs[0].Activity, compact.Bytes()) {
		t.Errorf("messages %+v, want the origin's Announce", msgs)
	}
}

// The same activity delivered directly and then forwarded is queued once.
func TestForwardedCopyOfRecordedActivity(t *testing.T) {
	f := newFixture(t)
	originDoc, _ := json.Marshal(note(commentID, alice, "Nice video"))
	f.origin[commentID] = func() ([]byte, error) { return originDoc, nil }
	body := aliceCreate()
	if code := f.post(localInbox, body, aliceKey(), alice); code != http.StatusAccepted {
		t.Fatalf("direct: %d", code)
	}
	if code := f.post(localInbox, body, srvKey(), remoteSrv); code != http.StatusAccepted {
		t.Fatalf("forwarded: %d", code)
	}
	if msgs := f.q.messages(t); len(msgs) != 1 || msgs[0].Forwarded {
		t.Errorf("messages %+v, want only the direct one", msgs)
	}
}
