package sqsserver_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/vidiverse/vidiverse/shared/queue/embedded"
	"github.com/vidiverse/vidiverse/shared/queue/sqsserver"
)

type env struct {
	path   string
	broker *embedded.Broker
	srv    *httptest.Server
	client *sqs.Client
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{path: filepath.Join(t.TempDir(), "sqs.db")}
	e.start(t)
	return e
}

func (e *env) start(t *testing.T) {
	t.Helper()
	b, err := embedded.Open(e.path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sqsserver.New(b, sqsserver.Options{Logger: slog.New(slog.DiscardHandler)}))
	t.Cleanup(func() {
		srv.Close()
		_ = b.Close()
	})
	e.broker, e.srv = b, srv
	e.client = newClient(srv.URL)
}

func (e *env) stop() {
	e.srv.Close()
	_ = e.broker.Close()
}

func newClient(url string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDLOCAL", "secret", ""),
		RetryMaxAttempts: 1,
	})
}

func (e *env) createQueue(t *testing.T, name string, attrs map[string]string) string {
	t.Helper()
	out, err := e.client.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.QueueUrl)
}

// wantAPIError checks that err is the SDK's typed error T (when T is not
// smithy.APIError itself) and carries the query-compatible code.
func wantAPIError[T error](t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", code)
	}
	var typed T
	if !errors.As(err, &typed) {
		t.Fatalf("error %v (%T) is not a %T", err, err, typed)
	}
	var api smithy.APIError
	if !errors.As(err, &api) {
		t.Fatalf("error %v is not a smithy.APIError", err)
	}
	if api.ErrorCode() != code {
		t.Fatalf("error code = %q, want %q (%v)", api.ErrorCode(), code, err)
	}
	if api.ErrorFault() != smithy.FaultClient {
		t.Errorf("fault = %v, want client", api.ErrorFault())
	}
}
