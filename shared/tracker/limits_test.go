package tracker_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/tracker"
)

// PeerTube's limit: so many announces per IP and infohash per window;
// answers do not count, other infohashes have their own, and the count
// starts again with the next window.
func TestAnnounceRateLimit(t *testing.T) {
	seed := hash20("seed")
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1, ih2), AnnounceLimit: tracker.Limit{Max: 3, Window: 5 * time.Minute},
		Permanent: func(id [20]byte) bool { return id == seed }})
	a, b := e.dial(), e.dial()
	for range 3 {
		a.send(announce(ih1, pA, "", 1))
		a.want(reply(ih1, 0, 1))
	}
	a.send(announce(ih1, pA, "", 1))
	a.want(announceFailure(ih1, "Too many requests"))
	a.send(announce(ih2, pA, "", 1))
	a.want(reply(ih2, 0, 1))

	// Answers still go through.
	b.send(announce(ih2, pB, "", 1, anOffer(hash20("o"), offerSDP)))
	b.want(reply(ih2, 0, 2))
	a.recv() // the offer
	for range 5 {
		a.send(map[string]any{"action": "announce", "info_hash": bin(ih2), "peer_id": bin(pA), "to_peer_id": bin(pB),
			"answer": map[string]any{"type": "answer", "sdp": answerSDP}, "offer_id": bin(hash20("o"))})
		b.recv()
	}
	// The seed is not limited.
	for range 5 {
		a.send(announce(ih1, seed, "", 0))
		a.want(reply(ih1, 1, 1))
	}
	e.clock.Add(5 * time.Minute)
	a.send(announce(ih1, pA, "", 1))
	a.want(reply(ih1, 1, 1))
}

func TestMessageRateLimit(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1), MessageLimit: tracker.Limit{Max: 4, Window: time.Minute}})
	c := e.dial()
	for range 4 {
		c.scrape(ih1)
	}
	c.send(map[string]any{"action": "scrape", "info_hash": bin(ih1)})
	c.want(failure("Too many requests"))
	c.send(announce(ih1, pA, "started", 1))
	c.want(announceFailure(ih1, "Too many requests"))
	if got := httpAnnounce(t, e, ih1, pA, 1, "", "1"); got["failure reason"] != "Too many requests" {
		t.Fatalf("HTTP: %v", got)
	}
	e.clock.Add(time.Minute)
	c.send(announce(ih1, pA, "started", 1))
	c.want(reply(ih1, 0, 1))
}

// The limits count the address ClientIP gives.
func TestClientIPHook(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1), MessageLimit: tracker.Limit{Max: 1, Window: time.Minute},
		ClientIP: func(r *http.Request) string { return r.URL.Query().Get("as") }})
	q := func(as string) map[string]any {
		return httpAnnounce(t, e, ih1, pA, 1, "", "1", "as", as)
	}
	if got := q("192.0.2.1"); got["failure reason"] != nil {
		t.Fatalf("first: %v", got)
	}
	if got := q("192.0.2.2"); got["failure reason"] != nil {
		t.Fatalf("other address: %v", got)
	}
	if got := q("192.0.2.1"); got["failure reason"] != "Too many requests" {
		t.Fatalf("same address again: %v", got)
	}
}

func TestForwardedFor(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/tracker/socket", nil)
	r.RemoteAddr = "10.0.0.9:4000"
	r.Header.Add("X-Forwarded-For", "203.0.113.7, 198.51.100.1")
	r.Header.Add("X-Forwarded-For", "10.0.0.2")
	for hops, want := range []string{"10.0.0.9", "10.0.0.2", "198.51.100.1", "203.0.113.7", "10.0.0.9"} {
		if got := tracker.ForwardedFor(hops)(r); got != want {
			t.Errorf("hops %d: got %s, want %s", hops, got, want)
		}
	}
}

