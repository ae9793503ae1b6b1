package tracker

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// The paths the tracker serves (shared/topology lists them as container
// routes).
const (
	PathPrefix   = "/tracker/"
	SocketPath   = "/tracker/socket"
	AnnouncePath = "/tracker/announce"
	ScrapePath   = "/tracker/scrape"
)

// Config is what a Tracker needs. Zero fields take the defaults noted.
type Config struct {
	// Allowed says whether an infohash may be tracked. nil allows every
	// infohash (an open tracker). An unknown infohash is refused with a
	// failure reason, its WebSocket closed and the client's IP blocked for
	// BlockFor. An error is a failure reason, and blocks nobody.
	Allowed func(ctx context.Context, infoHash [20]byte) (bool, error)
	// Permanent marks the peer ids of WebSocket peers that are never
	// expired nor evicted from a full swarm, and are exempt from the rate
	// limits and the IP block: the instance's own WebRTC seed. nil marks
	// none.
	// It is honoured only for connections from a loopback address: the
	// seed announces to its own tracker on 127.0.0.1, and its id is no
	// secret (every peer of its swarms sees it).
	Permanent func(peerID [20]byte) bool
	// ClientIP gives a request's client address (default: the host of
	// RemoteAddr; ForwardedFor reads X-Forwarded-For behind proxies).
	ClientIP func(*http.Request) string

	// Interval is the announce interval given to WebSocket clients
	// (default 2 minutes, bittorrent-tracker's).
	Interval time.Duration
	// HTTPInterval is the announce interval given to HTTP clients and the
	// min_request_interval of scrapes (default 10 minutes).
	HTTPInterval time.Duration

	// MaxSwarms bounds the swarms kept; the least recently announced one
	// is dropped for a new one (default 100000).
	MaxSwarms int
	// MaxPeers bounds the peers of a swarm; the one that announced least
	// recently is dropped for a new one (default 1000).
	MaxPeers int
	// PeerTTL is how long a peer stays after its own last announce
	// (default 20 minutes).
	PeerTTL time.Duration

	// AnnounceLimit caps the announces (answers excepted) of one IP for
	// one infohash (default 15 per 5 minutes, PeerTube's).
	AnnounceLimit Limit
	// MessageLimit caps every WebSocket message and HTTP request of one IP
	// (default 600 per 5 minutes).
	MessageLimit Limit
	// BlockFor is how long an IP that asked for an unknown infohash is
	// refused (default 3 minutes, PeerTube's; negative: never blocked).
	BlockFor time.Duration

	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives warnings (default: discarded).
	Log *slog.Logger
}

// Limit is a rate limit: at most Max hits per fixed Window. A zero Limit
// takes its field's default; a negative Max disables the limit.
type Limit struct {
	Max    int
	Window time.Duration
}

func (l Limit) orDefault(d Limit) Limit {
	if l.Max == 0 {
		l.Max = d.Max
	}
	if l.Window <= 0 {
		l.Window = d.Window
	}
	return l
}

// withDefaults fills the zero fields of c.
func (c Config) withDefaults() Config {
	if c.ClientIP == nil {
		c.ClientIP = remoteHost
	}
	c.Interval = durationOr(c.Interval, 2*time.Minute)
	c.HTTPInterval = durationOr(c.HTTPInterval, 10*time.Minute)
	if c.MaxSwarms <= 0 {
		c.MaxSwarms = 100000
	}
	if c.MaxPeers <= 0 {
		c.MaxPeers = 1000
	}
	c.PeerTTL = durationOr(c.PeerTTL, 20*time.Minute)
	c.AnnounceLimit = c.AnnounceLimit.orDefault(Limit{Max: 15, Window: 5 * time.Minute})
	c.MessageLimit = c.MessageLimit.orDefault(Limit{Max: 600, Window: 5 * time.Minute})
	if c.BlockFor == 0 {
		c.BlockFor = 3 * time.Minute
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

func durationOr(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// seconds rounds d up to whole seconds, as bittorrent-tracker does.
func seconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

func remoteHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ForwardedFor returns a ClientIP that believes hops proxies: the client
// is the X-Forwarded-For entry the outermost of them appended. It falls
// back to RemoteAddr when the header has too few entries or hops is 0.
func ForwardedFor(hops int) func(*http.Request) string {
	return func(r *http.Request) string {
		if hops <= 0 {
			return remoteHost(r)
		}
		var ips []string
		for _, v := range r.Header.Values("X-Forwarded-For") {
			for _, p := range strings.Split(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					ips = append(ips, p)
				}
			}
		}
		i := len(ips) - hops
		if i < 0 || net.ParseIP(ips[i]) == nil {
			return remoteHost(r)
		}
		return ips[i]
	}
}
