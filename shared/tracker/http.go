package tracker

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/anacrolix/torrent/bencode"
)

// The HTTP tracker (BEP 3, with BEP 23 compact peer lists), as
// bittorrent-tracker's HTTP server answers: a bencoded dictionary, a
// failure as {"failure reason": ...} with status 200. Its swarms are the
// WebSocket tracker's; an HTTP announce gets HTTP peers only.

// defaultNumwant is bittorrent-tracker's DEFAULT_ANNOUNCE_PEERS.
const defaultNumwant = 50

type httpPeer struct {
	PeerID string `bencode:"peer id"`
	IP     string `bencode:"ip"`
	Port   uint16 `bencode:"port"`
}

func writeBencode(w http.ResponseWriter, v any) {
	b, err := bencode.Marshal(v)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(b)
}

func (t *Tracker) httpFail(w http.ResponseWriter, reason string) {
	t.counts.failures.Add(1)
	writeBencode(w, map[string]any{"failure reason": reason})
}

// queryID reads a parameter that must be given once, as 20 bytes.
func queryID(q url.Values, name string) ([20]byte, bool) {
	var id [20]byte
	v := q[name]
	if len(v) != 1 || len(v[0]) != len(id) {
		return id, false
	}
	copy(id[:], v[0])
	return id, true
}

// jsNumber is JavaScript's Number(s) for a query parameter: NaN (ok
// false) when it is missing or not a number, 0 when it is empty.
func jsNumber(q url.Values, name string) (float64, bool) {
	if !q.Has(name) {
		return 0, false
	}
	s := strings.TrimSpace(q.Get(name))
	if s == "" {
		return 0, true
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

func (t *Tracker) serveAnnounce(w http.ResponseWriter, r *http.Request) {
	ip := t.cfg.ClientIP(r)
	now := t.cfg.Now()
	q, _ := url.ParseQuery(r.URL.RawQuery)
	if t.blocks.blocked(ip, now) {
		t.httpFail(w, reasonBlocked)
		return
	}
	if !t.messages.hit(ip, now) {
		t.httpFail(w, reasonTooMany)
		return
	}
	infoHash, ok := queryID(q, "info_hash")
	if !ok {
		t.httpFail(w, "invalid info_hash")
		return
	}
	peerID, ok := queryID(q, "peer_id")
	if !ok {
		t.httpFail(w, "invalid peer_id")
		return
	}
	port, ok := jsNumber(q, "port")
	if !ok || port < 1 || port > 65535 || port != float64(int(port)) {
		t.httpFail(w, "invalid port")
		return
	}
	event := q.Get("event")
	switch event {
	case "", "empty":
		event = "update"
	case "started", "stopped", "completed", "update", "paused":
	default:
		t.httpFail(w, "invalid event")
		return
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		t.httpFail(w, "invalid client address")
		return
	}
	left, ok := jsNumber(q, "left")
	compact, _ := jsNumber(q, "compact")
	numwant, _ := jsNumber(q, "numwant")
	if numwant == 0 {
		numwant = defaultNumwant
	}
	if reason, _ := t.admit(ip, infoHash, peerID, false, false); reason != "" {
		t.httpFail(w, reason)
		return
	}

	self := peerKey{addr: netip.AddrPortFrom(addr.Unmap(), uint16(port))}
	t.mu.Lock()
	t.sweep(now)
	s := t.swarmFor(infoHash, now)
	t.announce(s, announcement{key: self, id: peerID, event: event, complete: ok && left == 0}, now)
	res := map[string]any{"complete": s.complete, "incomplete": s.incomplete, "interval": seconds(t.cfg.HTTPInterval)}
	peers := s.pick(int(min(numwant, maxOffers)), self)
	var v4, v6 []byte
	var full []httpPeer
	for _, p := range peers {
		a := p.key.addr
		full = append(full, httpPeer{PeerID: string(p.id[:]), IP: a.Addr().String(), Port: a.Port()})
		port := []byte{byte(a.Port() >> 8), byte(a.Port())}
		if a.Addr().Is4() {
			ip4 := a.Addr().As4()
			v4 = append(append(v4, ip4[:]...), port...)
		} else {
			ip16 := a.Addr().As16()
			v6 = append(append(v6, ip16[:]...), port...)
		}
	}
	t.dropIfEmpty(s)
	t.mu.Unlock()
	t.counts.announces.Add(1)

	if compact == 1 {
		res["peers"], res["peers6"] = string(v4), string(v6)
	} else {
		if full == nil {
			full = []httpPeer{}
		}
		res["peers"] = full
	}
	writeBencode(w, res)
}

func (t *Tracker) serveScrape(w http.ResponseWriter, r *http.Request) {
	ip := t.cfg.ClientIP(r)
	if !t.messages.hit(ip, t.cfg.Now()) {
		t.httpFail(w, reasonTooMany)
		return
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	var infoHashes [][20]byte
	for _, v := range q["info_hash"] {
		if len(v) != 20 {
			t.httpFail(w, "invalid info_hash")
			return
		}
		infoHashes = append(infoHashes, [20]byte([]byte(v)))
	}
	reply := t.scrapeReply(infoHashes, func(ih [20]byte) string { return string(ih[:]) })
	writeBencode(w, map[string]any{"files": reply.Files, "flags": reply.Flags})
}
