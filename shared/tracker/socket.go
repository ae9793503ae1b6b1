package tracker

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// maxMessageBytes bounds one WebSocket message (a browser's announce
	// with 5 offers is about 10 KB).
	maxMessageBytes = 64 << 10
	// sendQueue is how many messages may wait for a slow socket before it
	// is closed.
	sendQueue = 256
	writeWait = 10 * time.Second
	// pingEvery keeps idle sockets open through load balancers (an ALB
	// closes a connection idle for 60 s by default) and finds dead ones.
	pingEvery = 30 * time.Second
	readWait  = 2*pingEvery + 15*time.Second
)

var upgrader = websocket.Upgrader{
	ReadBufferSize:  4096,
	WriteBufferSize: 4096,
	// Any page may use the tracker: players embedded elsewhere, other
	// instances' players.
	CheckOrigin: func(*http.Request) bool { return true },
}

// conn is one client's WebSocket.
type conn struct {
	t    *Tracker
	ws   *websocket.Conn
	ip   string
	out  chan []byte // nil asks the writer to close the socket
	done chan struct{}
	once sync.Once
	// joined lists the swarm peers announced on this socket (guarded by
	// Tracker.mu): they leave when it closes.
	joined map[joinKey]struct{}
}

func (t *Tracker) serveSocket(w http.ResponseWriter, r *http.Request) {
	ip := t.cfg.ClientIP(r)
	if t.blocks.blocked(ip, t.cfg.Now()) {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade answered the request
	}
	c := &conn{t: t, ws: ws, ip: ip, out: make(chan []byte, sendQueue), done: make(chan struct{}), joined: map[joinKey]struct{}{}}
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		_ = ws.Close()
		return
	}
	t.conns[c] = struct{}{}
	t.mu.Unlock()

	go c.writeLoop()
	c.readLoop()
	c.kill()
	t.leave(c)
}

// leave takes a closed socket's peers out of their swarms: a closed socket
// is a stopped announce in every swarm it joined.
func (t *Tracker) leave(c *conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns, c)
	for jk := range c.joined {
		s := t.swarms[jk.infoHash]
		if s == nil {
			continue
		}
		if p := s.peers[peerKey{ws: true, id: jk.peerID}]; p != nil && p.conn == c {
			t.removePeer(s, p)
		}
		t.dropIfEmpty(s)
	}
	clear(c.joined)
}

func (c *conn) readLoop() {
	c.ws.SetReadLimit(maxMessageBytes)
	_ = c.ws.SetReadDeadline(time.Now().Add(readWait))
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(readWait)) })
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		_ = c.ws.SetReadDeadline(time.Now().Add(readWait))
		c.t.onMessage(c, data)
		select {
		case <-c.done:
			return
		default:
		}
	}
}

func (c *conn) writeLoop() {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	defer c.kill()
	for {
		select {
		case <-c.done:
			return
		case b := <-c.out:
			_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
			if b == nil {
				_ = c.ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "unknown infoHash"))
				return
			}
			if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		}
	}
}

// kill closes the socket now.
func (c *conn) kill() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
	})
}

// enqueue queues one message; a socket too slow to take it is closed.
func (c *conn) enqueue(b []byte) {
	select {
	case <-c.done:
	case c.out <- b:
	default:
		c.kill()
	}
}

