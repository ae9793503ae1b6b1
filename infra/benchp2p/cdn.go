package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// mediaPrefixes are the paths a CDN serves (shared/topology's CDN routes).
var mediaPrefixes = []string{"/static/", "/lazy-static/"}

func isMedia(path string) bool {
	for _, p := range mediaPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// cdn is the reverse proxy in front of the instance: every request goes
// through to it, WebSocket upgrades included; media requests wait Latency
// first (a CDN's round trips to a viewer), are sent at most Rate bytes a
// second each (0: no cap), and have their response bytes counted. Latency
// and Rate are fixed once it serves.
type cdn struct {
	Latency time.Duration
	Rate    int64

	proxy    atomic.Pointer[httputil.ReverseProxy]
	srv      *http.Server
	url      string
	requests atomic.Int64 // media requests
	bytes    atomic.Int64 // media response body bytes written
}

// cdnCounts are the proxy's counters at one moment.
type cdnCounts struct {
	Requests, Bytes int64
}

func (c *cdn) counts() cdnCounts {
	return cdnCounts{Requests: c.requests.Load(), Bytes: c.bytes.Load()}
}

func (a cdnCounts) sub(b cdnCounts) cdnCounts {
	return cdnCounts{Requests: a.Requests - b.Requests, Bytes: a.Bytes - b.Bytes}
}

// startCDN listens on a free loopback port; the proxy forwards to the
// origin set later with setOrigin (the instance needs the proxy's URL as
// its PUBLIC_URL before it starts).
func startCDN(latency time.Duration, rate int64) (*cdn, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &cdn{Latency: latency, Rate: rate, url: "http://" + l.Addr().String()}
	c.srv = &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = c.srv.Serve(l) }()
	return c, nil
}

// setOrigin makes the proxy forward to origin, keeping the Host the
// browser sent (the proxy's, which is the instance's PUBLIC_URL).
func (c *cdn) setOrigin(origin string) error {
	u, err := url.Parse(origin)
	if err != nil {
		return err
	}
	c.proxy.Store(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = r.In.Host
		},
		// Stream media as it comes (webtorrent reads pieces as they land).
		FlushInterval: -1,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if !errors.Is(err, context.Canceled) {
				http.Error(w, "cdn: "+err.Error(), http.StatusBadGateway)
			}
		},
	})
	return nil
}

func (c *cdn) close() { _ = c.srv.Close() }

func (c *cdn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	proxy := c.proxy.Load()
	if proxy == nil {
		http.Error(w, "cdn: no origin yet", http.StatusServiceUnavailable)
		return
	}
	if !isMedia(r.URL.Path) {
		proxy.ServeHTTP(w, r)
		return
	}
	c.requests.Add(1)
	if c.Latency > 0 {
		t := time.NewTimer(c.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	proxy.ServeHTTP(&countingWriter{ResponseWriter: w, cdn: c, start: time.Now()}, r)
}

// countingWriter counts the body bytes of one media response and paces
// them to the CDN's rate.
type countingWriter struct {
	http.ResponseWriter
	cdn     *cdn
	start   time.Time
	written int64
}

func (w *countingWriter) Write(p []byte) (int, error) {
	// Paced: these bytes leave no sooner than the rate allows for all
	// the response's bytes up to their end.
	if rate := w.cdn.Rate; rate > 0 {
		due := w.start.Add(time.Duration(float64(w.written+int64(len(p))) / float64(rate) * float64(time.Second)))
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
	}
	n, err := w.ResponseWriter.Write(p)
	w.cdn.bytes.Add(int64(n))
	w.written += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController (which the proxy flushes through)
// reach the connection's writer.
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
