package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/seed"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/tracker"
)

// MetricsPath serves the tracker's and the seed's counters as JSON on the
// container's port. No CloudFront behaviour reaches it (it is not a
// topology.ContainerRoutes path): it is read from inside the VPC, and the
// counters are also logged every metricsLogEvery.
const MetricsPath = "/seeder/metrics"

// metricsLogEvery is how often the counters go to the log.
const metricsLogEvery = 5 * time.Minute

// p2pConfig is what the container's P2P half is made of.
type p2pConfig struct {
	// Store lists the published videos: the tracker's allow-list and the
	// seed's torrents.
	Store *store.Store
	// Blobs holds the media and the .torrent files (S3 in AWS).
	Blobs     blob.Store
	PublicURL string
	// ClientIP gives a tracker request's client address.
	ClientIP func(*http.Request) string
	// Seed runs the WebRTC seed; without it only the tracker runs.
	Seed        bool
	STUNServers []string
	UploadRate  int64
	Log         *slog.Logger
}

// p2p is the WebTorrent tracker of the instance's published videos and
// the WebRTC seed that stays in each of their swarms: the tracker never
// expires the seed's peer id (anacrolix re-announces only after an
// answered offer, so a tracker that expired it would forget it).
type p2p struct {
	cfg     p2pConfig
	tracker *tracker.Tracker
	seed    atomic.Pointer[seed.Seed]

	stop context.CancelFunc // ends the seed's Run and the metrics log
	wg   sync.WaitGroup
	once sync.Once
}

func newP2P(cfg p2pConfig) *p2p {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	p := &p2p{cfg: cfg, stop: func() {}}
	p.tracker = tracker.New(tracker.Config{
		Allowed:   tracker.StoreAllowList(cfg.Store, time.Minute).Allowed,
		Permanent: p.permanent,
		ClientIP:  cfg.ClientIP,
		Log:       cfg.Log,
	})
	return p
}

// Tracker serves the tracker's routes (tracker.SocketPath and the HTTP
// announce and scrape).
func (p *p2p) Tracker() http.Handler { return p.tracker }

// permanent marks the seed's peer id.
func (p *p2p) permanent(id [20]byte) bool {
	sd := p.seed.Load()
	return sd != nil && sd.PeerID() == id
}

// start starts the seed, announcing to the tracker on this process's own
// listener at 127.0.0.1:port (not through CloudFront), and the periodic
// metrics log. Call it once the listener is bound. A seed that cannot
// start is logged and left out: the tracker and the upload route still
// serve.
func (p *p2p) start(ctx context.Context, port int) {
	ctx, p.stop = context.WithCancel(ctx)
	if p.cfg.Seed {
		sd, err := seed.New(ctx, seed.Config{Store: p.cfg.Store, Blobs: p.cfg.Blobs, PublicURL: p.cfg.PublicURL,
			TrackerURL: fmt.Sprintf("ws://127.0.0.1:%d%s", port, tracker.SocketPath),
			ICEServers: p.cfg.STUNServers, UploadRate: p.cfg.UploadRate, Log: p.cfg.Log})
		if err != nil {
			p.cfg.Log.Error("WebRTC seed not started", "err", err)
		} else {
			p.seed.Store(sd)
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				_ = sd.Run(ctx) // logs its failed syncs itself
			}()
		}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(metricsLogEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				p.logMetrics()
			}
		}
	}()
}

// metricsBody is MetricsPath's JSON, as the local instance serves it.
type metricsBody struct {
	Tracker tracker.Stats `json:"tracker"`
	// Seed is null when the seed is not running.
	Seed *seed.Metrics `json:"seed"`
}

func (p *p2p) metrics() metricsBody {
	out := metricsBody{Tracker: p.tracker.Stats()}
	if sd := p.seed.Load(); sd != nil {
		m := sd.Metrics()
		out.Seed = &m
	}
	return out
}

// serveMetrics answers GET MetricsPath.
func (p *p2p) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(p.metrics())
}

// logMetrics logs the totals (not the per-torrent counters).
func (p *p2p) logMetrics() {
	m := p.metrics()
	attrs := []any{slog.Any("tracker", m.Tracker)}
	if m.Seed != nil {
		attrs = append(attrs, slog.Group("seed", "torrents", m.Seed.Torrents, "peers", m.Seed.Peers,
			"bytesServed", m.Seed.BytesServed, "cacheHits", m.Seed.Cache.Hits, "cacheMisses", m.Seed.Cache.Misses,
			"blobBytesRead", m.Seed.Cache.BlobBytesRead))
	}
	p.cfg.Log.Info("p2p metrics", attrs...)
}

// close closes the tracker's sockets (viewers reconnect to the next
// task), stops the seed and logs the counters a last time.
func (p *p2p) close() {
	p.once.Do(func() {
		p.logMetrics()
		_ = p.tracker.Close()
		p.stop()
		p.wg.Wait()
		if sd := p.seed.Load(); sd != nil {
			if err := sd.Close(); err != nil {
				p.cfg.Log.Warn("close seed", "err", err)
			}
		}
	})
}
