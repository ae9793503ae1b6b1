package upload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
)

// initBody is the JSON a PeerTube client sends to start a resumable upload.
func initBody(extra map[string]any) []byte {
	m := map[string]any{"name": "Resumable clip", "channelId": 1, "privacy": 1, "filename": "clip.mp4",
		"originalName": "clip.mp4", "lastModified": 1700000000000, "tags": []string{"one", "two"}, "commentsPolicy": 2}
	for k, v := range extra {
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
	}
	b, _ := json.Marshal(m)
	return b
}

// startResumable inits an upload and returns its Location.
func (hs *harness) startResumable(token string, body []byte, size int64, wantStatus int) (string, *http.Response) {
	hs.t.Helper()
	resp := hs.do("POST", "/api/v1/videos/upload-resumable", token, bytes.NewReader(body), map[string]string{
		"Content-Type": "application/json", "X-Upload-Content-Length": fmt.Sprint(size), "X-Upload-Content-Type": "video/mp4",
	})
	if resp.StatusCode != wantStatus {
		b, _ := io.ReadAll(resp.Body)
		hs.t.Fatalf("init: status %d, want %d: %s", resp.StatusCode, wantStatus, b)
	}
	return resp.Header.Get("Location"), resp
}

// putChunk PUTs file[start:end] of a file of total bytes to loc.
func (hs *harness) putChunk(loc, token string, file []byte, start, end int64) *http.Response {
	hs.t.Helper()
	req, err := http.NewRequest("PUT", loc, bytes.NewReader(file[start:end]))
	if err != nil {
		hs.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end-1, len(file)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		hs.t.Fatalf("PUT %d-%d: %v", start, end, err)
	}
	hs.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// status asks where an upload stands (Content-Range: bytes */total).
func (hs *harness) status(loc, token string, total int) *http.Response {
	hs.t.Helper()
	req, _ := http.NewRequest("PUT", loc, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Range", fmt.Sprintf("bytes */%d", total))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		hs.t.Fatal(err)
	}
	hs.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// resumeAt reads the offset a 308 answer's Range header gives.
func resumeAt(t *testing.T, resp *http.Response) int64 {
	t.Helper()
	if resp.StatusCode != http.StatusPermanentRedirect {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d, want 308: %s", resp.StatusCode, b)
	}
	rng := resp.Header.Get("Range")
	if rng == "" {
		return 0
	}
	var last int64
	if _, err := fmt.Sscanf(rng, "bytes=0-%d", &last); err != nil {
		t.Fatalf("Range %q", rng)
	}
	return last + 1
}

func sessionIDOf(t *testing.T, loc string) string {
	t.Helper()
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("upload_id")
}

// 20 MiB in 4 MiB chunks; the third is cut off halfway; the client asks
// where it stands and resumes from the server's Range; a replayed chunk and
// a chunk past the offset change nothing; the joined original is the file.
func TestResumableUploadInterruptedAndResumed(t *testing.T) {
	hs := newHarness(t)
	const size, chunk = 20 << 20, 4 << 20
	file := randomBytes(size)
	loc, resp := hs.startResumable("alice-token", initBody(nil), size, http.StatusCreated)
	wantExpiry := hs.clock.now().Add(DefaultSessionLifetime).Format("2006-01-02T15:04:05.000Z")
	if !strings.HasPrefix(loc, hs.url+"/api/v1/videos/upload-resumable?upload_id=") || resp.Header.Get("X-Upload-Expires") != wantExpiry {
		t.Fatalf("Location %q, headers %v", loc, resp.Header)
	}
	id := sessionIDOf(t, loc)

	for start := int64(0); start < 2*chunk; start += chunk {
		if got := resumeAt(t, hs.putChunk(loc, "alice-token", file, start, start+chunk)); got != start+chunk {
			t.Fatalf("after chunk at %d the server has %d", start, got)
		}
	}
	// The third chunk's body stops halfway: its connection breaks.
	pr, pw := io.Pipe()
	go func() {
		_, _ = pw.Write(file[2*chunk : 2*chunk+chunk/2])
		pw.CloseWithError(errors.New("connection lost"))
	}()
	req, _ := http.NewRequest("PUT", loc, pr)
	req.ContentLength = chunk
	req.Header.Set("Authorization", "Bearer alice-token")
	req.Header.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", 2*chunk, 3*chunk-1, size))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the cut PUT got %d", resp.StatusCode)
	}
	// It stored nothing: the server still has two chunks.
	offset := resumeAt(t, hs.status(loc, "alice-token", size))
	if offset != 2*chunk || len(hs.objects()) != 2 {
		t.Fatalf("after the cut chunk: offset %d, objects %+v", offset, hs.objects())
	}

	// A replay of the second chunk is harmless.
	if got := resumeAt(t, hs.putChunk(loc, "alice-token", file, chunk, 2*chunk)); got != 2*chunk {
		t.Fatalf("replay moved the offset to %d", got)
	}
	// A chunk past the offset is node-uploadx's 409, with where to resume.
	resp = hs.putChunk(loc, "alice-token", file, 3*chunk, 4*chunk)
	problemOf(t, resp, http.StatusConflict)
	if resp.Header.Get("Range") != fmt.Sprintf("bytes=0-%d", 2*chunk-1) {
		t.Fatalf("409 Range %q", resp.Header.Get("Range"))
	}

	// Resume where the server says, to the end.
	var video createdVideo
	for start := offset; start < size; start += chunk {
		resp := hs.putChunk(loc, "alice-token", file, start, start+chunk)
		if start+chunk < size {
			resumeAt(t, resp)
			continue
		}
		video = videoOf(t, resp)
	}
	calls := hs.createCalls()
	if len(calls) != 1 {
		t.Fatalf("%d creations", len(calls))
	}
	c := calls[0]
	if c.src.ChunkPrefix != "uploads/"+id+"/" || c.src.Size != size || c.src.Filename != "clip.mp4" || !strings.HasPrefix(c.src.Key, "originals/") ||
		c.meta.Name != "Resumable clip" || c.meta.CommentsPolicy != 2 || len(c.meta.Tags) != 2 {
		t.Fatalf("created with %+v", c)
	}
	// The last chunk again (a client that did not see the answer): the
	// same video, not a second one.
	if again := videoOf(t, hs.putChunk(loc, "alice-token", file, size-chunk, size)); again != video {
		t.Fatalf("replayed last chunk answered %+v, want %+v", again, video)
	}
	if again := videoOf(t, hs.status(loc, "alice-token", size)); again != video || len(hs.createCalls()) != 1 {
		t.Fatal("status after completion")
	}
	// PeerTube's clients end with a DELETE, which keeps the chunks: they
	// are the video's until joined.
	if resp := hs.do("DELETE", "/api/v1/videos/upload-resumable?upload_id="+id, "alice-token", nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE after completion: %d", resp.StatusCode)
	}
	problemOf(t, hs.status(loc, "alice-token", size), http.StatusNotFound)

	n, err := Join(context.Background(), hs.blobs, c.src.ChunkPrefix, c.src.Key)
	if err != nil || n != size {
		t.Fatalf("join: %d %v", n, err)
	}
	if sum(hs.readObject(c.src.Key)) != sum(file) {
		t.Fatal("joined original differs from the file")
	}
	if objs := hs.objects(); len(objs) != 1 || objs[0].Key != c.src.Key {
		t.Fatalf("objects after join: %+v", objs)
	}
}

