package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/vidiverse/vidiverse/infra/hostinfo"
	"github.com/vidiverse/vidiverse/infra/localinstance"
	"github.com/vidiverse/vidiverse/shared/transcode"
)

// options are the bench's flags.
type options struct {
	local          string        // the local instance binary; built when empty
	seconds        int           // length of the transcoding input
	height         int           // its height (16:9)
	resolutions    string        // TRANSCODING_RESOLUTIONS of the pipeline run and the plain command
	chunkSeconds   int           // chunk length of the chunked runs
	chunkRes       int           // rendition of the chunked runs
	workers        []int         // worker counts of the chunked runs
	videos         int           // videos the API instance holds
	latencyUploads int           // uploads timed to files[0].torrentUrl
	loadDuration   time.Duration // per wrk run
	conns          []int         // wrk connection counts
	settle         time.Duration // quiet time before the idle RSS after load
	skipTranscode  bool
	skipAPI        bool
	// Federation figures.
	skipFederation     bool
	signDuration       time.Duration // the one-core signing baseline
	deliveries         []int         // inbox counts of the delivery runs
	federationDuration time.Duration // per wrk run of the discovery routes
}

func parseFlags() (options, error) {
	var o options
	var workers, conns, deliveries string
	flag.StringVar(&o.local, "local", "", "path of the vidiverse-local binary (make run's); built into a temporary directory when empty")
	flag.IntVar(&o.seconds, "seconds", 64, "length in seconds of the transcoding input")
	flag.IntVar(&o.height, "height", 720, "height of the 16:9 transcoding input")
	flag.StringVar(&o.resolutions, "resolutions", "240,360,480,720,1080", "TRANSCODING_RESOLUTIONS of the pipeline run and of the plain ffmpeg command")
	flag.IntVar(&o.chunkSeconds, "chunk-seconds", 8, "chunk length of the chunked runs (a multiple of 4)")
	flag.IntVar(&o.chunkRes, "chunk-resolution", 720, "rendition encoded by the chunked runs")
	flag.StringVar(&workers, "workers", "1,2,4", "worker counts of the chunked runs (the first is the baseline)")
	flag.IntVar(&o.videos, "videos", 30, "videos the API instance holds during the load")
	flag.IntVar(&o.latencyUploads, "latency-uploads", 7, "uploads timed from upload complete to files[0].torrentUrl (at most -videos)")
	flag.DurationVar(&o.loadDuration, "duration", 30*time.Second, "length of each wrk run")
	flag.StringVar(&conns, "connections", "10,50", "wrk connection counts")
	flag.DurationVar(&o.settle, "settle", 10*time.Second, "quiet time after the load before the idle RSS is read")
	flag.BoolVar(&o.skipTranscode, "skip-transcode", false, "skip the transcoding figures")
	flag.BoolVar(&o.skipAPI, "skip-api", false, "skip the upload latency, API and memory figures")
	flag.BoolVar(&o.skipFederation, "skip-federation", false, "skip the signing, delivery and discovery figures")
	flag.DurationVar(&o.signDuration, "sign-duration", 3*time.Second, "how long the one-core RSA signing baseline runs")
	flag.StringVar(&deliveries, "deliveries", "1000,10000", "distinct inboxes of each delivery run")
	flag.DurationVar(&o.federationDuration, "federation-duration", 10*time.Second, "length of each wrk run of the discovery routes")
	flag.Parse()
	var err error
	if o.workers, err = intList(workers); err != nil {
		return o, fmt.Errorf("-workers: %w", err)
	}
	if o.conns, err = intList(conns); err != nil {
		return o, fmt.Errorf("-connections: %w", err)
	}
	if o.deliveries, err = intList(deliveries); err != nil {
		return o, fmt.Errorf("-deliveries: %w", err)
	}
	if _, err := intList(o.resolutions); err != nil {
		return o, fmt.Errorf("-resolutions: %w", err)
	}
	switch {
	case o.seconds < 2 || o.height < 144 || o.height%2 != 0:
		return o, errors.New("-seconds must be at least 2 and -height an even number of at least 144")
	case o.chunkSeconds < transcode.SegmentSeconds || o.chunkSeconds%transcode.SegmentSeconds != 0:
		return o, fmt.Errorf("-chunk-seconds must be a multiple of %d", transcode.SegmentSeconds)
	case o.videos < 1 || o.latencyUploads < 1 || o.latencyUploads > o.videos:
		return o, errors.New("-videos and -latency-uploads must be positive, -latency-uploads at most -videos")
	case o.loadDuration < time.Second || o.federationDuration < time.Second:
		return o, errors.New("-duration and -federation-duration must be at least 1s")
	case o.signDuration <= 0:
		return o, errors.New("-sign-duration must be positive")
	}
	return o, nil
}

func intList(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a list of positive integers", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func main() {
	if maybeRunSink() {
		return
	}
	o, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err = run(ctx, o)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case interrupted:
		fmt.Fprintln(os.Stderr, "bench: interrupted; instances stopped and temporary files removed")
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// bench holds what the steps share.
type bench struct {
	opts  options
	tools transcode.Tools
	work  string // temporary directory, removed at the end
	local string // the local instance binary
	rep   *report
	start time.Time
}

// progress prints a progress line on standard error.
func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "[%4.0fs] %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, o options) error {
	b := &bench{opts: o, tools: transcode.Tools{}, start: time.Now()}
	media := !o.skipTranscode || !o.skipAPI
	var tools []string
	if media {
		tools = append(tools, "ffmpeg", "ffprobe")
	}
	if !o.skipAPI || !o.skipFederation {
		tools = append(tools, "wrk")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not on PATH (make bench installs it): %w", tool, err)
		}
	}
	if media {
		if err := b.tools.Check(ctx); err != nil {
			return err
		}
	}
	work, err := os.MkdirTemp("", "vidiverse-bench-work-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	b.work = work
	b.local = o.local
	if b.local == "" {
		b.progress("building ./infra/local…")
		if b.local, err = localinstance.Build(ctx, work); err != nil {
			return err
		}
	}
	b.rep = &report{Started: b.start, Machine: hostinfo.Machine(), Tools: toolVersions()}
	b.progress("machine: %s", b.rep.Machine)
	if !o.skipTranscode {
		if err := b.transcoding(ctx); err != nil {
			return err
		}
	}
	if !o.skipAPI {
		if err := b.api(ctx); err != nil {
			return err
		}
	}
	if !o.skipFederation {
		if err := b.federation(ctx); err != nil {
			return err
		}
	}
	b.progress("done in %s", time.Since(b.start).Round(time.Second))
	if load := hostinfo.LoadAverage(); load != "" {
		b.rep.note("Load average at the end: %s (other work on a shared machine moves every figure; compare the ratios).", load)
	}
	fmt.Println()
	b.rep.print(os.Stdout)
	return nil
}

// coresNote says when more workers than cores cannot help.
func coresNote(workers int) string {
	if workers > runtime.NumCPU() {
		return fmt.Sprintf(" (%d cores: no gain over %d expected)", runtime.NumCPU(), runtime.NumCPU())
	}
	return ""
}
