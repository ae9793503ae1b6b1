package torrentfile

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"
)

// webSeed serves one file with Range support and records the Range header
// of each GET.
type webSeed struct {
	data   []byte
	mu     sync.Mutex
	ranges []string
}

func (s *webSeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.ranges = append(s.ranges, r.Header.Get("Range"))
	s.mu.Unlock()
	w.Header().Set("Content-Type", "video/mp4")
	http.ServeContent(w, r, "", time.Unix(1700000000, 0), bytes.NewReader(s.data))
}

func (s *webSeed) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.ranges)
}

// TestWebSeedDownload has a BitTorrent client with no peers, trackers or
// DHT fetch a real MP4 from its web seed alone, for two torrents of the
// same file: one with nothing on disk, and one whose file is on disk with
// its second piece corrupted. The client must check the pieces on disk
// against the torrent's hashes, keep the first, fetch the second with a
// ranged GET, and end with the served bytes.
func TestWebSeedDownload(t *testing.T) {
	t.Parallel() // the client's first web seed request waits for its 5 s timer
	clip := readTestdata(t, "clip-240p.mp4")
	const pieceLength = 16 << 10
	if len(clip) <= pieceLength || len(clip) > 2*pieceLength {
		t.Fatalf("the test wants a clip of two pieces, not %d bytes", len(clip))
	}
	fresh, partial := &webSeed{data: clip}, &webSeed{data: clip}
	mux := http.NewServeMux()
	mux.Handle("GET /static/web-videos/fresh-240.mp4", fresh)
	mux.Handle("GET /static/web-videos/partial-360.mp4", partial)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	wsTracker, httpTracker, err := TrackerURLs(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	build := func(name, path string) *metainfo.MetaInfo {
		built, err := Build(context.Background(), bytes.NewReader(clip), int64(len(clip)), Options{
			Name:        name,
			CreatedBy:   "PeerTube",
			Trackers:    [][]string{{wsTracker}, {httpTracker}},
			WebSeeds:    []string{srv.URL + path},
			PieceLength: pieceLength,
		})
		if err != nil {
			t.Fatal(err)
		}
		mi, err := metainfo.Load(bytes.NewReader(built.Bytes))
		if err != nil {
			t.Fatal(err)
		}
		if mi.HashInfoBytes().HexString() != built.InfoHash {
			t.Fatalf("%s: infohash %s, parsed %s", name, built.InfoHash, mi.HashInfoBytes().HexString())
		}
		return mi
	}
	freshName, partialName := InfoName("Test pattern clip", 240, ".mp4"), InfoName("Test pattern clip", 360, ".mp4")
	freshMI := build(freshName, "/static/web-videos/fresh-240.mp4")
	partialMI := build(partialName, "/static/web-videos/partial-360.mp4")

	dataDir := t.TempDir()
	corrupt := slices.Clone(clip)
	corrupt[pieceLength+100] ^= 0xff
	// anacrolix's file storage keeps a file that is not known complete
	// under NAME.part.
	if err := os.WriteFile(filepath.Join(dataDir, partialName+".part"), corrupt, 0o600); err != nil {
		t.Fatal(err)
	}

	cfg := torrent.NewDefaultClientConfig()
	cfg.DataDir = dataDir
	cfg.ListenPort = 0
	cfg.NoDHT = true
	cfg.DisableTCP = true
	cfg.DisableUTP = true
	cfg.DisableTrackers = true
	cfg.DisableWebtorrent = true
	cfg.DisablePEX = true
	cfg.NoDefaultPortForwarding = true
	cfg.NoUpload = true
	cfg.Slogger = slog.New(slog.NewTextHandler(io.Discard, nil))
	cl, err := torrent.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	freshT, err := cl.AddTorrent(freshMI)
	if err != nil {
		t.Fatalf("client refused the torrent: %v", err)
	}
	partialT, err := cl.AddTorrent(partialMI)
	if err != nil {
		t.Fatalf("client refused the torrent: %v", err)
	}
	if err := partialT.VerifyDataContext(context.Background()); err != nil {
		t.Fatalf("verify data on disk: %v", err)
	}
	if p0, p1 := partialT.PieceState(0), partialT.PieceState(1); !p0.Complete || p1.Complete {
		t.Fatalf("on disk: piece 0 complete %v (want true), piece 1 complete %v (want false: corrupted)", p0.Complete, p1.Complete)
	}
	freshT.DownloadAll()
	partialT.DownloadAll()
	for _, tor := range []*torrent.Torrent{freshT, partialT} {
		select {
		case <-tor.Complete().On():
		case <-time.After(30 * time.Second):
			t.Fatalf("%s incomplete after 30 s: %d of %d bytes", tor.Name(), tor.BytesCompleted(), len(clip))
		}
		for i := range tor.NumPieces() {
			if ps := tor.PieceState(i); !ps.Complete {
				t.Errorf("%s: piece %d incomplete", tor.Name(), i)
			}
		}
	}
	for _, name := range []string{freshName, partialName} {
		got, err := os.ReadFile(filepath.Join(dataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, clip) {
			t.Errorf("%s: %d bytes on disk differ from the %d served", name, len(got), len(clip))
		}
	}
	if got := fresh.seen(); len(got) == 0 {
		t.Error("the fresh torrent never asked its web seed")
	}
	wantRange := "bytes=16384-" + strconv.Itoa(len(clip)-1)
	if got := partial.seen(); !slices.Equal(got, []string{wantRange}) {
		t.Errorf("the partial torrent's web seed saw Range headers %q, want [%q]", got, wantRange)
	}
}