func TestResumableChunkOverTheMaximumIs413(t *testing.T) {
	hs := newHarness(t, func(d *Deps) { d.MaxChunkSize = 1 << 20 })
	file := randomBytes(3 << 20)
	loc, _ := hs.startResumable("alice-token", initBody(nil), int64(len(file)), http.StatusCreated)
	p := problemOf(t, hs.putChunk(loc, "alice-token", file, 0, 2<<20), http.StatusRequestEntityTooLarge)
	if !strings.Contains(p["detail"].(string), "1048576") {
		t.Fatalf("problem %v", p)
	}
	if len(hs.objects()) != 0 || resumeAt(t, hs.status(loc, "alice-token", len(file))) != 0 {
		t.Fatal("an oversized chunk was stored")
	}
	if resumeAt(t, hs.putChunk(loc, "alice-token", file, 0, 1<<20)) != 1<<20 {
		t.Fatal("a chunk at the maximum was refused")
	}
}

// The same chunk sent by racing requests commits once; a chunk overlapping
// the offset stores only its new bytes; the join is exact.
func TestResumableConcurrentAndOverlappingChunks(t *testing.T) {
	hs := newHarness(t)
	const size = 3<<20 + 12345
	file := randomBytes(size)
	loc, _ := hs.startResumable("alice-token", initBody(nil), size, http.StatusCreated)
	var wg sync.WaitGroup
	statuses := make(chan int, 6)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := hs.putChunk(loc, "alice-token", file, 0, 1<<20)
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	for st := range statuses {
		if st != http.StatusPermanentRedirect {
			t.Fatalf("a racing copy of the chunk got %d", st)
		}
	}
	if got := resumeAt(t, hs.status(loc, "alice-token", size)); got != 1<<20 {
		t.Fatalf("offset %d after racing copies of one chunk", got)
	}
	// Bytes 512 KiB..2 MiB: only 1..2 MiB are new.
	if got := resumeAt(t, hs.putChunk(loc, "alice-token", file, 512<<10, 2<<20)); got != 2<<20 {
		t.Fatalf("offset %d after an overlapping chunk", got)
	}
	videoOf(t, hs.putChunk(loc, "alice-token", file, 2<<20, size))
	c := hs.createCalls()[0]
	if n, err := Join(context.Background(), hs.blobs, c.src.ChunkPrefix, c.src.Key); err != nil || n != size {
		t.Fatalf("join: %d %v", n, err)
	}
	if sum(hs.readObject(c.src.Key)) != sum(file) {
		t.Fatal("joined original differs")
	}
}

