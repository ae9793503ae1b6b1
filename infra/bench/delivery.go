package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vidiverse/vidiverse/shared/deliver"
	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/queue/eventsource"
	"github.com/vidiverse/vidiverse/shared/table"
	tableembedded "github.com/vidiverse/vidiverse/shared/table/embedded"
)

// The delivering instance of the delivery runs.
const (
	benchPublicURL = "https://bench.example"
	benchSigner    = "account:root"
	benchKeyID     = benchPublicURL + "/accounts/root"
	sinkDomain     = ".sink.test"
	// sampleEvery: the sink verifies the signature of one POST in this many.
	sampleEvery = 20
)

// deliveryRig is what the delivery runs share: a keyring on the embedded
// table holding the signer's key, and the activity sent.
type deliveryRig struct {
	dir      string
	keys     *keyring.Keyring
	pub      *rsa.PublicKey
	private  *rsa.PrivateKey
	activity []byte
	close    func()
}

func newDeliveryRig(ctx context.Context, dir string) (*deliveryRig, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	tbl, err := tableembedded.Open(filepath.Join(dir, "table.db"), table.Schema{TTLAttribute: "ttl"})
	if err != nil {
		return nil, err
	}
	kek, err := keyring.LoadKEK(filepath.Join(dir, "kek"))
	if err != nil {
		tbl.Close()
		return nil, err
	}
	kr, err := keyring.New(tbl, kek)
	if err != nil {
		tbl.Close()
		return nil, err
	}
	k, err := kr.Key(ctx, benchSigner) // generated and stored now, outside the timed runs
	if err != nil {
		tbl.Close()
		return nil, err
	}
	pub, err := httpsig.ParsePublicKeyPEM(k.PublicPEM)
	if err != nil {
		tbl.Close()
		return nil, err
	}
	return &deliveryRig{dir: dir, keys: kr, pub: pub, private: k.Private, activity: benchActivity(),
		close: func() { tbl.Close() }}, nil
}

// deliveryResult is one run's measure.
type deliveryResult struct {
	inboxes   int
	consumers int
	elapsed   time.Duration // Enqueue of the fan-out job → the last POST received
	sampled   int64         // signatures verified by the sink
	// cpu is the CPU time the delivering process used meanwhile (user
	// and system; the sink runs in another process).
	cpu time.Duration
}

func (r deliveryResult) perSecond() float64 { return float64(r.inboxes) / r.elapsed.Seconds() }

func (r deliveryResult) perCPUSecond() float64 { return float64(r.inboxes) / r.cpu.Seconds() }

