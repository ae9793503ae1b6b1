// Command seeder is the long-running container of a Vidiverse deployment.
// It serves the routes a Lambda function cannot (shared/topology's
// ContainerRoutes): PeerTube's single-request legacy upload, whose body
// passes Lambda's 6 MB limit, with the same API handler the functions
// use; the WebTorrent tracker (shared/tracker) at /tracker/socket,
// /tracker/announce and /tracker/scrape, for the infohashes of the
// instance's published videos; and /healthz.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vidiverse/vidiverse/shared/api"
	"github.com/vidiverse/vidiverse/shared/awsstack"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/logging"
	"github.com/vidiverse/vidiverse/shared/topology"
	"github.com/vidiverse/vidiverse/shared/tracker"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "seeder:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return err
	}
	log := logging.New(os.Stderr, cfg.LogFormat, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	if cfg.TableName != "" {
		aws, err := awsstack.Open(ctx, cfg)
		if err != nil {
			return err
		}
		a := api.New(api.Deps{Config: cfg, Store: aws.Store, Log: log, Blobs: aws.Blobs, Transcode: aws.Transcode})
		tr := tracker.New(tracker.Config{
			Allowed:  tracker.StoreAllowList(aws.Store, time.Minute).Allowed,
			ClientIP: tracker.ForwardedFor(cfg.TrustedProxyHops),
			Log:      log,
		})
		defer tr.Close()
		for _, route := range topology.ContainerRoutes {
			var h http.Handler = a
			if _, path, _ := strings.Cut(route, " "); strings.HasPrefix(path, tracker.PathPrefix) {
				h = tr
			}
			mux.Handle(topology.Pattern(route), h)
		}
	} else {
		log.Warn("no TABLE_NAME: serving /healthz only")
	}

	addr := ":" + envOr("SEEDER_PORT", "9100")
	// Uploads are long: no read deadline on bodies, only on headers.
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Info("seeder listening", slog.String("addr", addr), slog.Any("routes", topology.ContainerRoutes))
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
