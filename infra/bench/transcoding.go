package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/infra/localinstance"
	"github.com/vidiverse/vidiverse/shared/transcode"
)

// transcoding measures the pipeline against one plain ffmpeg command and
// the chunked encode with several worker counts, on one generated input.
func (b *bench) transcoding(ctx context.Context) error {
	o := b.opts
	width := (o.height*16/9 + 1) / 2 * 2
	input := filepath.Join(b.work, fmt.Sprintf("input-%dp.mp4", o.height))
	b.progress("making the input: %d s of %dx%d at 30 fps (testsrc2 + sine)…", o.seconds, width, o.height)
	if err := makeClip(ctx, input, width, o.height, 30, float64(o.seconds)); err != nil {
		return err
	}
	p, err := b.tools.Probe(ctx, input)
	if err != nil {
		return err
	}
	enabled, _ := intList(o.resolutions)
	ladder := videoLadder(p, enabled)
	names := make([]string, len(ladder))
	for i, r := range ladder {
		names[i] = fmt.Sprintf("%dp", r.Resolution)
	}
	ladderName := strings.Join(names, "/")
	b.rep.note("Transcoding: an input of %d s of %dx%d at 30 fps (testsrc2 + sine, H.264/AAC); ladder %s (TRANSCODING_RESOLUTIONS=%s).",
		o.seconds, width, o.height, ladderName, o.resolutions)

	// (a) the baseline: one ffmpeg process, the whole ladder.
	dir, err := freshDir(b.work, "ladder")
	if err != nil {
		return err
	}
	b.progress("baseline: one ffmpeg command making %s…", ladderName)
	base, err := runLadder(ctx, b.tools, input, dir, p, ladder)
	if err != nil {
		return err
	}
	b.progress("baseline: %s", secs(base))
	b.rep.add("Ladder, one plain ffmpeg command (split filter, one encoder per rendition)", secs(base), "baseline", "")

	// (b) the pipeline through a local instance.
	if err := b.pipeline(ctx, input, base); err != nil {
		return err
	}

	// (c) chunked encodes of one rendition with 1, 2, 4 workers.
	return b.chunked(ctx, input, p, ladder)
}

// pipeline uploads the input to a fresh local instance and times it to
// state published.
func (b *bench) pipeline(ctx context.Context, input string, base time.Duration) error {
	b.progress("pipeline: starting a local instance (TRANSCODING_RESOLUTIONS=%s)…", b.opts.resolutions)
	inst, err := localinstance.Start(ctx, localinstance.Options{Binary: b.local, Env: []string{"TRANSCODING_RESOLUTIONS=" + b.opts.resolutions}})
	if err != nil {
		return err
	}
	defer inst.Stop()
	c, err := login(ctx, inst.Origin, inst.Password)
	if err != nil {
		return err
	}
	b.progress("pipeline: uploading and waiting for state published…")
	up, err := c.upload(ctx, input, "bench pipeline")
	if err != nil {
		return err
	}
	torrentAt, _, err := c.waitFor(ctx, up.UUID, 30*time.Minute, hasTorrent)
	if err != nil {
		return fmt.Errorf("pipeline: %w: %s", err, inst.LogTail())
	}
	lastSeen := time.Now()
	publishedAt, v, err := c.waitFor(ctx, up.UUID, 30*time.Minute, func(v videoState) bool {
		if time.Since(lastSeen) > 15*time.Second {
			lastSeen = time.Now()
			b.progress("pipeline: still %q…", v.State.Label)
		}
		return isPublished(v)
	})
	if err != nil {
		return fmt.Errorf("pipeline: %w: %s", err, inst.LogTail())
	}
	fromStart, fromLanded := publishedAt.Sub(up.Started), publishedAt.Sub(up.Landed)
	hls := 0
	if len(v.StreamingPlaylists) > 0 {
		hls = len(v.StreamingPlaylists[0].Files)
	}
	b.progress("pipeline: published %s after the upload completed (%d web videos, %d HLS variants; original with torrent after %s)",
		secs(fromLanded), len(v.Files), hls, millis(torrentAt.Sub(up.Landed)))
	workers := "2"
	if w := os.Getenv("TRANSCODE_WORKERS"); w != "" { // the instance inherits it
		workers = w
	}
	b.rep.note("Pipeline: the same input uploaded to make run (TRANSCODE_WORKERS=%s), which makes %d web videos, %d HLS variants, torrents and images.",
		workers, len(v.Files), hls)
	b.rep.add("Ladder, pipeline of make run: upload start → published", secs(fromStart), ratio(fromStart, base)+" the baseline", "")
	b.rep.add("Ladder, pipeline of make run: upload complete → published", secs(fromLanded), ratio(fromLanded, base)+" the baseline", "")
	return nil
}

// chunked runs the chunked encode of one rendition with each worker
// count, and a single-pass encode of the same rendition for reference.
func (b *bench) chunked(ctx context.Context, input string, p transcode.Probe, ladder []transcode.Rendition) error {
	o := b.opts
	var r transcode.Rendition
	for _, x := range ladder {
		if x.Resolution == o.chunkRes {
			r = x
		}
	}
	if r.Resolution == 0 {
		r = ladder[0]
	}
	var first time.Duration
	for i, n := range o.workers {
		dir, err := freshDir(b.work, fmt.Sprintf("chunked-%d", n))
		if err != nil {
			return err
		}
		b.progress("chunked %dp encode with %d worker(s)…", r.Resolution, n)
		d, chunks, err := chunkedEncode(ctx, b.tools, input, dir, p, r, float64(o.chunkSeconds), n)
		if err != nil {
			return err
		}
		b.progress("chunked with %d worker(s): %s", n, secs(d))
		name := fmt.Sprintf("Chunked %dp, %d %s", r.Resolution, n, plural(n, "worker", "workers"))
		if i == 0 {
			first = d
			b.rep.note("Chunked: %dp of the same input cut by PlanChunks into %d chunks of %d s, encoded by N goroutines (EncodeVideoChunk, EncodeAudio), then Join.",
				r.Resolution, chunks, o.chunkSeconds)
			b.rep.add(name, secs(d), "baseline of the speed-ups", "")
			continue
		}
		b.rep.add(name, secs(d), fmt.Sprintf("speed-up ×%.2f%s", first.Seconds()/d.Seconds(), coresNote(n)), "")
	}
	dir, err := freshDir(b.work, "whole")
	if err != nil {
		return err
	}
	b.progress("single-pass %dp encode for reference…", r.Resolution)
	whole, err := wholeEncode(ctx, b.tools, input, dir, r)
	if err != nil {
		return err
	}
	b.rep.add(fmt.Sprintf("Single pass %dp (EncodeWhole), for reference", r.Resolution), secs(whole),
		fmt.Sprintf("chunked, %d %s: %s of it", o.workers[0], plural(o.workers[0], "worker", "workers"), ratio(first, whole)), "")
	return nil
}

// ratio formats a/b as "×1.23".
func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("×%.2f", a.Seconds()/b.Seconds())
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
