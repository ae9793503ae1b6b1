package pipeline_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/vidiverse/vidiverse/shared/blob"
	blobfs "github.com/vidiverse/vidiverse/shared/blob/fs"
	"github.com/vidiverse/vidiverse/shared/cdn"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/pipeline"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/store"
	tableembedded "github.com/vidiverse/vidiverse/shared/table/embedded"
	"github.com/vidiverse/vidiverse/shared/transcode"
)

// setup configures a harness.
type setup struct {
	resolutions  []int
	chunkSeconds float64
	maxAttempts  int
	// visibility is the queue's visibility timeout (how soon a failed
	// message is delivered again).
	visibility time.Duration
	// ffmpeg replaces the ffmpeg binary (a wrapper script).
	ffmpeg string
}

// harness is a pipeline over real local components: an embedded table, a
// file-system blob store whose presigned URLs (read by ffmpeg) and public
// media are served on a loopback HTTP server, and an embedded queue.
type harness struct {
	t       *testing.T
	cfg     pipeline.Config
	st      *store.Store
	blobs   *blobfs.Store
	q       *embedded.Queue
	p       *pipeline.Pipeline
	base    string // the server's URL: blob base URL and public URL
	workDir string
	account int64
	channel int64

	mu  sync.Mutex
	log []delivery // every Handle call, in order
}

// delivery is one record handed to Handle and what it answered.
type delivery struct {
	job     pipeline.Job
	body    string
	id      string
	receive int
	failed  bool
}