// run delivers the activity to n distinct inboxes, each on a host of its
// own (hN.sink.test, resolved to the loopback sink), through the embedded
// deliver queue (its file in queueDir), the event source driver with
// `consumers` concurrent batches, and a Deliverer, and times it from the
// Enqueue of one fan-out job to the sink's n-th POST.
func (rig *deliveryRig) run(ctx context.Context, name string, n, consumers int, queueDir string) (deliveryResult, error) {
	res := deliveryResult{inboxes: n, consumers: consumers}
	dir, err := os.MkdirTemp(queueDir, "vidiverse-bench-queue-")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(dir)

	// The sink runs in a process of its own, so that this process's CPU
	// time is the delivering side's alone.
	sp, err := startSinkProcess(ctx, rig)
	if err != nil {
		return res, err
	}
	defer sp.stop()
	port := sp.port

	broker, err := embedded.Open(filepath.Join(dir, "queues.db"))
	if err != nil {
		return res, err
	}
	defer broker.Close()
	q, err := broker.Queue("deliver", embedded.Policy{VisibilityTimeout: 5 * time.Minute})
	if err != nil {
		return res, err
	}
	dead, err := broker.Queue("deliver-dead", embedded.Policy{})
	if err != nil {
		return res, err
	}
	client, err := fetch.New(fetch.Options{AllowPrivate: true, AllowHTTP: true, Resolver: sinkResolver{}, Timeout: 10 * time.Second})
	if err != nil {
		return res, err
	}
	inboxes := make([]string, n)
	for i := range inboxes {
		inboxes[i] = "http://" + name + "-h" + strconv.Itoa(i) + sinkDomain + ":" + port + "/inbox"
	}
	logs := &tailBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d := deliver.New(deliver.Deps{
		Queue:      q,
		DeadLetter: dead,
		Keys:       rig.keys,
		Followers: func(context.Context, model.ActorRef) ([]string, error) {
			return inboxes, nil
		},
		Client:    client,
		Log:       log,
		PublicURL: benchPublicURL,
		BaseDelay: time.Second,
	})
	runCtx, stop := context.WithCancel(ctx)
	drv := eventsource.New(q, d.Handle, eventsource.Options{Concurrency: consumers, PollWait: time.Second, Logger: log})
	driverDone := make(chan error, 1)
	go func() { driverDone <- drv.Run(runCtx) }()
	defer func() {
		stop()
		<-driverDone
	}()

	cpuStart := processCPU()
	start := time.Now()
	job := deliver.Job{Activity: rig.activity, Signer: benchSigner, KeyID: benchKeyID,
		Followers: []model.ActorRef{{Kind: model.KindAccount, ID: 1}}}
	if err := d.Enqueue(ctx, job); err != nil {
		return res, err
	}
	deadline := time.Now().Add(3 * time.Minute)
	var st sinkStats
	for {
		if st, err = sp.stats(); err != nil {
			return res, err
		}
		if st.Count >= int64(n) {
			break
		}
		if time.Now().After(deadline) {
			return res, fmt.Errorf("%s: %d of %d deliveries after 3 minutes: %s", name, st.Count, n, logs)
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	res.elapsed = time.Since(start)
	res.cpu = processCPU() - cpuStart
	res.sampled = st.Verified
	if st.Bad > 0 {
		return res, fmt.Errorf("%s: %d of %d sampled POSTs failed verification: %s", name, st.Bad, st.Bad+res.sampled, st.Err)
	}
	if res.sampled == 0 {
		return res, fmt.Errorf("%s: the sink verified no signature", name)
	}
	return res, nil
}

// sink is the loopback inbox server of the runs. It verifies the
// signature and the body of one POST in sampleEvery.
type sink struct {
	target   int64
	done     chan struct{}
	pub      *rsa.PublicKey
	activity []byte

	count, verified, bad atomic.Int64
	errMu                sync.Mutex
	err                  error
}

func (s *sink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || r.Method != http.MethodPost {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	n := s.count.Add(1)
	if n%sampleEvery == 1 {
		s.check(r, body)
	}
	w.WriteHeader(http.StatusAccepted)
	if n == s.target {
		close(s.done)
	}
}

func (s *sink) check(r *http.Request, body []byte) {
	v, err := httpsig.Verify(r, body, httpsig.VerifyOptions{PublicKey: func(_ context.Context, keyID string) (*rsa.PublicKey, error) {
		if keyID != benchKeyID {
			return nil, httpsig.ErrKeyNotFound
		}
		return s.pub, nil
	}})
	switch {
	case err != nil:
	case !bytes.Equal(body, s.activity):
		err = errors.New("the body is not the activity")
	case r.Header.Get("Content-Type") != deliver.ContentType:
		err = fmt.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	case !strings.Contains(strings.Join(v.Headers, " "), "digest"):
		err = errors.New("the digest is not signed")
	}
	if err == nil {
		s.verified.Add(1)
		return
	}
	s.bad.Add(1)
	s.errMu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.errMu.Unlock()
}

func (s *sink) firstErr() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// sinkResolver sends every *.sink.test name to the loopback sink.
type sinkResolver struct{}

func (sinkResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if strings.HasSuffix(host, sinkDomain) {
		return []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1})}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

// processCPU is the CPU time this process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// memoryDir is a directory on tmpfs, where fsync costs nothing, or ""
// when there is none.
func memoryDir() string {
	const shm = "/dev/shm"
	f, err := os.CreateTemp(shm, ".vidiverse-bench-")
	if err != nil {
		return ""
	}
	f.Close()
	os.Remove(f.Name())
	return shm
}

// tailBuffer keeps the last 4 KB written, for error messages.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = append([]byte(nil), t.b[len(t.b)-4096:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.b))
}

// benchActivity is a Create of a video shaped and sized like PeerTube's
// (about 4 KB).
func benchActivity() []byte {
	const base = benchPublicURL
	video := map[string]any{
		"type": "Video", "id": base + "/videos/watch/4c0a3bde-7f52-4e0e-8a4e-6f7c0a9c1d2e",
		"name": "A bench video", "duration": "PT64S", "uuid": "4c0a3bde-7f52-4e0e-8a4e-6f7c0a9c1d2e",
		"views": 0, "sensitive": false, "waitTranscoding": true, "state": 1, "commentsEnabled": true,
		"downloadEnabled": true, "published": "2025-01-02T03:04:05.000Z", "updated": "2025-01-02T03:04:05.000Z",
		"mediaType": "text/markdown", "content": strings.Repeat("A description of a reasonable length. ", 40),
		"support": nil, "subtitleLanguage": []any{},
		"icon": []any{map[string]any{"type": "Image", "url": base + "/lazy-static/thumbnails/a.jpg", "mediaType": "image/jpeg", "width": 280, "height": 157}},
		"url": []any{
			map[string]any{"type": "Link", "mediaType": "text/html", "href": base + "/w/abc"},
			map[string]any{"type": "Link", "mediaType": "application/x-mpegURL", "href": base + "/static/streaming-playlists/hls/master.m3u8"},
			map[string]any{"type": "Link", "mediaType": "video/mp4", "href": base + "/static/webseed/video-720.mp4", "height": 720, "size": 12345678, "fps": 30},
		},
		"likes": base + "/videos/watch/x/likes", "dislikes": base + "/videos/watch/x/dislikes",
		"shares": base + "/videos/watch/x/announces", "comments": base + "/videos/watch/x/comments",
		"attributedTo": []any{
			map[string]any{"type": "Person", "id": base + "/accounts/root"},
			map[string]any{"type": "Group", "id": base + "/video-channels/root_channel"},
		},
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"},
		"cc": []string{base + "/accounts/root/followers"},
	}
	act := map[string]any{
		"@context": []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1", map[string]any{"RsaSignature2017": "https://w3id.org/security#RsaSignature2017"}},
		"type":     "Create", "id": base + "/videos/watch/4c0a3bde-7f52-4e0e-8a4e-6f7c0a9c1d2e/activity",
		"actor": base + "/accounts/root", "object": video,
		"to": []string{"https://www.w3.org/ns/activitystreams#Public"}, "cc": []string{base + "/accounts/root/followers"},
	}
	b, err := json.Marshal(act)
	if err != nil {
		panic(err)
	}
	return b
}
