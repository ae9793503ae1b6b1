package resolve_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/reftest"
)

const (
	gtsActor     = "gotosocial-0.18/gotosocial-responses/ap-actor-alice.json"
	gtsWebfinger = "gotosocial-0.18/gotosocial-responses/webfinger-alice.json"
	gtsFollow    = "gotosocial-0.18/gotosocial-deliveries/04-follow-to-peertube.request.http"
)

// pemKey parses the publicKeyPem of a captured actor document.
func pemKey(t *testing.T, name string) *rsa.PublicKey {
	t.Helper()
	var d struct {
		PublicKey struct {
			PublicKeyPem string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	if err := json.Unmarshal(reftest.Read(t, name), &d); err != nil {
		t.Fatal(err)
	}
	k, err := httpsig.ParsePublicKeyPEM(d.PublicKey.PublicKeyPem)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPublicKeyOfPeerTubeKeyIDs(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	servePeerTube(rm)
	ctx := t.Context()
	root := rm.URL + "/accounts/root"
	want := pemKey(t, ptAccountRoot)

	// PeerTube signs with the bare actor URL; Mastodon-style keyIds name
	// the key by fragment.
	for _, keyID := range []string{root, root + "#main-key"} {
		owner, pub, err := e.r.PublicKey(ctx, keyID)
		if err != nil {
			t.Fatalf("%s: %v", keyID, err)
		}
		if owner != root || !pub.Equal(want) {
			t.Errorf("%s: owner %s, key matches the document: %v", keyID, owner, pub.Equal(want))
		}
	}
	if got := rm.fetched(); !slices.Equal(got, []string{"/accounts/root"}) {
		t.Errorf("fetched %v, want the actor once", got)
	}
	// A fragment naming another key than the actor's.
	if _, _, err := e.r.PublicKey(ctx, root+"#other-key"); !errors.Is(err, httpsig.ErrKeyNotFound) {
		t.Errorf("other fragment: %v, want ErrKeyNotFound", err)
	}
	// A channel signs with its own key.
	owner, pub, err := e.r.PublicKey(ctx, rm.URL+"/video-channels/root_channel")
	if err != nil || owner != rm.URL+"/video-channels/root_channel" || !pub.Equal(pemKey(t, ptChannel)) {
		t.Errorf("channel key: %s %v", owner, err)
	}
}

func TestPublicKeyFailures(t *testing.T) {
	e := newEnv(t)
	rm := newRemote(t, e)
	ctx := t.Context()

	// No such actor, not an actor, a local keyId, no keyId at all: the
	// key is not found (the inbox answers 401 and the sender gives up).
	rm.capture("/videos/watch/x", ptVideo, peertubeHost)
	for _, keyID := range []string{rm.URL + "/accounts/gone", rm.URL + "/videos/watch/x", publicURL + "/accounts/peertube",
		"not a key id", "acct:nobody@" + rm.Host} {
		if _, _, err := e.r.PublicKey(ctx, keyID); !errors.Is(err, httpsig.ErrKeyNotFound) {
			t.Errorf("%s: %v, want ErrKeyNotFound", keyID, err)
		}
	}
	// An actor without a key.
	var doc map[string]any
	if err := json.Unmarshal(rm.rewrite(reftest.Read(t, ptAccountRoot), peertubeHost), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "publicKey")
	doc["id"], doc["preferredUsername"] = rm.URL+"/accounts/keyless", "keyless"
	b, _ := json.Marshal(doc)
	rm.serve("/accounts/keyless", b)
	if _, _, err := e.r.PublicKey(ctx, rm.URL+"/accounts/keyless"); !errors.Is(err, httpsig.ErrKeyNotFound) {
		t.Errorf("keyless actor: %v, want ErrKeyNotFound", err)
	}
	// A server that fails for now: not ErrKeyNotFound, so the sender is
	// told to retry.
	rm.fail("/accounts/busy", http.StatusServiceUnavailable)
	_, _, err := e.r.PublicKey(ctx, rm.URL+"/accounts/busy")
	if err == nil || errors.Is(err, httpsig.ErrKeyNotFound) || !fetch.Retryable(err) {
		t.Errorf("503: %v, want a retryable error other than ErrKeyNotFound", err)
	}
}

func TestPublicKeyOfGoToSocialKeyIDs(t *testing.T) {
	e := newEnv(t)
	gts := newRemote(t, e)
	gts.capture("/users/alice", gtsActor, gotosocialHost)
	wf := "/.well-known/webfinger?resource=acct%3Aalice%40" + strings.ReplaceAll(gts.Host, ":", "%3A")
	gts.capture(wf, gtsWebfinger, gotosocialHost)
	ctx := t.Context()
	alice := gts.URL + "/users/alice"
	want := pemKey(t, gtsActor)

	// acct: keyIds go through WebFinger.
	owner, pub, err := e.r.PublicKey(ctx, "acct:alice@"+gts.Host)
	if err != nil {
		t.Fatal(err)
	}
	if owner != alice || !pub.Equal(want) {
		t.Errorf("acct: owner %s, key matches: %v", owner, pub.Equal(want))
	}
	if got := gts.fetched(); !slices.Equal(got, []string{wf, "/users/alice"}) {
		t.Errorf("acct: fetched %v", got)
	}
	// GoToSocial's …/main-key keyId is its actor's key: the actor (held
	// now) is read, its stub key document is never fetched.
	owner, pub, err = e.r.PublicKey(ctx, alice+"/main-key")
	if err != nil || owner != alice || !pub.Equal(want) {
		t.Fatalf("main-key: %s %v", owner, err)
	}
	if got := gts.fetched(); len(got) != 0 {
		t.Errorf("main-key of a held actor fetched %v", got)
	}

	// On a fresh instance the actor is fetched, and the key it gives
	// verifies a request GoToSocial really signed with that keyId.
	e2 := newEnv(t)
	gts2 := newRemote(t, e2)
	gts2.capture("/users/alice", gtsActor, gotosocialHost)
	owner, pub, err = e2.r.PublicKey(ctx, gts2.URL+"/users/alice/main-key")
	if err != nil || owner != gts2.URL+"/users/alice" {
		t.Fatalf("main-key on a fresh instance: %s %v", owner, err)
	}
	if got := gts2.fetched(); !slices.Equal(got, []string{"/users/alice"}) {
		t.Errorf("main-key: fetched %v, want the actor", got)
	}
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(reftest.Read(t, gtsFollow))))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	at, err := http.ParseTime(req.Header.Get("Date"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := httpsig.Verify(req, b, httpsig.VerifyOptions{Now: at,
		PublicKey: func(_ context.Context, keyID string) (*rsa.PublicKey, error) {
			if keyID != "http://"+gotosocialHost+"/users/alice/main-key" {
				return nil, httpsig.ErrKeyNotFound
			}
			return pub, nil
		}})
	if err != nil || v.Algorithm != "hs2019" {
		t.Errorf("GoToSocial's Follow does not verify with the resolved key: %+v %v", v, err)
	}
}
