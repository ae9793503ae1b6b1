// Command api is the Lambda function serving PeerTube's REST API
// (/api/v1/*) behind an API Gateway HTTP API.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/vidiverse/vidiverse/shared/api"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/lambdahttp"
	"github.com/vidiverse/vidiverse/shared/logging"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/dynamo"
)

func main() {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogFormat, cfg.LogLevel)
	ctx := context.Background()
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		log.Error("load AWS config", "err", err)
		os.Exit(1)
	}
	st := store.New(dynamo.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName, store.Schema))
	a := api.New(api.Deps{Config: cfg, Store: st, Log: log})
	if _, err := a.Bootstrap(ctx, cfg.AdminPassword, false); err != nil {
		log.Error("bootstrap instance", "err", err)
		os.Exit(1)
	}
	h := &lambdahttp.Handler{H: a, MaxBodyBytes: 6 << 20, Logger: log}
	lambda.Start(h.Handle)
}
