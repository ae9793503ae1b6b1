package inbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/httpsig"
)

const commentID = "https://remote.example/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f/comments/7"

func aliceCreate() []byte {
	return activity("Create", commentID+"/activity", alice, note(commentID, alice, "Nice video"))
}

func TestDeliveryRecordedAndQueuedOnce(t *testing.T) {
	f := newFixture(t)
	body := aliceCreate()
	for i := range 2 {
		if code := f.post(localInbox, body, aliceKey(), alice); code != http.StatusAccepted {
			t.Fatalf("delivery %d: status %d, want 202", i+1, code)
		}
	}
	if n := f.store.len(); n != 1 {
		t.Fatalf("%d activities recorded, want 1", n)
	}
	msgs := f.q.messages(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages queued, want 1", len(msgs))
	}
	m := msgs[0]
	want := Message{ID: commentID + "/activity", Actor: alice, Signer: alice, Inbox: localInbox}
	if m.ID != want.ID || m.Actor != want.Actor || m.Signer != want.Signer || m.Inbox != want.Inbox || m.Forwarded {
		t.Errorf("message %+v, want %+v", m, want)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Activity, compact.Bytes()) || !bytes.Equal(f.store.get(m.ID), compact.Bytes()) {
		t.Errorf("queued %s\nrecorded %s\nwant the body %s", m.Activity, f.store.get(m.ID), body)
	}
	if !bytes.Contains(m.Activity, []byte(`"RsaSignature2017"`)) {
		t.Error("the LD signature member was not kept")
	}
}

func TestActorInboxes(t *testing.T) {
	f := newFixture(t)
	for i, path := range []string{"/accounts/root/inbox", "/video-channels/root_channel/inbox"} {
		id := commentID + "/activity/" + string(rune('a'+i))
		if code := f.post(path, activity("Create", id, alice, note(commentID, alice, "hi")), aliceKey(), alice); code != http.StatusAccepted {
			t.Fatalf("POST %s: %d, want 202", path, code)
		}
	}
	msgs := f.q.messages(t)
	if len(msgs) != 2 || msgs[0].Inbox != "/accounts/root/inbox" || msgs[1].Inbox != "/video-channels/root_channel/inbox" {
		t.Errorf("messages %+v, want one per inbox with its path", msgs)
	}
}

