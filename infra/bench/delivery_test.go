package main

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// TestMain lets the test binary serve as the sink process of the runs.
func TestMain(m *testing.M) {
	if maybeRunSink() {
		return
	}
	os.Exit(m.Run())
}

// A small delivery run: every inbox gets the activity, the sink verifies
// its samples, and the figure is a rate.
func TestDeliveryRun(t *testing.T) {
	n := 200
	if s := os.Getenv("BENCH_DELIVERIES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	rig, err := newDeliveryRig(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer rig.close()
	res, err := rig.run(context.Background(), "t", n, 2, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if res.inboxes != n || res.elapsed <= 0 || res.sampled != int64((n+sampleEvery-1)/sampleEvery) {
		t.Fatalf("result %+v", res)
	}
	t.Logf("%d deliveries in %s: %.0f /s, %s of CPU (%.0f per CPU-second)", n, res.elapsed, res.perSecond(), res.cpu, float64(n)/res.cpu.Seconds())
}
