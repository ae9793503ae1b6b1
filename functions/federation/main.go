// Command federation is the Lambda function serving discovery (WebFinger,
// NodeInfo, host-meta), the ActivityPub documents of the instance actor,
// accounts, channels, videos and comments, and the inboxes (each delivery
// is verified, recorded and queued on the inbox queue, then answered 202),
// behind an API Gateway HTTP API. Browsers asking for a video's URL get
// its watch page, and the embed page and the player's files are served
// here too (shared/web), the player's webtorrent files from
// WEB_ASSETS_DIR (packaged beside the bootstrap by infra/build.mk).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vidiverse/vidiverse/shared/awsstack"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/federate"
	"github.com/vidiverse/vidiverse/shared/federation"
	"github.com/vidiverse/vidiverse/shared/lambdahttp"
	"github.com/vidiverse/vidiverse/shared/logging"
	"github.com/vidiverse/vidiverse/shared/serverconfig"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/web"
)

func main() {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogFormat, cfg.LogLevel)
	ctx := context.Background()
	tbl, err := awsstack.OpenTable(ctx, cfg)
	if err != nil {
		log.Error("open AWS storage", "err", err)
		os.Exit(1)
	}
	// The inboxes queue what they accept; fetching senders' keys signs
	// with the instance actor's key. Nothing here delivers.
	fed, err := awsstack.OpenFederation(ctx, cfg, tbl, awsstack.FederationNeeds{Keys: true, Inbox: true})
	if err != nil {
		log.Error("open federation", "err", err)
		os.Exit(1)
	}
	st := store.New(tbl)
	services, err := federate.New(federate.Config{PublicURL: cfg.PublicURL, Store: st, Keys: fed.Keys,
		Inbox: fed.Inbox, Deliver: fed.Deliver, DeliverDLQ: fed.DeliverDLQ, Fetch: fed.Fetch, Log: log})
	if err != nil {
		log.Error("build federation", "err", err)
		os.Exit(1)
	}
	h := federation.New(federation.Deps{PublicURL: cfg.PublicURL, Settings: serverconfig.FromConfig(cfg),
		Store: st, Keys: fed.Keys, Log: log, Inbox: services.Inbox, Trackers: services.Outbox.Trackers,
		Pages: web.New(web.Config{PublicURL: cfg.PublicURL, Store: st, AssetsDir: cfg.WebAssetsDir, Log: log})})
	lh := &lambdahttp.Handler{H: h, MaxBodyBytes: 1 << 20, Logger: log}
	lambda.Start(lh.Handle)
}
