package apply_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vidiverse/vidiverse/shared/apply"
	"github.com/vidiverse/vidiverse/shared/deliver"
	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/inbox"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/outbox"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/resolve"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
)

// The captured servers. Tests run the instance on the URL of the captured
// receiver, so the local URLs in the captures are ours as they are, and
// the sender's host is rewritten to a loopback server playing it.
const (
	instance1  = "http://127.0.0.1:9001"
	instance2  = "http://127.0.0.1:9002"
	peertubeS  = "https://127.0.0.1:9443" // the PeerTube GoToSocial talked to
	host1      = "127.0.0.1:9001"
	host2      = "127.0.0.1:9002"
	gtsHost    = "127.0.0.1:8081"
	video1     = "2ce1bf7c-5070-4b7a-9eb8-f67516a5038f"
	video2     = "5b896a80-08be-4021-b702-da538396fb0a"
	gtsVideo   = "86e0f407-4d42-4cdd-8ae4-54c4b0bcf254"
	pt         = "peertube-6.1/"
	gts        = "gotosocial-0.18/"
	i1AP       = pt + "instance1-activitypub/"
	i2AP       = pt + "instance2-remote-view/"
	i1ToI2     = pt + "instance1-deliveries-to-instance2/"
	i1ToTest   = pt + "instance1-deliveries-to-test-actor/"
	i2ToI1     = pt + "instance2-deliveries-to-instance1/"
	gtsToPT    = gts + "gotosocial-deliveries/"
	gtsDocs    = gts + "gotosocial-responses/"
	actTimeout = 10 * time.Second
)

// keys is one keyring for the test binary, in a table of its own: the
// instance actor's RSA key is made once.
var keys *keyring.Keyring

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "apply-keys")
	if err != nil {
		panic(err)
	}
	tbl, err := embedded.Open(filepath.Join(dir, "keys.db"), store.Schema)
	if err != nil {
		panic(err)
	}
	kek := make([]byte, 32)
	if _, err := rand.Read(kek); err != nil {
		panic(err)
	}
	if keys, err = keyring.New(tbl, kek); err != nil {
		panic(err)
	}
	code := m.Run()
	_ = tbl.Close()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// env is an instance's federation consumer: a store, a resolver signing
// with the instance key, an outbox whose jobs are kept, and the applier.
type env struct {
	publicURL string
	st        *store.Store
	r         *resolve.Resolver
	a         *apply.Applier
	inst      model.Account
	pub       *rsa.PublicKey

	mu   sync.Mutex
	jobs []deliver.Job
	seq  int
}

func newEnv(t *testing.T, publicURL string) *env {
	t.Helper()
	ctx := t.Context()
	tbl, err := embedded.Open(filepath.Join(t.TempDir(), "t.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	client, err := fetch.New(fetch.Options{AllowLoopbackHTTP: true, Timeout: actTimeout})
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.Key(ctx, resolve.InstanceKey)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{publicURL: publicURL, st: store.New(tbl), pub: &k.Private.PublicKey}
	if e.inst, err = e.st.EnsureInstanceAccount(ctx); err != nil {
		t.Fatal(err)
	}
	e.r = &resolve.Resolver{PublicURL: publicURL, Store: e.st, Client: client, Keys: keys}
	ob := &outbox.Outbox{PublicURL: publicURL, Store: e.st, Send: func(_ context.Context, j deliver.Job) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.jobs = append(e.jobs, j)
		return nil
	}}
	e.a = &apply.Applier{Store: e.st, Resolver: e.r, Outbox: ob}
	return e
}

// sent returns the jobs queued since the last call.
func (e *env) sent() []deliver.Job {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.jobs
	e.jobs = nil
	return out
}

// handle delivers activities as one batch of inbox messages and returns
// the activities (by index) the batch reported failed.
func (e *env) handle(t *testing.T, activities ...[]byte) []int {
	t.Helper()
	var ev events.SQSEvent
	ids := map[string]int{}
	for i, raw := range activities {
		var head struct {
			ID    string `json:"id"`
			Actor string `json:"actor"`
		}
		_ = json.Unmarshal(raw, &head)
		body, err := json.Marshal(inbox.Message{ID: head.ID, Actor: head.Actor, Signer: head.Actor, Inbox: "/inbox",
			Activity: json.RawMessage(raw)})
		if err != nil {
			// Not JSON: sent as is, as a broken message would arrive.
			body = raw
		}
		e.mu.Lock()
		e.seq++
		id := fmt.Sprintf("msg-%d", e.seq)
		e.mu.Unlock()
		ids[id] = i
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: id, Body: string(body)})
	}
	resp, err := e.a.Handle(t.Context(), ev)
	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	var failed []int
	for _, f := range resp.BatchItemFailures {
		i, ok := ids[f.ItemIdentifier]
		if !ok {
			t.Fatalf("failure of an unknown message %q", f.ItemIdentifier)
		}
		failed = append(failed, i)
	}
	slices.Sort(failed)
	return failed
}