// At most MaxSwarms swarms: a new one drops the least recently
// announced, keeping those with a permanent peer when it can.
func TestSwarmLRU(t *testing.T) {
	seed := hash20("seed")
	ih3, ih4 := hash20("video three"), hash20("video four")
	e := newEnv(t, tracker.Config{MaxSwarms: 2, Permanent: func(id [20]byte) bool { return id == seed }})
	c := e.dial()
	for _, ih := range [][20]byte{ih1, ih2, ih1, ih3} { // ih2 is the least recent when ih3 comes
		c.send(announce(ih, pA, "", 1))
		c.recv()
	}
	if st := e.tr.Stats(); st.Swarms != 2 || st.Peers != 2 {
		t.Fatalf("stats %+v", st)
	}
	if _, i := c.counts(ih2); i != 0 {
		t.Fatal("ih2 kept")
	}
	if _, i := c.counts(ih1); i != 1 {
		t.Fatal("ih1 dropped")
	}
	// The seed is in ih1, now the least recent: ih3 goes instead.
	c.send(announce(ih1, seed, "", 0))
	c.recv()
	c.send(announce(ih3, pA, "", 1))
	c.recv()
	c.send(announce(ih4, pA, "", 1))
	c.recv()
	if comp, _ := c.counts(ih1); comp != 1 {
		t.Fatal("the seed's swarm was dropped")
	}
	if _, i := c.counts(ih3); i != 0 {
		t.Fatal("ih3 kept")
	}
}

// At most MaxPeers peers a swarm: a new one drops the one that announced
// least recently, never a permanent one.
func TestPeerLRU(t *testing.T) {
	seed := hash20("seed")
	e := newEnv(t, tracker.Config{MaxPeers: 3, Permanent: func(id [20]byte) bool { return id == seed }})
	c := e.dial()
	for _, id := range [][20]byte{seed, pA, pB, pA, pC} { // pB is the oldest non-permanent peer when pC comes
		c.send(announce(ih1, id, "", 1))
		c.recv()
	}
	if _, i := c.counts(ih1); i != 3 {
		t.Fatalf("%d peers", i)
	}
	// pB is gone: its stopped changes nothing.
	c.send(announce(ih1, pB, "stopped", 1))
	c.want(reply(ih1, 0, 3))
	c.send(announce(ih1, pA, "stopped", 1))
	c.want(reply(ih1, 0, 2))
	c.send(announce(ih1, seed, "stopped", 1))
	c.want(reply(ih1, 0, 1))
}

// Peers are forgotten PeerTTL after their own last announce; a permanent
// peer is not, and leaves only by stopped or when its socket closes.
func TestExpiry(t *testing.T) {
	seed := hash20("seed")
	e := newEnv(t, tracker.Config{Permanent: func(id [20]byte) bool { return id == seed }})
	a, b, s, probe := e.dial(), e.dial(), e.dial(), e.dial()
	s.send(announce(ih1, seed, "started", 0))
	s.want(reply(ih1, 1, 0))
	a.send(announce(ih1, pA, "started", 1))
	a.want(reply(ih1, 1, 1))
	e.clock.Add(10 * time.Minute)
	b.send(announce(ih1, pB, "started", 1))
	b.want(reply(ih1, 1, 2))

	e.clock.Add(10 * time.Minute) // A is 20 minutes old
	if comp, inc := probe.counts(ih1); comp != 1 || inc != 1 {
		t.Fatalf("after 20 min: %d %d", comp, inc)
	}
	// A new peer's offers reach B and the seed, not A.
	probe.send(announce(ih1, pC, "started", 1, anOffer(hash20("o1"), offerSDP), anOffer(hash20("o2"), offerSDP)))
	probe.want(reply(ih1, 1, 2))
	b.recv()
	s.recv()
	a.quiet(100 * time.Millisecond)

	e.clock.Add(2 * time.Hour) // everyone but the seed
	if comp, inc := probe.counts(ih1); comp != 1 || inc != 0 {
		t.Fatalf("after 2 h: %d %d", comp, inc)
	}
	if st := e.tr.Stats(); st.Peers != 1 || st.Swarms != 1 {
		t.Fatalf("stats %+v", st)
	}
	// A new peer's offer still reaches the seed.
	probe.send(announce(ih1, pC, "", 1, anOffer(hash20("o3"), offerSDP)))
	probe.want(reply(ih1, 1, 1))
	if m := s.recv(); m["offer_id"] != bin(hash20("o3")) {
		t.Fatalf("seed got %v", m)
	}
	// Its socket closes: it leaves.
	_ = s.ws.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if comp, _ := probe.counts(ih1); comp == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the seed stayed after its socket closed")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
