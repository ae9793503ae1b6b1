package localstack

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/model"
)

// instance is a whole local stack served over loopback HTTP with its
// queue consumers running.
type instance struct {
	t     *testing.T
	stack *Stack
	url   string
	token string
}

func startInstance(t *testing.T) *instance {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.PublicURL = "http://" + l.Addr().String()
	cfg.AdminPassword = "admin-password"
	cfg.Resolutions = []int{144}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := Open(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: s.Handler()}
	go srv.Serve(l)
	done := make(chan error, 1)
	go func() { done <- s.Consume(ctx) }()
	t.Cleanup(func() {
		cancel()
		srv.Close()
		<-done
		s.Close()
	})
	in := &instance{t: t, stack: s, url: cfg.PublicURL}
	in.token = in.login("root", "admin-password")
	return in
}

func (in *instance) login(user, pw string) string {
	in.t.Helper()
	c, err := in.stack.store.EnsureOAuthClient(context.Background())
	if err != nil {
		in.t.Fatal(err)
	}
	resp, err := http.PostForm(in.url+"/api/v1/users/token", url.Values{"client_id": {c.ID}, "client_secret": {c.Secret},
		"grant_type": {"password"}, "username": {user}, "password": {pw}})
	if err != nil {
		in.t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		in.t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

// do sends a request with the root token.
func (in *instance) do(method, path string, body io.Reader, hdr map[string]string) *http.Response {
	in.t.Helper()
	req, err := http.NewRequest(method, in.url+path, body)
	if err != nil {
		in.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+in.token)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	return resp
}

// waitState waits for a video's state to be one of want.
func (in *instance) waitState(id int64, want ...int) model.Video {
	in.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		v, err := in.stack.store.Video(context.Background(), id)
		if err != nil {
			in.t.Fatal(err)
		}
		for _, w := range want {
			if v.State == w {
				return v
			}
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("video %d stuck in state %d (%s)", id, v.State, v.StateReason)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// cutReader yields n bytes of r then fails, as a connection dropped
// mid-chunk does.
type cutReader struct {
	r io.Reader
	n int64
}

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n <= 0 {
		return 0, errors.New("connection lost")
	}
	if int64(len(p)) > c.n {
		p = p[:c.n]
	}
	n, err := c.r.Read(p)
	c.n -= int64(n)
	return n, err
}

// TestResumableUploadInterruptedAndResumed uploads 200 MB through
// PeerTube's resumable protocol in 4 MB chunks, loses the connection in
// the middle of a chunk halfway, asks the server where to resume, and
// finishes: the stored original is byte-identical to the source. The
// bytes are random, so the pipeline then fails the video with a reason
// (state 7) instead of leaving it waiting.
func TestResumableUploadInterruptedAndResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB upload")
	}
	in := startInstance(t)
	const size, chunk = 200 << 20, 4 << 20
	data := make([]byte, size)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)

	meta, _ := json.Marshal(map[string]any{"name": "Big upload", "channelId": 1, "privacy": 1, "filename": "big.mp4"})
	resp := in.do("POST", "/api/v1/videos/upload-resumable", bytes.NewReader(meta), map[string]string{
		"Content-Type": "application/json", "X-Upload-Content-Length": fmt.Sprint(size), "X-Upload-Content-Type": "video/mp4"})
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 201 || loc == "" {
		t.Fatalf("init: %d %q", resp.StatusCode, loc)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/videos/upload-resumable?" + u.RawQuery

	put := func(start int64, body io.Reader, length int64) (*http.Response, error) {
		req, _ := http.NewRequest("PUT", in.url+path, body)
		req.ContentLength = length
		req.Header.Set("Authorization", "Bearer "+in.token)
		req.Header.Set("Content-Type", "application/octet-stream")
		req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+length-1, size))
		return http.DefaultClient.Do(req)
	}
	var offset int64
	interrupted := false
	var final *http.Response
	for offset < size {
		n := min(int64(chunk), size-offset)
		if !interrupted && offset >= size/2 {
			interrupted = true
			// The connection drops a quarter of the way into this chunk.
			if r, err := put(offset, &cutReader{r: bytes.NewReader(data[offset : offset+n]), n: n / 4}, n); err == nil {
				r.Body.Close()
				t.Fatalf("a cut chunk was answered %d", r.StatusCode)
			}
			// Ask the server what it has, as PeerTube's clients do.
			req, _ := http.NewRequest("PUT", in.url+path, nil)
			req.Header.Set("Authorization", "Bearer "+in.token)
			req.Header.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
			r, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			var end int64
			if r.StatusCode != 308 || func() error {
				_, err := fmt.Sscanf(r.Header.Get("Range"), "bytes=0-%d", &end)
				return err
			}() != nil {
				t.Fatalf("status query: %d Range %q", r.StatusCode, r.Header.Get("Range"))
			}
			if end+1 != offset {
				t.Fatalf("server kept %d bytes, the client had sent %d whole chunks' worth", end+1, offset)
			}
			continue
		}
		r, err := put(offset, bytes.NewReader(data[offset:offset+n]), n)
		if err != nil {
			t.Fatal(err)
		}
		offset += n
		if offset < size {
			r.Body.Close()
			if r.StatusCode != 308 {
				t.Fatalf("chunk at %d: %d", offset-n, r.StatusCode)
			}
			continue
		}
		final = r
	}
	defer final.Body.Close()
	var created struct {
		Video struct {
			ID        int64
			UUID      string
			ShortUUID string
		}
	}
	if final.StatusCode != 200 || json.NewDecoder(final.Body).Decode(&created) != nil || created.Video.ID == 0 {
		t.Fatalf("last chunk: %d", final.StatusCode)
	}
	if !interrupted {
		t.Fatal("the upload was never interrupted")
	}

	v := in.waitState(created.Video.ID, model.StateTranscodingFailed, model.StatePublished)
	// ffprobe's format detection on random bytes varies (no format, or a
	// format nobody accepts): either way the video fails with the input's
	// reason, never a generic one.
	if v.State != model.StateTranscodingFailed || !strings.HasPrefix(v.StateReason, "The file") {
		t.Errorf("random bytes ended in state %d (%q), want 7 with the input's reason", v.State, v.StateReason)
	}
	body, info, err := in.stack.blobs.Get(context.Background(), v.Source.Key, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	h := sha256.New()
	if _, err := io.Copy(h, body); err != nil {
		t.Fatal(err)
	}
	if info.Size != size || !bytes.Equal(h.Sum(nil), want[:]) {
		t.Fatalf("original: %d bytes, sha256 differs: %v", info.Size, !bytes.Equal(h.Sum(nil), want[:]))
	}
	if v.Source.ChunkPrefix != "" {
		t.Fatalf("chunks never joined: %+v", v.Source)
	}
}
