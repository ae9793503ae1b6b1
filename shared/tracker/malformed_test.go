package tracker_test

import (
	"context"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vidiverse/vidiverse/shared/tracker"
)

// Each malformed message gets a failure reason, and the socket stays
// usable.
func TestMalformedMessages(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	c := e.dial()
	ih, peer := `"`+jsonBin(ih1)+`"`, `"`+jsonBin(pA)+`"`
	cases := []struct {
		name, msg string
		want      map[string]any
	}{
		{"not JSON", `{"action":"announce",`, failure("invalid JSON: a message is a JSON object")},
		{"a list", `[]`, failure("invalid JSON: a message is a JSON object")},
		{"a number", `5`, failure("invalid JSON: a message is a JSON object")},
		{"null", `null`, failure("invalid JSON: a message is a JSON object")},
		{"no action", `{}`, failure("invalid action in WS request: undefined")},
		{"unknown action", `{"action":"connect"}`, failure("invalid action in WS request: connect")},
		{"action not a string", `{"action":7}`, failure("invalid action in WS request: 7")},
		{"no info_hash", `{"action":"announce","peer_id":` + peer + `}`, failure("invalid info_hash")},
		{"info_hash of 19", `{"action":"announce","info_hash":"abcdefghijklmnopqrs","peer_id":` + peer + `}`, failure("invalid info_hash")},
		{"info_hash of 21", `{"action":"announce","info_hash":"abcdefghijklmnopqrstu","peer_id":` + peer + `}`, failure("invalid info_hash")},
		{"info_hash a number", `{"action":"announce","info_hash":12345678901234567890,"peer_id":` + peer + `}`, failure("invalid info_hash")},
		{"info_hash past U+00FF", `{"action":"announce","info_hash":"€€€€€€€€€€€€€€€€€€€€","peer_id":` + peer + `}`, failure("invalid info_hash")},
		{"info_hash hex", `{"action":"announce","info_hash":"` + hex.EncodeToString(ih1[:]) + `","peer_id":` + peer + `}`, failure("invalid info_hash")},
		{"no peer_id", `{"action":"announce","info_hash":` + ih + `}`, failure("invalid peer_id")},
		{"peer_id short", `{"action":"announce","info_hash":` + ih + `,"peer_id":"-WW0300-"}`, failure("invalid peer_id")},
		{"answer without to_peer_id", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + peer + `,"answer":{"type":"answer","sdp":"x"},"offer_id":"x"}`,
			failure("invalid `to_peer_id` (required with `answer`)")},
		{"answer with a short to_peer_id", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + peer + `,"to_peer_id":"x","answer":{"type":"answer","sdp":"x"}}`,
			failure("invalid `to_peer_id` (required with `answer`)")},
		{"offers not a list", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + peer + `,"offers":{"offer_id":"x"}}`,
			failure("invalid offers: a list of objects")},
		{"an offer not an object", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + peer + `,"offers":["x"]}`,
			failure("invalid offers: a list of objects")},
		{"an offer without offer", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + peer + `,"offers":[{"offer_id":"x"}]}`,
			failure("invalid offers: each has an offer")},
		{"unknown event", `{"action":"announce","info_hash":` + ih + `,"peer_id":` + peer + `,"event":"bogus","left":1}`,
			announceFailure(ih1, "invalid event")},
		{"scrape info_hash a number", `{"action":"scrape","info_hash":5}`, failure("invalid info_hash")},
		{"scrape list with a bad one", `{"action":"scrape","info_hash":[` + ih + `,"short"]}`, failure("invalid info_hash")},
	}
	for _, tc := range cases {
		c.sendRaw(tc.msg)
		if got := c.recv(); !equalJSON(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
	// Binary frames are read as text, as the ws package does.
	if err := c.ws.WriteMessage(websocket.BinaryMessage, []byte(`{"action":"bogus"}`)); err != nil {
		t.Fatal(err)
	}
	c.want(failure("invalid action in WS request: bogus"))
	// The socket still works, and nothing joined a swarm.
	if st := e.tr.Stats(); st.Peers != 0 || st.Failures != uint64(len(cases))+1 {
		t.Fatalf("stats %+v", st)
	}
	c.send(announce(ih1, pA, "started", 1))
	c.want(reply(ih1, 0, 1))
}

// jsonBin is bin(b) as it goes between JSON quotes.
func jsonBin(b [20]byte) string {
	s, _ := jsonString(bin(b))
	return s[1 : len(s)-1]
}

// An oversized message closes the socket.
func TestOversizedMessageClosesSocket(t *testing.T) {
	e := newEnv(t, tracker.Config{})
	c := e.dial()
	big := make([]byte, 100<<10)
	for i := range big {
		big[i] = 'a'
	}
	_ = c.ws.WriteMessage(websocket.TextMessage, big)
	_, err := c.tryRecv(5 * time.Second)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.CloseMessageTooBig {
		t.Fatalf("got %v, want close 1009", err)
	}
}

// An unknown infohash is refused, the socket closed and the IP blocked
// (WebSocket and HTTP) for BlockFor.
func TestUnknownInfoHashBlocksIP(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	c := e.dial()
	c.send(announce(ih2, pA, "started", 1))
	c.want(announceFailure(ih2, "Unknown infoHash "+hex.EncodeToString(ih2[:])))
	_, err := c.tryRecv(5 * time.Second)
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
		t.Fatalf("got %v, want the socket closed (1008)", err)
	}

	_, resp, err := websocket.DefaultDialer.Dial(e.wsURL(), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("dial from a blocked IP: %v, %v", err, resp)
	}
	if got := httpAnnounce(t, e, ih1, pA, 6881, "started", "1"); got["failure reason"] != "Blocked for a while: unknown infoHash requested" {
		t.Fatalf("HTTP announce from a blocked IP: %v", got)
	}
	if st := e.tr.Stats(); st.UnknownInfoHashes != 1 || st.Peers != 0 || st.Swarms != 0 {
		t.Fatalf("stats %+v", st)
	}

	e.clock.Add(3*time.Minute + time.Second)
	c = e.dial()
	c.send(announce(ih1, pA, "started", 1))
	c.want(reply(ih1, 0, 1))
}

// A permanent peer (the instance's seed) asking for an unknown infohash
// gets the failure, but keeps its socket and its IP is not blocked.
func TestPermanentPeerNotBlocked(t *testing.T) {
	seed := hash20("seed")
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1), Permanent: func(id [20]byte) bool { return id == seed }})
	c := e.dial()
	c.send(announce(ih2, seed, "started", 0))
	c.want(announceFailure(ih2, "Unknown infoHash "+hex.EncodeToString(ih2[:])))
	c.send(announce(ih1, seed, "started", 0))
	c.want(reply(ih1, 1, 0))
	e.dial()
}

func TestAllowedError(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: func(_ context.Context, _ [20]byte) (bool, error) {
		return false, errors.New("table unreachable")
	}})
	c := e.dial()
	c.send(announce(ih1, pA, "started", 1))
	c.want(announceFailure(ih1, "Internal error"))
	c.send(announce(ih1, pA, "started", 1)) // not blocked, not closed
	c.want(announceFailure(ih1, "Internal error"))
}

// The seed's peer id is no secret: a viewer announcing it from another
// address gets none of the seed's exemptions (its unknown infohash blocks
// it like anyone else).
func TestPermanentOnlyFromLoopback(t *testing.T) {
	seed := hash20("seed")
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1), Permanent: func(id [20]byte) bool { return id == seed },
		ClientIP: func(*http.Request) string { return "203.0.113.7" }})
	c := e.dial()
	c.send(announce(ih2, seed, "started", 0))
	c.want(announceFailure(ih2, "Unknown infoHash "+hex.EncodeToString(ih2[:])))
	if _, err := c.tryRecv(2 * time.Second); err == nil {
		t.Fatal("the impersonating socket stayed open")
	}
	if _, resp, err := websocket.DefaultDialer.Dial(e.wsURL(), nil); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the impersonator's address is not blocked: %v", err)
	}
}
