// Command transcode is the Lambda function consuming the transcode queue:
// it probes, encodes and publishes uploaded videos (shared/pipeline), and
// queues the announcement of each video it publishes for delivery to the
// channel's and account's followers.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vidiverse/vidiverse/shared/awsstack"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/federate"
	"github.com/vidiverse/vidiverse/shared/logging"
	"github.com/vidiverse/vidiverse/shared/pipeline"
	"github.com/vidiverse/vidiverse/shared/transcode"
)

func main() {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogFormat, cfg.LogLevel)
	ctx := context.Background()
	aws, err := awsstack.Open(ctx, cfg)
	if err != nil {
		log.Error("open AWS storage", "err", err)
		os.Exit(1)
	}
	// Only the outbox is used here, and it only queues delivery jobs (the
	// deliver function signs them), so this function opens no keyring and
	// may not read the key-encryption key: the services' Keys stay nil,
	// and nothing that signs (the resolver's fetches, the deliverer's
	// consumer) may be used here. The queues it does not open refuse
	// sends (awsstack.ErrQueueNotOpened).
	fed, err := awsstack.OpenFederation(ctx, cfg, nil, awsstack.FederationNeeds{Deliver: true})
	if err != nil {
		log.Error("open federation", "err", err)
		os.Exit(1)
	}
	services, err := federate.New(federate.Config{PublicURL: cfg.PublicURL, Store: aws.Store,
		Inbox: fed.Inbox, Deliver: fed.Deliver, DeliverDLQ: fed.DeliverDLQ, Fetch: fed.Fetch, Log: log})
	if err != nil {
		log.Error("build federation", "err", err)
		os.Exit(1)
	}
	tools := transcode.DefaultTools()
	tools.Log = log
	p := pipeline.New(pipeline.Config{PublicURL: cfg.PublicURL, Resolutions: cfg.Resolutions,
		ChunkSeconds: cfg.ChunkSeconds, WorkDir: os.TempDir(), Published: services.Outbox.VideoPublished},
		aws.Store, aws.Blobs, aws.Transcode, tools, log)
	lambda.Start(p.Handle)
}
