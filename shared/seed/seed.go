package seed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"
	"github.com/pion/stun/v3"
	"github.com/pion/webrtc/v4"
	"golang.org/x/time/rate"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
)

// Defaults of Config's zero fields.
const (
	DefaultRefresh    = 30 * time.Second
	DefaultCacheBytes = 64 << 20
	// minUploadBurst is the smallest token bucket of a capped upload: a
	// chunk request (16 KiB from webtorrent and anacrolix) longer than the
	// burst is refused, so leave room for clients that ask for 32 KiB.
	minUploadBurst = 64 << 10
)

// Config configures a Seed.
type Config struct {
	// Store lists the videos; the seed serves every file of the local
	// (Remote == nil) published ones.
	Store *store.Store
	// Blobs holds the media and their .torrent files.
	Blobs blob.Store
	// PublicURL is the instance's public origin, as the pipeline was
	// given it: the torrents' trackers were derived from it.
	PublicURL string
	// TrackerURL is the WebSocket tracker to announce to, in place of the
	// trackers written in the torrents. Default: the ws(s) tracker of
	// PublicURL (torrentfile.TrackerURLs).
	TrackerURL string
	// ICEServers are STUN URLs ("stun:stun.example.net:3478") the seed
	// gathers server-reflexive candidates from. None: host candidates only,
	// which reach peers on the same network.
	ICEServers []string
	// UploadRate caps the bytes per second sent to all peers; 0 = no cap.
	UploadRate int64
	// Refresh is how often the torrent set is brought in step with the
	// store. Default DefaultRefresh.
	Refresh time.Duration
	// DataDir is where the BitTorrent client may keep state; "" for none.
	// Piece data is never written (storage is blob storage, read-only).
	DataDir string
	// CacheBytes bounds the cache of pieces read from blob storage.
	// Default DefaultCacheBytes.
	CacheBytes int64
	// MaxPeersPerTorrent bounds the connections of one torrent; 0 keeps
	// the client's default (50).
	MaxPeersPerTorrent int
	// MaxTorrents bounds the torrents seeded (0: all): web videos before
	// HLS files, the most recently published videos first. Each torrent
	// costs an outstanding WebRTC offer (a pion PeerConnection with a UDP
	// socket per local address): about 14 goroutines, 7 file descriptors
	// and 80 KiB idle.
	MaxTorrents int
	// Log receives the seed's logs and the BitTorrent client's. Default
	// slog.Default().
	Log *slog.Logger
}

// Seed is a WebRTC-only BitTorrent seed of the published local videos.
type Seed struct {
	cfg     Config
	log     *slog.Logger
	cl      *torrent.Client
	storage *blobStorage
	cancel  context.CancelFunc

	syncMu    sync.Mutex // one Sync at a time
	trackerUp bool       // the tracker accepted a connection (under syncMu)

	mu       sync.Mutex
	torrents map[metainfo.Hash]*seeded
	closed   bool
}

// seeded is one torrent the seed serves.
type seeded struct {
	t     *torrent.Torrent
	video string // UUID
	key   string // object key of the file
}

