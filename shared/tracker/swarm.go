package tracker

import (
	"container/list"
	"math/rand/v2"
	"net/netip"
	"time"
)

// Every function here runs with Tracker.mu held.

// peerKey names a peer in its swarm: a WebSocket peer by its peer id, an
// HTTP peer by its address, as bittorrent-tracker keys them.
type peerKey struct {
	ws   bool
	id   [20]byte
	addr netip.AddrPort
}

// joinKey names a WebSocket peer of a swarm, for its connection to leave
// every swarm it joined when it closes.
type joinKey struct {
	infoHash, peerID [20]byte
}

type peer struct {
	key       peerKey
	id        [20]byte
	conn      *conn // WebSocket peers
	complete  bool
	permanent bool
	announced time.Time
	// elem is the peer's place in swarm.order; nil for a permanent peer.
	elem *list.Element
}

type swarm struct {
	infoHash             [20]byte
	peers                map[peerKey]*peer
	complete, incomplete int
	permanent            int
	// order holds the peers that may expire, the most recently announced
	// first.
	order list.List
	// elem is the swarm's place in Tracker.order.
	elem *list.Element
}

// announcement is one announce's say about its peer.
type announcement struct {
	key      peerKey
	id       [20]byte
	conn     *conn
	event    string
	complete bool // left is 0
}

// lookup returns the swarm of infoHash with its expired peers gone, or nil.
func (t *Tracker) lookup(infoHash [20]byte, now time.Time) *swarm {
	s := t.swarms[infoHash]
	if s == nil {
		return nil
	}
	t.expire(s, now)
	if t.dropIfEmpty(s) {
		return nil
	}
	return s
}

// swarmFor returns the swarm of infoHash, made if need be, as the most
// recently used. A new swarm past MaxSwarms drops the least recently used
// one, preferring one without permanent peers.
func (t *Tracker) swarmFor(infoHash [20]byte, now time.Time) *swarm {
	if s := t.lookup(infoHash, now); s != nil {
		t.order.MoveToFront(s.elem)
		return s
	}
	if len(t.swarms) >= t.cfg.MaxSwarms {
		victim := t.order.Back()
		for e, n := victim, 0; e != nil && n < 16; e, n = e.Prev(), n+1 {
			if e.Value.(*swarm).permanent == 0 {
				victim = e
				break
			}
		}
		if victim != nil {
			s := victim.Value.(*swarm)
			for _, p := range s.peers {
				t.removePeer(s, p)
			}
			t.dropIfEmpty(s)
		}
	}
	s := &swarm{infoHash: infoHash, peers: map[peerKey]*peer{}}
	s.elem = t.order.PushFront(s)
	t.swarms[infoHash] = s
	return s
}

// dropIfEmpty forgets a swarm without peers (its counts are then 0, as
// an unknown swarm's are).
func (t *Tracker) dropIfEmpty(s *swarm) bool {
	if len(s.peers) > 0 {
		return false
	}
	if t.swarms[s.infoHash] == s {
		delete(t.swarms, s.infoHash)
		t.order.Remove(s.elem)
	}
	return true
}

// expire drops the peers whose last announce is PeerTTL old.
func (t *Tracker) expire(s *swarm, now time.Time) {
	for e := s.order.Back(); e != nil; e = s.order.Back() {
		p := e.Value.(*peer)
		if now.Sub(p.announced) < t.cfg.PeerTTL {
			return
		}
		t.removePeer(s, p)
	}
}

// sweep expires the peers of every swarm, at most once a minute.
func (t *Tracker) sweep(now time.Time) {
	if now.Sub(t.lastSweep) < time.Minute && !now.Before(t.lastSweep) {
		return
	}
	t.lastSweep = now
	for _, s := range t.swarms {
		t.expire(s, now)
		t.dropIfEmpty(s)
	}
}

// announce applies an announce to its swarm with bittorrent-tracker's
// event semantics: started adds the peer (an update if it is there),
// stopped removes it, completed marks it complete (adding it if need be),
// and update or paused refreshes it (adding it if need be), marking it
// complete when left is 0. A WebSocket peer stays bound to the socket
// that added it.
func (t *Tracker) announce(s *swarm, a announcement, now time.Time) {
	p := s.peers[a.key]
	switch {
	case a.event == "stopped":
		// Only from the peer's own socket: peer ids are public (every
		// relayed offer names its sender).
		if p != nil && p.conn == a.conn {
			t.removePeer(s, p)
		}
	case p == nil:
		t.addPeer(s, a, now)
	case a.event == "completed" && !p.complete:
		t.markComplete(s, p)
		t.touch(s, p, now)
	default:
		if a.complete && !p.complete {
			t.markComplete(s, p)
		}
		t.touch(s, p, now)
	}
}

func (t *Tracker) markComplete(s *swarm, p *peer) {
	p.complete = true
	s.complete++
	s.incomplete--
}

func (t *Tracker) touch(s *swarm, p *peer, now time.Time) {
	p.announced = now
	if p.elem != nil {
		s.order.MoveToFront(p.elem)
	}
}

// addPeer adds a peer; a full swarm first drops the peer that announced
// least recently (never a permanent one).
func (t *Tracker) addPeer(s *swarm, a announcement, now time.Time) {
	if len(s.peers) >= t.cfg.MaxPeers {
		if e := s.order.Back(); e != nil {
			t.removePeer(s, e.Value.(*peer))
		}
	}
	p := &peer{
		key: a.key, id: a.id, conn: a.conn, announced: now, complete: a.complete,
		permanent: a.conn != nil && t.permanent(a.id, a.conn.ip),
	}
	if p.permanent {
		s.permanent++
	} else {
		p.elem = s.order.PushFront(p)
	}
	if p.complete {
		s.complete++
	} else {
		s.incomplete++
	}
	s.peers[a.key] = p
	t.peers++
	if p.conn != nil {
		p.conn.joined[joinKey{s.infoHash, p.id}] = struct{}{}
	}
}

// removePeer takes a peer out of its swarm (which may be left empty: see
// dropIfEmpty).
func (t *Tracker) removePeer(s *swarm, p *peer) {
	if p.complete {
		s.complete--
	} else {
		s.incomplete--
	}
	if p.permanent {
		s.permanent--
	}
	if p.elem != nil {
		s.order.Remove(p.elem)
	}
	delete(s.peers, p.key)
	t.peers--
	if p.conn != nil {
		delete(p.conn.joined, joinKey{s.infoHash, p.id})
	}
}

// pick returns up to n peers of the swarm chosen at random, of the same
// transport as self (WebSocket peers get WebSocket peers), self excepted.
func (s *swarm) pick(n int, self peerKey) []*peer {
	if n <= 0 {
		return nil
	}
	cands := make([]*peer, 0, len(s.peers))
	for k, p := range s.peers {
		if k != self && k.ws == self.ws {
			cands = append(cands, p)
		}
	}
	n = min(n, len(cands))
	for i := range n {
		j := i + rand.IntN(len(cands)-i)
		cands[i], cands[j] = cands[j], cands[i]
	}
	return cands[:n]
}
