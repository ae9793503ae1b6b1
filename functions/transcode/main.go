// Command transcode is the Lambda function consuming the transcode queue:
// it probes, encodes and publishes uploaded videos (shared/pipeline).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/vidiverse/vidiverse/shared/awsstack"
	"github.com/vidiverse/vidiverse/shared/config"
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
	aws, err := awsstack.Open(context.Background(), cfg)
	if err != nil {
		log.Error("open AWS storage", "err", err)
		os.Exit(1)
	}
	tools := transcode.DefaultTools()
	tools.Log = log
	p := pipeline.New(pipeline.Config{PublicURL: cfg.PublicURL, Resolutions: cfg.Resolutions,
		ChunkSeconds: cfg.ChunkSeconds, WorkDir: os.TempDir()}, aws.Store, aws.Blobs, aws.Transcode, tools, log)
	lambda.Start(p.Handle)
}
