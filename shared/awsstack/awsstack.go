package awsstack

import (
	"context"
	"fmt"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"

	blobs3 "github.com/vidiverse/vidiverse/shared/blob/s3"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/queue/sqs"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/table/dynamo"
)

// Stack is the deployed storage.
type Stack struct {
	// Table is the store's table (the keyring keeps actors' keys there).
	Table     table.Table
	Store     *store.Store
	Blobs     *blobs3.Store
	Transcode *sqs.Queue
}

// Open builds the AWS clients from the environment's credentials and the
// resource names in cfg.
func Open(ctx context.Context, cfg config.Config) (Stack, error) {
	if cfg.TableName == "" || cfg.MediaBucket == "" || cfg.TranscodeQueueURL == "" {
		return Stack{}, fmt.Errorf("awsstack: TABLE_NAME, MEDIA_BUCKET and TRANSCODE_QUEUE_URL must be set")
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return Stack{}, fmt.Errorf("awsstack: load AWS config: %w", err)
	}
	tbl := dynamo.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName, store.Schema)
	return Stack{
		Table:     tbl,
		Store:     store.New(tbl),
		Blobs:     blobs3.New(s3.NewFromConfig(awsCfg), cfg.MediaBucket),
		Transcode: sqs.New(awssqs.NewFromConfig(awsCfg), cfg.TranscodeQueueURL),
	}, nil
}

// OpenTable opens only the table (the store's, over DynamoDB), for a
// function that needs neither media nor the transcode queue.
func OpenTable(ctx context.Context, cfg config.Config) (table.Table, error) {
	if cfg.TableName == "" {
		return nil, fmt.Errorf("awsstack: TABLE_NAME must be set")
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("awsstack: load AWS config: %w", err)
	}
	return dynamo.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName, store.Schema), nil
}
