// Command api is the Lambda function serving PeerTube's REST API
// (/api/v1/*, /download/*) behind an API Gateway HTTP API.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vidiverse/vidiverse/shared/api"
	"github.com/vidiverse/vidiverse/shared/awsstack"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/federate"
	"github.com/vidiverse/vidiverse/shared/lambdahttp"
	"github.com/vidiverse/vidiverse/shared/logging"
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
	// Looking up remote accounts, channels and videos signs its fetches;
	// follows, comments and ratings queue their activities for delivery.
	fed, err := awsstack.OpenFederation(ctx, cfg, aws.Table, awsstack.FederationNeeds{Keys: true, Deliver: true})
	if err != nil {
		log.Error("open federation", "err", err)
		os.Exit(1)
	}
	services, err := federate.New(federate.Config{PublicURL: cfg.PublicURL, Store: aws.Store, Keys: fed.Keys,
		Inbox: fed.Inbox, Deliver: fed.Deliver, DeliverDLQ: fed.DeliverDLQ, Fetch: fed.Fetch, Log: log})
	if err != nil {
		log.Error("build federation", "err", err)
		os.Exit(1)
	}
	a := api.New(api.Deps{Config: cfg, Store: aws.Store, Log: log, Blobs: aws.Blobs, Transcode: aws.Transcode,
		Resolver: services.Resolver, Outbox: services.Outbox})
	if _, err := a.Bootstrap(ctx, cfg.AdminPassword, false); err != nil {
		log.Error("bootstrap instance", "err", err)
		os.Exit(1)
	}
	h := &lambdahttp.Handler{H: a, MaxBodyBytes: 6 << 20, Logger: log}
	lambda.Start(h.Handle)
}
