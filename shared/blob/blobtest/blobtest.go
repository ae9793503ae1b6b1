package blobtest

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// Option changes how Run runs.
type Option func(*config)

type config struct {
	skips map[string]string
}

// Skip skips the case named name (a subtest name of Run) with reason, which
// should name the limitation of the engine or of the server it runs against.
// Run fails when name is not one of its cases, so stale skips show up.
func Skip(name, reason string) Option {
	return func(c *config) { c.skips[name] = reason }
}

type testCase struct {
	name string
	fn   func(t *testing.T, s blob.Store)
}

func cases() []testCase {
	return []testCase{
		{"RoundTrip", testRoundTrip},
		{"EmptyObject", testEmptyObject},
		{"PutStreaming", testPutStreaming},
		{"PutWrongSize", testPutWrongSize},
		{"PutWrongSizeStreaming", testPutWrongSizeStreaming},
		{"GetRange", testGetRange},
		{"NotFound", testNotFound},
		{"DeleteIdempotent", testDeleteIdempotent},
		{"InvalidKey", testInvalidKey},
		{"KeyUnderKey", testKeyUnderKey},
		{"List", testList},
		{"ListPaging", testListPaging},
		{"ConcurrentPuts", testConcurrentPuts},
		{"Multipart", testMultipart},
		{"MultipartSinglePart", testMultipartSinglePart},
		{"MultipartWrongETag", testMultipartWrongETag},
		{"MultipartAbort", testMultipartAbort},
		{"MultipartPartTooSmall", testMultipartPartTooSmall},
		{"MultipartPartNumber", testMultipartPartNumber},
		{"PresignGet", testPresignGet},
		{"PresignCacheControl", testPresignCacheControl},
		{"PresignPut", testPresignPut},
		{"PresignUploadPart", testPresignUploadPart},
		{"PresignExpired", testPresignExpired},
		{"PresignTampered", testPresignTampered},
	}
}

// Run runs the conformance suite, one parallel subtest per case; open must
// return a new, empty store each time it is called (it may register cleanups
// on the t it is given).
func Run(t *testing.T, open func(t *testing.T) blob.Store, opts ...Option) {
	cfg := config{skips: map[string]string{}}
	for _, o := range opts {
		o(&cfg)
	}
	all := cases()
	for name := range cfg.skips {
		if !slices.ContainsFunc(all, func(c testCase) bool { return c.name == name }) {
			t.Errorf("blobtest.Skip names no case: %q", name)
		}
	}
	for _, c := range all {
		t.Run(c.name, func(t *testing.T) {
			if reason, ok := cfg.skips[c.name]; ok {
				t.Skip(reason)
			}
			t.Parallel()
			c.fn(t, open(t))
		})
	}
}

// stream hides every method but Read, so engines see a plain stream and
// cannot take a seekable or sized shortcut.
type stream struct{ r io.Reader }

func (s stream) Read(p []byte) (int, error) { return s.r.Read(p) }

// gen returns n deterministic pseudo-random bytes for seed as a stream.
func gen(seed uint64, n int64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	return stream{io.LimitReader(rand.NewChaCha8(key), n)}
}

// genBytes returns the bytes gen(seed, n) streams.
func genBytes(seed uint64, n int) []byte {
	b, err := io.ReadAll(gen(seed, int64(n)))
	if err != nil {
		panic(err)
	}
	return b
}

// digest is the SHA-256 and length of a stream.
type digest struct {
	sum [32]byte
	n   int64
}

func digestOf(t *testing.T, r io.Reader) digest {
	t.Helper()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		t.Fatalf("read stream: %v", err)
	}
	var d digest
	copy(d.sum[:], h.Sum(nil))
	d.n = n
	return d
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func put(t *testing.T, s blob.Store, key string, data []byte, opts blob.PutOptions) {
	t.Helper()
	if err := s.Put(t.Context(), key, stream{bytes.NewReader(data)}, int64(len(data)), opts); err != nil {
		t.Fatalf("Put(%q, %d bytes): %v", key, len(data), err)
	}
}

func get(t *testing.T, s blob.Store, key string, rng *blob.Range) ([]byte, blob.Info) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key, rng)
	if err != nil {
		t.Fatalf("Get(%q, %+v): %v", key, rng, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q): read body: %v", key, err)
	}
	return b, info
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// checkInfo checks the fields of info that every engine fills in for an
// object of those bytes stored between from and to.
func checkInfo(t *testing.T, what string, info blob.Info, key string, data []byte, contentType string, from, to time.Time) {
	t.Helper()
	if info.Key != key {
		t.Errorf("%s: Key %q, want %q", what, info.Key, key)
	}
	if info.Size != int64(len(data)) {
		t.Errorf("%s: Size %d, want %d", what, info.Size, len(data))
	}
	if contentType != "" && info.ContentType != contentType {
		t.Errorf("%s: ContentType %q, want %q", what, info.ContentType, contentType)
	}
	if want := md5Hex(data); info.ETag != want {
		t.Errorf("%s: ETag %q, want the unquoted hex MD5 %q", what, info.ETag, want)
	}
	// Engines may keep whole seconds only.
	if info.LastModified.Before(from.Truncate(time.Second).Add(-time.Second)) || info.LastModified.After(to.Add(time.Second)) {
		t.Errorf("%s: LastModified %v, want between %v and %v", what, info.LastModified, from, to)
	}
}

var httpClient = &http.Client{Timeout: 30 * time.Second}

// do sends a request built from method, url, body and header with plain
// net/http and returns the status, headers and body of the response.
func do(t *testing.T, ctx context.Context, method, url string, body []byte, header http.Header) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		t.Fatalf("new %s request: %v", method, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp.StatusCode, resp.Header, b
}
