package inbox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/reftest"
)

// capturedKeys maps the URL each captured actor or key document was served
// at to its file. GoToSocial's keyId …/main-key serves a stub whose
// publicKey.owner is the actor.
var capturedKeys = map[string]string{
	"http://127.0.0.1:9001/accounts/peertube":           "peertube-6.1/instance1-activitypub/ap-account-peertube.json",
	"http://127.0.0.1:9001/accounts/root":               "peertube-6.1/instance1-activitypub/ap-account-root.json",
	"http://127.0.0.1:9001/video-channels/root_channel": "peertube-6.1/instance1-activitypub/ap-channel-root_channel.json",
	"http://127.0.0.1:9002/accounts/root":               "peertube-6.1/instance2-remote-view/ap-account-root.json",
	"http://127.0.0.1:9002/accounts/peertube":           "peertube-6.1/instance2-remote-view/ap-account-peertube.json",
	"http://127.0.0.1:8081/users/alice/main-key":        "gotosocial-0.18/gotosocial-responses/ap-main-key-alice.json",
}

// capturedOrigin is what the origins served, for forwarded activities.
var capturedOrigin = map[string]string{
	"http://127.0.0.1:9002/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f/comments/4": "peertube-6.1/instance2-remote-view/ap-comment-4-on-remote-video.json",
}

// capturedResolver resolves keyIds as Deps.Keys does, from the captured
// documents: the keyId is the key's id (Mastodon, GoToSocial) or its
// owner's (PeerTube), and the owner is publicKey.owner.
func capturedResolver(t *testing.T) func(context.Context, string) (string, *rsa.PublicKey, error) {
	type keyDoc struct {
		PublicKey struct {
			ID, Owner, PublicKeyPem string
		} `json:"publicKey"`
	}
	docs := map[string]keyDoc{}
	for u, file := range capturedKeys {
		var d keyDoc
		if err := json.Unmarshal(reftest.Read(t, file), &d); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		docs[u] = d
	}
	return func(_ context.Context, keyID string) (string, *rsa.PublicKey, error) {
		d, ok := docs[httpsig.ParseKeyID(keyID).URL]
		if !ok || (d.PublicKey.ID != keyID && d.PublicKey.Owner != keyID) {
			return "", nil, fmt.Errorf("key %s: %w", keyID, httpsig.ErrKeyNotFound)
		}
		key, err := httpsig.ParsePublicKeyPEM(d.PublicKey.PublicKeyPem)
		return d.PublicKey.Owner, key, err
	}
}

type captured struct {
	name string
	req  *http.Request
	body []byte
	at   time.Time
}

// capturedDeliveries are the signed POSTs PeerTube 6.1 and GoToSocial 0.18
// made to inboxes, in the order they were made.
func capturedDeliveries(t *testing.T) []captured {
	const root = "../reftest/data"
	var out []captured
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".request.http") {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(reftest.Read(t, rel))))
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if req.Method != http.MethodPost {
			return nil
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return err
		}
		at, err := http.ParseTime(req.Header.Get("Date"))
		if err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		out = append(out, captured{name: rel, req: req, body: body, at: at})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at.Before(out[j].at) })
	return out
}

// replayInbox is one receiving instance: the captured requests' Host is
// its PUBLIC_URL, while the requests arrive on a loopback address, as
// behind a proxy that rewrites Host.
type replayInbox struct {
	srv   *httptest.Server
	store *memStore
	q     *memQueue
	mu    sync.Mutex
	now   time.Time
}