// applied delivers activities and fails the test if any failed.
func (e *env) applied(t *testing.T, activities ...[]byte) {
	t.Helper()
	if failed := e.handle(t, activities...); len(failed) != 0 {
		t.Fatalf("activities %v failed", failed)
	}
}

// localUser creates root (or another name) with its channel NAME_channel.
func (e *env) localUser(t *testing.T, name string) (model.Account, model.Channel) {
	t.Helper()
	_, acc, ch, err := e.st.CreateUser(t.Context(), store.NewUser{
		User:               model.User{Username: name, Email: name + "@example.com", PasswordHash: "x"},
		AccountDisplayName: name, Channel: model.Channel{Name: name + "_channel", DisplayName: "Main " + name + " channel"}})
	if err != nil {
		t.Fatal(err)
	}
	return acc, ch
}

// localVideo stores a published public video of acc in ch.
func (e *env) localVideo(t *testing.T, uuid string, acc model.Account, ch model.Channel) model.Video {
	t.Helper()
	v := model.Video{UUID: uuid, AccountID: acc.ID, State: model.StatePublished, Duration: 3}
	v.VideoMeta = model.VideoMeta{Name: "Test pattern clip", ChannelID: ch.ID, Privacy: model.PrivacyPublic,
		CommentsPolicy: model.CommentsEnabled}
	v, err := e.st.CreateVideo(t.Context(), v)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// remote is another server on loopback, serving documents by path and
// recording the GETs it receives, each checked to be signed by the
// instance actor.
type remote struct {
	t    *testing.T
	URL  string
	Host string

	mu      sync.Mutex
	answers map[string]answer
	gets    []string
}

type answer struct {
	status int
	body   []byte
}

func newRemote(t *testing.T, e *env) *remote {
	t.Helper()
	rm := &remote{t: t, answers: map[string]answer{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rm.mu.Lock()
		rm.gets = append(rm.gets, req.URL.RequestURI())
		a, ok := rm.answers[req.URL.RequestURI()]
		rm.mu.Unlock()
		_, err := httpsig.Verify(req, nil, httpsig.VerifyOptions{
			PublicKey: func(_ context.Context, keyID string) (*rsa.PublicKey, error) {
				if keyID != e.publicURL+"/accounts/peertube" {
					return nil, httpsig.ErrKeyNotFound
				}
				return e.pub, nil
			}})
		if err != nil {
			t.Errorf("remote: GET %s: %v", req.URL, err)
		}
		switch {
		case !ok:
			http.NotFound(w, req)
		case a.status != 0:
			http.Error(w, http.StatusText(a.status), a.status)
		default:
			w.Header().Set("Content-Type", "application/activity+json; charset=utf-8")
			_, _ = w.Write(a.body)
		}
	}))
	t.Cleanup(srv.Close)
	rm.URL = srv.URL
	rm.Host = strings.TrimPrefix(srv.URL, "http://")
	return rm
}

func (rm *remote) serve(path string, body []byte) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.answers[path] = answer{body: body}
}

func (rm *remote) fail(path string, status int) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.answers[path] = answer{status: status}
}

// capture serves a captured document at path, host from made this one.
func (rm *remote) capture(path, name, from string) {
	rm.serve(path, rm.rewrite(reftest.Read(rm.t, name), from))
}

// rewrite puts this server's host where b has from, also where a magnet
// link has it escaped.
func (rm *remote) rewrite(b []byte, from string) []byte {
	b = bytes.ReplaceAll(b, []byte(url.QueryEscape(from)), []byte(url.QueryEscape(rm.Host)))
	return bytes.ReplaceAll(b, []byte(from), []byte(rm.Host))
}

// delivery is a captured delivery's activity, host from made this one.
func (rm *remote) delivery(name, from string) []byte {
	return rm.rewrite(deliveryBody(rm.t, name), from)
}

func (rm *remote) fetched() []string {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	out := rm.gets
	rm.gets = nil
	return out
}

// deliveryBody is the body of a captured delivery.
func deliveryBody(t *testing.T, name string) []byte {
	t.Helper()
	var ex struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(reftest.Read(t, name+".exchange.json"), &ex); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return []byte(ex.Body)
}

// edit decodes a JSON document, lets f change it and encodes it again.
func edit(t *testing.T, b []byte, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// activity encodes an activity written as a Go map.
func activity(t *testing.T, m map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// doc decodes a job's activity.
func doc(t *testing.T, j deliver.Job) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(j.Activity, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// jsonOf decodes a JSON document to embed it in another.
func jsonOf(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}
