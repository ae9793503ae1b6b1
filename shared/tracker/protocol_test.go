package tracker_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/tracker"
)

var (
	ih1 = hash20("video one")
	ih2 = hash20("video two")
	pA  = hash20("peer A")
	pB  = hash20("peer B")
	pC  = hash20("peer C")
)

const (
	offerSDP  = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
	answerSDP = "v=0\r\no=- 3 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=setup:active\r\n"
)

// A browser's message, byte for byte as JSON.stringify writes it: the ids
// are strings of 20 characters U+0000-U+00FF, control characters escaped
// and the others raw (UTF-8 on the wire).
func TestGoldenAnnounceWithEscapedBinary(t *testing.T) {
	var ih, peerID [20]byte
	for i := range ih {
		ih[i] = byte(i)           // \u0000 ... \u0013, with \b \t \n \f \r short escapes
		peerID[i] = byte(236 + i) // ì í î ... ÿ
	}
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih)})
	c := e.dial()
	c.sendRaw(`{"action":"announce","info_hash":"\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000b\f\r\u000e\u000f\u0010\u0011\u0012\u0013",` +
		`"peer_id":"ìíîïðñòóôõö÷øùúûüýþÿ","numwant":0,"uploaded":0,"downloaded":0,"left":1000,"event":"started"}`)
	c.want(reply(ih, 0, 1))
	if st := e.tr.Stats(); st.Swarms != 1 || st.Peers != 1 || st.Sockets != 1 || st.Announces != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestOfferRelayedAndAnswerRelayedBack(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	a, b := e.dial(), e.dial()

	a.send(announce(ih1, pA, "started", 500))
	a.want(reply(ih1, 0, 1))

	offerID := hash20("offer 1")
	b.send(announce(ih1, pB, "started", 500, anOffer(offerID, offerSDP)))
	b.want(reply(ih1, 0, 2))
	// A gets B's offer, from B.
	a.want(map[string]any{"action": "announce", "info_hash": bin(ih1), "peer_id": bin(pB),
		"offer_id": bin(offerID), "offer": map[string]any{"type": "offer", "sdp": offerSDP}})

	// A answers; B gets the answer, from A; A gets no reply.
	a.send(map[string]any{"action": "announce", "info_hash": bin(ih1), "peer_id": bin(pA), "to_peer_id": bin(pB),
		"answer": map[string]any{"type": "answer", "sdp": answerSDP}, "offer_id": bin(offerID)})
	b.want(map[string]any{"action": "announce", "info_hash": bin(ih1), "peer_id": bin(pA),
		"offer_id": bin(offerID), "answer": map[string]any{"type": "answer", "sdp": answerSDP}})
	a.quiet(200 * time.Millisecond)
	b.quiet(50 * time.Millisecond)

	if st := e.tr.Stats(); st.OffersRelayed != 1 || st.AnswersRelayed != 1 || st.Announces != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// An announce's offers go one each to distinct other peers, never to the
// sender.
func TestOffersGoToDistinctPeers(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	var others []*client
	for i := range 6 {
		c := e.dial()
		c.send(announce(ih1, hash20("peer "+string(rune('a'+i))), "started", 1))
		c.recv()
		others = append(others, c)
	}
	b := e.dial()
	var offers []map[string]any
	for i := range 5 {
		offers = append(offers, anOffer(hash20("offer "+string(rune('a'+i))), offerSDP))
	}
	b.send(announce(ih1, pB, "started", 1, offers...))
	b.want(reply(ih1, 0, 7))
	got := map[any]bool{}
	idle := 0
	for _, c := range others {
		m, err := c.tryRecv(300 * time.Millisecond)
		if err != nil {
			idle++
			continue
		}
		if m["peer_id"] != bin(pB) || m["offer"] == nil || got[m["offer_id"]] {
			t.Fatalf("relayed %v", m)
		}
		got[m["offer_id"]] = true
		c.quiet(50 * time.Millisecond) // one offer per peer
	}
	if len(got) != 5 || idle != 1 {
		t.Fatalf("%d offers relayed, %d peers without one; want 5 and 1", len(got), idle)
	}
	b.quiet(50 * time.Millisecond) // never to the sender
}

// numwant is min(len(offers), 82): at most 82 offers are relayed.
func TestAtMost82OffersRelayed(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	many := e.dial() // one socket, 90 peers
	for i := range 90 {
		many.send(announce(ih1, hash20("peer "+string(rune('a'+i))), "started", 1))
		many.recv()
	}
	b := e.dial()
	offers := make([]map[string]any, 100)
	for i := range offers {
		offers[i] = anOffer(hash20("offer "+string(rune('a'+i))), offerSDP)
	}
	b.send(announce(ih1, pB, "started", 1, offers...))
	b.want(reply(ih1, 0, 91))
	seen := map[any]bool{}
	for range 82 {
		m := many.recv()
		if m["peer_id"] != bin(pB) || m["offer"] == nil {
			t.Fatalf("relayed %v", m)
		}
		seen[m["offer_id"]] = true
	}
	many.quiet(200 * time.Millisecond)
	if len(seen) != 82 {
		t.Fatalf("%d distinct offers relayed, want 82", len(seen))
	}
}

func TestScrape(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1, ih2)})
	a, b := e.dial(), e.dial()
	a.send(announce(ih1, pA, "started", 0))
	a.recv()
	b.send(announce(ih1, pB, "started", 10))
	b.recv()
	b.send(announce(ih2, pB, "started", 10))
	b.recv()
	unknown := hash20("no such video")

	file := func(complete, incomplete int) map[string]any {
		return map[string]any{"complete": float64(complete), "incomplete": float64(incomplete), "downloaded": float64(complete)}
	}
	flags := map[string]any{"min_request_interval": float64(600)}
	// One infohash, as a string.
	a.send(map[string]any{"action": "scrape", "info_hash": bin(ih1)})
	a.want(map[string]any{"action": "scrape", "files": map[string]any{bin(ih1): file(1, 1)}, "flags": flags})
	// A list, with an infohash no swarm has.
	a.send(map[string]any{"action": "scrape", "info_hash": []string{bin(ih1), bin(ih2), bin(unknown)}})
	a.want(map[string]any{"action": "scrape", "flags": flags,
		"files": map[string]any{bin(ih1): file(1, 1), bin(ih2): file(0, 1), bin(unknown): file(0, 0)}})
	// None: every swarm.
	a.send(map[string]any{"action": "scrape"})
	a.want(map[string]any{"action": "scrape", "flags": flags,
		"files": map[string]any{bin(ih1): file(1, 1), bin(ih2): file(0, 1)}})
	if st := e.tr.Stats(); st.Scrapes != 3 {
		t.Fatalf("stats %+v", st)
	}
}