func TestResumableInitAgainFindsTheSession(t *testing.T) {
	hs := newHarness(t)
	file := randomBytes(2 << 20)
	loc, _ := hs.startResumable("alice-token", initBody(nil), int64(len(file)), http.StatusCreated)
	// Before any byte, node-uploadx answers 201 again.
	if again, _ := hs.startResumable("alice-token", initBody(nil), int64(len(file)), http.StatusCreated); again != loc {
		t.Fatalf("second init %q, first %q", again, loc)
	}
	resumeAt(t, hs.putChunk(loc, "alice-token", file, 0, 1<<20))
	again, resp := hs.startResumable("alice-token", initBody(nil), int64(len(file)), http.StatusOK)
	if again != loc || resp.Header.Get("Range") != fmt.Sprintf("bytes=0-%d", 1<<20-1) {
		t.Fatalf("init after a chunk: %q Range %q", again, resp.Header.Get("Range"))
	}
	// Another file date, another user or other metadata: another upload.
	for _, other := range []struct {
		token string
		body  []byte
	}{
		{"alice-token", initBody(map[string]any{"lastModified": 1700000000001})},
		{"alice-token", initBody(map[string]any{"name": "Another name"})},
		{"bob-token", initBody(map[string]any{"channelId": 2})},
	} {
		if l, _ := hs.startResumable(other.token, other.body, int64(len(file)), http.StatusCreated); l == loc {
			t.Fatal("a different upload found the first session")
		}
	}
	v := videoOf(t, hs.putChunk(loc, "alice-token", file, 1<<20, 2<<20))
	// Once done, an init of the same upload answers its video.
	_, resp = hs.startResumable("alice-token", initBody(nil), int64(len(file)), http.StatusOK)
	if videoOf(t, resp) != v {
		t.Fatal("init after completion did not answer the video")
	}
}

