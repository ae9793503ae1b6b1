package resolve_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/resolve"
	"github.com/vidiverse/vidiverse/shared/store"
)

func TestActorIsFetchedOnceThenReadFromTheStore(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()
	root := rm.URL + "/accounts/root"

	ref, err := e.r.Actor(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Kind != model.KindAccount || ref.ID == 0 {
		t.Fatalf("root resolved to %+v", ref)
	}
	acc, err := e.st.Account(ctx, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	rem := acc.Remote
	if acc.Name != "root" || rem == nil {
		t.Fatalf("stored account %+v", acc)
	}
	want := model.Remote{URL: root, Host: rm.Host, Type: "Person", Inbox: root + "/inbox", SharedInbox: rm.URL + "/inbox",
		Outbox: root + "/outbox", Followers: root + "/followers", Following: root + "/following", WebURL: root,
		PublicKeyID: root + "#main-key", FetchedAt: e.clock.now()}
	got := *rem
	got.PublicKeyPEM = ""
	if got != want {
		t.Errorf("remote copy\n got %+v\nwant %+v", got, want)
	}
	if !strings.HasPrefix(rem.PublicKeyPEM, "-----BEGIN PUBLIC KEY-----") {
		t.Errorf("public key %q", rem.PublicKeyPEM)
	}
	// Known under its handle name@host too.
	if byName, err := e.st.AccountByName(ctx, "root@"+rm.Host); err != nil || byName.ID != ref.ID {
		t.Errorf("by handle: %+v %v", byName, err)
	}

	e.clock.add(time.Hour)
	again, err := e.r.Actor(ctx, root)
	if err != nil || again != ref {
		t.Fatalf("second resolution: %+v %v", again, err)
	}
	if got := rm.fetched(); !slices.Equal(got, []string{"/accounts/root"}) {
		t.Errorf("fetched %v, want the actor once", got)
	}
}

func TestActorIsRefreshedAfterMaxAge(t *testing.T) {
	e := newEnv(t)
	e.r.MaxAge = 2 * time.Hour
	rm := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()
	root := rm.URL + "/accounts/root"

	ref, err := e.r.Actor(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	rm.capture("/accounts/root", ptAccountUpdated, peertubeHost)
	e.clock.add(time.Hour)
	if _, err := e.r.Actor(ctx, root); err != nil {
		t.Fatal(err)
	}
	if acc, _ := e.st.Account(ctx, ref.ID); acc.DisplayName != "root" {
		t.Errorf("copy younger than MaxAge changed: %q", acc.DisplayName)
	}
	e.clock.add(90 * time.Minute)
	fresh, err := e.r.Actor(ctx, root)
	if err != nil || fresh != ref {
		t.Fatalf("refresh: %+v %v (want %+v)", fresh, err, ref)
	}
	acc, err := e.st.Account(ctx, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	if acc.DisplayName != "Root Admin" || acc.Description != "Account description of the root user." {
		t.Errorf("refreshed copy: %q %q", acc.DisplayName, acc.Description)
	}
	if !acc.Remote.FetchedAt.Equal(e.clock.now()) {
		t.Errorf("fetched at %v, want %v", acc.Remote.FetchedAt, e.clock.now())
	}
	if got := rm.fetched(); !slices.Equal(got, []string{"/accounts/root", "/accounts/root"}) {
		t.Errorf("fetched %v", got)
	}

	// A refresh that fails keeps the copy held.
	rm.fail("/accounts/root", http.StatusServiceUnavailable)
	e.clock.add(3 * time.Hour)
	kept, err := e.r.Actor(ctx, root)
	if err != nil || kept != ref {
		t.Fatalf("failed refresh: %+v %v", kept, err)
	}
	if acc, _ := e.st.Account(ctx, ref.ID); acc.DisplayName != "Root Admin" {
		t.Errorf("copy after a failed refresh: %q", acc.DisplayName)
	}
	// Refresh fetches whatever the age.
	rm.capture("/accounts/root", ptAccountRoot, peertubeHost)
	if _, err := e.r.Refresh(ctx, root); err != nil {
		t.Fatal(err)
	}
	if acc, _ := e.st.Account(ctx, ref.ID); acc.DisplayName != "root" {
		t.Errorf("after Refresh: %q", acc.DisplayName)
	}
}

func TestActorOnAnotherHostIsRefused(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	other := newRemote(t, e)
	ctx := t.Context()
	// rm serves, at its own path, a document that claims to be an actor
	// of other.
	rm.serve("/accounts/mallory", other.rewrite(reftest.Read(t, ptAccountRoot), peertubeHost))
	_, err := e.r.Actor(ctx, rm.URL+"/accounts/mallory")
	if !errors.Is(err, resolve.ErrNotActor) {
		t.Fatalf("foreign id: %v, want ErrNotActor", err)
	}
	for _, u := range []string{rm.URL + "/accounts/mallory", other.URL + "/accounts/root"} {
		if _, err := e.st.ActorByURL(ctx, u); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s stored: %v", u, err)
		}
	}
	if got := other.fetched(); len(got) != 0 {
		t.Errorf("the other host was asked %v", got)
	}

	// Not an actor at all, or no such actor.
	rm.capture("/videos/x", ptVideo, peertubeHost)
	if _, err := e.r.Actor(ctx, rm.URL+"/videos/x"); !errors.Is(err, resolve.ErrNotActor) {
		t.Errorf("a video as an actor: %v", err)
	}
	if _, err := e.r.Actor(ctx, rm.URL+"/accounts/nobody"); !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("missing actor: %v", err)
	}
}

func TestChannelIsStoredWithItsOwner(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()

	ref, err := e.r.Actor(ctx, rm.URL+"/video-channels/root_channel")
	if err != nil {
		t.Fatal(err)
	}
	if ref.Kind != model.KindChannel {
		t.Fatalf("channel resolved to %+v", ref)
	}
	ch, err := e.st.Channel(ctx, ref.ID)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := e.st.AccountByURL(ctx, rm.URL+"/accounts/root")
	if err != nil {
		t.Fatalf("owner not stored: %v", err)
	}
	if ch.AccountID != owner.ID || ch.Name != "root_channel" || ch.DisplayName != "Main root channel" {
		t.Errorf("channel %+v, owner %d", ch, owner.ID)
	}
	if ch.Remote == nil || ch.Remote.Type != "Group" || ch.Remote.ChannelOwnerURL != rm.URL+"/accounts/root" ||
		ch.Remote.SharedInbox != rm.URL+"/inbox" {
		t.Errorf("channel's remote %+v", ch.Remote)
	}
	if got := rm.fetched(); !slices.Equal(got, []string{"/video-channels/root_channel", "/accounts/root"}) {
		t.Errorf("fetched %v, want the channel then its owner", got)
	}
	chans, err := e.st.AccountChannels(ctx, owner.ID)
	if err != nil || len(chans) != 1 || chans[0].ID != ch.ID {
		t.Errorf("owner's channels %v %v", chans, err)
	}

	// An owner that is unreachable fails the channel (and stores nothing).
	e2 := newEnv(t)
	rm2 := newRemote(t, e2)
	rm2.capture("/video-channels/root_channel", ptChannel, peertubeHost)
	rm2.fail("/accounts/root", http.StatusBadGateway)
	_, err = e2.r.Actor(ctx, rm2.URL+"/video-channels/root_channel")
	if !fetch.Retryable(err) {
		t.Errorf("channel with an unreachable owner: %v, want a retryable error", err)
	}
	if _, err := e2.st.ActorByURL(ctx, rm2.URL+"/video-channels/root_channel"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("channel stored without its owner: %v", err)
	}
}

func TestLocalURLsAreReadFromTheStore(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	_, acc, ch, err := e.st.CreateUser(ctx, store.NewUser{User: model.User{Username: "alice", Email: "a@example.com", PasswordHash: "x"},
		AccountDisplayName: "Alice", Channel: model.Channel{Name: "alice_channel"}})
	if err != nil {
		t.Fatal(err)
	}
	for u, want := range map[string]model.ActorRef{
		publicURL + "/accounts/alice":               {Kind: model.KindAccount, ID: acc.ID},
		publicURL + "/video-channels/alice_channel": {Kind: model.KindChannel, ID: ch.ID},
	} {
		got, err := e.r.Actor(ctx, u)
		if err != nil || got != want {
			t.Errorf("%s: %+v %v, want %+v", u, got, err, want)
		}
	}
	for _, u := range []string{publicURL + "/accounts/bob", publicURL + "/videos/watch/x", publicURL + "/video-channels/none"} {
		if _, err := e.r.Local(ctx, u); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", u, err)
		}
	}
	// A local URL is never fetched.
	if _, err := e.r.Get(ctx, publicURL+"/accounts/alice"); err == nil {
		t.Error("Get of a local URL succeeded")
	}
	if e.r.IsLocal("https://vidiverse.example.evil/accounts/alice") || !e.r.IsLocal(publicURL) {
		t.Error("IsLocal confuses a host that only starts like ours")
	}
}

func TestHandleResolvesThroughWebFinger(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()

	ref, err := e.r.Handle(ctx, "root@"+rm.Host)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := e.st.Account(ctx, ref.ID)
	if err != nil || ref.Kind != model.KindAccount || acc.Remote == nil || acc.Remote.URL != rm.URL+"/accounts/root" {
		t.Fatalf("root@host resolved to %+v %+v %v", ref, acc, err)
	}
	wf := "/.well-known/webfinger?resource=acct%3Aroot%40" + strings.ReplaceAll(rm.Host, ":", "%3A")
	if got := rm.fetched(); !slices.Equal(got, []string{wf, "/accounts/root"}) {
		t.Errorf("fetched %v", got)
	}
	// Held and young: neither WebFinger nor the actor is asked again,
	// whatever the handle's spelling.
	for _, h := range []string{"@root@" + rm.Host, "acct:root@" + rm.Host} {
		again, err := e.r.Handle(ctx, h)
		if err != nil || again != ref {
			t.Errorf("%s: %+v %v", h, again, err)
		}
	}
	if got := rm.fetched(); len(got) != 0 {
		t.Errorf("held handle fetched %v", got)
	}
	// Old: asked again.
	e.clock.add(resolve.DefaultMaxAge + time.Minute)
	if _, err := e.r.Handle(ctx, "root@"+rm.Host); err != nil {
		t.Fatal(err)
	}
	if got := rm.fetched(); !slices.Equal(got, []string{wf, "/accounts/root"}) {
		t.Errorf("old handle fetched %v", got)
	}

	// The instance actor of a host.
	inst, err := e.r.Instance(ctx, rm.Host)
	if err != nil || inst.Name != "peertube" || inst.Remote == nil || inst.Remote.Type != "Application" {
		t.Fatalf("instance of %s: %+v %v", rm.Host, inst, err)
	}
	// Unknown handles and local ones.
	if _, err := e.r.Handle(ctx, "nobody@"+rm.Host); !errors.Is(err, fetch.ErrNotFound) {
		t.Errorf("unknown handle: %v", err)
	}
	if _, err := e.r.Handle(ctx, "alice@vidiverse.example"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown local handle: %v", err)
	}
	if _, err := e.r.Handle(ctx, "not a handle"); err == nil {
		t.Error("malformed handle accepted")
	}
}
