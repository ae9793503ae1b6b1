package deliver_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/deliver"
	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/queue/eventsource"
	"github.com/vidiverse/vidiverse/shared/table"
	tableembedded "github.com/vidiverse/vidiverse/shared/table/embedded"
)

// publicURL is the instance under test; the keyIds are its actors' URLs.
const publicURL = "http://local.test"

// Signers of the tests and their keyIds.
const (
	rootSigner    = "account:root"
	rootKeyID     = publicURL + "/accounts/root"
	channelSigner = "channel:root_channel"
	channelKeyID  = publicURL + "/video-channels/root_channel"
)

// keyIDs maps keyIds to signers, for the sinks' verification.
var keyIDs = map[string]string{rootKeyID: rootSigner, channelKeyID: channelSigner}

// resolver sends every *.test name to loopback, so one httptest server
// can stand for many hosts.
type resolver struct{}

func (resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if strings.HasSuffix(host, ".test") {
		return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// countingKeys is the real keyring, counting reads per actor.
type countingKeys struct {
	kr    *keyring.Keyring
	mu    sync.Mutex
	reads map[string]int
}

func (c *countingKeys) Key(ctx context.Context, actor string) (keyring.Key, error) {
	c.mu.Lock()
	c.reads[actor]++
	c.mu.Unlock()
	return c.kr.Key(ctx, actor)
}

func (c *countingKeys) readsOf(actor string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads[actor]
}

// env is a deliver queue and its dead-letter queue on the embedded engine,
// a keyring on the embedded table, and a Deliverer over them.
type env struct {
	t      *testing.T
	q      *embedded.Queue
	dead   *embedded.Queue
	keys   *countingKeys
	logs   *syncBuffer
	d      *deliver.Deliverer
	sender queue.Sender // what the Deliverer enqueues through
}

type envOptions struct {
	timeout     time.Duration // client timeout (default 5s)
	visibility  time.Duration // deliver queue's (default 5s)
	maxAttempts int
	baseDelay   time.Duration // default 50ms
	followers   func(context.Context, model.ActorRef) ([]string, error)
	noDeadQueue bool
	// wrap, when set, wraps the deliver queue as the Deliverer's sender.
	wrap func(queue.Sender) queue.Sender
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	dir := t.TempDir()
	b, err := embedded.Open(filepath.Join(dir, "queues.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	if o.visibility == 0 {
		o.visibility = 5 * time.Second
	}
	q, err := b.Queue("deliver", embedded.Policy{VisibilityTimeout: o.visibility, MaxReceives: 3})
	if err != nil {
		t.Fatal(err)
	}
	dead, err := b.Queue("deliver-dead", embedded.Policy{})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := tableembedded.Open(filepath.Join(dir, "table.db"), table.Schema{TTLAttribute: "ttl"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	kek, err := keyring.LoadKEK(filepath.Join(dir, "kek"))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.New(tbl, kek)
	if err != nil {
		t.Fatal(err)
	}
	if o.timeout == 0 {
		o.timeout = 5 * time.Second
	}
	client, err := fetch.New(fetch.Options{AllowPrivate: true, AllowHTTP: true, Resolver: resolver{}, Timeout: o.timeout})
	if err != nil {
		t.Fatal(err)
	}
	if o.baseDelay == 0 {
		o.baseDelay = 50 * time.Millisecond
	}
	e := &env{t: t, q: q, dead: dead, keys: &countingKeys{kr: kr, reads: map[string]int{}}, logs: &syncBuffer{}, sender: q}
	if o.wrap != nil {
		e.sender = o.wrap(q)
	}
	deps := deliver.Deps{
		Queue:       e.sender,
		DeadLetter:  dead,
		Keys:        e.keys,
		Followers:   o.followers,
		Client:      client,
		Log:         slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		PublicURL:   publicURL,
		MaxAttempts: o.maxAttempts,
		BaseDelay:   o.baseDelay,
	}
	if o.noDeadQueue {
		deps.DeadLetter = nil
	}
	e.d = deliver.New(deps)
	return e
}

// start drives the Deliverer from the deliver queue until the test ends.
func (e *env) start(concurrency int) {
	e.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	drv := eventsource.New(e.q, e.d.Handle, eventsource.Options{
		Concurrency: concurrency,
		PollWait:    100 * time.Millisecond,
		Timeout:     30 * time.Second,
		Logger:      slog.New(slog.NewTextHandler(e.logs, nil)),
	})
	go func() { done <- drv.Run(ctx) }()
	e.t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				e.t.Errorf("driver: %v", err)
			}
		case <-time.After(15 * time.Second):
			e.t.Error("driver did not stop")
		}
	})
}

// publicKey resolves the tests' keyIds through the real keyring, the way
// a receiver reads publicKeyPem from the actor document.
func (e *env) publicKey(ctx context.Context, keyID string) (*rsa.PublicKey, error) {
	signer, ok := keyIDs[keyID]
	if !ok {
		return nil, httpsig.ErrKeyNotFound
	}
	k, err := e.keys.kr.Key(ctx, signer)
	if err != nil {
		return nil, err
	}
	return httpsig.ParsePublicKeyPEM(k.PublicPEM)
}

func (e *env) enqueue(j deliver.Job) {
	e.t.Helper()
	if err := e.d.Enqueue(context.Background(), j); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) stats(q *embedded.Queue) embedded.Stats {
	e.t.Helper()
	s, err := q.Stats(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// settled waits until the deliver queue holds nothing visible, in flight
// or delayed.
func (e *env) settled() {
	e.t.Helper()
	eventually(e.t, "deliver queue empty", func() bool {
		s := e.stats(e.q)
		return s.Visible == 0 && s.InFlight == 0 && s.Delayed == 0
	})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// received is one POST a sink got.
type received struct {
	Host, Path  string
	ContentType string
	Body        []byte
	At          time.Time
	Verified    *httpsig.Verified
	VerifyErr   error
}

// sink is a loopback ActivityPub inbox server that verifies every
// signature with httpsig.Verify and answers what answer says.
type sink struct {
	srv    *httptest.Server
	port   string
	answer func(r *http.Request, n int) int // n: POSTs to this host and path so far, this one included

	mu   sync.Mutex
	got  []received
	seen map[string]int
}

func newSink(t *testing.T, e *env, answer func(r *http.Request, n int) int) *sink {
	t.Helper()
	s := &sink{answer: answer, seen: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		v, verr := httpsig.Verify(r, body, httpsig.VerifyOptions{PublicKey: e.publicKey})
		s.mu.Lock()
		key := r.Host + r.URL.Path
		s.seen[key]++
		n := s.seen[key]
		s.got = append(s.got, received{Host: r.Host, Path: r.URL.Path, ContentType: r.Header.Get("Content-Type"),
			Body: body, At: time.Now(), Verified: v, VerifyErr: verr})
		s.mu.Unlock()
		status := http.StatusAccepted
		if s.answer != nil {
			status = s.answer(r, n)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(s.srv.Close)
	u, _ := url.Parse(s.srv.URL)
	s.port = u.Port()
	return s
}

// inbox is the URL of path on host (a *.test name) served by the sink.
func (s *sink) inbox(host, path string) string {
	return "http://" + host + ":" + s.port + path
}

func (s *sink) all() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

// to returns the POSTs to one host and path, in order.
func (s *sink) to(host, path string) []received {
	var out []received
	for _, r := range s.all() {
		if r.Host == host+":"+s.port && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// deadHost accepts connections and never answers.
func deadHost(t *testing.T) (port string, accepted func() int) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	_, port, _ = net.SplitHostPort(l.Addr().String())
	return port, func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(conns)
	}
}

// faultySender is the real queue with SendBatch failing each message
// that fail picks the first time it is sent, as SQS may fail part of a
// batch.
type faultySender struct {
	queue.Sender
	fail func(m queue.Message) bool

	mu      sync.Mutex
	batches [][]queue.Message
	failed  map[string]bool
}

func (f *faultySender) SendBatch(ctx context.Context, ms []queue.Message) ([]string, error) {
	f.mu.Lock()
	f.batches = append(f.batches, ms)
	var pass []queue.Message
	var idx []int
	failed := map[int]error{}
	for i, m := range ms {
		if f.fail(m) && !f.failed[m.Body] {
			if f.failed == nil {
				f.failed = map[string]bool{}
			}
			f.failed[m.Body] = true
			failed[i] = errors.New("service unavailable")
			continue
		}
		pass = append(pass, m)
		idx = append(idx, i)
	}
	f.mu.Unlock()
	ids := make([]string, len(ms))
	got, err := f.Sender.SendBatch(ctx, pass)
	if err != nil {
		return nil, err
	}
	for j, i := range idx {
		ids[i] = got[j]
	}
	if len(failed) > 0 {
		return ids, &queue.BatchError{Failed: failed}
	}
	return ids, nil
}

func (f *faultySender) sent() [][]queue.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]queue.Message(nil), f.batches...)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
