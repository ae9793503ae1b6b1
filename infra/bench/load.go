package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// loadResult is what one wrk run measured.
type loadResult struct {
	RequestsPerSec float64
	P50, P99       time.Duration
	Requests       int64
	Non2xx         int64 // "Non-2xx or 3xx responses"
	SocketErrors   int64 // connect + read + write + timeout
}

// runWrk runs wrk with 2 threads, conns connections and the latency
// distribution for d against url, sending headers ("Name: value") with
// every request, and parses what it prints.
func runWrk(ctx context.Context, url string, conns int, d time.Duration, headers ...string) (loadResult, error) {
	args := []string{"-t2", "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(d.Seconds())) + "s", "--latency"}
	for _, h := range headers {
		args = append(args, "-H", h)
	}
	args = append(args, url)
	out, err := exec.CommandContext(ctx, "wrk", args...).CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	res, err := parseWrk(string(out))
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk %s: %w", strings.Join(args, " "), err)
	}
	return res, nil
}

var (
	wrkPercentile = regexp.MustCompile(`^\s*(50|99)(?:\.0+)?%\s+([0-9.]+)(us|ms|s|m)\s*$`)
	wrkRate       = regexp.MustCompile(`^\s*Requests/sec:\s+([0-9.]+)`)
	wrkTotal      = regexp.MustCompile(`^\s*([0-9]+) requests in `)
	wrkNon2xx     = regexp.MustCompile(`^\s*Non-2xx or 3xx responses:\s+([0-9]+)`)
	wrkSocket     = regexp.MustCompile(`^\s*Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)`)
)

// parseWrk reads wrk's --latency report.
func parseWrk(out string) (loadResult, error) {
	var res loadResult
	var haveRate, have50, have99 bool
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if m := wrkPercentile.FindStringSubmatch(line); m != nil {
			d, err := wrkDuration(m[2], m[3])
			if err != nil {
				return res, err
			}
			if m[1] == "50" {
				res.P50, have50 = d, true
			} else {
				res.P99, have99 = d, true
			}
		}
		if m := wrkRate.FindStringSubmatch(line); m != nil {
			v, err := strconv.ParseFloat(m[1], 64)
			if err != nil {
				return res, err
			}
			res.RequestsPerSec, haveRate = v, true
		}
		if m := wrkTotal.FindStringSubmatch(line); m != nil {
			res.Requests, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if m := wrkNon2xx.FindStringSubmatch(line); m != nil {
			res.Non2xx, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if m := wrkSocket.FindStringSubmatch(line); m != nil {
			for _, s := range m[1:] {
				n, _ := strconv.ParseInt(s, 10, 64)
				res.SocketErrors += n
			}
		}
	}
	if !haveRate || !have50 || !have99 {
		return res, errors.New("no Requests/sec or 50%/99% latency in wrk's report (was --latency given?)")
	}
	return res, nil
}

// wrkDuration converts wrk's "635.91us", "4.07ms", "1.20s", "2.00m".
func wrkDuration(num, unit string) (time.Duration, error) {
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("wrk latency %s%s: %w", num, unit, err)
	}
	scale := map[string]float64{"us": float64(time.Microsecond), "ms": float64(time.Millisecond), "s": float64(time.Second), "m": float64(time.Minute)}[unit]
	return time.Duration(v * scale), nil
}

// baselineBody is the trivial server's answer: 1 KiB of JSON.
var baselineBody = func() []byte {
	const size = 1024
	head, tail := `{"total":1,"data":[{"name":"`, `"}]}`
	return []byte(head + strings.Repeat("x", size-len(head)-len(tail)) + tail)
}()

// startBaseline serves baselineBody from a plain net/http server on a
// free loopback port: the ceiling of an HTTP server in Go on this machine,
// for wrk runs measured beside the instance's.
func startBaseline() (url string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("baseline server: %w", err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.Header().Set("Content-Length", strconv.Itoa(len(baselineBody)))
			_, _ = w.Write(baselineBody)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(l) }()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + l.Addr().String() + "/", stop, nil
}
