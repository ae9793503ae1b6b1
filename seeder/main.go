// Command seeder is the long-running container of a Vidiverse deployment.
// It serves the routes a Lambda function cannot (shared/topology's
// ContainerRoutes): PeerTube's single-request legacy upload, whose body
// passes Lambda's 6 MB limit, with the same API handler the functions
// use; and the WebTorrent tracker (shared/tracker) at /tracker/socket,
// /tracker/announce and /tracker/scrape, for the infohashes of the
// instance's published videos. Beside the tracker it runs the WebRTC seed
// (shared/seed) of those videos, reading their pieces from the media
// bucket and announcing to the tracker over loopback; viewers reach the
// seed's UDP ports on the task's public address directly, not through
// CloudFront. It also serves /healthz (the load balancer's check) and
// MetricsPath (the tracker's and the seed's counters, read from inside
// the VPC; the same totals are logged every five minutes).
//
// Configuration is shared/config's (the environment): besides the AWS
// resources, SEED_ENABLED, SEED_UPLOAD_RATE and STUN_SERVERS configure the
// seed, SEEDER_PORT the listener (default 9100). SIGTERM or SIGINT shuts
// it down gracefully.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

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

	var p *p2p
	mux := routes(nil, nil)
	if cfg.TableName != "" {
		aws, err := awsstack.Open(ctx, cfg)
		if err != nil {
			return err
		}
		a := api.New(api.Deps{Config: cfg, Store: aws.Store, Log: log, Blobs: aws.Blobs, Transcode: aws.Transcode})
		p = newP2P(p2pConfig{Store: aws.Store, Blobs: aws.Blobs, PublicURL: cfg.PublicURL,
			ClientIP: tracker.ForwardedFor(cfg.TrustedProxyHops), Seed: cfg.SeedEnabled,
			STUNServers: cfg.STUNServers, UploadRate: cfg.SeedUploadRate, Log: log})
		mux = routes(a, p)
	} else {
		log.Warn("no TABLE_NAME: serving /healthz only")
	}

	addr := ":" + envOr("SEEDER_PORT", "9100")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	log.Info("seeder listening", slog.String("addr", addr), slog.Any("routes", topology.ContainerRoutes),
		slog.Bool("seed", p != nil && cfg.SeedEnabled), slog.Any("stunServers", cfg.STUNServers),
		slog.Int64("seedUploadRate", cfg.SeedUploadRate))
	return serve(ctx, ln, newServer(mux, log), p)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
