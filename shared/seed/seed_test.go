package seed

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/tracker"
)

// TestLeecherDownloadsFromSeed: a WebRTC-only client downloads a published
// file from the seed through the ws tracker, and the bytes are the
// original's; the seed's metrics count what it served.
func TestLeecherDownloadsFromSeed(t *testing.T) {
	f := newFixture(t)
	p := f.publish(t, "4f1f4d4e-0b3c-4c9a-9e51-0c0f3b7a1a01", 3<<20+12345, 256<<10)
	s := f.newSeed(t, 0)
	if err := s.Sync(f.ctx); err != nil {
		t.Fatal(err)
	}
	if m := s.Metrics(); m.Torrents != 1 || m.PerTorrent[0].InfoHash != p.infoHash.HexString() {
		t.Fatalf("seeding %+v, want %s", m, p.infoHash.HexString())
	}

	ctx, cancel := context.WithTimeout(f.ctx, 20*time.Second)
	defer cancel()
	// Peers are counted while connected: once the leecher completes, the
	// seed drops it (both complete), so watch during the download.
	maxPeers := make(chan int)
	stop := watch(func() int { return s.Metrics().Peers }, maxPeers)
	start := time.Now()
	l := newLeecher(t)
	got, err := l.download(ctx, p.torrent)
	close(stop)
	if err != nil {
		t.Fatalf("%v (tracker %+v, seed %+v)", err, f.tracker.Stats(), s.Metrics())
	}
	t.Logf("downloaded %d bytes over WebRTC in %v", len(got), time.Since(start).Round(time.Millisecond))
	if sum(got) != sum(p.data) {
		t.Fatalf("downloaded %d bytes, sha256 %s; want %d bytes, %s", len(got), sum(got), len(p.data), sum(p.data))
	}
	if peers := <-maxPeers; peers < 1 {
		t.Errorf("the seed never counted a peer")
	}

	// Every byte the leecher read came from the seed (no web seed, no
	// other peer). The seed counts what it hands to its connections, a
	// little more than arrives: requests cancelled in the endgame and
	// chunks in flight when the leecher, complete, hangs up.
	size := int64(len(p.data))
	ls := l.t.Stats()
	read := ls.BytesReadData.Int64()
	m := s.Metrics()
	t.Logf("seed served %d bytes, leecher read %d, file has %d", m.BytesServed, read, size)
	if read < size || m.BytesServed < read || m.BytesServed > size+size/2 {
		t.Errorf("seed served %d bytes, leecher read %d, file has %d", m.BytesServed, read, size)
	}
	if m.PerTorrent[0].BytesServed != m.BytesServed || m.PerTorrent[0].Video != p.video.UUID {
		t.Errorf("per torrent %+v, total %d", m.PerTorrent[0], m.BytesServed)
	}
	if m.Cache.BlobBytesRead < size || m.Cache.Misses < 13 {
		t.Errorf("cache %+v: every piece should have been read from blob storage once", m.Cache)
	}

	// The handler serves the same counters as JSON.
	rec := httptest.NewRecorder()
	s.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	var served Metrics
	if err := json.Unmarshal(rec.Body.Bytes(), &served); err != nil || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("metrics handler: %v, %q", err, rec.Body.String())
	}
	if served.BytesServed < m.BytesServed || served.Torrents != 1 || served.PeerID != m.PeerID || len(served.PerTorrent) != 1 {
		t.Errorf("handler says %+v, Metrics %+v", served, m)
	}
	if st := f.tracker.Stats(); st.AnswersRelayed == 0 || st.Announces == 0 {
		t.Errorf("tracker stats %+v", st)
	}
}

