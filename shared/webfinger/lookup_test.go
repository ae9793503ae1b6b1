package webfinger_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

// instance is a loopback server answering WebFinger with Serve, as a peer
// instance would.
type instance struct {
	*httptest.Server
	mu        sync.Mutex
	resources []string
	accepts   []string
}

func newInstance(t *testing.T) *instance {
	t.Helper()
	in := &instance{}
	in.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.mu.Lock()
		in.resources = append(in.resources, r.URL.Query().Get("resource"))
		in.accepts = append(in.accepts, r.Header.Get("Accept"))
		in.mu.Unlock()
		switch r.URL.Path {
		case webfinger.Path:
			webfinger.Serve(w, r, lookup, in.URL)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(in.Close)
	return in
}

func localClient(t *testing.T) *fetch.Client {
	t.Helper()
	c, err := fetch.New(fetch.Options{AllowLoopbackHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLookupFindsRemoteActors(t *testing.T) {
	in := newInstance(t)
	host := strings.TrimPrefix(in.URL, "http://")
	c := localClient(t)
	ctx := context.Background()
	for handle, want := range map[string]string{
		"root@" + host:          in.URL + "/accounts/root",
		"@root_channel@" + host: in.URL + "/video-channels/root_channel",
		"acct:peertube@" + host: in.URL + "/accounts/peertube",
	} {
		got, err := webfinger.Lookup(ctx, c, handle)
		if err != nil || got != want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", handle, got, err, want)
		}
	}
	in.mu.Lock()
	for i, r := range in.resources {
		if !strings.HasPrefix(r, "acct:") || !strings.HasSuffix(r, "@"+host) {
			t.Errorf("request %d asked for resource %q", i, r)
		}
		if in.accepts[i] != webfinger.Accept {
			t.Errorf("request %d Accept %q", i, in.accepts[i])
		}
	}
	in.mu.Unlock()

	if _, err := webfinger.Lookup(ctx, c, "nobody@"+host); !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("unknown account: err = %v, want ErrNotFound", err)
	}
	for _, bad := range []string{"root", "root@", "@" + host, "root@" + host + "/x", "a@b@" + host, "https://" + host + "/accounts/root"} {
		if _, err := webfinger.Lookup(ctx, c, bad); !errors.Is(err, webfinger.ErrInvalidResource) {
			t.Errorf("Lookup(%q): err = %v, want ErrInvalidResource", bad, err)
		}
	}
}

func TestLookupReadsOtherServersJRDs(t *testing.T) {
	alice := reftest.Read(t, "gotosocial-0.18/gotosocial-responses/webfinger-alice.json")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jrd+json")
		switch r.URL.Query().Get("resource") {
		case "acct:alice@" + r.Host:
			_, _ = w.Write(alice)
		case "acct:page@" + r.Host:
			_, _ = w.Write([]byte(`{"subject":"acct:page@x","links":[{"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"https://x/@page"}]}`))
		default:
			_, _ = w.Write([]byte(`not json`))
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := localClient(t)
	ctx := context.Background()
	if got, err := webfinger.Lookup(ctx, c, "alice@"+host); err != nil || got != "http://127.0.0.1:8081/users/alice" {
		t.Errorf("GoToSocial JRD: %q, %v", got, err)
	}
	if _, err := webfinger.Lookup(ctx, c, "page@"+host); !errors.Is(err, webfinger.ErrNoActor) {
		t.Errorf("JRD without a self link: err = %v, want ErrNoActor", err)
	}
	if _, err := webfinger.Lookup(ctx, c, "broken@"+host); err == nil {
		t.Error("a body that is not JSON was accepted")
	}
}

func TestLookupRefusesWhatTheClientRefuses(t *testing.T) {
	in := newInstance(t)
	host := strings.TrimPrefix(in.URL, "http://")
	strict, err := fetch.New(fetch.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := webfinger.Lookup(context.Background(), strict, "root@"+host); !errors.Is(err, fetch.ErrBlocked) {
		t.Errorf("production client looked up a loopback host: err = %v", err)
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.resources) != 0 {
		t.Errorf("the loopback instance got %d requests", len(in.resources))
	}
}