func (c *conn) send(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		c.t.cfg.Log.Error("tracker message", "err", err)
		return
	}
	c.enqueue(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func (c *conn) fail(f *failure) {
	c.t.counts.failures.Add(1)
	c.send(f)
}

// announceReply answers an announce (not an answer).
type announceReply struct {
	Action     string `json:"action"`
	InfoHash   string `json:"info_hash"`
	Complete   int    `json:"complete"`
	Incomplete int    `json:"incomplete"`
	Interval   int    `json:"interval"`
}

// relay is an offer or an answer forwarded to another peer; PeerID is the
// sender's.
type relay struct {
	Action   string          `json:"action"`
	Offer    json.RawMessage `json:"offer,omitempty"`
	Answer   json.RawMessage `json:"answer,omitempty"`
	OfferID  json.RawMessage `json:"offer_id,omitempty"`
	PeerID   string          `json:"peer_id"`
	InfoHash string          `json:"info_hash"`
}

type scrapeFile struct {
	Complete   int `json:"complete" bencode:"complete"`
	Incomplete int `json:"incomplete" bencode:"incomplete"`
	Downloaded int `json:"downloaded" bencode:"downloaded"`
}

type scrapeFlags struct {
	MinRequestInterval int `json:"min_request_interval" bencode:"min_request_interval"`
}

type scrapeReply struct {
	Action string                `json:"action"`
	Files  map[string]scrapeFile `json:"files"`
	Flags  scrapeFlags           `json:"flags"`
}

func (t *Tracker) onMessage(c *conn, data []byte) {
	m, f := parseMessage(data)
	limited := m.action != "announce" || !t.permanent(m.peerID, c.ip)
	if limited && !t.messages.hit(c.ip, t.cfg.Now()) {
		if f == nil {
			f = &failure{Reason: reasonTooMany}
			if m.action == "announce" {
				f.Action, f.InfoHash = "announce", binaryString(m.infoHash[:])
			}
		}
	}
	if f != nil {
		c.fail(f)
		return
	}
	if m.action == "scrape" {
		c.send(t.scrapeReply(m.scrape, func(ih [20]byte) string { return binaryString(ih[:]) }))
		return
	}
	t.onAnnounce(c, m)
}

func (t *Tracker) scrapeReply(infoHashes [][20]byte, key func([20]byte) string) scrapeReply {
	counts := t.scrapeCounts(infoHashes)
	r := scrapeReply{Action: "scrape", Files: make(map[string]scrapeFile, len(counts)),
		Flags: scrapeFlags{MinRequestInterval: seconds(t.cfg.HTTPInterval)}}
	for ih, n := range counts {
		r.Files[key(ih)] = scrapeFile{Complete: n[0], Incomplete: n[1], Downloaded: n[0]}
	}
	return r
}

func (t *Tracker) onAnnounce(c *conn, m message) {
	ih := binaryString(m.infoHash[:])
	if reason, unknown := t.admit(c.ip, m.infoHash, m.peerID, true, m.answer != nil); reason != "" {
		c.fail(&failure{Action: "announce", Reason: reason, InfoHash: ih})
		if unknown {
			c.enqueue(nil) // PeerTube closes the socket and blocks the IP
		}
		return
	}
	now := t.cfg.Now()
	self := peerKey{ws: true, id: m.peerID}

	t.mu.Lock()
	t.sweep(now)
	s := t.swarmFor(m.infoHash, now)
	t.announce(s, announcement{key: self, id: m.peerID, conn: c, event: m.event, complete: m.complete}, now)
	reply := announceReply{Action: "announce", InfoHash: ih, Complete: s.complete, Incomplete: s.incomplete, Interval: seconds(t.cfg.Interval)}
	var targets []*peer
	if m.event != "stopped" {
		targets = s.pick(len(m.offers), self)
	}
	var to *conn
	if m.answer != nil {
		if p := s.peers[peerKey{ws: true, id: m.toPeerID}]; p != nil {
			to = p.conn
		}
	}
	t.dropIfEmpty(s)
	t.mu.Unlock()

	if m.answer == nil {
		t.counts.announces.Add(1)
		c.send(reply)
	}
	sender := binaryString(m.peerID[:])
	for i, p := range targets {
		p.conn.send(relay{Action: "announce", Offer: m.offers[i].offer, OfferID: m.offers[i].offerID, PeerID: sender, InfoHash: ih})
		t.counts.offers.Add(1)
	}
	if to != nil {
		to.send(relay{Action: "announce", Answer: m.answer, OfferID: m.offerID, PeerID: sender, InfoHash: ih})
		t.counts.answers.Add(1)
	}
}
