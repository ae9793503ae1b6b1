// Command federation is the Lambda function serving discovery (WebFinger,
// NodeInfo, host-meta) and the ActivityPub actor documents of the instance
// actor, accounts and channels, behind an API Gateway HTTP API.
package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/vidiverse/vidiverse/shared/awsstack"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/federation"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/lambdahttp"
	"github.com/vidiverse/vidiverse/shared/logging"
	"github.com/vidiverse/vidiverse/shared/serverconfig"
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
	kek, err := readKEK(ctx, os.Getenv("KEK_SECRET_ARN"))
	if err != nil {
		log.Error("read key-encryption key", "err", err)
		os.Exit(1)
	}
	keys, err := keyring.New(tbl, kek)
	if err != nil {
		log.Error("open keyring", "err", err)
		os.Exit(1)
	}
	h := federation.New(federation.Deps{PublicURL: cfg.PublicURL, Settings: serverconfig.FromConfig(cfg),
		Store: store.New(tbl), Keys: keys, Log: log})
	lh := &lambdahttp.Handler{H: h, MaxBodyBytes: 1 << 20, Logger: log}
	lambda.Start(lh.Handle)
}

// readKEK reads the key-encryption key from the Secrets Manager secret arn,
// once per cold start.
func readKEK(ctx context.Context, arn string) ([]byte, error) {
	if arn == "" {
		return nil, fmt.Errorf("KEK_SECRET_ARN must be set")
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &arn})
	if err != nil {
		return nil, fmt.Errorf("get secret %s: %w", arn, err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("secret %s has no string value", arn)
	}
	return decodeKEK(*out.SecretString)
}

// decodeKEK decodes the secret's value: 32 bytes as 64 hex digits, as the
// template generates it.
func decodeKEK(s string) ([]byte, error) {
	kek, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(kek) != 32 {
		return nil, fmt.Errorf("key-encryption key must be 64 hex digits (32 bytes)")
	}
	return kek, nil
}
