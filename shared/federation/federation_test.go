package federation

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/serverconfig"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
)

// publicURL is the origin of the captured PeerTube instance, so served
// documents can be compared with the captures value for value.
const publicURL = "http://127.0.0.1:9001"

const (
	apDir = "peertube-6.1/instance1-activitypub/"
	wfDir = "peertube-6.1/instance1-webfinger-nodeinfo/"
)

type fixture struct {
	srv  *httptest.Server
	keys *keyring.Keyring
}

// newFixture opens a real embedded table with the instance actor and the
// root user (account root, channel root_channel), and serves the handler
// on loopback.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	tbl, err := embedded.Open(filepath.Join(t.TempDir(), "table.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tbl.Close() })
	st := store.New(tbl)
	ctx := context.Background()
	if _, err := st.EnsureInstanceAccount(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := st.CreateUser(ctx, store.NewUser{
		User:               model.User{Username: "root", Email: "admin@example.com", PasswordHash: "x", Role: model.RoleAdministrator},
		AccountDisplayName: "root",
		Channel:            model.Channel{Name: "root_channel", DisplayName: "Main root channel"},
	}); err != nil {
		t.Fatal(err)
	}
	kek := make([]byte, 32)
	if _, err := rand.Read(kek); err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.New(tbl, kek)
	if err != nil {
		t.Fatal(err)
	}
	h := New(Deps{PublicURL: publicURL, Settings: serverconfig.DefaultSettings(), Store: st, Keys: keys})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, keys: keys}
}

func (f *fixture) get(t *testing.T, path, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, body
}

func decode(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return m
}

// sameDocument compares got with the capture member by member, except the
// members named in differ (values that differ by nature: keys, dates).
func sameDocument(t *testing.T, got, want []byte, differ ...string) {
	t.Helper()
	g, w := decode(t, got), decode(t, want)
	for _, k := range differ {
		delete(g, k)
		delete(w, k)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("document differs from the capture:\n got %v\nwant %v", g, w)
	}
}

const activityJSON = "application/activity+json"

func TestWebFingerMatchesCaptures(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"root", "root_channel", "peertube"} {
		res, body := f.get(t, "/.well-known/webfinger?resource=acct:"+name+"@127.0.0.1:9001", "")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", name, res.StatusCode, body)
		}
		if want := string(reftest.Read(t, wfDir+"webfinger-"+name+".json")); string(body) != want {
			t.Errorf("%s:\n got %s\nwant %s", name, body, want)
		}
	}
	res, body := f.get(t, "/.well-known/webfinger?resource=acct:nobody@127.0.0.1:9001", "")
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown: %d %s", res.StatusCode, body)
	}
	reftest.ShapeEqual(t, body, reftest.Read(t, wfDir+"webfinger-unknown.json"), true, nil)
}

func TestNodeInfoAndHostMeta(t *testing.T) {
	f := newFixture(t)
	res, body := f.get(t, "/.well-known/nodeinfo", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("well-known nodeinfo: %d", res.StatusCode)
	}
	if want := string(reftest.Read(t, wfDir+"wellknown-nodeinfo.json")); string(body) != want {
		t.Errorf("well-known nodeinfo:\n got %s\nwant %s", body, want)
	}
	res, body = f.get(t, "/nodeinfo/2.0.json", "")
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "schema/2.0#") {
		t.Fatalf("nodeinfo: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	reftest.ShapeEqual(t, body, reftest.Read(t, wfDir+"nodeinfo-2.0.json"), true, nil)
	users := decode(t, body)["usage"].(map[string]any)["users"].(map[string]any)
	if users["total"] != float64(1) {
		t.Errorf("users: %v (root is the one user)", users)
	}
	res, body = f.get(t, "/.well-known/host-meta", "")
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), publicURL+"/.well-known/webfinger?resource={uri}") {
		t.Errorf("host-meta: %d %s", res.StatusCode, body)
	}
}

