package seed

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// relay is a minimal WebSocket tracker for the tests: it speaks the part
// of bittorrent-tracker's protocol a WebRTC swarm needs (announce with
// offers, offers forwarded to one other peer of the swarm, answers relayed
// to the offerer) and nothing else: no expiry, no scrape, no limits.
//
// Unlike bittorrent-tracker it forwards no offer from a complete peer to
// another complete one, and at most one offer a second from one peer to
// another: anacrolix offers again each time an offer of its is answered,
// so two anacrolix clients would keep offering each other (a new WebRTC
// connection every few milliseconds, each dropped as a duplicate) for as
// long as they run.
type relay struct {
	up websocket.Upgrader

	mu     sync.Mutex
	swarms map[string]map[string]*relayConn // info_hash → peer_id → conn
	// complete says which peers announced left = 0, by info_hash+peer_id.
	complete map[string]bool
	// forwarded is when an offer last went from one peer to another, by
	// info_hash+sender+receiver.
	forwarded map[string]time.Time
	// announces counts announces by peer_id.
	announces map[string]int
}

type relayConn struct {
	mu sync.Mutex
	c  *websocket.Conn
}

func (c *relayConn) send(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.c.WriteMessage(websocket.TextMessage, b)
}

// relayMsg is an announce, as clients send it. The binary strings
// (info_hash, peer_id, …) stay as decoded: one rune per byte, the same
// string each time, re-encoded the same way.
type relayMsg struct {
	Action   string          `json:"action"`
	InfoHash string          `json:"info_hash"`
	PeerID   string          `json:"peer_id"`
	ToPeerID string          `json:"to_peer_id,omitempty"`
	OfferID  string          `json:"offer_id,omitempty"`
	Answer   json.RawMessage `json:"answer,omitempty"`
	Event    string          `json:"event,omitempty"`
	Left     *int64          `json:"left,omitempty"`
	Offers   []struct {
		OfferID string          `json:"offer_id"`
		Offer   json.RawMessage `json:"offer"`
	} `json:"offers,omitempty"`
}

func newRelay() *relay {
	return &relay{swarms: map[string]map[string]*relayConn{}, complete: map[string]bool{}, forwarded: map[string]time.Time{}, announces: map[string]int{}}
}

func (r *relay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	c, err := r.up.Upgrade(w, req, nil)
	if err != nil {
		return
	}
	rc := &relayConn{c: c}
	joined := map[string]string{} // info_hash → peer_id of this socket
	defer func() {
		r.mu.Lock()
		for ih, id := range joined {
			if r.swarms[ih][id] == rc {
				delete(r.swarms[ih], id)
			}
		}
		r.mu.Unlock()
		_ = c.Close()
	}()
	for {
		_, b, err := c.ReadMessage()
		if err != nil {
			return
		}
		var m relayMsg
		if json.Unmarshal(b, &m) != nil || m.Action != "announce" || len([]rune(m.InfoHash)) != 20 || len([]rune(m.PeerID)) != 20 {
			rc.send(map[string]string{"failure reason": "invalid announce"})
			continue
		}
		r.announce(rc, m, joined)
	}
}

func (r *relay) announce(rc *relayConn, m relayMsg, joined map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.announces[m.PeerID]++
	if m.Answer != nil {
		if to := r.swarms[m.InfoHash][m.ToPeerID]; to != nil {
			go to.send(map[string]any{"action": "announce", "answer": m.Answer, "offer_id": m.OfferID, "peer_id": m.PeerID, "info_hash": m.InfoHash})
		}
		return
	}
	swarm := r.swarms[m.InfoHash]
	if swarm == nil {
		swarm = map[string]*relayConn{}
		r.swarms[m.InfoHash] = swarm
	}
	if m.Event == "stopped" {
		delete(swarm, m.PeerID)
		delete(joined, m.InfoHash)
		return
	}
	swarm[m.PeerID] = rc
	joined[m.InfoHash] = m.PeerID
	if m.Left != nil {
		r.complete[m.InfoHash+m.PeerID] = *m.Left == 0
	}
	senderComplete := r.complete[m.InfoHash+m.PeerID]
	go rc.send(map[string]any{"action": "announce", "info_hash": m.InfoHash, "complete": 0, "incomplete": len(swarm), "interval": 120})
	var others []string
	for id := range swarm {
		if id != m.PeerID && !(senderComplete && r.complete[m.InfoHash+id]) {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		return
	}
	for _, o := range m.Offers {
		id := others[rand.IntN(len(others))]
		pair := m.InfoHash + m.PeerID + id
		if time.Since(r.forwarded[pair]) < time.Second {
			continue
		}
		r.forwarded[pair] = time.Now()
		to := swarm[id]
		go to.send(map[string]any{"action": "announce", "offer": o.Offer, "offer_id": o.OfferID, "peer_id": m.PeerID, "info_hash": m.InfoHash})
	}
}

// announced reports how many announces a peer id made.
func (r *relay) announced(peerID [20]byte) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.announces[latin1(peerID[:])]
}

// latin1 is a binary string as the protocol's JSON carries it.
func latin1(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}
