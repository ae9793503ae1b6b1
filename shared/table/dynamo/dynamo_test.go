package dynamo

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/truora/minidyn/server"

	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/table/tabletest"
)

// newMinidyn serves a fresh in-process minidyn on a loopback port and
// returns a client for it.
func newMinidyn(t testing.TB, wrap func(http.Handler) http.Handler) *dynamodb.Client {
	t.Helper()
	var h http.Handler = server.NewServer()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return dynamodb.New(dynamodb.Options{
		Region:                          "us-east-1",
		BaseEndpoint:                    aws.String(srv.URL),
		Credentials:                     credentials.NewStaticCredentialsProvider("test", "test", ""),
		DisableValidateResponseChecksum: true,
	})
}

func openMinidyn(t *testing.T, schema table.Schema) table.Table {
	skipMinidynLimit(t)
	client := newMinidyn(t, emptyValueShim)
	if err := CreateTable(t.Context(), client, "vidiverse", schema); err != nil {
		t.Fatalf("create table: %v", err)
	}
	return New(client, "vidiverse", schema)
}

func TestConformance(t *testing.T) {
	tabletest.Run(t, openMinidyn)
}