// Every captured delivery verifies and is recorded and queued once,
// forwarded ones once their origin confirmed them.
func TestCapturedDeliveriesAccepted(t *testing.T) {
	keys := capturedResolver(t)
	inboxes := map[string]*replayInbox{}
	inboxFor := func(host string) *replayInbox {
		if in, ok := inboxes[host]; ok {
			return in
		}
		in := &replayInbox{store: &memStore{acts: map[string][]byte{}}, q: &memQueue{}}
		scheme := "http"
		if host == "127.0.0.1:9443" {
			scheme = "https" // GoToSocial delivered to PeerTube's https instance
		}
		in.srv = httptest.NewServer(New(Deps{
			PublicURL: scheme + "://" + host,
			Keys:      keys,
			Record:    in.store.record,
			Forget:    in.store.forget,
			Queue:     in.q,
			Blocked:   func(context.Context, string) (bool, error) { return false, nil },
			Exists: func(_ context.Context, kind, name string) (bool, error) {
				return kind == "account" && name == "peertube", nil
			},
			Confirm: func(_ context.Context, u string) ([]byte, error) {
				if file, ok := capturedOrigin[u]; ok {
					return reftest.Read(t, file), nil
				}
				return nil, &fetch.ErrRemote{Method: http.MethodGet, URL: u, Status: http.StatusNotFound}
			},
			Now: func() time.Time { in.mu.Lock(); defer in.mu.Unlock(); return in.now },
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		}))
		t.Cleanup(in.srv.Close)
		inboxes[host] = in
		return in
	}

	ids := map[string]map[string]bool{} // host → activity ids delivered
	replayed, notOurs := 0, 0
	for _, c := range capturedDeliveries(t) {
		in := inboxFor(c.req.Host)
		in.mu.Lock()
		in.now = c.at
		in.mu.Unlock()
		req, err := http.NewRequest(http.MethodPost, in.srv.URL+c.req.RequestURI, bytes.NewReader(c.body))
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range c.req.Header {
			req.Header[k] = vs
		}
		resp, err := in.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.HasPrefix(c.req.RequestURI, "/users/") {
			// Delivered to a test actor's own inbox path, which this
			// instance does not serve (the signature covers the path).
			notOurs++
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("%s: POST %s answered %d, want 404", c.name, c.req.RequestURI, resp.StatusCode)
			}
			continue
		}
		replayed++
		if resp.StatusCode != http.StatusAccepted {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, answer)
			continue
		}
		act, err := parse(c.body)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if ids[c.req.Host] == nil {
			ids[c.req.Host] = map[string]bool{}
		}
		ids[c.req.Host][act.ID] = true
	}
	if replayed < 45 || notOurs != 3 {
		t.Errorf("replayed %d captured deliveries (%d to other paths), want at least 45 and 3", replayed, notOurs)
	}

	forwarded := 0
	for host, in := range inboxes {
		msgs := in.q.messages(t)
		if len(msgs) != len(ids[host]) || in.store.len() != len(ids[host]) {
			t.Errorf("%s: %d queued and %d recorded, want one per activity id: %d", host, len(msgs), in.store.len(), len(ids[host]))
		}
		for _, m := range msgs {
			if !ids[host][m.ID] {
				t.Errorf("%s: queued %s, which was not delivered", host, m.ID)
			}
			if !bytes.Equal(m.Activity, in.store.get(m.ID)) {
				t.Errorf("%s: queued and recorded %s differ", host, m.ID)
			}
			if !m.Forwarded {
				if m.Signer != m.Actor {
					t.Errorf("%s: %s signed by %s, actor %s, not marked forwarded", host, m.ID, m.Signer, m.Actor)
				}
				continue
			}
			forwarded++
			// PeerTube 6.1 forwarding root@9002's comment to 9001's followers.
			if m.Signer != "http://127.0.0.1:9001/accounts/peertube" || m.Actor != "http://127.0.0.1:9002/accounts/root" {
				t.Errorf("%s: forwarded %s signer %s actor %s", host, m.ID, m.Signer, m.Actor)
			}
			var rec struct {
				Object    json.RawMessage `json:"object"`
				Signature json.RawMessage `json:"signature"`
			}
			if err := json.Unmarshal(m.Activity, &rec); err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			_ = json.Compact(&want, reftest.Read(t, capturedOrigin["http://127.0.0.1:9002/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f/comments/4"]))
			if !bytes.Equal(rec.Object, want.Bytes()) || len(rec.Signature) == 0 {
				t.Errorf("forwarded %s recorded object %s, want the origin's %s and the LD signature kept", m.ID, rec.Object, want.Bytes())
			}
		}
	}
	if forwarded != 1 {
		t.Errorf("%d forwarded activities queued, want 1 (instance1-deliveries-to-test-actor/15)", forwarded)
	}
	t.Logf("replayed %d captured deliveries to %d inboxes; %d to other paths answered 404", replayed, len(inboxes), notOurs)
}

// Replayed after their signatures' time window, the same requests are
// refused and nothing is recorded.
func TestCapturedDeliveriesStale(t *testing.T) {
	store, q := &memStore{acts: map[string][]byte{}}, &memQueue{}
	var mu sync.Mutex
	var now time.Time
	srv := httptest.NewServer(New(Deps{
		PublicURL: "http://127.0.0.1:9001",
		Keys:      capturedResolver(t),
		Record:    store.record, Forget: store.forget, Queue: q,
		Blocked: func(context.Context, string) (bool, error) { return false, nil },
		Exists:  func(context.Context, string, string) (bool, error) { return true, nil },
		Confirm: func(context.Context, string) ([]byte, error) { return nil, fetch.ErrNotFound },
		Now:     func() time.Time { mu.Lock(); defer mu.Unlock(); return now },
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}))
	defer srv.Close()
	n := 0
	for _, c := range capturedDeliveries(t) {
		if c.req.Host != "127.0.0.1:9001" {
			continue
		}
		mu.Lock()
		now = c.at.Add(httpsig.DefaultMaxSkew + time.Second)
		mu.Unlock()
		req, _ := http.NewRequest(http.MethodPost, srv.URL+c.req.RequestURI, bytes.NewReader(c.body))
		req.Header = c.req.Header.Clone()
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s replayed late: %d, want 401", c.name, resp.StatusCode)
		}
		n++
	}
	if n == 0 || store.len() != 0 || len(q.messages(t)) != 0 {
		t.Errorf("%d late replays; %d recorded, %d queued, want none", n, store.len(), len(q.messages(t)))
	}
}