// New starts the BitTorrent client. Torrents are added by Sync and Run.
func New(ctx context.Context, cfg Config) (*Seed, error) {
	if cfg.Store == nil || cfg.Blobs == nil {
		return nil, errors.New("new seed: Store and Blobs are required")
	}
	if cfg.TrackerURL == "" {
		ws, _, err := torrentfile.TrackerURLs(cfg.PublicURL)
		if err != nil {
			return nil, fmt.Errorf("new seed: %w", err)
		}
		cfg.TrackerURL = ws
	}
	if !strings.HasPrefix(cfg.TrackerURL, "ws://") && !strings.HasPrefix(cfg.TrackerURL, "wss://") {
		return nil, fmt.Errorf("new seed: tracker %q is not a ws:// or wss:// URL", cfg.TrackerURL)
	}
	ice, err := iceServers(cfg.ICEServers)
	if err != nil {
		return nil, fmt.Errorf("new seed: %w", err)
	}
	if cfg.UploadRate < 0 {
		return nil, fmt.Errorf("new seed: negative upload rate %d", cfg.UploadRate)
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = DefaultRefresh
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	log := cfg.Log.With("component", "seed")

	// The storage outlives ctx (New's ctx only bounds starting); Close
	// ends it.
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	st := newBlobStorage(sctx, cfg.Blobs, cfg.CacheBytes)

	cc := torrent.NewDefaultClientConfig()
	cc.Seed = true
	cc.NoDHT = true
	cc.DisableTCP = true
	cc.DisableUTP = true
	cc.DisableWebseeds = true
	cc.DisablePEX = true // peers come from the tracker, over WebRTC only
	// A viewer can reach the seed twice (its offer answered by the seed
	// and the seed's answered by it): keep one connection per peer.
	cc.DropDuplicatePeerIds = true
	cc.NoDefaultPortForwarding = true
	cc.ListenPort = 0
	cc.DataDir = cfg.DataDir
	cc.DefaultStorage = st
	cc.ICEServerList = ice
	cc.Slogger = log.With("component", "bittorrent")
	if cfg.MaxPeersPerTorrent > 0 {
		cc.EstablishedConnsPerTorrent = cfg.MaxPeersPerTorrent
	}
	if cfg.UploadRate > 0 {
		cc.UploadRateLimiter = rate.NewLimiter(rate.Limit(cfg.UploadRate), int(max(minUploadBurst, cfg.UploadRate/8)))
	}
	cl, err := torrent.NewClient(cc)
	if err != nil {
		cancel()
		return nil, fmt.Errorf("new seed: start client: %w", err)
	}
	// anacrolix v1.61.0 arms its web-seed timer before it stores the
	// timer in the client, and the timer's function reads that field under
	// the client's lock. Taking the lock once now (Torrents does) orders
	// the store before the timer's first run, which fires 5 s later.
	_ = cl.Torrents()
	return &Seed{cfg: cfg, log: log, cl: cl, storage: st, cancel: cancel, torrents: map[metainfo.Hash]*seeded{}}, nil
}

// iceServers checks STUN URLs and turns them into pion's form.
func iceServers(urls []string) ([]webrtc.ICEServer, error) {
	if len(urls) == 0 {
		return nil, nil
	}
	for _, u := range urls {
		uri, err := stun.ParseURI(u)
		if err != nil {
			return nil, fmt.Errorf("ICE server %q: %w", u, err)
		}
		if uri.Scheme != stun.SchemeTypeSTUN && uri.Scheme != stun.SchemeTypeSTUNS {
			return nil, fmt.Errorf("ICE server %q: not a stun: or stuns: URL", u)
		}
	}
	return []webrtc.ICEServer{{URLs: urls}}, nil
}

// PeerID is the seed's peer id, the one it announces to the tracker. The
// tracker must never expire it: the client re-announces a torrent only
// after one of its offers is answered, so an idle seed would be forgotten.
func (s *Seed) PeerID() [20]byte { return s.cl.PeerID() }

// TrackerURL is the WebSocket tracker the seed announces to.
func (s *Seed) TrackerURL() string { return s.cfg.TrackerURL }

// Run keeps the torrent set in step with the store: it syncs at once and
// every Refresh until ctx is done, then returns nil. A failed sync is
// logged and tried again at the next tick.
func (s *Seed) Run(ctx context.Context) error {
	tick := time.NewTicker(s.cfg.Refresh)
	defer tick.Stop()
	for {
		if err := s.Sync(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "sync torrents failed", "err", err, "retryIn", s.cfg.Refresh)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Sync brings the torrent set in step with the store once: it adds the
// files of newly published local videos and drops the torrents of files
// no longer published (video deleted, unpublished or its files replaced).
// A file whose .torrent cannot be read is logged and skipped (tried again
// next time); an error means the store could not be listed.
func (s *Seed) Sync(ctx context.Context) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	want, err := s.published(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	closed := s.closed
	var drop []*seeded
	for ih, sd := range s.torrents {
		if _, ok := want[ih]; !ok {
			drop = append(drop, sd)
			delete(s.torrents, ih)
		}
	}
	var add []wantedFile
	for ih, f := range want {
		if _, ok := s.torrents[ih]; !ok {
			add = append(add, f)
		}
	}
	s.mu.Unlock()
	if closed {
		return errors.New("sync torrents: seed closed")
	}
	for _, sd := range drop {
		s.drop(ctx, sd)
	}
	if len(add) > 0 && !s.trackerUp {
		s.trackerUp = s.waitForTracker(ctx)
	}
	for _, f := range add {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sync torrents: %w", err)
		}
		if err := s.add(ctx, f); err != nil {
			s.log.WarnContext(ctx, "cannot seed file", "video", f.video, "torrent", f.torrentKey, "err", err)
		}
	}
	return nil
}

// trackerWait bounds how long the first Sync waits for the tracker.
const trackerWait = 10 * time.Second

// waitForTracker waits until the tracker's host accepts a TCP connection,
// for at most trackerWait, and reports whether it did. anacrolix waits a
// minute before it dials a tracker again, so a seed started a moment
// before its tracker (the same process binding its port) would otherwise
// be missing from every swarm for that minute.
func (s *Seed) waitForTracker(ctx context.Context) bool {
	u, err := url.Parse(s.cfg.TrackerURL)
	if err != nil {
		return false
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"ws": "80", "wss": "443"}[u.Scheme]
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	ctx, cancel := context.WithTimeout(ctx, trackerWait)
	defer cancel()
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			_ = c.Close()
			return true
		}
		select {
		case <-ctx.Done():
			s.log.WarnContext(ctx, "tracker unreachable; seeding anyway", "tracker", s.cfg.TrackerURL, "err", err)
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// add reads a file's .torrent and starts seeding it.
func (s *Seed) add(ctx context.Context, f wantedFile) error {
	mi, err := s.readTorrent(ctx, f.torrentKey)
	if err != nil {
		return err
	}
	ih := mi.HashInfoBytes()
	if ih != f.infoHash {
		return fmt.Errorf("add torrent %s: infohash %s, the store says %s", f.torrentKey, ih.HexString(), f.infoHash.HexString())
	}
	spec, err := torrent.TorrentSpecFromMetaInfoErr(mi)
	if err != nil {
		return fmt.Errorf("add torrent %s: %w", f.torrentKey, err)
	}
	// Announce to our tracker only, over WebRTC; the web seed is the CDN's
	// job and the data is ours already.
	spec.Trackers = [][]string{{s.cfg.TrackerURL}}
	spec.Webseeds, spec.Sources, spec.DhtNodes, spec.PeerAddrs = nil, nil, nil, nil
	spec.Storage = nil // the client's default: s.storage
	s.storage.bind(ih, f.dataKey)

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		s.storage.unbind(ih)
		return errors.New("add torrent: seed closed")
	}
	t, _, err := s.cl.AddTorrentSpec(spec)
	if err != nil {
		s.storage.unbind(ih)
		return fmt.Errorf("add torrent %s: %w", f.torrentKey, err)
	}
	s.torrents[ih] = &seeded{t: t, video: f.video, key: f.dataKey}
	s.log.InfoContext(ctx, "seeding", "video", f.video, "infohash", ih.HexString(), "file", f.dataKey)
	return nil
}

func (s *Seed) drop(ctx context.Context, sd *seeded) {
	ih := sd.t.InfoHash()
	sd.t.Drop()
	s.storage.unbind(ih)
	s.log.InfoContext(ctx, "stopped seeding", "video", sd.video, "infohash", ih.HexString(), "file", sd.key)
}

// Close drops every torrent and stops the client.
func (s *Seed) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.torrents = map[metainfo.Hash]*seeded{}
	s.mu.Unlock()
	errs := s.cl.Close()
	s.cancel()
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close seed: %w", err)
	}
	return nil
}
