package localstack

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vidiverse/vidiverse/shared/api"
	blobfs "github.com/vidiverse/vidiverse/shared/blob/fs"
	"github.com/vidiverse/vidiverse/shared/cdn"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/federate"
	"github.com/vidiverse/vidiverse/shared/federation"
	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/pipeline"
	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/queue/eventsource"
	"github.com/vidiverse/vidiverse/shared/seed"
	"github.com/vidiverse/vidiverse/shared/serverconfig"
	"github.com/vidiverse/vidiverse/shared/store"
	tableembedded "github.com/vidiverse/vidiverse/shared/table/embedded"
	"github.com/vidiverse/vidiverse/shared/topology"
	"github.com/vidiverse/vidiverse/shared/tracker"
	"github.com/vidiverse/vidiverse/shared/transcode"
	"github.com/vidiverse/vidiverse/shared/upload"
	"github.com/vidiverse/vidiverse/shared/web"
)

// Stack is a running local instance's parts.
type Stack struct {
	cfg      config.Config
	log      *slog.Logger
	table    *tableembedded.Table
	broker   *embedded.Broker
	blobs    *blobfs.Store
	store    *store.Store
	api      *api.API
	fed      *federation.Handler
	pipeline *pipeline.Pipeline
	tracker  *tracker.Tracker
	// seed is the WebRTC seed once Consume started it.
	seed atomic.Pointer[seed.Seed]
	mux  *http.ServeMux
	// consumers maps a function name to its queue consumer.
	consumers map[string]queue.Consumer
	queues    map[string]*embedded.Queue
}

