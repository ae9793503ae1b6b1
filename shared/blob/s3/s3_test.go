package s3_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/blob/blobtest"
	blobs3 "github.com/vidiverse/vidiverse/shared/blob/s3"
)

func TestConformance(t *testing.T) {
	f := newFake(t)
	blobtest.Run(t, func(t *testing.T) blob.Store {
		return blobs3.New(f.client, f.bucket(t))
	},
		blobtest.Skip("PresignExpired", fakeSkipsSignatures),
		blobtest.Skip("PresignTampered", fakeSkipsSignatures),
		blobtest.Skip("PresignCacheControl", fakeDropsCacheCtl),
		blobtest.Skip("MultipartPartTooSmall", fakeNoEntityTooSmall),
		blobtest.Skip("PutWrongSizeStreaming", fakeWritesInPlace),
		blobtest.Skip("KeyUnderKey", fakeNoKeyUnderKey),
	)
}

// bodyProbe records, for each PUT that reaches the server, whether the
// server read the whole body its Content-Length declared.
type bodyProbe struct {
	mu       sync.Mutex
	started  int
	complete int
	done     int
}

func (p *bodyProbe) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPut {
			next.ServeHTTP(w, r)
			return
		}
		p.mu.Lock()
		p.started++
		p.mu.Unlock()
		cr := &countingReader{r: r.Body}
		r.Body = io.NopCloser(cr)
		next.ServeHTTP(w, r)
		p.mu.Lock()
		if cr.n == r.ContentLength && cr.err == io.EOF {
			p.complete++
		}
		p.done++
		p.mu.Unlock()
	})
}

// wait returns the number of PUTs seen and how many had whole bodies, once
// every PUT that started has finished.
func (p *bodyProbe) wait(t *testing.T) (started, complete int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		p.mu.Lock()
		s, c, d := p.started, p.complete, p.done
		p.mu.Unlock()
		if s == d {
			return s, c
		}
	}
	t.Fatal("PUT requests still running after 10s")
	return 0, 0
}

type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		// Look one byte further: a whole body ends in EOF right here.
		c.err = err
	}
	return n, err
}

type plainReader struct{ r io.Reader }

func (p plainReader) Read(b []byte) (int, error) { return p.r.Read(b) }

