package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/anacrolix/torrent"
	"github.com/anacrolix/torrent/metainfo"
	"github.com/anacrolix/torrent/storage"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"

	"github.com/vidiverse/vidiverse/shared/blob"
	blobs3 "github.com/vidiverse/vidiverse/shared/blob/s3"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
	"github.com/vidiverse/vidiverse/shared/topology"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
	"github.com/vidiverse/vidiverse/shared/tracker"
)

// instance is what the container finds in AWS, on loopback: the store
// over an embedded table and the media bucket behind an S3-compatible
// server, with one published video and its torrent as the pipeline
// leaves them.
type instance struct {
	store     *store.Store
	blobs     blob.Store
	publicURL string
	data      []byte
	torrent   []byte
	infoHash  string
}

func newInstance(t *testing.T, size int) *instance {
	t.Helper()
	ctx := t.Context()
	tbl, err := embedded.Open(filepath.Join(t.TempDir(), "table.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	in := &instance{store: store.New(tbl), blobs: newS3(t), publicURL: "https://video.example"}

	u, _, ch, err := in.store.CreateUser(ctx, store.NewUser{
		User:               model.User{Username: "ana", Email: "ana@example.com", PasswordHash: "x"},
		AccountDisplayName: "Ana",
		Channel:            model.Channel{Name: "ana_channel", DisplayName: "Ana's channel"},
	})
	if err != nil {
		t.Fatal(err)
	}
	const uuid = "5e0c7a52-8d8e-4a43-9a57-2f1c0f6d9b01"
	filename := uuid + "-240.mp4"
	key := mediakeys.WebVideo(filename)
	in.data = make([]byte, size)
	_, _ = rand.Read(in.data)
	if err := in.blobs.Put(ctx, key, bytes.NewReader(in.data), int64(size), blob.PutOptions{ContentType: "video/mp4"}); err != nil {
		t.Fatal(err)
	}
	ws, httpTracker, err := torrentfile.TrackerURLs(in.publicURL)
	if err != nil {
		t.Fatal(err)
	}
	tor, err := torrentfile.Build(ctx, bytes.NewReader(in.data), int64(size), torrentfile.Options{
		Name:        torrentfile.InfoName("clip", 240, ".mp4"),
		Trackers:    [][]string{{ws}, {httpTracker}},
		WebSeeds:    []string{mediakeys.URL(in.publicURL, key)},
		PieceLength: 256 << 10,
		CreatedBy:   "Vidiverse",
	})
	if err != nil {
		t.Fatal(err)
	}
	in.torrent, in.infoHash = tor.Bytes, tor.InfoHash
	file := model.VideoFile{Resolution: 240, Width: 426, Height: 240, FPS: 25, Size: int64(size), InfoHash: tor.InfoHash,
		Filename: filename, TorrentFilename: torrentfile.FileName(uuid, 240, false)}
	tkey := mediakeys.Torrent(file.TorrentFilename)
	if err := in.blobs.Put(ctx, tkey, bytes.NewReader(tor.Bytes), int64(len(tor.Bytes)), blob.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := in.store.CreateVideo(ctx, model.Video{UUID: uuid, AccountID: u.AccountID, State: model.StatePublished,
		VideoMeta: model.VideoMeta{Name: "clip", ChannelID: ch.ID, Privacy: model.PrivacyPublic},
		Files:     []model.VideoFile{file}}); err != nil {
		t.Fatal(err)
	}
	return in
}

// newS3 is the media bucket: shared/blob/s3 over gofakes3 on loopback.
func newS3(t *testing.T) blob.Store {
	t.Helper()
	backend, err := s3afero.MultiBucket(afero.NewBasePathFs(afero.NewOsFs(), t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	client := s3.NewFromConfig(aws.Config{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
	})
	if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("media")}); err != nil {
		t.Fatal(err)
	}
	return blobs3.New(client, "media")
}

func testLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// container runs the container's wiring as main does, on a loopback
// port, until the test ends or stop is called.
type container struct {
	url   string
	ws    string // the tracker's WebSocket URL on the container's port
	p     *p2p
	stop  context.CancelFunc
	ended chan error
	ln    net.Listener
}

func startContainer(t *testing.T, in *instance, seedOn bool) *container {
	t.Helper()
	log := testLog()
	p := newP2P(p2pConfig{Store: in.store, Blobs: in.blobs, PublicURL: in.publicURL,
		ClientIP: tracker.ForwardedFor(0), Seed: seedOn, Log: log})
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "api") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	c := &container{url: "http://" + ln.Addr().String(), ws: "ws://" + ln.Addr().String() + tracker.SocketPath,
		p: p, stop: cancel, ended: make(chan error, 1), ln: ln}
	go func() { c.ended <- serve(ctx, ln, newServer(routes(api, p), log), p) }()
	t.Cleanup(func() {
		cancel()
		<-c.ended
	})
	return c
}

func (c *container) metrics(t *testing.T) metricsBody {
	t.Helper()
	res, err := http.Get(c.url + MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m metricsBody
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil || res.StatusCode != http.StatusOK ||
		res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET %s: %d %v", MetricsPath, res.StatusCode, err)
	}
	return m
}

// waitFor polls cond every 50 ms for up to d.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

// TestSeedJoinsItsSwarmAndServesFromS3: the container's seed takes the
// published video from the store and its torrent from S3, announces to
// the container's own tracker over loopback and is never expired from the
// swarm; a WebRTC-only leecher gets every byte from it (pieces read from
// S3 with ranged reads); the metrics endpoint counts it all; and a
// shutdown ends everything.
func TestSeedJoinsItsSwarmAndServesFromS3(t *testing.T) {
	const size = 1<<20 + 4321
	in := newInstance(t, size)
	c := startContainer(t, in, true)

	var m metricsBody
	if !waitFor(20*time.Second, func() bool {
		m = c.metrics(t)
		return m.Seed != nil && m.Seed.Torrents == 1 && m.Tracker.Swarms == 1 && m.Tracker.Peers == 1
	}) {
		t.Fatalf("the seed never joined its swarm: %+v %+v", m.Tracker, m.Seed)
	}
	if m.Seed.PerTorrent[0].InfoHash != in.infoHash || m.Seed.Tracker != c.ws {
		t.Fatalf("seeding %+v through %s, want %s through %s", m.Seed.PerTorrent, m.Seed.Tracker, in.infoHash, c.ws)
	}
	// The seed's peer id is the one the tracker never expires.
	var id [20]byte
	if b, err := hex.DecodeString(m.Seed.PeerID); err != nil || copy(id[:], b) != 20 {
		t.Fatalf("peer id %q: %v", m.Seed.PeerID, err)
	}
	if !c.p.permanent(id) {
		t.Error("the seed's peer id is not permanent")
	}
	other := id
	other[0] ^= 0xff
	if c.p.permanent(other) {
		t.Error("another peer id is permanent")
	}

	if !hostCandidates() {
		t.Log("no non-loopback address: WebRTC host candidates exclude loopback; download skipped")
	} else {
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		got, read, err := leech(ctx, t, in.torrent, c.ws)
		if err != nil {
			t.Fatalf("%v (metrics %+v %+v)", err, c.metrics(t).Tracker, c.metrics(t).Seed)
		}
		if sha256.Sum256(got) != sha256.Sum256(in.data) {
			t.Fatalf("downloaded %d bytes, not the published file's %d", len(got), size)
		}
		m = c.metrics(t)
		t.Logf("leecher read %d bytes over WebRTC; the seed served %d and read %d from S3", read, m.Seed.BytesServed, m.Seed.Cache.BlobBytesRead)
		if read < size || m.Seed.BytesServed < read || m.Seed.Cache.BlobBytesRead < size {
			t.Errorf("leecher read %d bytes; seed served %d and read %d from S3; file has %d",
				read, m.Seed.BytesServed, m.Seed.Cache.BlobBytesRead, size)
		}
		if m.Tracker.AnswersRelayed == 0 || m.Tracker.OffersRelayed == 0 {
			t.Errorf("tracker relayed no offer or answer: %+v", m.Tracker)
		}
	}

	// Shutdown: serve returns nil, the port is closed, the tracker's
	// sockets are gone.
	c.stop()
	select {
	case err := <-c.ended:
		if err != nil {
			t.Fatalf("serve after shutdown: %v", err)
		}
		c.ended <- nil // for the cleanup
	case <-time.After(shutdownGrace + 5*time.Second):
		t.Fatal("serve did not return after shutdown")
	}
	if conn, err := net.Dial("tcp", c.ln.Addr().String()); err == nil {
		conn.Close()
		t.Error("the listener still accepts after shutdown")
	}
	if st := c.p.tracker.Stats(); st.Sockets != 0 {
		t.Errorf("%d tracker sockets open after shutdown", st.Sockets)
	}
}

// TestRoutes: the container serves its topology routes (the tracker's to
// the tracker, the upload to the API), /healthz and the metrics; the
// metrics are on no container route, so CloudFront never sends viewers
// there. Without a table it serves /healthz only.
func TestRoutes(t *testing.T) {
	for _, route := range topology.ContainerRoutes {
		pattern := topology.Pattern(route)
		_, path, _ := strings.Cut(pattern, " ")
		if path == MetricsPath || (strings.HasSuffix(path, "/") && strings.HasPrefix(MetricsPath, path)) {
			t.Errorf("container route %q reaches %s through CloudFront", route, MetricsPath)
		}
	}

	in := newInstance(t, 1000)
	c := startContainer(t, in, false)
	get := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, c.url+path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get(http.MethodGet, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	if code, body := get(http.MethodPost, "/api/v1/videos/upload"); code != 200 || body != "api" {
		t.Errorf("upload route: %d %q", code, body)
	}
	// The tracker answers its HTTP scrape (bencoded), not the API.
	if code, body := get(http.MethodGet, tracker.ScrapePath); code != 200 || !strings.HasPrefix(body, "d") {
		t.Errorf("scrape: %d %q", code, body)
	}
	if code, _ := get(http.MethodGet, "/api/v1/videos"); code != http.StatusNotFound {
		t.Errorf("a function route answered %d", code)
	}
	if m := c.metrics(t); m.Seed != nil {
		t.Errorf("seed disabled, metrics %+v", m.Seed)
	}

	srv := httptest.NewServer(routes(nil, nil))
	defer srv.Close()
	for path, want := range map[string]int{"/healthz": 200, tracker.SocketPath: 404, MetricsPath: 404, "/api/v1/videos/upload": 404} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("without a table, GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

// hostCandidates says whether the machine has a non-loopback address:
// pion (under anacrolix's fixed settings) gathers host candidates on
// those only, so two clients on one machine meet over one of them.
func hostCandidates() bool {
	ifaces, err := net.Interfaces()
	if err != nil {
		return false
	}
	for _, ifc := range ifaces {
		if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && !ipn.IP.IsLinkLocalUnicast() {
				return true
			}
		}
	}
	return false
}

// leech downloads a torrent over WebRTC only, through the tracker at ws
// (no TCP, uTP, DHT, PEX or web seed), and returns its bytes and the
// piece data the client read.
func leech(ctx context.Context, t *testing.T, torrentBytes []byte, ws string) ([]byte, int64, error) {
	t.Helper()
	cc := torrent.NewDefaultClientConfig()
	cc.DataDir = t.TempDir()
	cc.DefaultStorage = storage.NewFileWithCompletion(cc.DataDir, storage.NewMapPieceCompletion())
	cc.NoDHT, cc.DisableTCP, cc.DisableUTP, cc.DisableWebseeds, cc.DisablePEX = true, true, true, true, true
	cc.NoDefaultPortForwarding = true
	cc.ListenPort = 0
	cc.Slogger = slog.New(slog.DiscardHandler) // it logs each duplicate connection the seed drops
	cl, err := torrent.NewClient(cc)
	if err != nil {
		return nil, 0, err
	}
	defer cl.Close()
	mi, err := metainfo.Load(bytes.NewReader(torrentBytes))
	if err != nil {
		return nil, 0, err
	}
	spec, err := torrent.TorrentSpecFromMetaInfoErr(mi)
	if err != nil {
		return nil, 0, err
	}
	spec.Trackers, spec.Webseeds = [][]string{{ws}}, nil
	tor, _, err := cl.AddTorrentSpec(spec)
	if err != nil {
		return nil, 0, err
	}
	tor.DownloadAll()
	select {
	case <-tor.Complete().On():
	case <-ctx.Done():
		return nil, 0, fmt.Errorf("download: %d of %d bytes missing: %w", tor.BytesMissing(), tor.Length(), ctx.Err())
	}
	r := tor.NewReader()
	defer r.Close()
	b, err := io.ReadAll(r)
	st := tor.Stats()
	return b, st.BytesReadData.Int64(), err
}
