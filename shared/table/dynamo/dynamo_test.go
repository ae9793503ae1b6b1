package dynamo

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/table/dynamo/dynamotest"
	"github.com/vidiverse/vidiverse/shared/table/tabletest"
)

// newMinidyn serves a fresh in-process minidyn (see dynamotest).
func newMinidyn(t testing.TB, wrap func(http.Handler) http.Handler) *dynamodb.Client {
	return dynamotest.Minidyn(t, wrap)
}

func openMinidyn(t *testing.T, schema table.Schema) table.Table {
	skipMinidynLimit(t)
	client := newMinidyn(t, dynamotest.EmptyValueShim)
	if err := CreateTable(t.Context(), client, "vidiverse", schema); err != nil {
		t.Fatalf("create table: %v", err)
	}
	return New(client, "vidiverse", schema)
}

func TestConformance(t *testing.T) {
	tabletest.Run(t, openMinidyn)
}
