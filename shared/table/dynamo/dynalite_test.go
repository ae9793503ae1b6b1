package dynamo

import (
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/table/tabletest"
)

// dynaliteLimits are the subtests dynalite cannot run: it has no
// TransactWriteItems (UnknownOperationException).
var dynaliteLimits = []string{"Transact", "ExpiryTransact", "IndexTransact", "ConcurrentTransacts"}

var (
	dynaliteTables atomic.Int64
	runID          = time.Now().UnixNano()
)

// TestConformanceDynalite runs the suite against a dynalite server (a
// DynamoDB implementation in Node.js, npm package dynalite) when
// DYNALITE_URL names one, e.g. after
//
//	npx dynalite@4.0.0 --port 4567 --createTableMs 0 &
//	DYNALITE_URL=http://127.0.0.1:4567 go test ./shared/table/dynamo/
//
// It covers what minidyn cannot (REMOVE, index maintenance, comparisons of
// mismatched types, cursors past deleted items); dynalite in turn has no
// transactions.
func TestConformanceDynalite(t *testing.T) {
	url := os.Getenv("DYNALITE_URL")
	if url == "" {
		t.Skip("DYNALITE_URL not set")
	}
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	tabletest.Run(t, func(t *testing.T, schema table.Schema) table.Table {
		name := t.Name()[strings.LastIndex(t.Name(), "/")+1:]
		for _, limit := range dynaliteLimits {
			if strings.HasPrefix(name, limit) {
				t.Skip("dynalite has no TransactWriteItems")
			}
		}
		// Unique across runs: the server may outlive this test process.
		tableName := fmt.Sprintf("vidiverse-%d-%d-%s", runID, dynaliteTables.Add(1), name)
		if err := CreateTable(t.Context(), client, tableName, schema); err != nil {
			t.Fatalf("create table: %v", err)
		}
		return New(client, tableName, schema)
	})
}
