package awsstack

import (
	"context"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/config"
)

func TestOpenNeedsItsResources(t *testing.T) {
	cfg := config.Defaults()
	cfg.TableName = "t"
	if _, err := Open(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "MEDIA_BUCKET") {
		t.Fatalf("missing bucket and queue: %v", err)
	}
	cfg.MediaBucket, cfg.TranscodeQueueURL = "b", "https://sqs.us-east-1.amazonaws.com/123456789012/q"
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	s, err := Open(context.Background(), cfg)
	if err != nil || s.Table == nil || s.Store == nil || s.Blobs == nil || s.Transcode == nil {
		t.Fatalf("open: %+v %v", s, err)
	}
}

func TestOpenTableNeedsOnlyTheTable(t *testing.T) {
	cfg := config.Defaults()
	if _, err := OpenTable(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "TABLE_NAME") {
		t.Fatalf("missing table: %v", err)
	}
	cfg.TableName = "t"
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	if tbl, err := OpenTable(context.Background(), cfg); err != nil || tbl == nil {
		t.Fatalf("open: %v %v", tbl, err)
	}
}
