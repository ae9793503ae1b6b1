package inbox

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/queue"
)

// Actors of the unit tests. alice and the server actor of remote.example
// sign with PeerTube's bare-URL keyId, bob with Mastodon's #main-key.
const (
	alice       = "https://remote.example/accounts/alice"
	remoteSrv   = "https://remote.example/accounts/peertube"
	bob         = "https://other.example/users/bob"
	bobKeyID    = bob + "#main-key"
	publicURL   = "https://vidiverse.example"
	localInbox  = "/inbox"
	contentType = "application/activity+json"
)

// testKeys are generated once per test binary (RSA-2048 takes a while).
var testKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	keys := make([]*rsa.PrivateKey, 3)
	for i := range keys {
		k, err := httpsig.GenerateKey()
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

func aliceKey() *rsa.PrivateKey { return testKeys()[0] }
func bobKey() *rsa.PrivateKey   { return testKeys()[1] }
func srvKey() *rsa.PrivateKey   { return testKeys()[2] }

type keyEntry struct {
	owner string
	key   *rsa.PublicKey
}

// memStore is an in-memory Record/Forget.
type memStore struct {
	mu      sync.Mutex
	acts    map[string][]byte
	fail    error
	forgets int
}

func (s *memStore) record(_ context.Context, id string, raw []byte) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return false, s.fail
	}
	if _, ok := s.acts[id]; ok {
		return false, nil
	}
	s.acts[id] = bytes.Clone(raw)
	return true, nil
}

func (s *memStore) forget(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forgets++
	delete(s.acts, id)
	return nil
}

func (s *memStore) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.acts)
}

func (s *memStore) get(id string) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.acts[id]
}

// memQueue is an in-memory queue.Sender that validates like the engines
// and fails the next failNext sends.
type memQueue struct {
	mu       sync.Mutex
	msgs     []queue.Message
	failNext int
}

var _ queue.Sender = (*memQueue)(nil)

func (q *memQueue) Send(_ context.Context, m queue.Message) (string, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.failNext > 0 {
		q.failNext--
		return "", errors.New("send message: connection reset")
	}
	if err := queue.Validate(m); err != nil {
		return "", fmt.Errorf("send message: %w", err)
	}
	q.msgs = append(q.msgs, m)
	return fmt.Sprint(len(q.msgs)), nil
}

func (q *memQueue) SendBatch(ctx context.Context, ms []queue.Message) ([]string, error) {
	ids := make([]string, 0, len(ms))
	for _, m := range ms {
		id, err := q.Send(ctx, m)
		if err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (q *memQueue) messages(t testing.TB) []Message {
	t.Helper()
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Message, 0, len(q.msgs))
	for _, m := range q.msgs {
		var msg Message
		if err := json.Unmarshal([]byte(m.Body), &msg); err != nil {
			t.Fatalf("queue message is not a Message: %v: %.200s", err, m.Body)
		}
		out = append(out, msg)
	}
	return out
}

// fixture is an inbox served over loopback HTTP with in-memory
// dependencies.
type fixture struct {
	t        *testing.T
	srv      *httptest.Server
	store    *memStore
	q        *memQueue
	mu       sync.Mutex
	keys     map[string]keyEntry
	keysErr  error
	blocked  map[string]bool
	locals   map[string]bool                   // "account/root", "channel/root_channel"
	origin   map[string]func() ([]byte, error) // Confirm's answers by URL
	confirms []string
	now      time.Time
}

func newFixture(t *testing.T, mutate ...func(*Deps)) *fixture {
	t.Helper()
	f := &fixture{
		t:     t,
		store: &memStore{acts: map[string][]byte{}},
		q:     &memQueue{},
		keys: map[string]keyEntry{
			alice:     {alice, &aliceKey().PublicKey},
			remoteSrv: {remoteSrv, &srvKey().PublicKey},
			bobKeyID:  {bob, &bobKey().PublicKey},
		},
		blocked: map[string]bool{},
		locals:  map[string]bool{"account/root": true, "channel/root_channel": true},
		origin:  map[string]func() ([]byte, error){},
		now:     time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC),
	}
	d := Deps{
		PublicURL: publicURL,
		Keys:      f.resolve,
		Record:    f.store.record,
		Forget:    f.store.forget,
		Queue:     f.q,
		Blocked: func(_ context.Context, actor string) (bool, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.blocked[actor], nil
		},
		Exists: func(_ context.Context, kind, name string) (bool, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			return f.locals[kind+"/"+name], nil
		},
		Confirm: f.confirm,
		Now:     func() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now },
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, m := range mutate {
		m(&d)
	}
	f.srv = httptest.NewServer(New(d))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) resolve(_ context.Context, keyID string) (string, *rsa.PublicKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.keysErr != nil {
		return "", nil, f.keysErr
	}
	e, ok := f.keys[keyID]
	if !ok {
		return "", nil, fmt.Errorf("fetch key %s: %w", keyID, httpsig.ErrKeyNotFound)
	}
	return e.owner, e.key, nil
}