func newHarness(t *testing.T, s setup) *harness {
	t.Helper()
	if s.resolutions == nil {
		s.resolutions = []int{144, 240}
	}
	if s.maxAttempts == 0 {
		s.maxAttempts = 3
	}
	if s.visibility == 0 {
		s.visibility = 30 * time.Second
	}
	dir := t.TempDir()
	quiet := slog.New(slog.DiscardHandler)

	tbl, err := tableembedded.Open(filepath.Join(dir, "table.db"), store.Schema, tableembedded.WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	broker, err := embedded.Open(filepath.Join(dir, "queues.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = broker.Close() })
	q, err := broker.Queue("transcode", embedded.Policy{VisibilityTimeout: s.visibility, MaxReceives: s.maxAttempts})
	if err != nil {
		t.Fatal(err)
	}

	// The listener comes first: the blob store's base URL is its address.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	blobs, err := blobfs.New(filepath.Join(dir, "blobs"), blobfs.Options{BaseURL: base, Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(blobfs.PathPrefix, blobs.Handler())
	media := &cdn.Handler{Blobs: blobs, Log: quiet}
	mux.Handle("/static/", media)
	mux.Handle("/lazy-static/", media)
	srv := httptest.NewUnstartedServer(mux)
	_ = srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	st := store.New(tbl)
	ctx := context.Background()
	_, acc, ch, err := st.CreateUser(ctx, store.NewUser{
		User:               model.User{Username: "alice", Email: "alice@example.org", Role: model.RoleUser, VideoQuota: -1, VideoQuotaDaily: -1},
		AccountDisplayName: "Alice",
		Channel:            model.Channel{Name: "alice_channel", DisplayName: "Alice's channel"},
	})
	if err != nil {
		t.Fatal(err)
	}

	tools := transcode.DefaultTools()
	tools.Log = quiet
	tools.Preset = "ultrafast"
	if s.ffmpeg != "" {
		tools.FFmpeg = s.ffmpeg
	}
	work := filepath.Join(dir, "work")
	if err := os.Mkdir(work, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg := pipeline.Config{PublicURL: base, Resolutions: s.resolutions, ChunkSeconds: s.chunkSeconds,
		MaxAttempts: s.maxAttempts, WorkDir: work}
	h := &harness{t: t, cfg: cfg, st: st, blobs: blobs, q: q, base: base, workDir: work, account: acc.ID, channel: ch.ID,
		p: pipeline.New(cfg, st, blobs, q, tools, quiet)}
	return h
}

// upload stores an original as the upload handlers do and creates its
// video as the API does (the upload listed as an unpublished first file),
// without queueing anything.
func (h *harness) upload(name, filename string, data []byte) model.Video {
	h.t.Helper()
	ctx := context.Background()
	key := mediakeys.Originals + randomHex(16)
	if err := h.blobs.Put(ctx, key, bytes.NewReader(data), int64(len(data)), blob.PutOptions{ContentType: "application/octet-stream"}); err != nil {
		h.t.Fatal(err)
	}
	return h.createVideo(name, model.SourceFile{Key: key, Filename: filename, Size: int64(len(data))})
}

func (h *harness) createVideo(name string, src model.SourceFile) model.Video {
	h.t.Helper()
	ctx := context.Background()
	fileID, err := h.st.NewFileID(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	v, err := h.st.CreateVideo(ctx, model.Video{
		UUID: mediakeys.NewName(), AccountID: h.account,
		VideoMeta: model.VideoMeta{Name: name, ChannelID: h.channel, Privacy: model.PrivacyPublic},
		State:     model.StateToTranscode, Source: src,
		Files: []model.VideoFile{{ID: fileID, FromSource: true, Size: src.Size}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

// submit uploads an original and queues its ingest.
func (h *harness) submit(name, filename string, data []byte) model.Video {
	h.t.Helper()
	v := h.upload(name, filename, data)
	h.enqueueIngest(v.ID)
	return v
}

func (h *harness) enqueueIngest(id int64) {
	h.t.Helper()
	if err := pipeline.Enqueue(context.Background(), h.q, pipeline.Job{Kind: pipeline.KindIngest, VideoID: id, Chunk: -1}); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) video(id int64) model.Video {
	h.t.Helper()
	v, err := h.st.Video(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return v
}

// record builds the SQS record Lambda's event source mapping delivers.
func record(d embedded.Delivery, receive int) events.SQSMessage {
	return events.SQSMessage{
		MessageId:     d.MessageID,
		ReceiptHandle: d.ReceiptHandle,
		Body:          d.Body,
		Attributes: map[string]string{
			"ApproximateReceiveCount": strconv.Itoa(receive),
			"SentTimestamp":           strconv.FormatInt(d.SentAt.UnixMilli(), 10),
		},
		EventSource: "aws:sqs",
	}
}

// handle runs one record through Handle (a batch of one, as the transcode
// function is configured), logs it and reports whether it failed. It may
// run on any goroutine.
func (h *harness) handle(ctx context.Context, rec events.SQSMessage) bool {
	resp, err := h.p.Handle(ctx, events.SQSEvent{Records: []events.SQSMessage{rec}})
	if err != nil {
		h.t.Errorf("Handle returned a batch error: %v", err)
	}
	failed := false
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier != rec.MessageId {
			h.t.Errorf("batch item failure names %q, not the record %q", f.ItemIdentifier, rec.MessageId)
		}
		failed = true
	}
	if len(resp.BatchItemFailures) > 1 {
		h.t.Errorf("%d failures for one record", len(resp.BatchItemFailures))
	}
	receive, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	j, _ := pipeline.ParseJob(rec.Body)
	h.mu.Lock()
	h.log = append(h.log, delivery{job: j, body: rec.Body, id: rec.MessageId, receive: receive, failed: failed})
	h.mu.Unlock()
	return failed
}

// drainOptions shape how drain delivers messages.
type drainOptions struct {
	// copies is how many times each message is delivered (default 1).
	copies func(j pipeline.Job) int
	// rng, when set, shuffles each round's deliveries and defers some
	// extra copies to a later round (where newer messages are).
	rng *mrand.Rand
	// ctx gives the context of one delivery (default: the test's).
	ctx func(j pipeline.Job, receive int) (context.Context, func())
	// after runs after each delivery (not with parallel).
	after func(d delivery)
	// parallel runs each round's deliveries at once, as concurrent
	// consumers do (duplicates of a message then overlap).
	parallel bool
	// timeout bounds the whole drain (default 60 s).
	timeout time.Duration
}

// drain receives and handles messages until the queue holds none, visible
// or in flight: a consumer loop as the event source mapping runs it, with
// control over redelivery. A message is deleted unless a delivery of it
// reported it failed; then it is received again after the visibility
// timeout.
func (h *harness) drain(o drainOptions) {
	h.t.Helper()
	timeout := o.timeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	type item struct {
		d       embedded.Delivery
		receive int
	}
	var deferred []item
	for {
		ds, err := h.q.Receive(ctx, 10, 50*time.Millisecond)
		if err != nil {
			h.t.Fatalf("drain: %v", err)
		}
		if len(ds) == 0 && len(deferred) == 0 {
			st, err := h.q.Stats(ctx)
			if err != nil {
				h.t.Fatal(err)
			}
			if st.Visible+st.InFlight+st.Delayed == 0 {
				return
			}
			continue
		}
		// This round: every received message once, plus the copies.
		round := deferred
		deferred = nil
		for _, d := range ds {
			round = append(round, item{d, d.ReceiveCount})
			n := 1
			if o.copies != nil {
				j, _ := pipeline.ParseJob(d.Body)
				n = o.copies(j)
			}
			for c := 1; c < n; c++ {
				it := item{d, d.ReceiveCount + c}
				if o.rng != nil && o.rng.IntN(2) == 0 {
					deferred = append(deferred, it)
				} else {
					round = append(round, it)
				}
			}
		}
		if o.rng != nil {
			o.rng.Shuffle(len(round), func(i, k int) { round[i], round[k] = round[k], round[i] })
		}
		var mu sync.Mutex
		failed := map[string]bool{}
		run := func(it item) {
			dctx, done := ctx, func() {}
			if o.ctx != nil {
				j, _ := pipeline.ParseJob(it.d.Body)
				dctx, done = o.ctx(j, it.receive)
			}
			f := h.handle(dctx, record(it.d, it.receive))
			done()
			mu.Lock()
			if f {
				failed[it.d.MessageID] = true
			}
			mu.Unlock()
		}
		if o.parallel {
			var wg sync.WaitGroup
			for _, it := range round {
				wg.Go(func() { run(it) })
			}
			wg.Wait()
		} else {
			for _, it := range round {
				run(it)
				if o.after != nil {
					h.mu.Lock()
					last := h.log[len(h.log)-1]
					h.mu.Unlock()
					o.after(last)
				}
			}
		}
		if h.t.Failed() {
			h.t.FailNow()
		}
		for _, d := range ds {
			if failed[d.MessageID] {
				continue
			}
			if err := h.q.Delete(ctx, d.ReceiptHandle); err != nil {
				h.t.Fatalf("delete %s: %v", d.MessageID, err)
			}
		}
	}
}

// deliveries returns the log of Handle calls.
func (h *harness) deliveries() []delivery {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]delivery(nil), h.log...)
}

// count counts the distinct messages of a kind (redeliveries counted once).
func (h *harness) count(kind string) int {
	seen := map[string]bool{}
	for _, d := range h.deliveries() {
		if d.job.Kind == kind {
			seen[d.id] = true
		}
	}
	return len(seen)
}

// queueEmpty checks that nothing is left in the queue.
func (h *harness) queueEmpty() {
	h.t.Helper()
	st, err := h.q.Stats(context.Background())
	if err != nil {
		h.t.Fatal(err)
	}
	if st != (embedded.Stats{}) {
		h.t.Errorf("queue not empty: %+v", st)
	}
}

// keys lists every object key under prefix.
func (h *harness) keys(prefix string) []string {
	h.t.Helper()
	var out []string
	for after := ""; ; {
		page, err := h.blobs.List(context.Background(), blob.ListOptions{Prefix: prefix, After: after})
		if err != nil {
			h.t.Fatal(err)
		}
		for _, o := range page.Objects {
			out = append(out, o.Key)
		}
		if page.Next == "" {
			return out
		}
		after = page.Next
	}
}

// object reads a whole object.
func (h *harness) object(key string) []byte {
	h.t.Helper()
	b, err := h.readObject(key)
	if err != nil {
		h.t.Fatalf("read %s: %v", key, err)
	}
	return b
}

func (h *harness) readObject(key string) ([]byte, error) {
	body, _, err := h.blobs.Get(context.Background(), key, nil)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return io.ReadAll(body)
}

func (h *harness) exists(key string) bool {
	h.t.Helper()
	_, err := h.blobs.Head(context.Background(), key)
	if err != nil && !errors.Is(err, blob.ErrNotFound) {
		h.t.Fatal(err)
	}
	return err == nil
}

// fetch GETs a URL of the test server.
func (h *harness) fetch(url string) []byte {
	h.t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return b
}

// workDirEmpty checks that no job left temporary files behind.
func (h *harness) workDirEmpty() {
	h.t.Helper()
	left, err := os.ReadDir(h.workDir)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, e := range left {
		h.t.Errorf("work dir holds %s after the jobs", e.Name())
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
