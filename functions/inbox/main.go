// Command inbox is the Lambda function consuming the inbox queue: it
// applies the activities the inboxes accepted (follows, videos, comments,
// ratings, deletions), fetching what they refer to with signed requests
// and answering follows with Accepts through the deliver queue.
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
	"github.com/vidiverse/vidiverse/shared/store"
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
	fed, err := awsstack.OpenFederation(ctx, cfg, tbl, awsstack.FederationNeeds{Keys: true, Deliver: true})
	if err != nil {
		log.Error("open federation", "err", err)
		os.Exit(1)
	}
	services, err := federate.New(federate.Config{PublicURL: cfg.PublicURL, Store: store.New(tbl), Keys: fed.Keys,
		Inbox: fed.Inbox, Deliver: fed.Deliver, DeliverDLQ: fed.DeliverDLQ, Fetch: fed.Fetch, Log: log})
	if err != nil {
		log.Error("build federation", "err", err)
		os.Exit(1)
	}
	lambda.Start(services.Applier.Handle)
}
