package tracker_test

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/vidiverse/vidiverse/shared/tracker"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// hash20 is a test id: the SHA-1 of s, so it has bytes of every range
// (controls, ASCII, 0x80 and above).
func hash20(s string) [20]byte { return sha1.Sum([]byte(s)) }

// bin is the WebSocket protocol's form of an id: one character per byte,
// as JavaScript's Buffer.toString('binary') gives it.
func bin(b [20]byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// env is a tracker on a loopback server.
type env struct {
	t     *testing.T
	tr    *tracker.Tracker
	srv   *httptest.Server
	clock *clock
}

// allowOnly allows the given infohashes and counts the calls.
func allowOnly(ihs ...[20]byte) func(context.Context, [20]byte) (bool, error) {
	return func(_ context.Context, ih [20]byte) (bool, error) {
		for _, x := range ihs {
			if x == ih {
				return true, nil
			}
		}
		return false, nil
	}
}

// newEnv starts a tracker (with no rate limits unless cfg sets them).
func newEnv(t *testing.T, cfg tracker.Config) *env {
	t.Helper()
	c := newClock()
	if cfg.Now == nil {
		cfg.Now = c.Now
	}
	// Every client here is 127.0.0.1: only the tests of the limits set
	// them.
	if cfg.AnnounceLimit.Max == 0 {
		cfg.AnnounceLimit.Max = -1
	}
	if cfg.MessageLimit.Max == 0 {
		cfg.MessageLimit.Max = -1
	}
	tr := tracker.New(cfg)
	mux := http.NewServeMux()
	mux.Handle("GET "+tracker.PathPrefix, tr)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		_ = tr.Close()
		srv.Close()
	})
	return &env{t: t, tr: tr, srv: srv, clock: c}
}

func (e *env) wsURL() string {
	return "ws" + strings.TrimPrefix(e.srv.URL, "http") + tracker.SocketPath
}

// client is a WebSocket client of the tracker.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func (e *env) dial() *client {
	e.t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(e.wsURL(), nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		e.t.Fatalf("dial tracker: %v (status %d)", err, status)
	}
	e.t.Cleanup(func() { _ = ws.Close() })
	return &client{t: e.t, ws: ws}
}

// sendRaw sends one text message as it is.
func (c *client) sendRaw(s string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(s)); err != nil {
		c.t.Fatalf("send: %v", err)
	}
}

func (c *client) send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(string(b))
}

// recv reads the next message as a JSON object.
func (c *client) recv() map[string]any {
	c.t.Helper()
	m, err := c.tryRecv(5 * time.Second)
	if err != nil {
		c.t.Fatalf("receive: %v", err)
	}
	return m
}

func (c *client) tryRecv(wait time.Duration) (map[string]any, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(wait))
	_, data, err := c.ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, errors.New("not a JSON object: " + string(data))
	}
	return m, nil
}

// quiet checks that nothing arrives for a while.
func (c *client) quiet(wait time.Duration) {
	c.t.Helper()
	if m, err := c.tryRecv(wait); err == nil {
		c.t.Fatalf("unexpected message %v", m)
	}
}

// want checks the next message is exactly want.
func (c *client) want(want map[string]any) {
	c.t.Helper()
	if got := c.recv(); !reflect.DeepEqual(got, want) {
		c.t.Fatalf("got message\n  %v\nwant\n  %v", got, want)
	}
}

// announce is a browser's announce (webtorrent 3.0.21's fields).
func announce(ih, peerID [20]byte, event string, left int, offers ...map[string]any) map[string]any {
	m := map[string]any{
		"action": "announce", "info_hash": bin(ih), "peer_id": bin(peerID),
		"numwant": len(offers), "uploaded": 0, "downloaded": 0, "left": left,
	}
	if event != "" {
		m["event"] = event
	}
	if len(offers) > 0 {
		m["offers"] = offers
	}
	return m
}

func anOffer(id [20]byte, sdp string) map[string]any {
	return map[string]any{"offer_id": bin(id), "offer": map[string]any{"type": "offer", "sdp": sdp}}
}

// reply is the tracker's answer to an announce.
func reply(ih [20]byte, complete, incomplete int) map[string]any {
	return map[string]any{"action": "announce", "info_hash": bin(ih), "complete": float64(complete),
		"incomplete": float64(incomplete), "interval": float64(120)}
}

func failure(reason string) map[string]any { return map[string]any{"failure reason": reason} }

func announceFailure(ih [20]byte, reason string) map[string]any {
	return map[string]any{"action": "announce", "failure reason": reason, "info_hash": bin(ih)}
}

// scrape asks for the counts of infohashes by WebSocket.
func (c *client) scrape(ihs ...[20]byte) map[string]any {
	c.t.Helper()
	list := make([]string, len(ihs))
	for i, ih := range ihs {
		list[i] = bin(ih)
	}
	c.send(map[string]any{"action": "scrape", "info_hash": list})
	m := c.recv()
	if m["action"] != "scrape" {
		c.t.Fatalf("scrape answered %v", m)
	}
	return m
}

// counts returns complete and incomplete of one swarm, by scrape.
func (c *client) counts(ih [20]byte) (complete, incomplete int) {
	c.t.Helper()
	files, _ := c.scrape(ih)["files"].(map[string]any)
	f, _ := files[bin(ih)].(map[string]any)
	if f == nil {
		c.t.Fatalf("scrape has no file %x: %v", ih, files)
	}
	return int(f["complete"].(float64)), int(f["incomplete"].(float64))
}

// jsonString is s as a JSON string literal.
func jsonString(s string) (string, error) {
	b, err := json.Marshal(s)
	return string(b), err
}
