package tracker

import (
	"container/list"
	"context"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// maxOffers is bittorrent-tracker's MAX_ANNOUNCE_PEERS: an announce's
// offers are relayed to at most this many peers.
const maxOffers = 82

// allowTimeout bounds one Allowed call.
const allowTimeout = 10 * time.Second

// Tracker is a WebTorrent tracker. It serves SocketPath, AnnouncePath and
// ScrapePath (ServeHTTP); New makes one, Close ends its sockets.
type Tracker struct {
	cfg Config

	ctx    context.Context
	cancel context.CancelFunc

	announces *window // per IP and infohash
	messages  *window // per IP
	blocks    blockList

	mu        sync.Mutex
	swarms    map[[20]byte]*swarm
	order     list.List // swarms, the most recently announced first
	peers     int
	conns     map[*conn]struct{}
	lastSweep time.Time
	closed    bool

	counts struct {
		announces, scrapes, offers, answers, failures, unknown atomic.Uint64
	}
}

var _ http.Handler = (*Tracker)(nil)

// New returns a tracker configured by cfg (zero fields take their
// defaults). It starts no goroutine of its own: expiry is swept as
// requests come.
func New(cfg Config) *Tracker {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &Tracker{
		cfg: cfg, ctx: ctx, cancel: cancel,
		announces: newWindow(cfg.AnnounceLimit),
		messages:  newWindow(cfg.MessageLimit),
		swarms:    map[[20]byte]*swarm{},
		conns:     map[*conn]struct{}{},
	}
}

// ServeHTTP serves GET SocketPath (the WebSocket tracker), AnnouncePath
// and ScrapePath (the HTTP tracker); other paths are 404.
func (t *Tracker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var h func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case SocketPath:
		h = t.serveSocket
	case AnnouncePath:
		h = t.serveAnnounce
	case ScrapePath:
		h = t.serveScrape
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	h(w, r)
}

// Close closes every socket; the tracker refuses new ones afterwards.
func (t *Tracker) Close() error {
	t.mu.Lock()
	t.closed = true
	conns := make([]*conn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	for _, c := range conns {
		c.kill()
	}
	t.cancel()
	return nil
}

// Stats are the tracker's counters, for a metrics endpoint.
type Stats struct {
	// Swarms, Peers and Sockets are what the tracker holds now.
	Swarms  int `json:"swarms"`
	Peers   int `json:"peers"`
	Sockets int `json:"sockets"`
	// Announces counts the announces accepted (answers excepted), Scrapes
	// the scrapes answered, since the start.
	Announces uint64 `json:"announces"`
	Scrapes   uint64 `json:"scrapes"`
	// OffersRelayed and AnswersRelayed count the WebRTC offers and answers
	// forwarded from one peer to another.
	OffersRelayed  uint64 `json:"offersRelayed"`
	AnswersRelayed uint64 `json:"answersRelayed"`
	// Failures counts the failure reasons sent, UnknownInfoHashes the
	// announces refused for an infohash not allowed.
	Failures          uint64 `json:"failures"`
	UnknownInfoHashes uint64 `json:"unknownInfoHashes"`
}

// Stats returns the tracker's counters.
func (t *Tracker) Stats() Stats {
	t.mu.Lock()
	st := Stats{Swarms: len(t.swarms), Peers: t.peers, Sockets: len(t.conns)}
	t.mu.Unlock()
	st.Announces = t.counts.announces.Load()
	st.Scrapes = t.counts.scrapes.Load()
	st.OffersRelayed = t.counts.offers.Load()
	st.AnswersRelayed = t.counts.answers.Load()
	st.Failures = t.counts.failures.Load()
	st.UnknownInfoHashes = t.counts.unknown.Load()
	return st
}

// Failure reasons shared by both transports.
const (
	reasonTooMany  = "Too many requests"
	reasonInternal = "Internal error"
	reasonBlocked  = "Blocked for a while: unknown infoHash requested"
)

// permanent reports whether a peer is the instance's seed: its id is one
// Config.Permanent names and it connects from a loopback address (the seed
// announces to its own tracker on 127.0.0.1). A viewer who announces with
// the seed's id, which every peer of its swarms sees, gets nothing of it.
func (t *Tracker) permanent(peerID [20]byte, ip string) bool {
	if t.cfg.Permanent == nil || !t.cfg.Permanent(peerID) {
		return false
	}
	addr, err := netip.ParseAddr(ip)
	return err == nil && addr.Unmap().IsLoopback()
}

// admit is PeerTube's tracker filter for one announce: the per-IP and
// infohash rate limit (answers not counted), then the allow-list. It
// returns "" to go on, or the failure reason and whether the infohash is
// unknown (the IP is then blocked, unless the peer is permanent).
func (t *Tracker) admit(ip string, infoHash, peerID [20]byte, ws, answer bool) (reason string, unknown bool) {
	now := t.cfg.Now()
	permanent := ws && t.permanent(peerID, ip)
	if !permanent && !answer && !t.announces.hit(ip+"\x00"+string(infoHash[:]), now) {
		return reasonTooMany, false
	}
	if t.cfg.Allowed == nil {
		return "", false
	}
	ctx, cancel := context.WithTimeout(t.ctx, allowTimeout)
	defer cancel()
	ok, err := t.cfg.Allowed(ctx, infoHash)
	if err != nil {
		t.cfg.Log.Warn("tracker allow-list", slog.String("info_hash", hex.EncodeToString(infoHash[:])), slog.Any("err", err))
		return reasonInternal, false
	}
	if ok {
		return "", false
	}
	t.counts.unknown.Add(1)
	if !permanent && t.cfg.BlockFor > 0 {
		t.blocks.block(ip, now.Add(t.cfg.BlockFor), now)
	}
	return "Unknown infoHash " + hex.EncodeToString(infoHash[:]), !permanent
}

// maxScrapeAll bounds a scrape that names no infohash: it lists the
// swarms announced most recently.
const maxScrapeAll = 1000

// scrapeCounts returns the counts of each infohash (0 for an unknown one),
// or of the swarms announced most recently when infoHashes is nil.
func (t *Tracker) scrapeCounts(infoHashes [][20]byte) map[[20]byte][2]int {
	now := t.cfg.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	out := map[[20]byte][2]int{}
	if infoHashes == nil {
		for e := t.order.Front(); e != nil && len(infoHashes) < maxScrapeAll; e = e.Next() {
			infoHashes = append(infoHashes, e.Value.(*swarm).infoHash)
		}
	}
	for _, ih := range infoHashes {
		var c [2]int
		if s := t.lookup(ih, now); s != nil {
			c = [2]int{s.complete, s.incomplete}
		}
		out[ih] = c
	}
	t.counts.scrapes.Add(1)
	return out
}
