package upload

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/blob/fs"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
)

// clock is a settable test clock. It starts far in the future: the table
// engine judges TTL by the real clock, so nothing this clock dates expires
// under the test, while the handlers' expiry follows it.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2100, 1, 1, 8, 0, 0, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) add(d time.Duration) { c.ns.Add(int64(d)) }

// created is one call of the fake Create.
type created struct {
	user   int64
	meta   model.VideoMeta
	src    model.SourceFile
	images Images
}

// harness is the upload handlers behind a real HTTP server, over the
// embedded table and the filesystem blob store (whose presigned URLs the
// same server answers), with a Create that records what it gets.
type harness struct {
	t       *testing.T
	url     string
	st      *store.Store
	blobs   *fs.Store
	blobDir string
	clock   *clock
	h       *Handlers

	mu        sync.Mutex
	calls     []created
	createErr error // returned by Create when set
	quota     int64 // bytes a user may add
}

// Users: a token per user; alice owns channel 1, bob channel 2.
var (
	alice = &model.User{ID: 1, Username: "alice"}
	bob   = &model.User{ID: 2, Username: "bob"}
)

var channelOwners = map[int64]int64{1: alice.ID, 2: bob.ID}

func newHarness(t *testing.T, tune ...func(*Deps)) *harness {
	t.Helper()
	tbl, err := embedded.Open(filepath.Join(t.TempDir(), "t.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	hs := &harness{t: t, clock: newClock(), quota: 1 << 40}
	hs.st = store.New(tbl).WithClock(hs.clock.now)
	var mux atomic.Pointer[http.ServeMux]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { mux.Load().ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	hs.url = srv.URL
	hs.blobDir = t.TempDir()
	hs.blobs, err = fs.New(hs.blobDir, fs.Options{BaseURL: srv.URL, Secret: []byte("0123456789abcdef0123"), Now: hs.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{
		Store: hs.st, Blobs: hs.blobs, User: testUser, CheckChannel: checkChannel,
		CheckQuota: hs.checkQuota, Create: hs.create, Now: hs.clock.now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, f := range tune {
		f(&d)
	}
	hs.h = New(d)
	m := http.NewServeMux()
	for _, r := range hs.h.Routes() {
		m.Handle(r.Pattern, r.Handler)
	}
	m.Handle(fs.PathPrefix, hs.blobs.Handler())
	mux.Store(m)
	return hs
}

func testUser(r *http.Request) (*model.User, error) {
	switch r.Header.Get("Authorization") {
	case "Bearer alice-token":
		return alice, nil
	case "Bearer bob-token":
		return bob, nil
	}
	return nil, problem.Unauthorized("Token is invalid")
}

func checkChannel(_ context.Context, u *model.User, id int64) error {
	owner, ok := channelOwners[id]
	switch {
	case !ok:
		return problem.BadRequest("Unknown video channel")
	case owner != u.ID:
		return problem.Forbidden("Cannot manage a video channel of another user")
	}
	return nil
}

func (hs *harness) checkQuota(_ context.Context, _ *model.User, size int64) error {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if size > hs.quota {
		return problem.New(http.StatusRequestEntityTooLarge, "The user video quota is exceeded with this video.").
			WithHeader("X-File-Maximum-Size", fmt.Sprint(hs.quota))
	}
	return nil
}

func (hs *harness) create(_ context.Context, u *model.User, meta model.VideoMeta, src model.SourceFile, images Images) (model.Video, error) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if hs.createErr != nil {
		return model.Video{}, hs.createErr
	}
	hs.calls = append(hs.calls, created{user: u.ID, meta: meta, src: src, images: images})
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	uuid := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	return model.Video{ID: int64(len(hs.calls)), UUID: uuid, AccountID: u.ID, VideoMeta: meta, Source: src}, nil
}

func (hs *harness) setCreateErr(err error) {
	hs.mu.Lock()
	hs.createErr = err
	hs.mu.Unlock()
}

func (hs *harness) createCalls() []created {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	return append([]created(nil), hs.calls...)
}

// do sends a request as the user of token ("" for none).
func (hs *harness) do(method, path, token string, body io.Reader, hdr map[string]string) *http.Response {
	hs.t.Helper()
	req, err := http.NewRequest(method, hs.url+path, body)
	if err != nil {
		hs.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if b, ok := body.(*bytes.Reader); ok {
		req.ContentLength = int64(b.Len())
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		hs.t.Fatalf("%s %s: %v", method, path, err)
	}
	hs.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// objects lists every object in the blob store.
func (hs *harness) objects() []blob.Info {
	hs.t.Helper()
	var all []blob.Info
	after := ""
	for {
		page, err := hs.blobs.List(context.Background(), blob.ListOptions{After: after})
		if err != nil {
			hs.t.Fatal(err)
		}
		all = append(all, page.Objects...)
		if page.Next == "" {
			return all
		}
		after = page.Next
	}
}

// multipartUploads counts the blob multipart uploads in progress (the fs
// engine keeps each as a directory under uploads/, see its doc.go).
func (hs *harness) multipartUploads() int {
	hs.t.Helper()
	entries, err := os.ReadDir(filepath.Join(hs.blobDir, "uploads"))
	if err != nil && !os.IsNotExist(err) {
		hs.t.Fatal(err)
	}
	return len(entries)
}

// assertNothingStored fails unless the blob store holds no object and no
// multipart upload.
func (hs *harness) assertNothingStored() {
	hs.t.Helper()
	if objs := hs.objects(); len(objs) != 0 {
		keys := make([]string, len(objs))
		for i, o := range objs {
			keys[i] = o.Key
		}
		hs.t.Fatalf("objects left behind: %v", keys)
	}
	if n := hs.multipartUploads(); n != 0 {
		hs.t.Fatalf("%d multipart uploads left behind", n)
	}
}

// readObject reads a whole object.
func (hs *harness) readObject(key string) []byte {
	hs.t.Helper()
	rc, _, err := hs.blobs.Get(context.Background(), key, nil)
	if err != nil {
		hs.t.Fatalf("get %s: %v", key, err)
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		hs.t.Fatal(err)
	}
	return data
}

// problemOf checks that resp is a problem+json of status and returns it.
func problemOf(t *testing.T, resp *http.Response, status int) map[string]any {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("content type %q: %s", ct, body)
	}
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body %s: %v", body, err)
	}
	if p["status"] != float64(status) || p["detail"] == "" {
		t.Fatalf("problem %s", body)
	}
	return p
}

// videoOf reads a 200 {"video":{id,shortUUID,uuid}}.
func videoOf(t *testing.T, resp *http.Response) createdVideo {
	t.Helper()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var v struct {
		Video createdVideo `json:"video"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Video.ID == 0 || v.Video.UUID == "" || len(v.Video.ShortUUID) != 22 {
		t.Fatalf("video body %s: %v", body, err)
	}
	if want := `{"video":{"id":`; !strings.HasPrefix(string(body), want) {
		t.Fatalf("body %s does not start with %s", body, want)
	}
	return v.Video
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func sum(b []byte) [32]byte { return sha256.Sum256(b) }
