package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/httpsig"
)

// remoteActors serves ActivityPub actors with their keys on loopback and
// records what their inboxes receive.
type remoteActors struct {
	srv  *httptest.Server
	keys map[string]*rsa.PrivateKey
	mu   sync.Mutex
	got  []string
}

func newRemoteActors(t *testing.T, names ...string) *remoteActors {
	t.Helper()
	ra := &remoteActors{keys: map[string]*rsa.PrivateKey{}}
	for _, n := range names {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		ra.keys[n] = k
	}
	ra.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/users/"), "/")
		k, ok := ra.keys[name]
		switch {
		case !ok:
			http.NotFound(w, r)
		case r.Method == http.MethodPost && rest == "inbox":
			b, _ := io.ReadAll(r.Body)
			ra.mu.Lock()
			ra.got = append(ra.got, string(b))
			ra.mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		case r.Method == http.MethodGet && rest == "":
			pem, _ := httpsig.EncodePublicKeyPEM(&k.PublicKey)
			id := ra.actor(name)
			w.Header().Set("Content-Type", "application/activity+json")
			json.NewEncoder(w).Encode(map[string]any{
				"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
				"id":       id, "type": "Person", "preferredUsername": name, "inbox": id + "/inbox",
				"outbox": id + "/outbox", "followers": id + "/followers", "following": id + "/following",
				"publicKey": map[string]string{"id": id + "#main-key", "owner": id, "publicKeyPem": pem},
			})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ra.srv.Close)
	return ra
}

func (ra *remoteActors) actor(name string) string { return ra.srv.URL + "/users/" + name }

func (ra *remoteActors) received() []string {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	return append([]string(nil), ra.got...)
}

// follow is a Follow of target by name.
func (ra *remoteActors) follow(name, target string, n int) []byte {
	b, _ := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": fmt.Sprintf("%s/follows/%d", ra.actor(name), n), "type": "Follow", "actor": ra.actor(name), "object": target})
	return b
}

// signedPost builds a POST of body to url signed by key as keyID at now.
func signedPost(t *testing.T, url string, body []byte, key *rsa.PrivateKey, keyID string, now time.Time) *http.Request {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/activity+json")
	if err := httpsig.Sign(req, key, keyID, body, now); err != nil {
		t.Fatal(err)
	}
	return req
}

// TestInboxRefusesWhatItCannotVerify posts to a running instance's inbox:
// a properly signed Follow is accepted (and answered with an Accept),
// while requests without a signature, with a bad one, a wrong digest, a
// stale date, an unknown key or an oversized body are refused with
// 401/400/413 and leave no trace.
func TestInboxRefusesWhatItCannotVerify(t *testing.T) {
	const pw = "admin-pass-1234"
	in := start(t, freePort(t), t.TempDir(), "ADMIN_PASSWORD="+pw)
	ra := newRemoteActors(t, "mallory", "eve")
	inbox, target := in.url+"/inbox", in.url+"/accounts/peertube"
	send := func(req *http.Request) (int, string) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	eve, eveKey := ra.actor("eve"), ra.keys["eve"]
	now := time.Now()

	cases := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"no signature", func() *http.Request {
			req, _ := http.NewRequest("POST", inbox, bytes.NewReader(ra.follow("eve", target, 1)))
			req.Header.Set("Content-Type", "application/activity+json")
			return req
		}, http.StatusUnauthorized},
		{"bad signature", func() *http.Request {
			return signedPost(t, inbox, ra.follow("eve", target, 2), ra.keys["mallory"], eve, now)
		}, http.StatusUnauthorized},
		{"wrong digest", func() *http.Request {
			body := ra.follow("eve", target, 3)
			req := signedPost(t, inbox, body, eveKey, eve, now)
			other := bytes.Replace(body, []byte("follows/3"), []byte("follows/4"), 1)
			req.Body, req.GetBody = io.NopCloser(bytes.NewReader(other)), nil
			return req
		}, http.StatusBadRequest},
		{"stale date", func() *http.Request {
			return signedPost(t, inbox, ra.follow("eve", target, 5), eveKey, eve, now.Add(-2*time.Hour))
		}, http.StatusUnauthorized},
		{"unknown key", func() *http.Request {
			return signedPost(t, inbox, ra.follow("eve", target, 6), eveKey, ra.actor("ghost"), now)
		}, http.StatusUnauthorized},
		{"oversized body", func() *http.Request {
			var m map[string]any
			_ = json.Unmarshal(ra.follow("eve", target, 7), &m)
			m["padding"] = strings.Repeat("x", 300<<10)
			body, _ := json.Marshal(m)
			return signedPost(t, inbox, body, eveKey, eve, now)
		}, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		code, body := send(c.req())
		if code != c.want || !strings.Contains(body, `"status":`) {
			t.Errorf("%s: %d %s, want %d problem+json", c.name, code, body, c.want)
		}
	}

	mallory := ra.actor("mallory")
	if code, body := send(signedPost(t, inbox, ra.follow("mallory", target, 1), ra.keys["mallory"], mallory, time.Now())); code != http.StatusAccepted {
		t.Fatalf("signed follow: %d %s", code, body)
	}
	eventually(t, "the follow is accepted and answered", func() (bool, string) {
		got := ra.received()
		return len(got) == 1 && strings.Contains(got[0], `"type":"Accept"`) && strings.Contains(got[0], mallory+"/follows/1"), strings.Join(got, "\n")
	})
	// The refused requests left nothing: the instance has one follower,
	// mallory, and eve got no answer.
	_, body := in.get("/api/v1/server/followers", "")
	var followers struct {
		Total int
		Data  []struct{ Follower struct{ URL string } }
	}
	if err := json.Unmarshal(body, &followers); err != nil || followers.Total != 1 || followers.Data[0].Follower.URL != mallory {
		t.Fatalf("server followers: %s", body)
	}
	for _, got := range ra.received() {
		if strings.Contains(got, eve) {
			t.Fatalf("eve got an answer to a refused request: %s", got)
		}
	}
}
