package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// viewer builds a viewer's result as the driver writes it.
func viewer(t *testing.T, js string) viewerResult {
	t.Helper()
	var v viewerResult
	if err := json.Unmarshal([]byte(js), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// Bytes by source: viewers are what the pages got from peers beyond what
// the seed sent, never negative; shares add up to the whole.
func TestRoundSources(t *testing.T) {
	r := round{N: 3, CDN: cdnCounts{Requests: 4, Bytes: 1_000_000}, Seeder: 3_000_000, Viewers: []viewerResult{
		viewer(t, `{"page":{"playing":850.5,"waits":1,"stalledMs":400,"sent":2000000,"connected":300,"state":{"mode":"p2p","fromPeers":2500000,"fromServer":900000}}}`),
		viewer(t, `{"page":{"playing":1900,"waits":0,"stalledMs":0,"sent":0,"connected":700,"state":{"mode":"p2p","fromPeers":3500000,"fromServer":0}}}`),
		viewer(t, `{"error":"open: timeout","page":null}`),
	}}
	s := r.sources()
	if s.FromPeers != 6_000_000 || s.FromServer != 900_000 || s.Sent != 2_000_000 || s.Viewers != 3_000_000 {
		t.Fatalf("sources %+v", s)
	}
	if s.total() != 7_000_000 || s.share(s.CDN)+s.share(s.Seeder)+s.share(s.Viewers) < 0.999999 {
		t.Fatalf("total %d, shares %v %v %v", s.total(), s.share(s.CDN), s.share(s.Seeder), s.share(s.Viewers))
	}
	played, never := r.frames()
	if len(played) != 2 || never != 1 || played[0] != 850500*time.Microsecond || played[1] != 1900*time.Millisecond {
		t.Fatalf("frames %v, never %d", played, never)
	}
	if m := median(played); m != (850500*time.Microsecond+1900*time.Millisecond)/2 {
		t.Errorf("median %s", m)
	}
	if n, total, worst := r.stalls(); n != 1 || total != 400*time.Millisecond || worst != 400*time.Millisecond {
		t.Errorf("stalls %d %s %s", n, total, worst)
	}
	if fp := r.firstPeers(); len(fp) != 2 || fp[1] != 700*time.Millisecond {
		t.Errorf("first peers %v", fp)
	}

	// The seed counted more than the pages got (a viewer left mid-piece).
	r.Seeder = 7_000_000
	if s := r.sources(); s.Viewers != 0 || s.total() != 8_000_000 {
		t.Errorf("seed above the pages' count: %+v", s)
	}
	if s := (sources{}); s.share(0) != 0 {
		t.Error("share of nothing")
	}
}

// The table has a row per round; the goals are judged at the largest N,
// a miss printed as MISSED.
func TestReportPrint(t *testing.T) {
	ok := func(ms float64) string {
		return `{"page":{"playing":` + jsonNum(ms) + `,"state":{"mode":"p2p","fromPeers":4000000}}}`
	}
	rep := &report{Started: time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), Machine: "test machine", Tools: "tools",
		Opts: defaultOptions(), File: videoFile{Size: 4_000_000}, PieceLength: 16384}
	rep.File.Resolution.ID = 480
	rep.Rounds = []round{
		{N: 1, CDN: cdnCounts{Bytes: 100_000}, Seeder: 4_000_000, Viewers: []viewerResult{viewer(t, ok(900))}},
		{N: 2, CDN: cdnCounts{Bytes: 2_000_000}, Seeder: 1_000_000, Viewers: []viewerResult{viewer(t, ok(1200)), viewer(t, ok(2500))}},
	}
	var b bytes.Buffer
	rep.print(&b)
	out := b.String()
	for _, want := range []string{
		"Vidiverse P2P benchmark, 2026-01-02 03:04 UTC", "Machine: test machine", "480p: 4.0 MB, 16 KiB pieces (245)",
		"one every 2.5 s", "for 40 s", "adds 300 ms", "no upload cap",
		"| 1 | 0.1 MB (2.4%)  |", "| 2 | 2.0 MB (20.0%) | 1.0 MB (10.0%) | 7.0 MB (70.0%) | 80.0%",
		"1.85 s / 2.50 s",
		"Goal, seeder + viewers ≥ 85% of bytes at N = 2: 80.0% — MISSED",
		"Goal, first frame ≤ 2.00 s for every viewer at N = 2: slowest 2.50 s — MISSED",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	rep.Rounds = rep.Rounds[:1]
	b.Reset()
	rep.print(&b)
	if out := b.String(); !strings.Contains(out, "at N = 1: 97.6% — met") || !strings.Contains(out, "slowest 0.90 s — met") {
		t.Errorf("goals met at N = 1:\n%s", out)
	}
}

func jsonNum(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func TestParseFlags(t *testing.T) {
	o, err := parseFlags([]string{"-viewers", "2, 4", "-watch", "12s", "-latency", "0s", "-seed-rate", "1000000"})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.viewers) != 2 || o.viewers[1] != 4 || o.watch != 12*time.Second || o.latency != 0 || o.seedRate != 1_000_000 || o.height != 480 {
		t.Errorf("options %+v", o)
	}
	for _, bad := range [][]string{{"-viewers", "0"}, {"-viewers", "x"}, {"-height", "481"}, {"-watch", "10ms"}, {"-stagger", "-1s"}} {
		if _, err := parseFlags(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
