package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/infra/localinstance"
)

// Targets of the federation figures.
const (
	targetDeliveryRatio = 0.8  // deliveries/s per consumer core ÷ signatures/s on one core
	targetWebFingerRPS  = 3500 // at targetConns
	targetActorRPS      = 2000 // at targetConns
	activityJSON        = "application/activity+json"
)

// federation measures the signing rate of one core, deliveries of one
// activity to many inboxes through the deliver queue against it, and the
// discovery routes (WebFinger, an actor document) with wrk.
func (b *bench) federation(ctx context.Context) error {
	o := b.opts
	rig, err := newDeliveryRig(ctx, filepath.Join(b.work, "federation"))
	if err != nil {
		return fmt.Errorf("federation: %w", err)
	}
	defer rig.close()

	// The signing baseline is measured before and after the delivery runs
	// and averaged: on a shared machine the load drifts.
	sign := func(when string) (signingResult, error) {
		b.progress("federation: RSA-2048 signatures on one core for %s (%s the deliveries)…", o.signDuration, when)
		res, err := measureSigning(ctx, rig.private, o.signDuration)
		if err == nil {
			b.progress("federation: %s signatures/s on one core (%s per CPU-second)", thousands(res.perSecond), thousands(res.perCPUSecond))
		}
		return res, err
	}
	signBefore, err := sign("before")
	if err != nil {
		return err
	}
	cores := runtime.NumCPU()
	diskDir := filepath.Join(b.work, "federation")
	memDir := memoryDir()
	where := "its file on tmpfs in " + memDir + ", so that the figures are of delivery rather than of this disk's fsync; one more run keeps it on disk"
	if memDir == "" {
		memDir, where = diskDir, "its file on disk: no tmpfs here"
	}
	b.rep.note("Deliveries: one activity (%s) fanned out to N inboxes on N distinct hosts (a loopback sink behind a resolver; a new connection per host), through the embedded deliver queue (%s), the event source driver (%d concurrent batches of 10, one per core) and shared/deliver, signed at send time; timed from Enqueue to the sink's N-th POST. The sink verifies one signature in %d; it runs in a process of its own, on the same cores.",
		kb(len(rig.activity)), where, cores, sampleEvery)

	type run struct {
		n     int
		dir   string
		label string
	}
	var runs []run
	for _, n := range o.deliveries {
		runs = append(runs, run{n, memDir, ""})
	}
	if memDir != diskDir {
		runs = append(runs, run{o.deliveries[0], diskDir, ", queue on disk"})
	}
	results := make([]deliveryResult, len(runs))
	for i, r := range runs {
		b.progress("federation: delivering to %s inboxes with %d consumers%s…", thousands(float64(r.n)), cores, r.label)
		if results[i], err = rig.run(ctx, fmt.Sprintf("r%d", i), r.n, cores, r.dir); err != nil {
			return fmt.Errorf("federation: %w", err)
		}
		b.progress("federation: %s deliveries/s in %s", thousands(results[i].perSecond()), secs(results[i].elapsed))
	}
	signAfter, err := sign("after")
	if err != nil {
		return err
	}
	signRate := (signBefore.perSecond + signAfter.perSecond) / 2
	signCPU := (signBefore.perCPUSecond + signAfter.perCPUSecond) / 2
	b.rep.add("RSA-2048 signatures (PKCS#1 v1.5, SHA-256), one core",
		fmt.Sprintf("%s /s (%s before the deliveries, %s after); %s per CPU-second",
			thousands(signRate), thousands(signBefore.perSecond), thousands(signAfter.perSecond), thousands(signCPU)),
		"baseline", "")
	for i, r := range runs {
		res := results[i]
		perCore := res.perSecond() / float64(cores)
		ratio := perCore / signRate
		target := ""
		if r.label == "" {
			target = fmt.Sprintf("≥ ×%.1f per core: %s", targetDeliveryRatio, metOrMissed(ratio >= targetDeliveryRatio))
		}
		b.rep.add(fmt.Sprintf("Deliveries to %s distinct inboxes, %d consumers%s", thousands(float64(r.n)), cores, r.label),
			fmt.Sprintf("%s /s in %s, %s /s per core; %s per CPU-second (%d signatures verified)",
				thousands(res.perSecond()), secs(res.elapsed), thousands(perCore), thousands(res.perCPUSecond()), res.sampled),
			fmt.Sprintf("×%.2f the signing rate per core; ×%.2f per CPU-second", ratio, res.perCPUSecond()/signCPU), target)
	}
	b.rep.note("Per CPU-second figures divide by the CPU time the delivering process used (getrusage; the sink is another process), which other work on the machine does not inflate; the per-core figures divide wall-clock rates by the %d cores, which the sink shares.", cores)
	return b.discoveryLoad(ctx)
}

