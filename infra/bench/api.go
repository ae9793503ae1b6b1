package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/vidiverse/vidiverse/infra/localinstance"
)

// Targets of issue 3 on a 2-core machine, at 10 connections per route.
const (
	targetConns = 10
	targetRPS   = 1000
	targetP99   = 20 * time.Millisecond
	targetRSS   = 50_000_000 // bytes
)

// api fills a fresh instance with short videos (timing the first uploads
// to files[0].torrentUrl), loads two routes and a trivial server with wrk,
// and reads the instance's idle memory.
func (b *bench) api(ctx context.Context) error {
	o := b.opts
	clip := filepath.Join(b.work, "clip-240p.mp4")
	if err := makeClip(ctx, clip, 426, 240, 30, 2); err != nil {
		return err
	}
	b.progress("api: starting a local instance (TRANSCODING_RESOLUTIONS=240)…")
	inst, err := localinstance.Start(ctx, localinstance.Options{Binary: b.local, Env: []string{"TRANSCODING_RESOLUTIONS=240"}})
	if err != nil {
		return err
	}
	defer inst.Stop()
	if err := sleep(ctx, 2*time.Second); err != nil {
		return err
	}
	freshRSS, err := vmRSS(inst.PID())
	if err != nil {
		return err
	}
	c, err := login(ctx, inst.Origin, inst.Password)
	if err != nil {
		return err
	}

	// (d) upload complete → files[0].torrentUrl, one upload at a time on
	// an otherwise idle instance.
	b.progress("api: %d uploads timed to files[0].torrentUrl…", o.latencyUploads)
	var latencies []time.Duration
	var last string
	for i := range o.latencyUploads {
		up, err := c.upload(ctx, clip, "bench latency "+strconv.Itoa(i+1))
		if err != nil {
			return err
		}
		at, _, err := c.waitFor(ctx, up.UUID, 2*time.Minute, hasTorrent)
		if err != nil {
			return fmt.Errorf("%w: %s", err, inst.LogTail())
		}
		latencies = append(latencies, at.Sub(up.Landed))
		if _, _, err := c.waitFor(ctx, up.UUID, 5*time.Minute, isPublished); err != nil {
			return fmt.Errorf("%w: %s", err, inst.LogTail())
		}
		last = up.UUID
	}
	lo, hi := minMax(latencies)
	med := median(latencies)
	b.progress("api: torrentUrl %s after the upload (median of %d)", millis(med), len(latencies))
	b.rep.note("Upload latency: a 2 s 240p clip sent with the legacy upload to an idle instance, GET /api/v1/videos/{uuid} polled every %s.", millis(pollInterval))
	b.rep.add(fmt.Sprintf("Upload complete → files[0].torrentUrl, median of %d", len(latencies)),
		fmt.Sprintf("%s (min %s, max %s)", millis(med), millis(lo), millis(hi)), "", "")

	// The rest of the videos, uploaded back to back, then all published.
	b.progress("api: uploading %d more videos…", o.videos-o.latencyUploads)
	var pending []string
	for i := o.latencyUploads; i < o.videos; i++ {
		up, err := c.upload(ctx, clip, "bench video "+strconv.Itoa(i+1))
		if err != nil {
			return err
		}
		pending = append(pending, up.UUID)
	}
	for _, uuid := range pending {
		if _, _, err := c.waitFor(ctx, uuid, 10*time.Minute, isPublished); err != nil {
			return fmt.Errorf("%w: %s", err, inst.LogTail())
		}
		last = uuid
	}
	const listPath = "/api/v1/videos?start=0&count=15&sort=-publishedAt"
	var list struct {
		Total int `json:"total"`
	}
	if err := c.GetJSON(ctx, listPath, &list); err != nil {
		return err
	}
	if list.Total != o.videos {
		return fmt.Errorf("the instance lists %d videos, want %d", list.Total, o.videos)
	}
	b.progress("api: %d videos published", list.Total)

	if err := b.load(ctx, c, inst, listPath, "/api/v1/videos/"+last); err != nil {
		return err
	}

	b.progress("api: %s quiet before reading the idle RSS…", o.settle)
	if err := sleep(ctx, o.settle); err != nil {
		return err
	}
	settledRSS, err := vmRSS(inst.PID())
	if err != nil {
		return err
	}
	b.rep.note("Memory: VmRSS of the vidiverse-local process (what make run runs), read from /proc.")
	b.rep.add("Idle RSS, just started", mib(freshRSS), "",
		fmt.Sprintf("≤ 50 MB: %s", metOrMissed(freshRSS <= targetRSS)))
	b.rep.add(fmt.Sprintf("Idle RSS, %d videos, %s after the load", o.videos, o.settle), mib(settledRSS), "",
		fmt.Sprintf("≤ 50 MB: %s", metOrMissed(settledRSS <= targetRSS)))
	return nil
}

