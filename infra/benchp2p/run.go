package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/infra/hostinfo"
	"github.com/vidiverse/vidiverse/infra/localinstance"
	"github.com/vidiverse/vidiverse/shared/web/browsertest"
)

// run starts the CDN proxy and the instance, publishes the clip and runs
// one round per viewer count; log gets the progress lines.
func run(ctx context.Context, o options, log io.Writer) (*report, error) {
	b := &bench{opts: o, start: time.Now(), log: log}
	tools, err := browsertest.Find()
	if err != nil {
		return nil, fmt.Errorf("browser tools: %w", err)
	}
	for _, tool := range []string{"ffmpeg", "ffprobe"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is not on PATH (make bench-p2p installs it): %w", tool, err)
		}
	}
	work, err := os.MkdirTemp("", "vidiverse-bench-p2p-work-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	rep := &report{Started: b.start, Machine: hostinfo.Machine(), Tools: toolVersions(tools), Opts: o}
	b.progress("machine: %s", rep.Machine)
	bin := o.local
	if bin == "" {
		b.progress("building ./infra/local…")
		if bin, err = localinstance.Build(ctx, work); err != nil {
			return nil, err
		}
	}

	clip := filepath.Join(work, "clip.mp4")
	b.progress("making a %.0f s %dp clip…", o.seconds, o.height)
	if err := makeClip(ctx, clip, o.height, o.seconds); err != nil {
		return nil, err
	}
	edge, err := startCDN(o.latency, o.cdnRate)
	if err != nil {
		return nil, fmt.Errorf("start the CDN proxy: %w", err)
	}
	defer edge.close()
	port, err := localinstance.FreePort()
	if err != nil {
		return nil, err
	}
	if err := edge.setOrigin("http://127.0.0.1:" + strconv.Itoa(port)); err != nil {
		return nil, err
	}
	// Every viewer comes from 127.0.0.1: the tracker's per-IP limits
	// (PeerTube's 15 announces per 5 minutes) would refuse most of them.
	inst, err := localinstance.Start(ctx, localinstance.Options{Binary: bin, Port: port, PublicURL: edge.url, Name: "bench-p2p", Env: []string{
		"TRANSCODING_RESOLUTIONS=" + strconv.Itoa(o.height),
		"TRACKER_ANNOUNCE_LIMIT=0",
		"SEED_ENABLED=" + strconv.FormatBool(!o.noSeed),
		"SEED_UPLOAD_RATE=" + strconv.FormatInt(o.seedRate, 10),
		browsertest.EnvAssetsDir + "=" + tools.AssetsDir,
	}})
	if err != nil {
		return nil, err
	}
	defer inst.Stop()
	b.progress("instance at %s behind the CDN proxy at %s", inst.Origin, edge.url)

	c, err := login(ctx, edge.url, inst.Password)
	if err != nil {
		return nil, err
	}
	uuid, err := c.upload(ctx, clip, "P2P bench clip")
	if err != nil {
		return nil, err
	}
	b.progress("uploaded %s; waiting for it to be published…", uuid)
	v, err := c.waitPublished(ctx, uuid, 5*time.Minute)
	if err != nil {
		return nil, err
	}
	rep.File = v.Files[0]
	rep.Duration = v.Duration
	if rep.PieceLength, err = c.pieceLength(ctx, v.Files[0].TorrentURL); err != nil {
		return nil, err
	}
	seeded := "no seed"
	if !o.noSeed {
		if err := waitSeeded(ctx, c, uuid, rep.File.FileURL, 30*time.Second); err != nil {
			return nil, err
		}
		seeded = "the seed has it"
	}
	b.progress("published: %dp, %.1f MB, %d KiB pieces; %s", rep.File.Resolution.ID, float64(rep.File.Size)/1e6, rep.PieceLength>>10, seeded)

	page := edge.url + "/videos/watch/" + uuid + "?muted=1&autoplay=1"
	for _, n := range o.viewers {
		r, err := b.round(ctx, tools, c, edge, page, n)
		if err != nil {
			return nil, err
		}
		rep.Rounds = append(rep.Rounds, r)
		b.progress("%d viewer(s): %s", n, r.summary())
	}
	rep.LoadAtEnd = hostinfo.LoadAverage()
	b.progress("done in %s", time.Since(b.start).Round(time.Second))
	return rep, nil
}

// round is one viewer count's measurement.
type round struct {
	N       int
	Viewers []viewerResult
	// CDN is what the proxy served to media requests during the round.
	CDN cdnCounts
	// Seeder is what the seed sent (its bytesServed, after minus before).
	Seeder int64
	// TrackerFailures are failure reasons the tracker sent in the round.
	TrackerFailures int64
}

// round runs n viewers against page and counts where their bytes came
// from.
func (b *bench) round(ctx context.Context, tools browsertest.Tools, c *client, edge *cdn, page string, n int) (round, error) {
	r := round{N: n}
	before, err := readMetrics(ctx, c, !b.opts.noSeed)
	if err != nil {
		return r, err
	}
	cdnBefore := edge.counts()
	plans := make([]viewerPlan, n)
	for i := range plans {
		plans[i] = viewerPlan{URL: page, DelayMS: (time.Duration(i) * b.opts.stagger).Milliseconds(), WatchMS: b.opts.watch.Milliseconds()}
	}
	timeout := time.Duration(n-1)*b.opts.stagger + b.opts.watch + 30*time.Second
	b.progress("%d viewer(s), one every %s, each for %s…", n, b.opts.stagger, b.opts.watch)
	r.Viewers, err = runViewers(ctx, tools, plans, timeout, func(line string) { b.progress("  %s", line) })
	if err != nil {
		return r, err
	}
	after, err := readMetrics(ctx, c, !b.opts.noSeed)
	if err != nil {
		return r, err
	}
	r.CDN = edge.counts().sub(cdnBefore)
	if after.Seed != nil && before.Seed != nil {
		r.Seeder = after.Seed.BytesServed - before.Seed.BytesServed
	}
	r.TrackerFailures = after.Tracker.Failures - before.Tracker.Failures
	return r, nil
}

// readMetrics reads the tracker's and the seed's counters; with seed, the
// seed must be running.
func readMetrics(ctx context.Context, c *client, seed bool) (seederMetrics, error) {
	var m seederMetrics
	if err := c.GetJSON(ctx, "/seeder/metrics", &m); err != nil {
		return m, err
	}
	if seed && m.Seed == nil {
		return m, fmt.Errorf("/seeder/metrics: the instance runs no seed")
	}
	return m, nil
}

// waitSeeded waits until the seed seeds the video's file at fileURL.
func waitSeeded(ctx context.Context, c *client, uuid, fileURL string, limit time.Duration) error {
	return poll(ctx, limit, "the seed to take the video", func(m seederMetrics) bool {
		for _, t := range m.Seed.PerTorrent {
			if t.Video == uuid && t.File != "" && strings.HasSuffix(fileURL, "/"+path.Base(t.File)) {
				return true
			}
		}
		return false
	}, c)
}

func poll(ctx context.Context, limit time.Duration, what string, done func(seederMetrics) bool, c *client) error {
	deadline := time.Now().Add(limit)
	for {
		m, err := readMetrics(ctx, c, true)
		if err != nil {
			return err
		}
		if done(m) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("waited %s for %s: %+v", limit, what, *m.Seed)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
