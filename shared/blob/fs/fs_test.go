package fs_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/blob/blobtest"
	"github.com/vidiverse/vidiverse/shared/blob/fs"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// serve starts a loopback server that mounts whatever store *target points
// at under fs.PathPrefix, and returns its URL.
func serve(t testing.TB, target **fs.Store) string {
	t.Helper()
	var mu sync.Mutex
	mux := http.NewServeMux()
	mux.HandleFunc(fs.PathPrefix, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		s := *target
		mu.Unlock()
		s.Handler().ServeHTTP(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// open opens a store at root served on a loopback server.
func open(t testing.TB, root string, now func() time.Time) *fs.Store {
	t.Helper()
	var s *fs.Store
	base := serve(t, &s)
	st, err := fs.New(root, fs.Options{BaseURL: base, Secret: secret, Now: now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	s = st
	return st
}

func TestConformance(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store { return open(t, t.TempDir(), nil) })
}

func TestNewRefusesBadOptions(t *testing.T) {
	for _, o := range []fs.Options{
		{BaseURL: "http://localhost:9000", Secret: []byte("short")},
		{BaseURL: "", Secret: secret},
		{BaseURL: "localhost:9000", Secret: secret},
		{BaseURL: "ftp://host", Secret: secret},
	} {
		if _, err := fs.New(t.TempDir(), o); err == nil {
			t.Errorf("New(%+v): no error", o)
		}
	}
}

func TestRestartKeepsObjectsAndUploads(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	s1 := open(t, root, nil)
	data := bytes.Repeat([]byte("persist "), 1000)
	if err := s1.Put(ctx, "keep/obj", bytes.NewReader(data), int64(len(data)), blob.PutOptions{ContentType: "text/plain", CacheControl: "no-cache"}); err != nil {
		t.Fatal(err)
	}
	info1, err := s1.Head(ctx, "keep/obj")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s1.CreateMultipart(ctx, "keep/mp", blob.PutOptions{ContentType: "video/mp4"})
	if err != nil {
		t.Fatal(err)
	}
	part, err := s1.UploadPart(ctx, "keep/mp", id, 1, strings.NewReader("part one"), 8)
	if err != nil {
		t.Fatal(err)
	}
	getURL, err := s1.PresignGet(ctx, "keep/obj", time.Hour)
	if err != nil {
		t.Fatal(err)
	}

	// The restarted process: a new Store on the same root.
	s2, err := fs.New(root, fs.Options{BaseURL: "http://localhost:1", Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	rc, info2, err := s2.Get(ctx, "keep/obj", nil)
	if err != nil {
		t.Fatalf("Get after restart: %v", err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) || info2 != info1 {
		t.Errorf("after restart: %d bytes, Info %+v; want %d bytes, Info %+v", len(got), info2, len(data), info1)
	}
	parts, err := s2.ListParts(ctx, "keep/mp", id)
	if err != nil || len(parts) != 1 || parts[0] != part {
		t.Fatalf("ListParts after restart: %+v, %v; want [%+v]", parts, err, part)
	}
	if err := s2.CompleteMultipart(ctx, "keep/mp", id, parts); err != nil {
		t.Fatalf("CompleteMultipart after restart: %v", err)
	}

	// URLs signed before the restart still work (same secret).
	srv := httptest.NewServer(s2.Handler())
	defer srv.Close()
	u := srv.URL + getURL[strings.Index(getURL, fs.PathPrefix):]
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("GET with a URL signed before the restart: %d, %d bytes, Cache-Control %q", resp.StatusCode, len(body), resp.Header.Get("Cache-Control"))
	}
}

// gate is a reader that yields first, then blocks until released, then
// yields rest: a write in progress.
type gate struct {
	first, rest []byte
	reached     chan struct{}
	release     chan struct{}
	state       int
}

func (g *gate) Read(p []byte) (int, error) {
	switch g.state {
	case 0:
		n := copy(p, g.first)
		g.first = g.first[n:]
		if len(g.first) == 0 {
			g.state = 1
		}
		return n, nil
	case 1:
		close(g.reached)
		<-g.release
		g.state = 2
		fallthrough
	default:
		if len(g.rest) == 0 {
			return 0, io.EOF
		}
		n := copy(p, g.rest)
		g.rest = g.rest[n:]
		return n, nil
	}
}

// copyTree copies the directory tree at src to dst: a snapshot of the files
// mid-write stands in for the disk after a crash.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatalf("copy tree: %v", err)
	}
}

func TestCrashDuringPutLeavesNoPartialObject(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	s := open(t, root, nil)
	old := []byte("the old bytes")
	if err := s.Put(ctx, "crash/obj", bytes.NewReader(old), int64(len(old)), blob.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	g := &gate{first: bytes.Repeat([]byte{1}, 1<<20), rest: bytes.Repeat([]byte{2}, 1<<20), reached: make(chan struct{}), release: make(chan struct{})}
	done := make(chan error, 2)
	go func() { done <- s.Put(ctx, "crash/obj", g, 2<<20, blob.PutOptions{}) }()
	g2 := &gate{first: bytes.Repeat([]byte{3}, 1<<20), rest: []byte{4}, reached: make(chan struct{}), release: make(chan struct{})}
	go func() { done <- s.Put(ctx, "crash/new", g2, 1<<20+1, blob.PutOptions{}) }()
	<-g.reached
	<-g2.reached

	// While the writes are under way, readers see the old state only.
	if rc, _, err := s.Get(ctx, "crash/obj", nil); err != nil {
		t.Errorf("Get during an overwrite: %v", err)
	} else if got, _ := io.ReadAll(rc); !bytes.Equal(got, old) {
		t.Errorf("Get during an overwrite: %d bytes, want the old %d", len(got), len(old))
		rc.Close()
	} else {
		rc.Close()
	}
	if _, err := s.Head(ctx, "crash/new"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Head of an object being written: %v, want ErrNotFound", err)
	}

	// The disk as a crash now would leave it.
	crashed := t.TempDir()
	copyTree(t, root, crashed)
	tmpFiles, _ := os.ReadDir(filepath.Join(crashed, "tmp"))
	if len(tmpFiles) == 0 {
		t.Fatal("no temp file under tmp/ while writes are under way; the test does not simulate what it means to")
	}
	close(g.release)
	close(g2.release)
	for range 2 {
		if err := <-done; err != nil {
			t.Fatalf("Put: %v", err)
		}
	}

	s2 := open(t, crashed, nil)
	left, err := os.ReadDir(filepath.Join(crashed, "tmp"))
	if err != nil || len(left) != 0 {
		t.Errorf("tmp/ after New: %v entries (%v), want empty", len(left), err)
	}
	rc, info, err := s2.Get(ctx, "crash/obj", nil)
	if err != nil {
		t.Fatalf("Get after the crash: %v", err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, old) || info.Size != int64(len(old)) {
		t.Errorf("after the crash crash/obj reads %d bytes, want the old %d", len(got), len(old))
	}
	if _, err := s2.Head(ctx, "crash/new"); !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Head after the crash of an object never finished: %v, want ErrNotFound", err)
	}
	page, err := s2.List(ctx, blob.ListOptions{})
	if err != nil || len(page.Objects) != 1 {
		t.Errorf("List after the crash: %+v, %v; want only crash/obj", page.Objects, err)
	}
}

func TestNewRemovesLeftoverTempFiles(t *testing.T) {
	root := t.TempDir()
	open(t, root, nil)
	leftovers := []string{filepath.Join(root, "tmp", "blob-123"), filepath.Join(root, "tmp", "upload-9", "upload.json")}
	for _, p := range leftovers {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("half written"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := open(t, root, nil)
	for _, p := range leftovers {
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s after New: %v, want it gone", p, err)
		}
	}
	page, err := s.List(t.Context(), blob.ListOptions{})
	if err != nil || len(page.Objects) != 0 {
		t.Errorf("List: %+v, %v; want nothing", page.Objects, err)
	}
}

func TestLayoutAndPruning(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	s := open(t, root, nil)
	if err := s.Put(ctx, "a/b/c", strings.NewReader("x"), 1, blob.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "objects", "a", "b", "c~obj")); err != nil {
		t.Errorf("object file: %v", err)
	}
	if err := s.Delete(ctx, "a/b/c"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "objects", "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("objects/a after deleting its only object: %v, want it pruned", err)
	}
	if _, err := os.Stat(filepath.Join(root, "objects")); err != nil {
		t.Errorf("objects/ itself: %v", err)
	}
}

func TestCorruptObjectIsAnError(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	s := open(t, root, nil)
	if err := s.Put(ctx, "bad/obj", strings.NewReader("0123456789"), 10, blob.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "objects", "bad", "obj~obj")
	if err := os.Truncate(path, 12); err != nil {
		t.Fatal(err)
	}
	_, _, err := s.Get(ctx, "bad/obj", nil)
	if err == nil || errors.Is(err, blob.ErrNotFound) {
		t.Errorf("Get of a truncated object file: %v, want a corruption error", err)
	}
}

func TestHandler(t *testing.T) {
	ctx := t.Context()
	clock := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	s := open(t, t.TempDir(), now)
	data := []byte("0123456789")
	if err := s.Put(ctx, "h/obj", bytes.NewReader(data), 10, blob.PutOptions{ContentType: "text/plain"}); err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignGet(ctx, "h/obj", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}

	resp, err := http.Head(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != 10 || resp.Header.Get("Content-Type") != "text/plain" ||
		resp.Header.Get("Last-Modified") != clock.Format(http.TimeFormat) {
		t.Errorf("HEAD: %d, length %d, headers %v", resp.StatusCode, resp.ContentLength, resp.Header)
	}

	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, u, nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d, want 405", resp.StatusCode)
	}

	// The signature holds until the expiry, then the URL is refused.
	mu.Lock()
	clock = clock.Add(9 * time.Second)
	mu.Unlock()
	if resp, err := http.Get(u); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET before expiry: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	mu.Lock()
	clock = clock.Add(2 * time.Second)
	mu.Unlock()
	resp, err = http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Status int    `json:"status"`
		Title  string `json:"title"`
		Detail string `json:"detail"`
	}
	decodeErr := json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "application/problem+json" ||
		decodeErr != nil || p.Status != 403 || !strings.Contains(p.Detail, "expired") {
		t.Errorf("GET after expiry: %d %q, problem %+v (%v)", resp.StatusCode, resp.Header.Get("Content-Type"), p, decodeErr)
	}

	// A URL without a signature, and one outside the prefix.
	base := u[:strings.Index(u, fs.PathPrefix)]
	for _, c := range []struct {
		url  string
		want int
	}{
		{base + fs.PathPrefix + "h/obj", http.StatusForbidden},
		{base + fs.PathPrefix + "h/obj?expires=99999999999&signature=00", http.StatusForbidden},
	} {
		resp, err := http.Get(c.url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET %s: %d, want %d", c.url, resp.StatusCode, c.want)
		}
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/elsewhere/h/obj", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("GET outside %s: %d, want 404", fs.PathPrefix, rec.Code)
	}
}

func TestPresignedPartToEndedUpload(t *testing.T) {
	ctx := t.Context()
	s := open(t, t.TempDir(), nil)
	id, err := s.CreateMultipart(ctx, "e/obj", blob.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.PresignUploadPart(ctx, "e/obj", id, 1, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AbortMultipart(ctx, "e/obj", id); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPut, u, strings.NewReader("part"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("PUT part of an aborted upload: %d, want 404", resp.StatusCode)
	}
}
