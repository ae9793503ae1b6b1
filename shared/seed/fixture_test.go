package seed

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"
	"github.com/anacrolix/torrent/storage"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/blob/fs"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
	"github.com/vidiverse/vidiverse/shared/tracker"
)

// fixture is an instance as the pipeline leaves it: a store, blob storage
// with published files and their torrents, and the instance's tracker
// (shared/tracker: the store's published videos allowed, the seed's peer
// id permanent) at PUBLIC/tracker/socket, all on loopback.
type fixture struct {
	ctx       context.Context
	store     *store.Store
	blobs     blob.Store
	publicURL string
	tracker   *tracker.Tracker
	seedID    atomic.Pointer[[20]byte]
	user      model.User
	channel   model.Channel
	log       *slog.Logger
}

// testLog shows warnings and errors only: the BitTorrent client logs a
// lot at lower levels.
func testLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	requireHostCandidates(t)
	ctx := t.Context()
	dir := t.TempDir()
	tbl, err := embedded.Open(filepath.Join(dir, "table.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	st := store.New(tbl)

	f := &fixture{ctx: ctx, store: st, log: testLog()}
	f.tracker = tracker.New(tracker.Config{
		Allowed: tracker.StoreAllowList(st, time.Second).Allowed,
		Permanent: func(id [20]byte) bool {
			seed := f.seedID.Load()
			return seed != nil && *seed == id
		},
		// Every peer of the tests is 127.0.0.1, and an anacrolix leecher
		// announces again each time one of its offers is answered (each
		// answer a new connection, which the seed drops as a duplicate):
		// PeerTube's 15 per 5 minutes would leave no offer to replace a
		// connection that fails, no limit would let the loop run on.
		AnnounceLimit: tracker.Limit{Max: 200, Window: time.Minute},
		Log:           f.log,
	})
	t.Cleanup(func() { _ = f.tracker.Close() })
	mux := http.NewServeMux()
	mux.Handle(tracker.PathPrefix, f.tracker)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	blobs, err := fs.New(filepath.Join(dir, "blobs"), fs.Options{BaseURL: srv.URL, Secret: []byte("0123456789abcdef0123")})
	if err != nil {
		t.Fatal(err)
	}
	u, _, ch, err := st.CreateUser(ctx, store.NewUser{
		User:               model.User{Username: "ana", Email: "ana@example.com", PasswordHash: "x"},
		AccountDisplayName: "Ana",
		Channel:            model.Channel{Name: "ana_channel", DisplayName: "Ana's channel"},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.blobs, f.publicURL, f.user, f.channel = blobs, srv.URL, u, ch
	return f
}

// requireHostCandidates skips a test on a machine whose only interface is
// loopback: pion (under anacrolix's fixed settings) gathers host
// candidates on the other interfaces only, so two clients on one machine
// meet over its non-loopback address (the packets never leave the host).
func requireHostCandidates(t *testing.T) {
	t.Helper()
	ifaces, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLinkLocalUnicast() {
				return
			}
		}
	}
	t.Skip("no non-loopback address: WebRTC host candidates exclude loopback")
}

// published is a video file the fixture published.
type published struct {
	video    model.Video
	file     model.VideoFile
	key      string // the file's object key
	data     []byte
	infoHash metainfo.Hash
	torrent  []byte
}

// publish stores a video of one web-video file of size random bytes, its
// torrent as the pipeline makes it, and the video as published.
func (f *fixture) publish(t *testing.T, uuid string, size int, pieceLength int64) published {
	t.Helper()
	filename := uuid + "-240.mp4"
	p := f.storeFile(t, uuid, mediakeys.WebVideo(filename), size, pieceLength)
	p.file.Filename, p.file.TorrentFilename = filename, torrentfile.FileName(uuid, 240, false)
	f.putTorrent(t, p)
	v, err := f.store.CreateVideo(f.ctx, model.Video{UUID: uuid, AccountID: f.user.AccountID, State: model.StatePublished,
		VideoMeta: model.VideoMeta{Name: "clip " + uuid, ChannelID: f.channel.ID, Privacy: model.PrivacyPublic},
		Files:     []model.VideoFile{p.file}})
	if err != nil {
		t.Fatal(err)
	}
	p.video = v
	return p
}

// addHLS gives a published video an HLS playlist of one fragmented file.
func (f *fixture) addHLS(t *testing.T, v model.Video, size int, pieceLength int64) published {
	t.Helper()
	filename := v.UUID + "-240-fragmented.mp4"
	p := f.storeFile(t, v.UUID, mediakeys.HLSFile(v.UUID, filename), size, pieceLength)
	p.file.Filename, p.file.TorrentFilename = filename, torrentfile.FileName(v.UUID, 240, true)
	f.putTorrent(t, p)
	v, err := f.store.ModifyVideo(f.ctx, v.ID, func(v *model.Video) error {
		v.HLS = &model.StreamingPlaylist{PlaylistFilename: "master.m3u8", Files: []model.VideoFile{p.file}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p.video = v
	return p
}

// storeFile stores size random bytes under key and builds their torrent
// as the pipeline does (trackers of the public URL, the file's URL as web
// seed).
func (f *fixture) storeFile(t *testing.T, uuid, key string, size int, pieceLength int64) published {
	t.Helper()
	data := make([]byte, size)
	_, _ = rand.Read(data)
	if err := f.blobs.Put(f.ctx, key, bytes.NewReader(data), int64(size), blob.PutOptions{ContentType: "video/mp4"}); err != nil {
		t.Fatal(err)
	}
	ws, httpTracker, err := torrentfile.TrackerURLs(f.publicURL)
	if err != nil {
		t.Fatal(err)
	}
	tor, err := torrentfile.Build(f.ctx, bytes.NewReader(data), int64(size), torrentfile.Options{
		Name:        torrentfile.InfoName("clip "+uuid, 240, ".mp4"),
		Trackers:    [][]string{{ws}, {httpTracker}},
		WebSeeds:    []string{mediakeys.URL(f.publicURL, key)},
		PieceLength: pieceLength,
		CreatedBy:   "Vidiverse",
	})
	if err != nil {
		t.Fatal(err)
	}
	var ih metainfo.Hash
	if err := ih.FromHexString(tor.InfoHash); err != nil {
		t.Fatal(err)
	}
	file := model.VideoFile{Resolution: 240, Width: 426, Height: 240, FPS: 25, Size: int64(size), InfoHash: tor.InfoHash}
	return published{file: file, key: key, data: data, infoHash: ih, torrent: tor.Bytes}
}

func (f *fixture) putTorrent(t *testing.T, p published) {
	t.Helper()
	key := mediakeys.Torrent(p.file.TorrentFilename)
	if err := f.blobs.Put(f.ctx, key, bytes.NewReader(p.torrent), int64(len(p.torrent)), blob.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

// newSeed starts a seed over the fixture, closed when the test ends.
func (f *fixture) newSeed(t *testing.T, uploadRate int64) *Seed {
	t.Helper()
	s, err := New(f.ctx, Config{Store: f.store, Blobs: f.blobs, PublicURL: f.publicURL, UploadRate: uploadRate,
		Refresh: 100 * time.Millisecond, CacheBytes: 4 << 20, Log: f.log})
	if err != nil {
		t.Fatal(err)
	}
	id := s.PeerID()
	f.seedID.Store(&id)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// leecher is a BitTorrent client that reaches peers over WebRTC only,
// through the torrent's ws tracker: no TCP, uTP, DHT, PEX or web seeds.
type leecher struct {
	cl *torrent.Client
	t  *torrent.Torrent // the last download's
}

// newLeecher starts a leecher; its logs are dropped (it logs every
// duplicate connection the seed refuses as an error).
func newLeecher(t *testing.T) *leecher {
	t.Helper()
	cc := torrent.NewDefaultClientConfig()
	cc.DataDir = t.TempDir()
	cc.DefaultStorage = storage.NewFileWithCompletion(cc.DataDir, storage.NewMapPieceCompletion())
	cc.NoDHT, cc.DisableTCP, cc.DisableUTP, cc.DisableWebseeds, cc.DisablePEX = true, true, true, true, true
	cc.NoDefaultPortForwarding = true
	cc.ListenPort = 0
	cc.Slogger = slog.New(slog.DiscardHandler)
	cl, err := torrent.NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cl.Close() })
	return &leecher{cl: cl}
}

// download fetches a published file through the ws tracker the torrent
// names (its http tracker is left out: the leecher has no TCP) and
// returns its bytes.
func (l *leecher) download(ctx context.Context, torrentBytes []byte) ([]byte, error) {
	mi, err := metainfo.Load(bytes.NewReader(torrentBytes))
	if err != nil {
		return nil, err
	}
	spec, err := torrent.TorrentSpecFromMetaInfoErr(mi)
	if err != nil {
		return nil, err
	}
	var ws []string
	for _, tier := range spec.Trackers {
		for _, u := range tier {
			if strings.HasPrefix(u, "ws") {
				ws = append(ws, u)
			}
		}
	}
	spec.Trackers, spec.Webseeds = [][]string{ws}, nil
	tor, _, err := l.cl.AddTorrentSpec(spec)
	if err != nil {
		return nil, err
	}
	l.t = tor
	tor.DownloadAll()
	select {
	case <-tor.Complete().On():
	case <-ctx.Done():
		st := tor.Stats()
		return nil, fmt.Errorf("download: %d of %d bytes missing, %d peers connected, %d half-open, %d bytes read: %w",
			tor.BytesMissing(), tor.Length(), st.ActivePeers, st.HalfOpenPeers, st.BytesReadData.Int64(), ctx.Err())
	}
	r := tor.NewReader()
	defer r.Close()
	return io.ReadAll(r)
}

func sum(b []byte) string { s := sha256.Sum256(b); return fmt.Sprintf("%x", s) }