func (f *fixture) confirm(_ context.Context, u string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.confirms = append(f.confirms, u)
	if answer, ok := f.origin[u]; ok {
		return answer()
	}
	return nil, &fetch.ErrRemote{Method: http.MethodGet, URL: u, Status: http.StatusNotFound}
}

// request builds a POST of body to path, signed with key as keyID at the
// fixture's clock unless key is nil.
func (f *fixture) request(path string, body []byte, key *rsa.PrivateKey, keyID string) *http.Request {
	f.t.Helper()
	req, err := http.NewRequest(http.MethodPost, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if key != nil {
		if err := httpsig.Sign(req, key, keyID, body, f.now); err != nil {
			f.t.Fatal(err)
		}
	}
	return req
}

// do sends req and returns the status and body of the answer.
func (f *fixture) do(req *http.Request) (int, []byte) {
	f.t.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusAccepted {
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json; charset=utf-8" {
			f.t.Errorf("%d answer with Content-Type %q", resp.StatusCode, ct)
		}
		var p struct {
			Status int    `json:"status"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(b, &p); err != nil || p.Status != resp.StatusCode || p.Detail == "" {
			f.t.Errorf("%d answer is not a problem with that status: %s", resp.StatusCode, b)
		}
	} else if len(b) != 0 {
		f.t.Errorf("202 with a body: %q", b)
	}
	return resp.StatusCode, b
}

// post signs body with key as keyID, sends it to path and returns the status.
func (f *fixture) post(path string, body []byte, key *rsa.PrivateKey, keyID string) int {
	f.t.Helper()
	code, _ := f.do(f.request(path, body, key, keyID))
	return code
}

// nothingChanged fails unless nothing was recorded or queued.
func (f *fixture) nothingChanged(t *testing.T) {
	t.Helper()
	if n := f.store.len(); n != 0 {
		t.Errorf("%d activities recorded, want none", n)
	}
	if m := f.q.messages(t); len(m) != 0 {
		t.Errorf("%d messages queued, want none: %+v", len(m), m)
	}
}

// activity is a JSON activity as PeerTube writes them, with an LD
// signature member.
func activity(typ, id, actor string, object any) []byte {
	b, err := json.Marshal(map[string]any{
		"@context": []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"to":       []string{"https://www.w3.org/ns/activitystreams#Public"},
		"type":     typ,
		"id":       id,
		"actor":    actor,
		"object":   object,
		"signature": map[string]string{
			"type": "RsaSignature2017", "creator": actor, "created": "2026-11-22T08:00:00.000Z",
			"signatureValue": "bm90IGNoZWNrZWQ=",
		},
	})
	if err != nil {
		panic(err)
	}
	return b
}

// note is a PeerTube comment.
func note(id, author, content string) map[string]any {
	return map[string]any{
		"type": "Note", "id": id, "content": content, "attributedTo": author,
		"inReplyTo": "https://vidiverse.example/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f",
		"to":        []string{"https://www.w3.org/ns/activitystreams#Public"},
	}
}
