package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/web/browsertest"
)

// testLog sends the bench's progress lines to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestBenchEndToEnd is the whole bench, small: the instance built from
// source behind the CDN proxy, a 6 s clip, two Chromium viewers a second
// apart, and every byte they got accounted for by where it was served.
func TestBenchEndToEnd(t *testing.T) {
	browsertest.Require(t) // skips only when CI is unset and the tools are missing
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("ffmpeg is not installed")
		}
		t.Skip("ffmpeg is not installed")
	}
	o := defaultOptions()
	o.viewers = []int{2}
	o.seconds = 6
	o.height = 240
	o.watch = 10 * time.Second
	o.stagger = time.Second
	o.latency = 50 * time.Millisecond
	// Generous: on a cold build cache, building the instance takes minutes.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	rep, err := run(ctx, o, testLog{t})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep.print(&out)
	t.Log("\n" + out.String())

	if len(rep.Rounds) != 1 || len(rep.Rounds[0].Viewers) != 2 {
		t.Fatalf("rounds %+v", rep.Rounds)
	}
	r := rep.Rounds[0]
	size := rep.File.Size
	if size <= 0 || rep.File.Resolution.ID != 240 || rep.PieceLength < 16384 {
		t.Fatalf("published file %+v, piece length %d", rep.File, rep.PieceLength)
	}
	for i, v := range r.Viewers {
		if v.Error != "" || len(v.PageErrors) > 0 || v.Page == nil || v.Page.State == nil {
			t.Fatalf("viewer %d: %+v", i+1, v)
		}
		st := v.Page.State
		if st.Mode != "p2p" || st.Error != "" {
			t.Errorf("viewer %d played in mode %q (%s) %s", i+1, st.Mode, st.Fallback, st.Error)
		}
		ff, ok := v.firstFrame()
		if !ok || ff <= 0 || v.Page.CurrentTime <= 0 {
			t.Errorf("viewer %d never played: %+v", i+1, v.Page)
		}
		// The clip is shorter than the watch: each page got it all.
		if got := st.FromPeers + st.FromServer; got < size {
			t.Errorf("viewer %d got %d bytes of a %d-byte file", i+1, got, size)
		}
		if v.WatchedMS < o.watch.Milliseconds() {
			t.Errorf("viewer %d stayed %d ms, want %s", i+1, v.WatchedMS, o.watch)
		}
	}
	if gap := r.Viewers[1].ArrivedMS - r.Viewers[0].ArrivedMS; gap < 900 {
		t.Errorf("the second viewer came %d ms after the first; the stagger is %s", gap, o.stagger)
	}

	// Every byte the pages got was served by someone: the CDN proxy saw
	// at least the web seed's bytes the pages counted, and the seed plus
	// the other viewer at least what came from peers.
	s := r.sources()
	if s.total() < 2*size {
		t.Errorf("bytes by source %+v total %d, less than the two viewers' %d", s, s.total(), 2*size)
	}
	if s.CDN < s.FromServer || r.CDN.Requests < 2 {
		t.Errorf("the CDN proxy counted %d bytes in %d requests, the pages %d from the web seed", s.CDN, r.CDN.Requests, s.FromServer)
	}
	if s.Seeder+s.Viewers < s.FromPeers {
		t.Errorf("seeder %d + viewers %d < %d from peers", s.Seeder, s.Viewers, s.FromPeers)
	}
	if s.Viewers > 0 && s.Sent == 0 {
		t.Errorf("%d bytes came from a viewer, but no viewer's data channel sent any", s.Viewers)
	}
	if r.TrackerFailures != 0 {
		t.Errorf("%d tracker failures", r.TrackerFailures)
	}
	for _, want := range []string{"| N | CDN ", "| 2 | ", "Goal, seeder + viewers ≥ 85% of bytes at N = 2", "Goal, first frame ≤ 2.00 s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