func TestPutWrongSizeNeverSendsWholeBody(t *testing.T) {
	f := newFake(t)
	s := blobs3.New(f.client, f.bucket(t))
	ctx := t.Context()
	const size = 3 << 20 // over the in-memory limit: streamed
	id, err := s.CreateMultipart(ctx, "part/obj", blob.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int64{size - 1, size + 1, 2 * size, 100, 1 << 20, 1<<20 + 1} {
		probe := &bodyProbe{}
		wrap := probe.wrap
		f.wrap.Store(&wrap)
		body := func() io.Reader { return plainReader{bytes.NewReader(bytes.Repeat([]byte{7}, int(n)))} }
		if err := s.Put(ctx, "ws/obj", body(), size, blob.PutOptions{}); err == nil {
			t.Errorf("Put of %d bytes declared as %d: no error", n, size)
		}
		if _, err := s.UploadPart(ctx, "part/obj", id, 1, body(), size); err == nil {
			t.Errorf("UploadPart of %d bytes declared as %d: no error", n, size)
		}
		started, complete := probe.wait(t)
		f.wrap.Store(nil)
		if complete != 0 {
			t.Errorf("%d bytes declared as %d: the server received %d whole bodies", n, size, complete)
		}
		t.Logf("%d bytes declared as %d: %d requests reached the server", n, size, started)
	}
	// Small bodies are checked before anything is sent.
	probe := &bodyProbe{}
	wrap := probe.wrap
	f.wrap.Store(&wrap)
	defer f.wrap.Store(nil)
	for _, n := range []int64{99, 101} {
		if err := s.Put(ctx, "ws/small", plainReader{bytes.NewReader(make([]byte, n))}, 100, blob.PutOptions{}); err == nil {
			t.Errorf("Put of %d bytes declared as 100: no error", n)
		}
	}
	if started, _ := probe.wait(t); started != 0 {
		t.Errorf("wrong-size small Puts sent %d requests, want none", started)
	}
}

// s3Error is an S3 error response as S3 writes it.
func s3Error(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>%s</Code><Message>%s from the test server</Message><RequestId>4442587FB7D0A2F9</RequestId><HostId>test</HostId></Error>`, code, code)
}

func TestErrorMapping(t *testing.T) {
	var respond atomic.Pointer[func(http.ResponseWriter)]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		(*respond.Load())(w)
	}))
	defer srv.Close()
	s := blobs3.New(newClient(srv.URL), "bucket")
	ctx := t.Context()
	xmlError := func(status int, code string) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) { s3Error(w, status, code) }
	}
	parts := []blob.Part{{Number: 1, ETag: "a"}, {Number: 2, ETag: "b"}}
	for _, c := range []struct {
		what    string
		respond func(http.ResponseWriter)
		call    func() error
		want    error
	}{
		{"GetObject NoSuchKey", xmlError(404, "NoSuchKey"), func() error { _, _, err := s.Get(ctx, "k", nil); return err }, blob.ErrNotFound},
		{"HeadObject 404", func(w http.ResponseWriter) { w.WriteHeader(404) }, func() error { _, err := s.Head(ctx, "k"); return err }, blob.ErrNotFound},
		{"GetObject InvalidRange", xmlError(416, "InvalidRange"), func() error { _, _, err := s.Get(ctx, "k", &blob.Range{Start: 10, End: -1}); return err }, blob.ErrInvalidRange},
		{"UploadPart NoSuchUpload", xmlError(404, "NoSuchUpload"), func() error { _, err := s.UploadPart(ctx, "k", "u", 1, strings.NewReader("x"), 1); return err }, blob.ErrNoSuchUpload},
		{"ListParts NoSuchUpload", xmlError(404, "NoSuchUpload"), func() error { _, err := s.ListParts(ctx, "k", "u"); return err }, blob.ErrNoSuchUpload},
		{"AbortMultipartUpload NoSuchUpload", xmlError(404, "NoSuchUpload"), func() error { return s.AbortMultipart(ctx, "k", "u") }, blob.ErrNoSuchUpload},
		{"Complete NoSuchUpload", xmlError(404, "NoSuchUpload"), func() error { return s.CompleteMultipart(ctx, "k", "u", parts) }, blob.ErrNoSuchUpload},
		{"Complete EntityTooSmall", xmlError(400, "EntityTooSmall"), func() error { return s.CompleteMultipart(ctx, "k", "u", parts) }, blob.ErrInvalidPart},
		{"Complete InvalidPart", xmlError(400, "InvalidPart"), func() error { return s.CompleteMultipart(ctx, "k", "u", parts) }, blob.ErrInvalidPart},
		{"Complete InvalidPartOrder", xmlError(400, "InvalidPartOrder"), func() error { return s.CompleteMultipart(ctx, "k", "u", parts) }, blob.ErrInvalidPart},
	} {
		respond.Store(&c.respond)
		if err := c.call(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.what, err, c.want)
		}
	}

	// Errors with no port equivalent stay errors of their own, even on Delete.
	for _, c := range []struct {
		what    string
		respond func(http.ResponseWriter)
		call    func() error
	}{
		{"DeleteObject NoSuchBucket", xmlError(404, "NoSuchBucket"), func() error { return s.Delete(ctx, "k") }},
		{"PutObject AccessDenied", xmlError(403, "AccessDenied"), func() error { return s.Put(ctx, "k", strings.NewReader("x"), 1, blob.PutOptions{}) }},
		{"GetObject NoSuchBucket", xmlError(404, "NoSuchBucket"), func() error { _, _, err := s.Get(ctx, "k", nil); return err }},
	} {
		respond.Store(&c.respond)
		err := c.call()
		if err == nil {
			t.Errorf("%s: no error", c.what)
		}
		for _, sentinel := range []error{blob.ErrNotFound, blob.ErrInvalidRange, blob.ErrNoSuchUpload, blob.ErrInvalidPart, blob.ErrInvalidKey} {
			if errors.Is(err, sentinel) {
				t.Errorf("%s: %v matches %v", c.what, err, sentinel)
			}
		}
	}
}
