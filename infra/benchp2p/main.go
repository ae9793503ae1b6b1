package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// options are the bench's knobs.
type options struct {
	local    string        // the local instance binary; built when empty
	viewers  []int         // viewer counts, one round each
	seconds  float64       // clip length
	height   int           // clip height (16:9), the one rendition published
	watch    time.Duration // how long each viewer stays, from opening the page
	stagger  time.Duration // time between two viewers' arrivals
	latency  time.Duration // added to every media request (CDN model)
	cdnRate  int64         // bytes per second of each media response; 0: no cap
	seedRate int64         // SEED_UPLOAD_RATE; 0: no cap
	noSeed   bool          // SEED_ENABLED=false: the CDN and the viewers only
}

func defaultOptions() options {
	return options{
		viewers: []int{1, 3, 6, 10},
		seconds: 60,
		height:  480,
		watch:   40 * time.Second,
		stagger: 2500 * time.Millisecond,
		latency: 300 * time.Millisecond,
	}
}

func parseFlags(args []string) (options, error) {
	o := defaultOptions()
	fs := flag.NewFlagSet("bench-p2p", flag.ContinueOnError)
	viewers := "1,3,6,10"
	fs.StringVar(&o.local, "local", "", "path of the vidiverse-local binary (make run's); built into a temporary directory when empty")
	fs.StringVar(&viewers, "viewers", viewers, "viewer counts, one round each")
	fs.Float64Var(&o.seconds, "seconds", o.seconds, "length in seconds of the test clip")
	fs.IntVar(&o.height, "height", o.height, "height of the 16:9 test clip, published as that one resolution")
	fs.DurationVar(&o.watch, "watch", o.watch, "how long each viewer stays, from opening the page (playing at 1×)")
	fs.DurationVar(&o.stagger, "stagger", o.stagger, "time between two viewers' arrivals")
	fs.DurationVar(&o.latency, "latency", o.latency, "latency the CDN proxy adds to every media request")
	fs.Int64Var(&o.cdnRate, "cdn-rate", 0, "bytes per second of each media response at the CDN proxy (0: no cap)")
	fs.Int64Var(&o.seedRate, "seed-rate", 0, "upload cap of the instance's WebRTC seed in bytes per second (SEED_UPLOAD_RATE; 0: none, as make run)")
	fs.BoolVar(&o.noSeed, "no-seed", false, "run the instance without its WebRTC seed (SEED_ENABLED=false): the CDN and the viewers only")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var err error
	if o.viewers, err = intList(viewers); err != nil {
		return o, fmt.Errorf("-viewers: %w", err)
	}
	switch {
	case o.seconds < 2 || o.height < 144 || o.height%2 != 0:
		return o, errors.New("-seconds must be at least 2 and -height an even number of at least 144")
	case o.watch < time.Second:
		return o, errors.New("-watch must be at least 1s")
	case o.stagger < 0 || o.latency < 0 || o.cdnRate < 0 || o.seedRate < 0:
		return o, errors.New("-stagger, -latency, -cdn-rate and -seed-rate cannot be negative")
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
	o, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-p2p:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	rep, err := run(ctx, o, os.Stderr)
	interrupted := ctx.Err() != nil
	stop()
	switch {
	case interrupted:
		fmt.Fprintln(os.Stderr, "bench-p2p: interrupted; instance and browsers stopped, temporary files removed")
		os.Exit(130)
	case err != nil:
		fmt.Fprintln(os.Stderr, "bench-p2p:", err)
		os.Exit(1)
	}
	fmt.Println()
	rep.print(os.Stdout)
}

// bench holds what the steps share.
type bench struct {
	opts  options
	start time.Time
	log   io.Writer // progress lines
}

// progress prints a progress line.
func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(b.log, "[%4.0fs] %s\n", time.Since(b.start).Seconds(), fmt.Sprintf(format, args...))
}