// TestSyncFollowsTheStore: only the files (web videos and HLS) of
// published local videos are seeded, a deleted video's torrents are
// dropped and Run picks up a new video.
func TestSyncFollowsTheStore(t *testing.T) {
	f := newFixture(t)
	a := f.publish(t, "0a0a0a0a-0000-4000-8000-00000000000a", 40<<10, 16<<10)
	b := f.publish(t, "0b0b0b0b-0000-4000-8000-00000000000b", 40<<10, 16<<10)
	bHLS := f.addHLS(t, b.video, 50<<10, 16<<10)
	c := f.publish(t, "0c0c0c0c-0000-4000-8000-00000000000c", 40<<10, 16<<10)
	// c is transcoding again: not published.
	if _, err := f.store.ModifyVideo(f.ctx, c.video.ID, func(v *model.Video) error {
		v.State = model.StateToTranscode
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	// e is held as another instance's: its origin seeds it.
	e := f.publish(t, "0e0e0e0e-0000-4000-8000-00000000000e", 40<<10, 16<<10)
	if _, err := f.store.ModifyVideo(f.ctx, e.video.ID, func(v *model.Video) error {
		v.Remote = &model.RemoteVideo{URL: "https://peertube.example/videos/watch/" + v.UUID, Host: "peertube.example"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	s := f.newSeed(t, 0)
	if err := s.Sync(f.ctx); err != nil {
		t.Fatal(err)
	}
	assertSeeding(t, s, a, b, bHLS)

	if err := f.store.DeleteVideo(f.ctx, a.video); err != nil {
		t.Fatal(err)
	}
	if err := s.Sync(f.ctx); err != nil {
		t.Fatal(err)
	}
	assertSeeding(t, s, b, bHLS)
	if _, ok := s.cl.Torrent(a.infoHash); ok {
		t.Error("the deleted video's torrent is still in the client")
	}

	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	d := f.publish(t, "0d0d0d0d-0000-4000-8000-00000000000d", 40<<10, 16<<10)
	deadline := time.Now().Add(5 * time.Second)
	for s.Metrics().Torrents != 3 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	assertSeeding(t, s, b, bHLS, d)
}

// watch polls f every 10 ms until stop is closed, then sends the largest
// value seen.
func watch(f func() int, largest chan<- int) (stop chan struct{}) {
	stop = make(chan struct{})
	go func() {
		most := f()
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				largest <- max(most, f())
				return
			case <-tick.C:
				most = max(most, f())
			}
		}
	}()
	return stop
}

func assertSeeding(t *testing.T, s *Seed, want ...published) {
	t.Helper()
	m := s.Metrics()
	got := map[string]string{} // infohash → object key
	for _, tm := range m.PerTorrent {
		got[tm.InfoHash] = tm.File
	}
	for _, p := range want {
		if key, ok := got[p.infoHash.HexString()]; !ok || key != p.key {
			t.Errorf("not seeding %s from %s (video %s); seeding %v", p.infoHash.HexString(), p.key, p.video.UUID, got)
		}
	}
	if m.Torrents != len(want) || len(got) != len(want) {
		t.Errorf("seeding %d torrents %v, want %d", m.Torrents, got, len(want))
	}
}

// TestUploadCap: a capped seed sends no faster than its cap (with the
// token bucket's burst as slack).
func TestUploadCap(t *testing.T) {
	const rate = 256 << 10
	f := newFixture(t)
	p := f.publish(t, "cafecafe-0000-4000-8000-0000000000ca", 1<<20, 64<<10)
	s := f.newSeed(t, rate)
	if err := s.Sync(f.ctx); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(f.ctx, 20*time.Second)
	defer cancel()

	// Sample the bytes served while the leecher downloads.
	type sample struct {
		at    time.Duration
		bytes int64
	}
	var samples []sample
	stop := make(chan struct{})
	sampled := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(sampled)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				samples = append(samples, sample{time.Since(start), s.Metrics().BytesServed})
			}
		}
	}()
	got, err := newLeecher(t).download(ctx, p.torrent)
	close(stop)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	if sum(got) != sum(p.data) {
		t.Fatal("downloaded bytes differ from the original")
	}
	// From the first byte served to the last, the rate stays under the
	// cap: the burst may go at once, the rest at the cap at most.
	var first sample
	for _, sm := range samples {
		if sm.bytes > 0 {
			first = sm
			break
		}
	}
	last := samples[len(samples)-1]
	burst := int64(max(minUploadBurst, rate/8))
	elapsed := (last.at - first.at).Seconds()
	want := float64(last.bytes-first.bytes-burst) / rate
	t.Logf("served %d bytes in %.2fs after the first sample (%d samples); at the cap that takes at least %.2fs",
		last.bytes-first.bytes, elapsed, len(samples), want)
	if elapsed < 0.8*want {
		t.Errorf("served %d bytes in %.2fs: faster than the cap of %d B/s", last.bytes-first.bytes, elapsed, rate)
	}
	if elapsed > 4*want+2 {
		t.Errorf("served %d bytes in %.2fs: far slower than the cap of %d B/s", last.bytes-first.bytes, elapsed, rate)
	}
}

// TestSeedWaitsForItsTracker: a seed started just before its tracker
// listens (one process binding its port) still joins the swarm at once;
// anacrolix alone would dial again only a minute later.
func TestSeedWaitsForItsTracker(t *testing.T) {
	f := newFixture(t)
	p := f.publish(t, "5eed5eed-0000-4000-8000-000000000005", 300<<10, 32<<10)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // not listening until later

	s, err := New(f.ctx, Config{Store: f.store, Blobs: f.blobs, PublicURL: f.publicURL,
		TrackerURL: "ws://" + addr + tracker.SocketPath, Log: f.log})
	if err != nil {
		t.Fatal(err)
	}
	id := s.PeerID()
	f.seedID.Store(&id)
	t.Cleanup(func() { _ = s.Close() })
	synced := make(chan error, 1)
	go func() { synced <- s.Sync(f.ctx) }()

	time.Sleep(300 * time.Millisecond)
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	srv := &http.Server{Handler: f.tracker}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	if err := <-synced; err != nil {
		t.Fatal(err)
	}

	// The leecher reaches the same tracker at the public URL.
	ctx, cancel := context.WithTimeout(f.ctx, 15*time.Second)
	defer cancel()
	got, err := newLeecher(t).download(ctx, p.torrent)
	if err != nil {
		t.Fatalf("%v (tracker %+v, seed %+v)", err, f.tracker.Stats(), s.Metrics())
	}
	if sum(got) != sum(p.data) {
		t.Fatal("downloaded bytes differ from the original")
	}
}

// TestMaxTorrents: a bounded seed takes web videos before HLS files, the
// most recently published first.
func TestMaxTorrents(t *testing.T) {
	f := newFixture(t)
	older := f.publish(t, "01d01d01-0000-4000-8000-000000000001", 20<<10, 16<<10)
	newer := f.publish(t, "0e30e30e-0000-4000-8000-000000000002", 20<<10, 16<<10)
	f.addHLS(t, newer.video, 20<<10, 16<<10)
	for p, year := range map[*published]int{&older: 2020, &newer: 2021} {
		if _, err := f.store.ModifyVideo(f.ctx, p.video.ID, func(v *model.Video) error {
			v.PublishedAt = time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	for n, want := range map[int][]published{1: {newer}, 2: {newer, older}} {
		s, err := New(f.ctx, Config{Store: f.store, Blobs: f.blobs, PublicURL: f.publicURL, MaxTorrents: n, Log: f.log})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Sync(f.ctx); err != nil {
			t.Fatal(err)
		}
		assertSeeding(t, s, want...)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