// Each refusal answers its status with a problem body and records and
// queues nothing.
func TestRefusals(t *testing.T) {
	good := aliceCreate()
	other := activity("Create", commentID+"/other", alice, note(commentID, alice, "other"))
	for _, tc := range []struct {
		name   string
		detail string // in the problem's detail: the reason refused
		want   int
		req    func(f *fixture) *http.Request
	}{
		{"no signature", "Missing HTTP signature", http.StatusUnauthorized, func(f *fixture) *http.Request {
			req := f.request(localInbox, good, nil, "")
			req.Header.Set("Date", f.now.Format(http.TimeFormat))
			sum := sha256.Sum256(good)
			req.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
			return req
		}},
		{"bad signature", "Invalid signature", http.StatusUnauthorized, func(f *fixture) *http.Request {
			return f.request(localInbox, good, bobKey(), alice) // alice's keyId, bob's key
		}},
		// httpsig.Status: a digest that does not match the body is a
		// broken request (400); PeerTube answers 403 "Invalid digest".
		{"wrong digest", "Digest", http.StatusBadRequest, func(f *fixture) *http.Request {
			req := f.request(localInbox, good, aliceKey(), alice)
			req.Body = io.NopCloser(bytes.NewReader(other))
			req.ContentLength = int64(len(other))
			return req
		}},
		{"digest not signed", "must cover", http.StatusUnauthorized, func(f *fixture) *http.Request {
			req := f.request(localInbox, good, aliceKey(), alice)
			sig := req.Header.Get("Signature")
			req.Header.Set("Signature", strings.Replace(sig, ` digest"`, `"`, 1))
			return req
		}},
		{"stale date", "clock skew", http.StatusUnauthorized, func(f *fixture) *http.Request {
			f.now = f.now.Add(-31 * time.Minute)
			defer func() { f.now = f.now.Add(31 * time.Minute) }()
			return f.request(localInbox, good, aliceKey(), alice)
		}},
		{"unknown key", "Unknown signing key", http.StatusUnauthorized, func(f *fixture) *http.Request {
			return f.request(localInbox, good, aliceKey(), "https://remote.example/accounts/nobody")
		}},
		{"key resolver down", "try again later", http.StatusServiceUnavailable, func(f *fixture) *http.Request {
			f.keysErr = errors.New("fetch https://remote.example/accounts/alice: connection refused")
			return f.request(localInbox, good, aliceKey(), alice)
		}},
		{"oversized body", "larger than", http.StatusRequestEntityTooLarge, func(f *fixture) *http.Request {
			big := activity("Create", commentID+"/activity", alice, note(commentID, alice, strings.Repeat("a", DefaultMaxBodyBytes)))
			return f.request(localInbox, big, aliceKey(), alice)
		}},
		{"oversized chunked body", "larger than", http.StatusRequestEntityTooLarge, func(f *fixture) *http.Request {
			big := activity("Create", commentID+"/activity", alice, note(commentID, alice, strings.Repeat("a", DefaultMaxBodyBytes)))
			req := f.request(localInbox, big, aliceKey(), alice)
			req.ContentLength = -1 // no Content-Length: read until the limit
			req.Header.Del("Content-Length")
			req.GetBody = nil
			req.Body = io.NopCloser(bytes.NewReader(big))
			return req
		}},
		{"text/plain", "Content-Type", http.StatusUnsupportedMediaType, func(f *fixture) *http.Request {
			req := f.request(localInbox, good, aliceKey(), alice)
			req.Header.Set("Content-Type", "text/plain")
			return req
		}},
		{"application/json", "Content-Type", http.StatusUnsupportedMediaType, func(f *fixture) *http.Request {
			req := f.request(localInbox, good, aliceKey(), alice)
			req.Header.Set("Content-Type", "application/json")
			return req
		}},
		{"body not JSON", "not JSON", http.StatusBadRequest, func(f *fixture) *http.Request {
			return f.request(localInbox, []byte(`{"type":"Create",`), aliceKey(), alice)
		}},
		{"body not UTF-8", "not UTF-8", http.StatusBadRequest, func(f *fixture) *http.Request {
			return f.request(localInbox, bytes.Replace(good, []byte("Nice"), []byte("N\xffce"), 1), aliceKey(), alice)
		}},
		{"not an activity", "Not an activity", http.StatusBadRequest, func(f *fixture) *http.Request {
			b, _ := json.Marshal(note(commentID, alice, "a note alone"))
			return f.request(localInbox, b, aliceKey(), alice)
		}},
		{"no id", "no id", http.StatusBadRequest, func(f *fixture) *http.Request {
			return f.request(localInbox, activity("Like", "", alice, commentID), aliceKey(), alice)
		}},
		{"no actor", "no actor", http.StatusBadRequest, func(f *fixture) *http.Request {
			return f.request(localInbox, activity("Like", alice+"/likes/1", "", commentID), aliceKey(), alice)
		}},
		{"id on another host", "not on its actor's host", http.StatusBadRequest, func(f *fixture) *http.Request {
			return f.request(localInbox, activity("Like", bob+"/likes/1", alice, commentID), aliceKey(), alice)
		}},
		{"signer is not the actor", "could not be confirmed", http.StatusUnauthorized, func(f *fixture) *http.Request {
			return f.request(localInbox, activity("Like", alice+"/likes/1", alice, commentID), bobKey(), bobKeyID)
		}},
		{"forwarded create the origin does not serve", "could not be confirmed", http.StatusUnauthorized, func(f *fixture) *http.Request {
			return f.request(localInbox, good, srvKey(), remoteSrv)
		}},
		{"unknown account inbox", "Unknown account", http.StatusNotFound, func(f *fixture) *http.Request {
			return f.request("/accounts/nobody/inbox", good, aliceKey(), alice)
		}},
		{"unknown channel inbox", "Unknown channel", http.StatusNotFound, func(f *fixture) *http.Request {
			return f.request("/video-channels/nobody/inbox", good, aliceKey(), alice)
		}},
		{"unknown path", "Unknown inbox", http.StatusNotFound, func(f *fixture) *http.Request {
			return f.request("/users/root/inbox", good, aliceKey(), alice)
		}},
		{"GET", "only take POST", http.StatusMethodNotAllowed, func(f *fixture) *http.Request {
			req := f.request(localInbox, nil, nil, "")
			req.Method = http.MethodGet
			return req
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			code, body := f.do(tc.req(f))
			if code != tc.want || !bytes.Contains(body, []byte(tc.detail)) {
				t.Errorf("answer %d %s, want %d with %q", code, body, tc.want, tc.detail)
			}
			f.nothingChanged(t)
		})
	}
}