// load runs wrk against the trivial server and the two routes at each
// connection count, the trivial server first.
func (b *bench) load(ctx context.Context, c *client, inst *localinstance.Instance, listPath, videoPath string) error {
	o := b.opts
	b.rep.note("API: an instance holding %d videos; wrk -t2 --latency for %s per run on this machine; the trivial server runs just before each pair of routes.",
		o.videos, o.loadDuration)
	baseURL, stopBase, err := startBaseline()
	if err != nil {
		return err
	}
	defer stopBase()
	listSize, err := c.bodySize(ctx, listPath)
	if err != nil {
		return err
	}
	videoSize, err := c.bodySize(ctx, videoPath)
	if err != nil {
		return err
	}
	routes := []struct {
		name, url string
		size      int
	}{
		{"GET " + listPath, inst.Origin + listPath, listSize},
		{"GET /api/v1/videos/{uuid}", inst.Origin + videoPath, videoSize},
	}
	for _, conns := range o.conns {
		b.progress("load: trivial net/http server, %d connections, %s…", conns, o.loadDuration)
		base, err := runWrk(ctx, baseURL, conns, o.loadDuration)
		if err != nil {
			return err
		}
		b.rep.add(fmt.Sprintf("Trivial net/http server (%s JSON), %d conns", kb(len(baselineBody)), conns),
			loadValue(base), "baseline", "")
		for _, r := range routes {
			b.progress("load: %s, %d connections, %s…", r.name, conns, o.loadDuration)
			res, err := runWrk(ctx, r.url, conns, o.loadDuration)
			if err != nil {
				return err
			}
			target := ""
			if conns == targetConns {
				target = fmt.Sprintf("≥ %s req/s: %s; p99 ≤ %s: %s", thousands(targetRPS), metOrMissed(res.RequestsPerSec >= targetRPS),
					millis(targetP99), metOrMissed(res.P99 <= targetP99))
			}
			b.rep.add(fmt.Sprintf("%s (%s), %d conns", r.name, kb(r.size), conns),
				loadValue(res), fmt.Sprintf("×%.3f the trivial server's req/s", res.RequestsPerSec/base.RequestsPerSec), target)
		}
	}
	return nil
}

// loadValue formats a wrk result for the table.
func loadValue(r loadResult) string {
	s := fmt.Sprintf("%s req/s, p50 %s, p99 %s", thousands(r.RequestsPerSec), millis(r.P50), millis(r.P99))
	if r.Non2xx > 0 {
		s += fmt.Sprintf(", %d non-2xx", r.Non2xx)
	}
	if r.SocketErrors > 0 {
		s += fmt.Sprintf(", %d socket errors", r.SocketErrors)
	}
	return s
}

func minMax(ds []time.Duration) (lo, hi time.Duration) {
	lo, hi = ds[0], ds[0]
	for _, d := range ds[1:] {
		lo, hi = min(lo, d), max(hi, d)
	}
	return lo, hi
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