// The events, as bittorrent-tracker's swarm applies them.
func TestEvents(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	a, b := e.dial(), e.dial()
	steps := []struct {
		c                    *client
		msg                  map[string]any
		complete, incomplete int
	}{
		{a, announce(ih1, pA, "started", 100), 0, 1},
		{b, announce(ih1, pB, "started", 0), 1, 1},              // left 0: a seeder
		{a, announce(ih1, pA, "started", 100), 1, 1},            // started again: an update
		{a, announce(ih1, pA, "", 50), 1, 1},                    // no event: update
		{a, announce(ih1, pA, "paused", 50), 1, 1},              // paused: update
		{a, announce(ih1, pA, "completed", 0), 2, 0},            // completed
		{a, announce(ih1, pA, "completed", 0), 2, 0},            // completed again: an update
		{b, announce(ih1, pB, "stopped", 0), 1, 0},              // stopped leaves
		{b, announce(ih1, pB, "stopped", 0), 1, 0},              // stopped again: nothing
		{b, announce(ih1, pB, "update", 10), 1, 1},              // update of an absent peer adds it
		{b, announce(ih1, pB, "empty", 0), 2, 0},                // "empty" is update; left 0 completes
		{b, announce(ih1, pB, "<regular>", 0), 2, 0},            // anacrolix's event for none: update
		{b, announce(ih1, pC, "completed", 5), 2, 1},            // completed of an absent peer: a start
		{b, announce(ih1, pC, "paused", 5), 2, 1},               // paused of a present one
		{b, announce(ih1, hash20("peer D"), "paused", 5), 2, 2}, // paused of an absent peer: a start
	}
	for i, s := range steps {
		s.c.send(s.msg)
		if got, want := s.c.recv(), reply(ih1, s.complete, s.incomplete); !equalJSON(got, want) {
			t.Fatalf("step %d (%v): got %v, want %v", i, s.msg["event"], got, want)
		}
	}
	// A missing left counts as incomplete (Number(undefined) is NaN).
	m := announce(ih1, hash20("peer E"), "started", 0)
	delete(m, "left")
	a.send(m)
	a.want(reply(ih1, 2, 3))
}

func equalJSON(a, b map[string]any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Stopped and a closed socket take the peer out: its counts go, and
// offers no longer reach it.
func TestStoppedAndCloseRemovePeer(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1, ih2)})
	a, b, watcher := e.dial(), e.dial(), e.dial()
	a.send(announce(ih1, pA, "started", 1))
	a.recv()
	a.send(announce(ih2, pA, "started", 1))
	a.recv()
	b.send(announce(ih1, pB, "started", 1))
	b.recv()
	if c, i := watcher.counts(ih1); c != 0 || i != 2 {
		t.Fatalf("counts %d %d", c, i)
	}

	b.send(announce(ih1, pB, "stopped", 1))
	b.want(reply(ih1, 0, 1))
	// B is gone: A's offer finds nobody to go to.
	a.send(announce(ih1, pA, "", 1, anOffer(hash20("o"), offerSDP)))
	a.want(reply(ih1, 0, 1))
	b.quiet(100 * time.Millisecond)

	// A closes its socket: it leaves both swarms.
	_ = a.ws.Close()
	deadline := time.Now().Add(5 * time.Second)
	for e.tr.Stats().Peers != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := e.tr.Stats(); st.Peers != 0 || st.Swarms != 0 || st.Sockets != 2 {
		t.Fatalf("after close: %+v", st)
	}
	if c, i := watcher.counts(ih2); c != 0 || i != 0 {
		t.Fatalf("counts %d %d", c, i)
	}
}

// A stopped naming another socket's peer changes nothing: peer ids are
// public, and the seed must not be made to leave by anyone else.
func TestStoppedFromAnotherSocketIgnored(t *testing.T) {
	e := newEnv(t, tracker.Config{})
	a, b := e.dial(), e.dial()
	a.send(announce(ih1, pA, "started", 0))
	a.want(reply(ih1, 1, 0))
	b.send(announce(ih1, pA, "stopped", 0))
	b.want(reply(ih1, 1, 0))
	a.send(announce(ih1, pA, "stopped", 0))
	a.want(reply(ih1, 0, 0))
}

func TestCloseEndsSockets(t *testing.T) {
	e := newEnv(t, tracker.Config{})
	c := e.dial()
	c.send(announce(ih1, pA, "started", 1))
	c.recv()
	_ = e.tr.Close()
	if _, err := c.tryRecv(5 * time.Second); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Fatalf("socket still open after Close: %v", err)
	}
}