func TestResumableCancelAndExpiry(t *testing.T) {
	hs := newHarness(t)
	file := randomBytes(2 << 20)

	// A multipart init with a thumbnail stages it; DELETE removes it all.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	thumb := append([]byte{0x89, 'P', 'N', 'G'}, randomBytes(500)...)
	if err := writeForm(&buf, mw, [][2]string{{"name", "With thumbnail"}, {"channelId", "1"}, {"filename", "clip.webm"}},
		[]filePart{{"thumbnailfile", "t.png", "image/png", bytes.NewReader(thumb)}}, false); err != nil {
		t.Fatal(err)
	}
	resp := hs.do("POST", "/api/v1/videos/upload-resumable", "alice-token", bytes.NewReader(buf.Bytes()), map[string]string{
		"Content-Type": mw.FormDataContentType(), "X-Upload-Content-Length": fmt.Sprint(len(file)), "X-Upload-Content-Type": "video/webm"})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("multipart init: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	id := sessionIDOf(t, loc)
	resumeAt(t, hs.putChunk(loc, "alice-token", file, 0, 1<<20))
	if len(hs.objects()) != 2 {
		t.Fatalf("objects %+v, want a chunk and the thumbnail", hs.objects())
	}
	problemOf(t, hs.do("DELETE", "/api/v1/videos/upload-resumable?upload_id="+id, "bob-token", nil, nil), http.StatusForbidden)
	if resp := hs.do("DELETE", "/api/v1/videos/upload-resumable?upload_id="+id, "alice-token", nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE: %d", resp.StatusCode)
	}
	hs.assertNothingStored()
	problemOf(t, hs.putChunk(loc, "alice-token", file, 1<<20, 2<<20), http.StatusNotFound)
	problemOf(t, hs.do("DELETE", "/api/v1/videos/upload-resumable?upload_id="+id, "alice-token", nil, nil), http.StatusNotFound)

	// A session past its lifetime answers 410 and is cleaned up.
	loc, _ = hs.startResumable("alice-token", initBody(nil), int64(len(file)), http.StatusCreated)
	resumeAt(t, hs.putChunk(loc, "alice-token", file, 0, 1<<20))
	hs.clock.add(DefaultSessionLifetime - time.Minute)
	resumeAt(t, hs.putChunk(loc, "alice-token", file, 1<<20, 1<<20+1)) // rolls the expiry on
	hs.clock.add(2 * time.Minute)
	resumeAt(t, hs.status(loc, "alice-token", len(file)))
	hs.clock.add(DefaultSessionLifetime)
	problemOf(t, hs.putChunk(loc, "alice-token", file, 1<<20+1, 2<<20), http.StatusGone)
	hs.assertNothingStored()
	if _, err := hs.st.Upload(context.Background(), sessionIDOf(t, loc)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session kept: %v", err)
	}
}

func TestResumableCompletionWithThumbnailAndRefusal(t *testing.T) {
	hs := newHarness(t)
	file := randomBytes(1 << 20)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	thumb := append([]byte{0xff, 0xd8}, randomBytes(100)...)
	_ = writeForm(&buf, mw, [][2]string{{"name", "Thumbnailed"}, {"channelId", "1"}, {"filename", "c.mp4"}},
		[]filePart{{"previewfile", "p.jpg", "image/jpeg", bytes.NewReader(thumb)}}, false)
	resp := hs.do("POST", "/api/v1/videos/upload-resumable", "alice-token", bytes.NewReader(buf.Bytes()), map[string]string{
		"Content-Type": mw.FormDataContentType(), "X-Upload-Content-Length": fmt.Sprint(len(file)), "X-Upload-Content-Type": "video/mp4"})
	loc := resp.Header.Get("Location")
	videoOf(t, hs.putChunk(loc, "alice-token", file, 0, int64(len(file))))
	c := hs.createCalls()[0]
	if !bytes.Equal(c.images.Preview, thumb) || c.images.Thumbnail != nil {
		t.Fatal("staged preview not passed to Create")
	}
	for _, o := range hs.objects() {
		if !strings.HasPrefix(o.Key, c.src.ChunkPrefix) {
			t.Fatalf("object %s left after completion", o.Key)
		}
	}

	// When Create refuses, the upload is discarded and the refusal answered.
	hs.setCreateErr(problem.Forbidden("Upload filtered"))
	loc, _ = hs.startResumable("alice-token", initBody(map[string]any{"name": "Refused"}), int64(len(file)), http.StatusCreated)
	problemOf(t, hs.putChunk(loc, "alice-token", file, 0, int64(len(file))), http.StatusForbidden)
	problemOf(t, hs.status(loc, "alice-token", len(file)), http.StatusNotFound)
	for _, o := range hs.objects() {
		if strings.HasPrefix(o.Key, ChunkPrefix(sessionIDOf(t, loc))) {
			t.Fatalf("refused upload left %s", o.Key)
		}
	}

	// When Create fails otherwise, the session stays and the client's
	// retry of the last chunk creates the video.
	hs.setCreateErr(errors.New("queue down"))
	loc, _ = hs.startResumable("alice-token", initBody(map[string]any{"name": "Retried"}), int64(len(file)), http.StatusCreated)
	problemOf(t, hs.putChunk(loc, "alice-token", file, 0, int64(len(file))), http.StatusInternalServerError)
	hs.setCreateErr(nil)
	videoOf(t, hs.putChunk(loc, "alice-token", file, 0, int64(len(file))))
	if calls := hs.createCalls(); len(calls) != 2 || calls[1].meta.Name != "Retried" {
		t.Fatalf("calls %+v", calls)
	}
}

func TestResumableBadInput(t *testing.T) {
	hs := newHarness(t)
	post := func(token string, body []byte, hdr map[string]string) *http.Response {
		h := map[string]string{"Content-Type": "application/json", "X-Upload-Content-Length": "1000", "X-Upload-Content-Type": "video/mp4"}
		for k, v := range hdr {
			if v == "" {
				delete(h, k)
			} else {
				h[k] = v
			}
		}
		return hs.do("POST", "/api/v1/videos/upload-resumable", token, bytes.NewReader(body), h)
	}
	// Headers missing: invalid-params in "headers", beside body fields.
	p := problemOf(t, post("alice-token", initBody(map[string]any{"filename": nil}), map[string]string{"X-Upload-Content-Length": "", "X-Upload-Content-Type": ""}), 400)
	params := p["invalid-params"].(map[string]any)
	if len(params) != 3 || params["x-upload-content-length"].(map[string]any)["location"] != "headers" ||
		params["x-upload-content-type"].(map[string]any)["msg"] != "Should specify the file mimetype" || params["filename"] == nil {
		t.Fatalf("params %v", params)
	}
	problemOf(t, post("alice-token", initBody(nil), map[string]string{"X-Upload-Content-Length": "abc"}), 400)
	problemOf(t, post("alice-token", initBody(nil), map[string]string{"X-Upload-Content-Length": "0"}), 400)
	problemOf(t, post("alice-token", []byte(`{"name":`), nil), 400)
	problemOf(t, post("alice-token", initBody(map[string]any{"category": 99}), nil), 400)
	problemOf(t, post("", initBody(nil), nil), 401)
	problemOf(t, post("bob-token", initBody(nil), nil), 403)
	problemOf(t, post("alice-token", initBody(nil), map[string]string{"X-Upload-Content-Type": "application/pdf"}), 415)
	hs.quota = 999
	resp := post("alice-token", initBody(nil), nil)
	problemOf(t, resp, 413)
	if resp.Header.Get("X-File-Maximum-Size") != "999" {
		t.Fatalf("X-File-Maximum-Size %q", resp.Header.Get("X-File-Maximum-Size"))
	}
	hs.quota = 1 << 40

	// Chunks: unknown or malformed ids, another user's session, ranges.
	file := randomBytes(1000)
	loc, _ := hs.startResumable("alice-token", initBody(nil), 1000, http.StatusCreated)
	for _, q := range []string{"", "?upload_id=", "?upload_id=../../x", "?upload_id=" + strings.Repeat("0", 32)} {
		problemOf(t, hs.do("PUT", "/api/v1/videos/upload-resumable"+q, "alice-token", bytes.NewReader(file), nil), 404)
	}
	problemOf(t, hs.putChunk(loc, "bob-token", file, 0, 10), 403)
	problemOf(t, hs.putChunk(loc, "", file, 0, 10), 401)
	for _, cr := range []string{"bytes 0-9", "items 0-9/1000", "bytes 9-0/1000", "bytes a-b/1000"} {
		problemOf(t, hs.do("PUT", strings.TrimPrefix(loc, hs.url), "alice-token", bytes.NewReader(file[:10]), map[string]string{"Content-Range": cr}), 400)
	}
	problemOf(t, hs.do("PUT", strings.TrimPrefix(loc, hs.url), "alice-token", bytes.NewReader(file[:10]), map[string]string{"Content-Range": "bytes 0-9/999"}), 409)
	problemOf(t, hs.do("PUT", strings.TrimPrefix(loc, hs.url), "alice-token", bytes.NewReader(file[:10]), map[string]string{"Content-Range": "bytes 995-1004/1000"}), 409)
	problemOf(t, hs.do("PUT", strings.TrimPrefix(loc, hs.url), "alice-token", bytes.NewReader(file[:10]), map[string]string{"Content-Range": "bytes 0-19/1000"}), 400)
	if len(hs.objects()) != 0 || resumeAt(t, hs.status(loc, "alice-token", 1000)) != 0 {
		t.Fatal("bad chunks stored something")
	}
	// A body longer than its range (no Content-Length to give it away).
	pr, pw := io.Pipe()
	go func() { _, _ = pw.Write(file[:20]); pw.Close() }()
	req, _ := http.NewRequest("PUT", loc, pr)
	req.Header.Set("Authorization", "Bearer alice-token")
	req.Header.Set("Content-Range", "bytes 0-9/1000")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Body.Close()
	problemOf(t, r2, 400)
	if len(hs.objects()) != 0 || resumeAt(t, hs.status(loc, "alice-token", 1000)) != 0 {
		t.Fatal("an overlong chunk was stored")
	}
}
