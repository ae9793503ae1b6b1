package awsstack

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// ReadKEK reads the key-encryption key of actors' private keys from the
// Secrets Manager secret arn (KEK_SECRET_ARN), once per cold start.
func ReadKEK(ctx context.Context, arn string) ([]byte, error) {
	if arn == "" {
		return nil, fmt.Errorf("awsstack: KEK_SECRET_ARN must be set")
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("awsstack: load AWS config: %w", err)
	}
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &arn})
	if err != nil {
		return nil, fmt.Errorf("awsstack: get secret %s: %w", arn, err)
	}
	if out.SecretString == nil {
		return nil, fmt.Errorf("awsstack: secret %s has no string value", arn)
	}
	kek, err := DecodeKEK(*out.SecretString)
	if err != nil {
		return nil, fmt.Errorf("awsstack: secret %s: %w", arn, err)
	}
	return kek, nil
}

// DecodeKEK decodes the secret's value: 32 bytes as 64 hex digits, as the
// template generates it (surrounding white space is ignored).
func DecodeKEK(s string) ([]byte, error) {
	kek, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil || len(kek) != 32 {
		return nil, fmt.Errorf("key-encryption key must be 64 hex digits (32 bytes)")
	}
	return kek, nil
}