// discoveryLoad runs wrk against WebFinger and an actor document of a
// fresh instance, beside the trivial server.
func (b *bench) discoveryLoad(ctx context.Context) error {
	o := b.opts
	b.progress("federation: starting a local instance…")
	inst, err := localinstance.Start(ctx, localinstance.Options{Binary: b.local})
	if err != nil {
		return err
	}
	defer inst.Stop()
	u, err := url.Parse(inst.Origin)
	if err != nil {
		return err
	}
	routes := []struct {
		name, path, accept string
		target             float64
	}{
		{"GET /.well-known/webfinger?resource=acct:root@HOST", "/.well-known/webfinger?resource=acct:root@" + u.Host, "", targetWebFingerRPS},
		{"GET /accounts/root (Accept: " + activityJSON + ")", "/accounts/root", activityJSON, targetActorRPS},
	}
	sizes := make([]int, len(routes))
	for i, r := range routes {
		n, err := checkRoute(ctx, inst.Origin+r.path, r.accept)
		if err != nil {
			return fmt.Errorf("%w: %s", err, inst.LogTail())
		}
		sizes[i] = n
	}
	baseURL, stopBase, err := startBaseline()
	if err != nil {
		return err
	}
	defer stopBase()
	b.rep.note("Discovery: a fresh instance; wrk -t2 --latency for %s per run; the trivial server runs just before each pair of routes.", o.federationDuration)
	for _, conns := range o.conns {
		b.progress("load: trivial net/http server, %d connections, %s…", conns, o.federationDuration)
		base, err := runWrk(ctx, baseURL, conns, o.federationDuration)
		if err != nil {
			return err
		}
		b.rep.add(fmt.Sprintf("Trivial net/http server (%s JSON), %d conns", kb(len(baselineBody)), conns), loadValue(base), "baseline", "")
		for i, r := range routes {
			b.progress("load: %s, %d connections, %s…", r.name, conns, o.federationDuration)
			var headers []string
			if r.accept != "" {
				headers = append(headers, "Accept: "+r.accept)
			}
			res, err := runWrk(ctx, inst.Origin+r.path, conns, o.federationDuration, headers...)
			if err != nil {
				return err
			}
			target := ""
			if conns == targetConns {
				target = fmt.Sprintf("≥ %s req/s: %s", thousands(r.target), metOrMissed(res.RequestsPerSec >= r.target))
			}
			b.rep.add(fmt.Sprintf("%s (%s), %d conns", r.name, kb(sizes[i]), conns), loadValue(res),
				fmt.Sprintf("×%.3f the trivial server's req/s", res.RequestsPerSec/base.RequestsPerSec), target)
		}
	}
	return nil
}

// checkRoute GETs a route once and returns its body size: the load must
// measure answers, not errors.
func checkRoute(ctx context.Context, rawURL, accept string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, fmt.Errorf("GET %s: %w", rawURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s: %s", rawURL, resp.Status, strings.TrimSpace(string(body)))
	}
	return len(body), nil
}