// Open opens (creating on first start) the instance in cfg.DataDir.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*Stack, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data dir: %w", err)
	}
	s := &Stack{cfg: cfg, log: log, consumers: map[string]queue.Consumer{}, queues: map[string]*embedded.Queue{}}
	var err error
	if s.table, err = tableembedded.Open(filepath.Join(cfg.DataDir, "table.db"), store.Schema); err != nil {
		return nil, fmt.Errorf("open table (is another instance using %s?): %w", cfg.DataDir, err)
	}
	if s.broker, err = embedded.Open(filepath.Join(cfg.DataDir, "queues.db")); err != nil {
		s.Close()
		return nil, fmt.Errorf("open queues: %w", err)
	}
	secret, err := loadSecret(filepath.Join(cfg.DataDir, "blob-secret"))
	if err != nil {
		s.Close()
		return nil, err
	}
	if s.blobs, err = blobfs.New(filepath.Join(cfg.DataDir, "blobs"), blobfs.Options{BaseURL: cfg.PublicURL, Secret: secret}); err != nil {
		s.Close()
		return nil, fmt.Errorf("open blobs: %w", err)
	}
	for _, q := range topology.Queues {
		eq, err := s.broker.Queue(q.Name, consumerSettings[q.Name].policy)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("open queue %s: %w", q.Name, err)
		}
		s.queues[q.Name] = eq
	}
	s.store = store.New(s.table)
	tools := transcode.DefaultTools()
	tools.Log = log
	// The key-encryption key of actors' private keys; in AWS it is a
	// Secrets Manager secret.
	kek, err := keyring.LoadKEK(filepath.Join(cfg.DataDir, "actor-kek"))
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("load actor key-encryption key: %w", err)
	}
	keys, err := keyring.New(s.table, kek)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open keyring: %w", err)
	}
	// Deliveries that failed for good wait in a queue nobody consumes, as
	// in a dead-letter queue.
	dead, err := s.broker.Queue("deliver-dead", embedded.Policy{MaxReceives: -1, Retention: 14 * 24 * time.Hour})
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open queue deliver-dead: %w", err)
	}
	fed, err := federate.New(federate.Config{PublicURL: cfg.PublicURL, Store: s.store, Keys: keys,
		Inbox: s.queues["inbox"], Deliver: s.queues["deliver"], DeliverDLQ: dead,
		Fetch: fetch.Options{AllowPrivate: cfg.FederationAllowPrivate, CAFile: cfg.FederationCAFile}, Log: log})
	if err != nil {
		s.Close()
		return nil, err
	}
	s.consumers["inbox"] = fed.Applier.Handle
	s.consumers["deliver"] = fed.Deliverer.Handle
	s.api = api.New(api.Deps{Config: cfg, Store: s.store, Log: log, Blobs: s.blobs, Transcode: s.queues["transcode"],
		Probe:    func(ctx context.Context, input string) error { _, err := tools.Probe(ctx, input); return err },
		Resolver: fed.Resolver, Outbox: fed.Outbox})
	assets := cfg.WebAssetsDir
	if assets == "" {
		assets = defaultWebAssets
	}
	s.fed = federation.New(federation.Deps{PublicURL: cfg.PublicURL, Settings: serverconfig.FromConfig(cfg), Store: s.store,
		Keys: keys, Log: log, Inbox: fed.Inbox, Trackers: fed.Outbox.Trackers,
		Pages: web.New(web.Config{PublicURL: cfg.PublicURL, Store: s.store, AssetsDir: assets, Log: log})})
	// The tracker and the seed are the seeder container's in AWS; here
	// they run in this process. The tracker never forgets the seed.
	s.tracker = tracker.New(tracker.Config{
		Allowed: tracker.StoreAllowList(s.store, time.Minute).Allowed,
		Permanent: func(id [20]byte) bool {
			sd := s.seed.Load()
			return sd != nil && sd.PeerID() == id
		},
		AnnounceLimit: announceLimit(cfg.TrackerAnnounceLimit),
		MessageLimit:  messageLimit(cfg.TrackerAnnounceLimit),
		Log:           log,
	})
	s.pipeline = pipeline.New(pipeline.Config{PublicURL: cfg.PublicURL, Resolutions: cfg.Resolutions,
		ChunkSeconds: cfg.ChunkSeconds, MaxAttempts: consumerSettings["transcode"].policy.MaxReceives,
		WorkDir: filepath.Join(cfg.DataDir, "work"), Published: s.published(fed.Outbox.VideoPublished)}, s.store, s.blobs, s.queues["transcode"], tools, log)
	s.consumers["transcode"] = s.pipeline.Handle
	if err := os.MkdirAll(filepath.Join(cfg.DataDir, "work"), 0o700); err != nil {
		s.Close()
		return nil, fmt.Errorf("create work dir: %w", err)
	}
	if s.mux, err = s.routes(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Bootstrap prepares the instance (see api.API.Bootstrap) and returns
// root's generated password on first start.
func (s *Stack) Bootstrap(ctx context.Context) (string, error) {
	return s.api.Bootstrap(ctx, s.cfg.AdminPassword, true)
}

// functionHandlers are the HTTP handlers of the functions, by name.
func (s *Stack) functionHandlers() map[string]http.Handler {
	return map[string]http.Handler{"api": s.api, "federation": s.fed}
}

// routes mounts every function's routes as template.yaml declares them.
func (s *Stack) routes() (*http.ServeMux, error) {
	mux := http.NewServeMux()
	handlers := s.functionHandlers()
	for _, fn := range topology.Functions {
		if len(fn.Routes) == 0 {
			continue
		}
		h, ok := handlers[fn.Name]
		if !ok {
			return nil, fmt.Errorf("function %s has routes but no local handler", fn.Name)
		}
		for _, route := range fn.Routes {
			mux.Handle(topology.Pattern(route), h)
		}
	}
	mux.Handle(topology.Pattern(topology.LocalOnlyRoutes[0]), s.blobs.Handler())
	for _, route := range topology.ContainerRoutes {
		if strings.HasPrefix(route, "GET "+tracker.PathPrefix) {
			mux.Handle(topology.Pattern(route), s.tracker)
		}
	}
	mux.HandleFunc("GET "+MetricsPath, s.metrics)
	media := &cdn.Handler{Blobs: s.blobs, Log: s.log}
	for _, route := range topology.CDNRoutes {
		mux.Handle(topology.Pattern(route), media)
	}
	return mux, nil
}

// Handler is the instance's HTTP entry point.
func (s *Stack) Handler() http.Handler { return s.mux }

// Consume drives every consumer function from its queue until ctx ends.
func (s *Stack) Consume(ctx context.Context) error {
	errs := make(chan error, len(topology.Functions))
	n := 0
	for _, fn := range topology.Functions {
		if fn.Consumes == "" {
			continue
		}
		c, ok := s.consumers[fn.Name]
		if !ok {
			return fmt.Errorf("function %s consumes %s but has no local consumer", fn.Name, fn.Consumes)
		}
		opts := consumerSettings[fn.Consumes].options
		opts.Logger = s.log
		if fn.Consumes == "transcode" {
			opts.Concurrency = s.cfg.TranscodeWorkers
		}
		d := eventsource.New(s.queues[fn.Consumes], c, opts)
		n++
		go func() { errs <- d.Run(ctx) }()
	}
	n++
	go func() { errs <- s.sweepUploads(ctx) }()
	if s.cfg.SeedEnabled {
		sd, err := seed.New(ctx, seed.Config{Store: s.store, Blobs: s.blobs, PublicURL: s.cfg.PublicURL,
			TrackerURL: fmt.Sprintf("ws://127.0.0.1:%d%s", s.cfg.Port, tracker.SocketPath),
			ICEServers: s.cfg.STUNServers, UploadRate: s.cfg.SeedUploadRate, Log: s.log})
		if err != nil {
			s.log.Error("WebRTC seed not started", "err", err)
		} else {
			s.seed.Store(sd)
			n++
			go func() {
				err := sd.Run(ctx)
				sd.Close()
				errs <- err
			}()
		}
	}
	var first error
	for range n {
		if err := <-errs; err != nil && !errors.Is(err, context.Canceled) && first == nil {
			first = err
		}
	}
	return first
}

// consumerSettings are each queue's local settings, matching template.yaml:
// the visibility timeout outlasts the consumer's timeout (a job killed
// mid-way is delivered again once it passes), five deliveries before the
// dead-letter state, and Lambda's batch size.
var consumerSettings = map[string]struct {
	policy  embedded.Policy
	options eventsource.Options
}{
	"transcode": {
		policy:  embedded.Policy{VisibilityTimeout: 16 * time.Minute, MaxReceives: 5},
		options: eventsource.Options{BatchSize: 1, Timeout: 15 * time.Minute},
	},
	// Activities received: a failed one (its sender's server did not
	// answer a fetch) is retried after the visibility timeout.
	"inbox": {
		policy:  embedded.Policy{VisibilityTimeout: 2 * time.Minute, MaxReceives: 5},
		options: eventsource.Options{BatchSize: 10, Timeout: time.Minute, Concurrency: 2},
	},
	// Deliveries retry through delayed re-sends of their own; the
	// visibility timeout only covers a consumer that died mid-batch.
	"deliver": {
		policy:  embedded.Policy{VisibilityTimeout: 2 * time.Minute, MaxReceives: 5},
		options: eventsource.Options{BatchSize: 10, Timeout: time.Minute, Concurrency: 4},
	},
}

// sweepUploads deletes what abandoned uploads left, every few minutes
// (in AWS an S3 lifecycle rule does this).
func (s *Stack) sweepUploads(ctx context.Context) error {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if n, err := upload.Sweep(ctx, s.store, s.blobs, time.Now()); err != nil && ctx.Err() == nil {
			s.log.Warn("sweep abandoned uploads", "err", err)
		} else if n > 0 {
			s.log.Info("swept abandoned uploads", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// published is the pipeline's hook: the seed takes the new video's files
// at once (instead of at its next refresh), and federation announces it.
func (s *Stack) published(federate func(context.Context, model.Video) error) func(context.Context, model.Video) error {
	return func(ctx context.Context, v model.Video) error {
		if sd := s.seed.Load(); sd != nil {
			if err := sd.Sync(ctx); err != nil {
				s.log.WarnContext(ctx, "seed a published video", "video", v.UUID, "err", err)
			}
		}
		return federate(ctx, v)
	}
}

// announceLimit is the tracker's per-IP announce limit: n per 5 minutes,
// none for 0.
func announceLimit(n int64) tracker.Limit {
	if n == 0 {
		return tracker.Limit{Max: -1}
	}
	return tracker.Limit{Max: int(n), Window: 5 * time.Minute}
}

// messageLimit turns the tracker's per-IP message limit off with the
// announce limit; otherwise it keeps the tracker's default.
func messageLimit(n int64) tracker.Limit {
	if n == 0 {
		return tracker.Limit{Max: -1}
	}
	return tracker.Limit{}
}

// MetricsPath serves the tracker's and the seed's counters (locally; in
// AWS the seeder container serves them on its own port).
const MetricsPath = "/seeder/metrics"

// defaultWebAssets is where make run's Makefile installs webtorrent's
// player files, used when WEB_ASSETS_DIR is unset.
const defaultWebAssets = ".cache/web/node_modules/webtorrent/dist"

// metrics answers MetricsPath: the tracker's counters and the seed's.
func (s *Stack) metrics(w http.ResponseWriter, _ *http.Request) {
	out := struct {
		Tracker tracker.Stats `json:"tracker"`
		Seed    *seed.Metrics `json:"seed"`
	}{Tracker: s.tracker.Stats()}
	if sd := s.seed.Load(); sd != nil {
		m := sd.Metrics()
		out.Seed = &m
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// Close closes the storage engines.
func (s *Stack) Close() {
	if s.tracker != nil {
		_ = s.tracker.Close()
	}
	if s.broker != nil {
		if err := s.broker.Close(); err != nil {
			s.log.Error("close queues", "err", err)
		}
	}
	if s.table != nil {
		if err := s.table.Close(); err != nil {
			s.log.Error("close table", "err", err)
		}
	}
}

// loadSecret reads a 32-byte secret, creating it on first use.
func loadSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) == 32 {
		return b, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, fmt.Errorf("write secret: %w", err)
	}
	return b, nil
}

// Server returns the HTTP server for the stack on cfg.Port.
func (s *Stack) Server() *http.Server {
	return &http.Server{
		Addr:              fmt.Sprintf(":%d", s.cfg.Port),
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}
