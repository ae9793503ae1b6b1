package s3_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"
)

// fake is gofakes3 with its filesystem backend on a temp dir, served on a
// loopback port, and an SDK client configured for it.
type fake struct {
	url    string
	client *s3.Client
	// wrap, when set, sees every request before gofakes3 does.
	wrap atomic.Pointer[func(http.Handler) http.Handler]
}

var buckets atomic.Int64

func newFake(t testing.TB) *fake {
	t.Helper()
	backend, err := s3afero.MultiBucket(afero.NewBasePathFs(afero.NewOsFs(), t.TempDir()))
	if err != nil {
		t.Fatalf("s3afero backend: %v", err)
	}
	faker := gofakes3.New(backend).Server()
	f := &fake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := faker
		if wrap := f.wrap.Load(); wrap != nil {
			h = (*wrap)(h)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	f.client = newClient(srv.URL)
	return f
}

// newClient is an SDK client for a local S3-compatible server at url.
func newClient(url string) *s3.Client {
	return s3.NewFromConfig(aws.Config{
		Region:                     "us-east-1",
		Credentials:                credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(url)
		o.UsePathStyle = true
	})
}

// bucket creates a new, empty bucket.
func (f *fake) bucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("blob-%d", buckets.Add(1))
	if _, err := f.client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}
