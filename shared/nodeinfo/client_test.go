package nodeinfo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/nodeinfo"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

// peer is a loopback server with fixed answers per path, recording what it
// was asked.
type peer struct {
	*httptest.Server
	mu     sync.Mutex
	asked  []string
	routes map[string]http.HandlerFunc
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	p := &peer{routes: map[string]http.HandlerFunc{}}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.asked = append(p.asked, r.URL.RequestURI())
		h := p.routes[r.URL.Path]
		p.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *peer) host() string { return strings.TrimPrefix(p.URL, "http://") }

func (p *peer) handle(path string, h http.HandlerFunc) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.routes[path] = h
}

func (p *peer) serveBytes(path, contentType string, b []byte) {
	p.handle(path, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(b)
	})
}

func (p *peer) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

func localClient(t *testing.T) *fetch.Client {
	t.Helper()
	c, err := fetch.New(fetch.Options{AllowLoopbackHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFetchFromAnInstanceOfOurs(t *testing.T) {
	p := newPeer(t)
	doc := nodeinfo.Build(capturedSettings(), capturedUsage)
	p.handle(nodeinfo.WellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		nodeinfo.ServeWellKnown(w, r, p.URL, "/accounts/peertube")
	})
	p.handle(nodeinfo.Path, func(w http.ResponseWriter, r *http.Request) { nodeinfo.Serve(w, r, doc) })
	c := localClient(t)
	ctx := context.Background()

	info, err := nodeinfo.Fetch(ctx, c, p.host())
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != "2.0" || info.Software.Name != "peertube" || info.Software.Version != "6.1.0" ||
		info.ApplicationActor != p.URL+"/accounts/peertube" || info.Usage != capturedUsage ||
		!info.OpenRegistrations || len(info.Protocols) != 1 || !strings.Contains(string(info.Metadata), `"nodeName":"PeerTube"`) {
		t.Errorf("info %+v", info)
	}
	actor, err := nodeinfo.ApplicationActor(ctx, c, p.host())
	if err != nil || actor != p.URL+"/accounts/peertube" {
		t.Errorf("ApplicationActor = %q, %v", actor, err)
	}
	for _, r := range p.requests() {
		if strings.HasPrefix(r, webfinger.Path) {
			t.Errorf("WebFinger asked although the links name the actor: %s", r)
		}
	}
}

func TestFetchReadsPeerTubesCapturedDocuments(t *testing.T) {
	p := newPeer(t)
	p.serveBytes(nodeinfo.WellKnownPath, "application/json; charset=utf-8", substitute(reftest.Read(t, captured+"wellknown-nodeinfo.json"), p.URL))
	p.serveBytes(nodeinfo.Path, nodeinfo.ContentType, reftest.Read(t, captured+"nodeinfo-2.0.json"))
	info, err := nodeinfo.Fetch(context.Background(), localClient(t), p.host())
	if err != nil {
		t.Fatal(err)
	}
	if info.Software.Name != "peertube" || info.Usage.LocalPosts != 1 || info.Usage.LocalComments != 2 || info.ApplicationActor != p.URL+"/accounts/peertube" {
		t.Errorf("info %+v", info)
	}
}

func TestFetchPrefers21AndTheActorFallsBackToWebFinger(t *testing.T) {
	p := newPeer(t)
	const gts = "http://127.0.0.1:8081"
	moved := func(b []byte) []byte { return []byte(strings.ReplaceAll(string(b), gts, p.URL)) }
	p.serveBytes(nodeinfo.WellKnownPath, "application/json", moved(reftest.Read(t, "gotosocial-0.18/gotosocial-responses/wellknown-nodeinfo.json")))
	p.serveBytes("/nodeinfo/2.0", "application/json", reftest.Read(t, "gotosocial-0.18/gotosocial-responses/nodeinfo-2.0.json"))
	p.serveBytes("/nodeinfo/2.1", "application/json", []byte(`{"version":"2.1","software":{"name":"gotosocial","version":"0.18.3","repository":"https://codeberg.org/superseriousbusiness/gotosocial","homepage":"https://docs.gotosocial.org"},"protocols":["activitypub"],"services":{"inbound":[],"outbound":[]},"openRegistrations":false,"usage":{"users":{"total":1},"localPosts":2},"metadata":{}}`))
	p.handle(webfinger.Path, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("resource") != "acct:peertube@"+r.Host {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write([]byte(`{"subject":"acct:peertube@` + r.Host + `","links":[{"rel":"self","type":"application/activity+json","href":"` + p.URL + `/users/peertube"}]}`))
	})
	c := localClient(t)
	ctx := context.Background()

	info, err := nodeinfo.Fetch(ctx, c, p.host())
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != "2.1" || info.Software.Name != "gotosocial" || info.Software.Repository == "" || info.Usage.Users.Total != 1 || info.Usage.LocalPosts != 2 || info.ApplicationActor != "" {
		t.Errorf("info %+v", info)
	}
	actor, err := nodeinfo.ApplicationActor(ctx, c, p.host())
	if err != nil || actor != p.URL+"/users/peertube" {
		t.Errorf("ApplicationActor = %q, %v", actor, err)
	}
}

func TestFetchResolvesRelativeLinks(t *testing.T) {
	p := newPeer(t)
	p.serveBytes(nodeinfo.WellKnownPath, "application/json", []byte(`{"links":[
		{"rel":"https://nodeinfo.diaspora.software/ns/schema/2.0","href":"/ni/2.0"},
		{"rel":"https://www.w3.org/ns/activitystreams#Application","href":"/actor"}]}`))
	p.serveBytes("/ni/2.0", "application/json", []byte(`{"version":"2.0","software":{"name":"x","version":"1"},"protocols":["activitypub"],"usage":{"users":{}},"metadata":{"a":1}}`))
	info, err := nodeinfo.Fetch(context.Background(), localClient(t), p.host())
	if err != nil || info.Software.Name != "x" || info.ApplicationActor != p.URL+"/actor" || string(info.Metadata) != `{"a":1}` {
		t.Errorf("info %+v, err %v", info, err)
	}
}

func TestFetchFailures(t *testing.T) {
	ctx := context.Background()
	c := localClient(t)

	none := newPeer(t)
	if _, err := nodeinfo.Fetch(ctx, c, none.host()); !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("no well-known: err = %v, want ErrNotFound", err)
	}
	if _, err := nodeinfo.ApplicationActor(ctx, c, none.host()); !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("no well-known, no WebFinger: err = %v, want ErrNotFound", err)
	}
	asked := none.requests()
	if len(asked) != 3 || !strings.HasPrefix(asked[2], webfinger.Path+"?resource=acct%3Apeertube%40") {
		t.Errorf("requests %v: want the well-known twice, then WebFinger for peertube@host", asked)
	}

	actorOnly := newPeer(t)
	actorOnly.serveBytes(nodeinfo.WellKnownPath, "application/json", []byte(`{"links":[{"rel":"https://www.w3.org/ns/activitystreams#Application","href":"`+actorOnly.URL+`/accounts/peertube"}]}`))
	info, err := nodeinfo.Fetch(ctx, c, actorOnly.host())
	if !errors.Is(err, nodeinfo.ErrNoDocument) || info.ApplicationActor != actorOnly.URL+"/accounts/peertube" {
		t.Errorf("links without a document: info %+v, err %v", info, err)
	}

	broken := newPeer(t)
	broken.serveBytes(nodeinfo.WellKnownPath, "application/json", []byte(`{"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.0","href":"file:///etc/passwd"},{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.0","href":"`+broken.URL+`/bad"}]}`))
	broken.serveBytes("/bad", "application/json", []byte(`[1,2`))
	if _, err := nodeinfo.Fetch(ctx, c, broken.host()); err == nil || errors.Is(err, nodeinfo.ErrNoDocument) {
		t.Errorf("undecodable document: err = %v", err)
	}

	strict, err := fetch.New(fetch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	guarded := newPeer(t)
	if _, err := nodeinfo.ApplicationActor(ctx, strict, guarded.host()); !errors.Is(err, fetch.ErrBlocked) {
		t.Errorf("production client: err = %v, want ErrBlocked", err)
	}
	if n := len(guarded.requests()); n != 0 {
		t.Errorf("the loopback peer got %d requests from the production client", n)
	}
}
