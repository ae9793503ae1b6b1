package resolve_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/resolve"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

// publicURL is the instance under test; the remote servers are loopback
// httptest servers.
const publicURL = "https://vidiverse.example"

// Hosts of the captures, rewritten to a test server's host.
const (
	peertubeHost   = "127.0.0.1:9001"
	gotosocialHost = "127.0.0.1:8081"
)

// keys is one keyring for the whole test binary, in its own table: the
// instance actor's RSA key is generated once, not once per test.
var keys *keyring.Keyring

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "resolve-keys")
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

// clock is a settable clock for the resolver's Now.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// env is a resolver over a fresh store, its clock and the instance key.
type env struct {
	r     *resolve.Resolver
	st    *store.Store
	clock *clock
	pub   *rsa.PublicKey
}

func newEnv(t *testing.T) *env {
	t.Helper()
	tbl, err := embedded.Open(filepath.Join(t.TempDir(), "t.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	client, err := fetch.New(fetch.Options{AllowLoopbackHTTP: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.Key(t.Context(), resolve.InstanceKey)
	if err != nil {
		t.Fatal(err)
	}
	c := newClock()
	st := store.New(tbl)
	return &env{r: &resolve.Resolver{PublicURL: publicURL, Store: st, Client: client, Keys: keys, Now: c.now},
		st: st, clock: c, pub: &k.Private.PublicKey}
}

// answer is what a remote server answers on one path.
type answer struct {
	status int
	body   []byte
}

// remote is another server on loopback: it serves documents by path and
// records the GETs it receives, checking that ActivityPub GETs carry a
// valid signature of the instance actor.
type remote struct {
	t    *testing.T
	URL  string // http://127.0.0.1:PORT
	Host string // 127.0.0.1:PORT

	mu      sync.Mutex
	answers map[string]answer
	gets    []string
}

func newRemote(t *testing.T, e *env) *remote {
	t.Helper()
	rm := &remote{t: t, answers: map[string]answer{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		rm.handle(w, req, e)
	}))
	t.Cleanup(srv.Close)
	rm.URL = srv.URL
	rm.Host = strings.TrimPrefix(srv.URL, "http://")
	return rm
}

func (rm *remote) handle(w http.ResponseWriter, req *http.Request, e *env) {
	rm.mu.Lock()
	rm.gets = append(rm.gets, req.URL.RequestURI())
	a, ok := rm.answers[req.URL.RequestURI()]
	rm.mu.Unlock()
	if req.Method != http.MethodGet {
		rm.t.Errorf("remote: %s %s, want GET", req.Method, req.URL)
	}
	if req.URL.Path == webfinger.Path {
		if req.Header.Get("Signature") != "" {
			rm.t.Errorf("remote: webfinger query is signed")
		}
	} else {
		rm.checkSigned(req, e)
	}
	if !ok {
		http.NotFound(w, req)
		return
	}
	if a.status != 0 && a.status != http.StatusOK {
		http.Error(w, http.StatusText(a.status), a.status)
		return
	}
	ct := "application/activity+json; charset=utf-8"
	if req.URL.Path == webfinger.Path {
		ct = "application/jrd+json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	_, _ = w.Write(a.body)
}

// checkSigned verifies a fetch's signature with the instance actor's key,
// as a GoToSocial or Mastodon in secure mode would.
func (rm *remote) checkSigned(req *http.Request, e *env) {
	if got := req.Header.Get("Accept"); got != resolve.Accept {
		rm.t.Errorf("remote: GET %s with Accept %q, want %q", req.URL, got, resolve.Accept)
	}
	v, err := httpsig.Verify(req, nil, httpsig.VerifyOptions{
		PublicKey: func(_ context.Context, keyID string) (*rsa.PublicKey, error) {
			if keyID != e.r.InstanceActorURL() {
				return nil, fmt.Errorf("keyId %s: %w", keyID, httpsig.ErrKeyNotFound)
			}
			return e.pub, nil
		},
	})
	if err != nil {
		rm.t.Errorf("remote: GET %s: %v", req.URL, err)
		return
	}
	if v.KeyID != publicURL+"/accounts/peertube" {
		rm.t.Errorf("remote: GET %s signed by %s", req.URL, v.KeyID)
	}
}

// serve answers path with body.
func (rm *remote) serve(path string, body []byte) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.answers[path] = answer{body: body}
}

// fail answers path with an error status.
func (rm *remote) fail(path string, status int) {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	rm.answers[path] = answer{status: status}
}

// capture serves a reference capture at path, its host from rewritten
// to this server's.
func (rm *remote) capture(path, name, from string) {
	rm.serve(path, rm.rewrite(reftest.Read(rm.t, name), from))
}

// rewrite puts this server's host where a capture has from.
func (rm *remote) rewrite(b []byte, from string) []byte {
	return bytes.ReplaceAll(b, []byte(from), []byte(rm.Host))
}

// fetched lists the paths requested so far and forgets them.
func (rm *remote) fetched() []string {
	rm.mu.Lock()
	defer rm.mu.Unlock()
	out := rm.gets
	rm.gets = nil
	return out
}

// PeerTube instance 1's documents, as captured.
const (
	ptAccountRoot     = "peertube-6.1/instance1-activitypub/ap-account-root.json"
	ptAccountUpdated  = "peertube-6.1/instance1-activitypub/ap-account-root-after-update.json"
	ptAccountPeertube = "peertube-6.1/instance1-activitypub/ap-account-peertube.json"
	ptChannel         = "peertube-6.1/instance1-activitypub/ap-channel-root_channel.json"
	ptVideo           = "peertube-6.1/instance1-activitypub/ap-video.json"
	ptComment1        = "peertube-6.1/instance1-activitypub/ap-comment-1.json"
	ptComment2        = "peertube-6.1/instance1-activitypub/ap-comment-2-reply.json"
	ptWebfingerRoot   = "peertube-6.1/instance1-webfinger-nodeinfo/webfinger-root.json"
	ptWebfingerPT     = "peertube-6.1/instance1-webfinger-nodeinfo/webfinger-peertube.json"
	ptVideoUUID       = "2ce1bf7c-5070-4b7a-9eb8-f67516a5038f"
)

// servePeerTube serves instance 1's root account, its channel, its server
// actor, video 1 and its two comments.
func servePeerTube(rm *remote) {
	rm.capture("/accounts/root", ptAccountRoot, peertubeHost)
	rm.capture("/accounts/peertube", ptAccountPeertube, peertubeHost)
	rm.capture("/video-channels/root_channel", ptChannel, peertubeHost)
	rm.capture("/videos/watch/"+ptVideoUUID, ptVideo, peertubeHost)
	rm.capture("/videos/watch/"+ptVideoUUID+"/comments/1", ptComment1, peertubeHost)
	rm.capture("/videos/watch/"+ptVideoUUID+"/comments/2", ptComment2, peertubeHost)
	rm.capture("/.well-known/webfinger?resource=acct%3Aroot%40"+strings.ReplaceAll(rm.Host, ":", "%3A"), ptWebfingerRoot, peertubeHost)
	rm.capture("/.well-known/webfinger?resource=acct%3Apeertube%40"+strings.ReplaceAll(rm.Host, ":", "%3A"), ptWebfingerPT, peertubeHost)
}