func TestActorDocumentsMatchCaptures(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ path, capture, typ string }{
		{"/accounts/root", "ap-account-root.json", "Person"},
		{"/accounts/peertube", "ap-account-peertube.json", "Application"},
		{"/video-channels/root_channel", "ap-channel-root_channel.json", "Group"},
	} {
		res, body := f.get(t, c.path, activityJSON)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", c.path, res.StatusCode, body)
		}
		if ct := res.Header.Get("Content-Type"); ct != ContentType {
			t.Errorf("%s: Content-Type %q", c.path, ct)
		}
		want := reftest.Read(t, apDir+c.capture)
		reftest.ShapeEqual(t, body, want, true, nil)
		sameDocument(t, body, want, "publicKey", "published")
		doc := decode(t, body)
		if doc["type"] != c.typ {
			t.Errorf("%s: type %v", c.path, doc["type"])
		}
		key := doc["publicKey"].(map[string]any)
		if key["id"] != publicURL+c.path+"#main-key" || key["owner"] != publicURL+c.path {
			t.Errorf("%s: publicKey %v", c.path, key)
		}
		if _, err := time.Parse(time.RFC3339, doc["published"].(string)); err != nil {
			t.Errorf("%s: published: %v", c.path, err)
		}
	}
}

func TestContentNegotiation(t *testing.T) {
	f := newFixture(t)
	for accept, ap := range map[string]bool{
		"application/activity+json": true,
		"application/ld+json":       true,
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`: true,
		"application/activity+json, application/ld+json":                       true,
		// What Mastodon asks for.
		`application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/html;q=0.1`: true,
		"": false,
		"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8": false,
		"*/*":              false,
		"application/json": false,
		"text/html;q=0.5, application/activity+json;q=0.4": false,
		"text/html;q=0.4, application/activity+json;q=0.5": true,
	} {
		res, body := f.get(t, "/accounts/root", accept)
		switch {
		case ap && res.StatusCode != http.StatusOK:
			t.Errorf("Accept %q: %d %s, want the actor", accept, res.StatusCode, body)
		case !ap && res.StatusCode != http.StatusNotAcceptable:
			t.Errorf("Accept %q: %d, want 406", accept, res.StatusCode)
		case !ap && !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json"):
			t.Errorf("Accept %q: 406 as %q", accept, res.Header.Get("Content-Type"))
		}
	}
	res, body := f.get(t, "/accounts/root", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
	reftest.ShapeEqual(t, body, reftest.Read(t, apDir+"ap-account-root-ldjson-accept.json"), true, nil)
	if res.Header.Get("Content-Type") != ContentType {
		t.Errorf("ld+json answered as %q", res.Header.Get("Content-Type"))
	}
}

func TestUnknownActorsAre404(t *testing.T) {
	f := newFixture(t)
	for path, detail := range map[string]string{
		"/accounts/nobody":                 "Account not found",
		"/accounts/root_channel":           "Account not found",
		"/video-channels/nobody":           "Video channel not found",
		"/video-channels/root":             "Video channel not found",
		"/accounts/nobody/followers":       "Account not found",
		"/video-channels/nobody/outbox":    "Video channel not found",
		"/video-channels/nobody/following": "Video channel not found",
	} {
		res, body := f.get(t, path, activityJSON)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d %s", path, res.StatusCode, body)
			continue
		}
		reftest.ShapeEqual(t, body, reftest.Read(t, apDir+"ap-account-missing.json"), true, nil)
		if d := decode(t, body)["detail"]; d != detail {
			t.Errorf("%s: detail %v", path, d)
		}
	}
}

func TestEmptyCollectionsArePagedAsPeerTube(t *testing.T) {
	f := newFixture(t)
	// PeerTube leaves "first" out of an empty collection.
	res, body := f.get(t, "/accounts/root/following", activityJSON)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != ContentType {
		t.Fatalf("following: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	want := reftest.Read(t, apDir+"ap-account-root-following.json")
	if string(body) != string(want) {
		t.Errorf("following:\n got %s\nwant %s", body, want)
	}
	_, body = f.get(t, "/accounts/root/playlists", activityJSON)
	if want := reftest.Read(t, apDir+"ap-account-root-playlists.json"); string(body) != string(want) {
		t.Errorf("playlists:\n got %s\nwant %s", body, want)
	}
	// The captured followers and outbox hold one item each; ours are
	// empty, so they lack "first" (as PeerTube's do when empty).
	for _, c := range []string{"followers", "outbox"} {
		_, body = f.get(t, "/accounts/root/"+c, activityJSON)
		reftest.ShapeEqual(t, body, reftest.Read(t, apDir+"ap-account-root-"+c+".json"), true,
			map[string]string{"first": "empty collections have no first page"})
		if n := decode(t, body)["totalItems"]; n != float64(0) {
			t.Errorf("%s: totalItems %v", c, n)
		}
	}
	for _, c := range []struct{ path, capture string }{
		{"/accounts/root/followers?page=1", "ap-account-root-followers-page1.json"},
		{"/accounts/root/outbox?page=1", "ap-account-root-outbox-page1.json"},
		{"/accounts/peertube/following?page=1", "ap-account-peertube-following-page1.json"},
		{"/video-channels/root_channel/followers?page=1", "ap-channel-root_channel-followers-page1.json"},
		{"/video-channels/root_channel/outbox?page=1", "ap-channel-root_channel-outbox-page1.json"},
	} {
		res, body := f.get(t, c.path, activityJSON)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", c.path, res.StatusCode, body)
		}
		// orderedItems is empty here, so its elements are not compared.
		reftest.ShapeEqual(t, body, reftest.Read(t, apDir+c.capture), true, nil)
		doc := decode(t, body)
		base := publicURL + strings.TrimSuffix(c.path, "?page=1")
		if doc["id"] != base+"?page=1" || doc["partOf"] != base || doc["totalItems"] != float64(0) {
			t.Errorf("%s: %v", c.path, doc)
		}
		if items, ok := doc["orderedItems"].([]any); !ok || len(items) != 0 {
			t.Errorf("%s: orderedItems %v", c.path, doc["orderedItems"])
		}
	}
	_, body = f.get(t, "/video-channels/root_channel/outbox?page=2", activityJSON)
	if doc := decode(t, body); doc["prev"] != publicURL+"/video-channels/root_channel/outbox?page=1" {
		t.Errorf("page 2: %v", doc)
	}
	res, _ = f.get(t, "/accounts/root/outbox", "text/html")
	if res.StatusCode != http.StatusNotAcceptable {
		t.Errorf("outbox for a browser: %d", res.StatusCode)
	}
}

// TestPublishedKeyVerifiesSignatures signs a request with the keyring's
// private key and verifies it with the key the served actor document
// publishes, as a remote server does.
func TestPublishedKeyVerifiesSignatures(t *testing.T) {
	f := newFixture(t)
	for _, c := range []struct{ path, keyName string }{
		{"/accounts/root", "account:root"},
		{"/accounts/peertube", "account:peertube"},
		{"/video-channels/root_channel", "channel:root_channel"},
	} {
		key, err := f.keys.Key(context.Background(), c.keyName)
		if err != nil {
			t.Fatal(err)
		}
		_, body := f.get(t, c.path, activityJSON)
		pk := decode(t, body)["publicKey"].(map[string]any)
		keyID := pk["id"].(string)
		payload := []byte(`{"type":"Follow"}`)
		req := httptest.NewRequest(http.MethodPost, "http://remote.example/inbox", strings.NewReader(string(payload)))
		now := time.Now()
		if err := httpsig.Sign(req, key.Private, keyID, payload, now); err != nil {
			t.Fatal(err)
		}
		v, err := httpsig.Verify(req, payload, httpsig.VerifyOptions{Now: now,
			PublicKey: func(ctx context.Context, id string) (*rsa.PublicKey, error) {
				if id != keyID {
					return nil, httpsig.ErrKeyNotFound
				}
				return httpsig.ParsePublicKeyPEM(pk["publicKeyPem"].(string))
			}})
		if err != nil {
			t.Fatalf("%s: verify with the published key: %v", c.path, err)
		}
		if v == nil {
			t.Fatalf("%s: no verification result", c.path)
		}
		// Another actor's key does not verify it.
		other, err := f.keys.Key(context.Background(), "account:someone-else")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := httpsig.Verify(req, payload, httpsig.VerifyOptions{Now: now,
			PublicKey: func(context.Context, string) (*rsa.PublicKey, error) { return &other.Private.PublicKey, nil }}); err == nil {
			t.Fatalf("%s: verified with another key", c.path)
		}
	}
}