// The digest check (400) and the signature check (401) are what
// httpsig.Status maps their errors to.
func TestStatusesFollowHTTPSig(t *testing.T) {
	if got := httpsig.Status(httpsig.ErrDigest); got != http.StatusBadRequest {
		t.Errorf("httpsig.Status(ErrDigest) = %d; the refusal table expects 400", got)
	}
	if got := httpsig.Status(httpsig.ErrNoSignature); got != http.StatusUnauthorized {
		t.Errorf("httpsig.Status(ErrNoSignature) = %d; the refusal table expects 401", got)
	}
}

func TestBlockedActorDropped(t *testing.T) {
	f := newFixture(t)
	f.blocked[alice] = true
	if code := f.post(localInbox, aliceCreate(), aliceKey(), alice); code != http.StatusAccepted {
		t.Fatalf("status %d, want 202", code)
	}
	f.nothingChanged(t)
}

func TestBlockedForwarderDropped(t *testing.T) {
	f := newFixture(t)
	f.blocked[remoteSrv] = true
	f.origin[commentID] = func() ([]byte, error) { return json.Marshal(note(commentID, alice, "x")) }
	if code := f.post(localInbox, aliceCreate(), srvKey(), remoteSrv); code != http.StatusAccepted {
		t.Fatalf("status %d, want 202", code)
	}
	f.nothingChanged(t)
	if len(f.confirms) != 0 {
		t.Errorf("the origin was asked %v for a blocked forwarder", f.confirms)
	}
}

func TestQueueFailureForgetsThenRetrySucceeds(t *testing.T) {
	f := newFixture(t)
	f.q.failNext = 1
	body := aliceCreate()
	code, problemBody := f.do(f.request(localInbox, body, aliceKey(), alice))
	if code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", code, problemBody)
	}
	f.nothingChanged(t)
	if f.store.forgets != 1 {
		t.Errorf("Forget called %d times, want 1", f.store.forgets)
	}
	f.now = f.now.Add(time.Minute) // the sender retries later, signing again
	if code := f.post(localInbox, body, aliceKey(), alice); code != http.StatusAccepted {
		t.Fatalf("retry: status %d, want 202", code)
	}
	if n, m := f.store.len(), len(f.q.messages(t)); n != 1 || m != 1 {
		t.Errorf("after the retry %d recorded and %d queued, want 1 and 1", n, m)
	}
}

func TestRecordFailureIs503(t *testing.T) {
	f := newFixture(t)
	f.store.fail = errors.New("put item: throttled")
	code, body := f.do(f.request(localInbox, aliceCreate(), aliceKey(), alice))
	if code != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503: %s", code, body)
	}
	f.store.fail = nil
	f.nothingChanged(t)
}

func TestMediaTypesWithParameters(t *testing.T) {
	f := newFixture(t)
	for i, ct := range []string{
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`,
		"application/activity+json; charset=utf-8",
		"Application/Activity+JSON",
	} {
		req := f.request(localInbox, activity("Like", alice+"/likes/"+string(rune('1'+i)), alice, commentID), aliceKey(), alice)
		req.Header.Set("Content-Type", ct)
		if code, body := f.do(req); code != http.StatusAccepted {
			t.Errorf("Content-Type %q: status %d: %s", ct, code, body)
		}
	}
}

func TestNewRefusesMissingDependencies(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "Deps.") {
			t.Errorf("New with no dependencies: recovered %v, want a panic naming the missing one", r)
		}
	}()
	New(Deps{PublicURL: publicURL})
}
