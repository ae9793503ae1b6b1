package tracker_test

import (
	"encoding/binary"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/anacrolix/torrent/bencode"

	"github.com/vidiverse/vidiverse/shared/tracker"
)

// httpGet fetches a tracker path and decodes its bencoded answer.
func httpGet(t *testing.T, e *env, path string, q url.Values) map[string]any {
	t.Helper()
	resp, err := http.Get(e.srv.URL + path + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s %s", path, resp.Status, body)
	}
	var m map[string]any
	if err := bencode.Unmarshal(body, &m); err != nil {
		t.Fatalf("GET %s: %q: %v", path, body, err)
	}
	return m
}

func httpAnnounce(t *testing.T, e *env, ih, peerID [20]byte, port int, event, left string, extra ...string) map[string]any {
	t.Helper()
	q := url.Values{"info_hash": {string(ih[:])}, "peer_id": {string(peerID[:])}, "port": {strconv.Itoa(port)},
		"uploaded": {"0"}, "downloaded": {"0"}, "left": {left}, "compact": {"1"}}
	if event != "" {
		q.Set("event", event)
	}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return httpGet(t, e, tracker.AnnouncePath, q)
}

func TestHTTPAnnounceCompact(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	got := httpAnnounce(t, e, ih1, pA, 6881, "started", "100")
	if got["complete"] != int64(0) || got["incomplete"] != int64(1) || got["interval"] != int64(600) || got["peers"] != "" || got["peers6"] != "" {
		t.Fatalf("first announce: %v", got)
	}
	got = httpAnnounce(t, e, ih1, pB, 6882, "started", "0")
	if got["complete"] != int64(1) || got["incomplete"] != int64(1) {
		t.Fatalf("second announce: %v", got)
	}
	peers := []byte(got["peers"].(string))
	if len(peers) != 6 || [4]byte(peers[:4]) != [4]byte{127, 0, 0, 1} || binary.BigEndian.Uint16(peers[4:]) != 6881 {
		t.Fatalf("compact peers %v, want 127.0.0.1:6881", peers)
	}
	// Not compact: a list of dictionaries.
	got = httpAnnounce(t, e, ih1, pB, 6882, "", "0", "compact", "0")
	list, _ := got["peers"].([]any)
	if len(list) != 1 {
		t.Fatalf("peers %v", got["peers"])
	}
	p := list[0].(map[string]any)
	if p["peer id"] != string(pA[:]) || p["ip"] != "127.0.0.1" || p["port"] != int64(6881) {
		t.Fatalf("peer %v", p)
	}
	// Stopped leaves.
	got = httpAnnounce(t, e, ih1, pA, 6881, "stopped", "100")
	if got["complete"] != int64(1) || got["incomplete"] != int64(0) {
		t.Fatalf("stopped: %v", got)
	}
}

// HTTP and WebSocket peers share the swarm's counts, but each gets peers
// of its own kind only.
func TestHTTPAndWebSocketPeersApart(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	httpAnnounce(t, e, ih1, pA, 6881, "started", "0")
	c := e.dial()
	c.send(announce(ih1, pB, "started", 5, anOffer(hash20("o"), offerSDP)))
	c.want(reply(ih1, 1, 1))
	if st := e.tr.Stats(); st.OffersRelayed != 0 {
		t.Fatalf("an offer went to an HTTP peer: %+v", st)
	}
	got := httpAnnounce(t, e, ih1, pC, 6883, "started", "5")
	if got["complete"] != int64(1) || got["incomplete"] != int64(2) || len(got["peers"].(string)) != 6 {
		t.Fatalf("announce: %v", got)
	}
}

func TestHTTPFailures(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1)})
	cases := []struct {
		name string
		q    url.Values
		want string
	}{
		{"no info_hash", url.Values{"peer_id": {string(pA[:])}, "port": {"1"}}, "invalid info_hash"},
		{"short info_hash", url.Values{"info_hash": {"abc"}, "peer_id": {string(pA[:])}, "port": {"1"}}, "invalid info_hash"},
		{"two info_hash", url.Values{"info_hash": {string(ih1[:]), string(ih1[:])}, "peer_id": {string(pA[:])}, "port": {"1"}}, "invalid info_hash"},
		{"no peer_id", url.Values{"info_hash": {string(ih1[:])}, "port": {"1"}}, "invalid peer_id"},
		{"no port", url.Values{"info_hash": {string(ih1[:])}, "peer_id": {string(pA[:])}}, "invalid port"},
		{"port 0", url.Values{"info_hash": {string(ih1[:])}, "peer_id": {string(pA[:])}, "port": {"0"}}, "invalid port"},
		{"port too big", url.Values{"info_hash": {string(ih1[:])}, "peer_id": {string(pA[:])}, "port": {"70000"}}, "invalid port"},
		{"bad event", url.Values{"info_hash": {string(ih1[:])}, "peer_id": {string(pA[:])}, "port": {"1"}, "event": {"bogus"}}, "invalid event"},
	}
	for _, tc := range cases {
		if got := httpGet(t, e, tracker.AnnouncePath, tc.q); got["failure reason"] != tc.want || len(got) != 1 {
			t.Errorf("%s: got %v, want failure %q", tc.name, got, tc.want)
		}
	}
	if got := httpGet(t, e, tracker.ScrapePath, url.Values{"info_hash": {"abc"}}); got["failure reason"] != "invalid info_hash" {
		t.Errorf("scrape: got %v", got)
	}
	resp, err := http.Post(e.srv.URL+tracker.AnnouncePath, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s", resp.Status)
	}
}

func TestHTTPScrape(t *testing.T) {
	e := newEnv(t, tracker.Config{Allowed: allowOnly(ih1, ih2)})
	httpAnnounce(t, e, ih1, pA, 6881, "started", "0")
	httpAnnounce(t, e, ih1, pB, 6882, "started", "9")
	httpAnnounce(t, e, ih2, pB, 6882, "started", "9")
	got := httpGet(t, e, tracker.ScrapePath, url.Values{"info_hash": {string(ih1[:]), string(ih2[:])}})
	want := map[string]any{
		"files": map[string]any{
			string(ih1[:]): map[string]any{"complete": int64(1), "incomplete": int64(1), "downloaded": int64(1)},
			string(ih2[:]): map[string]any{"complete": int64(0), "incomplete": int64(1), "downloaded": int64(0)},
		},
		"flags": map[string]any{"min_request_interval": int64(600)},
	}
	if !equalJSON(got, want) {
		t.Fatalf("scrape: got %v, want %v", got, want)
	}
	all := httpGet(t, e, tracker.ScrapePath, nil)
	if files := all["files"].(map[string]any); len(files) != 2 {
		t.Fatalf("scrape of all: %v", all)
	}
}
