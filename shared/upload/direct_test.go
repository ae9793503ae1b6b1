package upload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/blob"
)

type startAnswer struct {
	UploadID  string       `json:"uploadId"`
	PartSize  int64        `json:"partSize"`
	ExpiresAt string       `json:"expiresAt"`
	Parts     []directPart `json:"parts"`
}

func (hs *harness) startDirect(token string, size int64, extra map[string]any) startAnswer {
	hs.t.Helper()
	m := map[string]any{"name": "Direct clip", "channelId": 1, "filename": "direct.mp4", "size": size, "privacy": 2}
	for k, v := range extra {
		m[k] = v
	}
	body, _ := json.Marshal(m)
	resp := hs.do("POST", "/api/v1/videos/upload-direct", token, bytes.NewReader(body), map[string]string{"Content-Type": "application/json"})
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		hs.t.Fatalf("direct init: %d %s", resp.StatusCode, raw)
	}
	var a startAnswer
	if err := json.Unmarshal(raw, &a); err != nil {
		hs.t.Fatal(err)
	}
	return a
}

// putPart sends a part to its presigned URL with a plain PUT, as a browser
// would, and returns the ETag.
func putPart(t *testing.T, url string, data []byte) string {
	t.Helper()
	req, err := http.NewRequest("PUT", url, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("part PUT: %d %s", resp.StatusCode, b)
	}
	return resp.Header.Get("ETag")
}

func completeBody(etags []string) []byte {
	parts := make([]completedPart, len(etags))
	for i, e := range etags {
		parts[i] = completedPart{PartNumber: int32(i + 1), ETag: e}
	}
	b, _ := json.Marshal(map[string]any{"parts": parts})
	return b
}

func TestDirectUploadWithPresignedParts(t *testing.T) {
	hs := newHarness(t)
	const size = 12<<20 + 7
	file := randomBytes(size)
	a := hs.startDirect("alice-token", size, nil)
	if a.PartSize != blob.MinPartSize || len(a.Parts) != 3 || !validID(a.UploadID) || a.ExpiresAt == "" {
		t.Fatalf("answer %+v", a)
	}
	var etags []string
	for i, p := range a.Parts {
		if p.PartNumber != int32(i+1) || !strings.HasPrefix(p.URL, hs.url+"/local-blob/originals/") {
			t.Fatalf("part %+v", p)
		}
		end := min(int64(i+1)*a.PartSize, size)
		etags = append(etags, putPart(t, p.URL, file[int64(i)*a.PartSize:end]))
	}
	path := "/api/v1/videos/upload-direct/complete/" + a.UploadID
	problemOf(t, hs.do("POST", path, "bob-token", bytes.NewReader(completeBody(etags)), nil), http.StatusForbidden)
	v := videoOf(t, hs.do("POST", path, "alice-token", bytes.NewReader(completeBody(etags)), nil))
	c := hs.createCalls()[0]
	if c.src.Size != size || c.src.Filename != "direct.mp4" || c.src.ChunkPrefix != "" || c.meta.Name != "Direct clip" || c.meta.Privacy != 2 {
		t.Fatalf("created with %+v", c)
	}
	if sum(hs.readObject(c.src.Key)) != sum(file) {
		t.Fatal("original differs from the file")
	}
	// A replay answers the same video.
	if again := videoOf(t, hs.do("POST", path, "alice-token", bytes.NewReader(completeBody(etags)), nil)); again != v || len(hs.createCalls()) != 1 {
		t.Fatal("replayed complete")
	}
	if resp := hs.do("DELETE", "/api/v1/videos/upload-direct/"+a.UploadID, "alice-token", nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("DELETE after completion: %d", resp.StatusCode)
	}
	if objs := hs.objects(); len(objs) != 1 || objs[0].Key != c.src.Key {
		t.Fatalf("objects %+v", objs)
	}
}

func TestDirectUploadBadParts(t *testing.T) {
	hs := newHarness(t)
	const size = 6 << 20
	file := randomBytes(size)
	a := hs.startDirect("alice-token", size, nil)
	path := "/api/v1/videos/upload-direct/complete/" + a.UploadID
	first := putPart(t, a.Parts[0].URL, file[:a.PartSize])

	// A part missing from the list, or not uploaded, or a wrong ETag: 400,
	// and the upload stays open.
	p := problemOf(t, hs.do("POST", path, "alice-token", bytes.NewReader(completeBody([]string{first})), nil), 400)
	if p["invalid-params"] == nil {
		t.Fatalf("problem %v", p)
	}
	problemOf(t, hs.do("POST", path, "alice-token", bytes.NewReader(completeBody([]string{first, `"0123"`})), nil), 400)
	problemOf(t, hs.do("POST", path, "alice-token", strings.NewReader(`{"parts":`), nil), 400)
	putPart(t, a.Parts[1].URL, file[a.PartSize:])
	problemOf(t, hs.do("POST", path, "alice-token", bytes.NewReader(completeBody([]string{first, first})), nil), 400)
	// A last part shorter than declared: the parts do not add up.
	short := putPart(t, a.Parts[1].URL, file[a.PartSize:size-1])
	problemOf(t, hs.do("POST", path, "alice-token", bytes.NewReader(completeBody([]string{first, short})), nil), 400)
	if len(hs.createCalls()) != 0 {
		t.Fatal("a video was created")
	}
	second := putPart(t, a.Parts[1].URL, file[a.PartSize:])
	videoOf(t, hs.do("POST", path, "alice-token", bytes.NewReader(completeBody([]string{first, second})), nil))
}

func TestDirectUploadAbortAndBadInput(t *testing.T) {
	hs := newHarness(t)
	a := hs.startDirect("alice-token", 3<<20, nil)
	putPart(t, a.Parts[0].URL, randomBytes(3<<20))
	if hs.multipartUploads() != 1 {
		t.Fatal("no multipart upload in progress")
	}
	problemOf(t, hs.do("DELETE", "/api/v1/videos/upload-direct/"+a.UploadID, "bob-token", nil, nil), http.StatusForbidden)
	if resp := hs.do("DELETE", "/api/v1/videos/upload-direct/"+a.UploadID, "alice-token", nil, nil); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("abort: %d", resp.StatusCode)
	}
	hs.assertNothingStored()
	problemOf(t, hs.do("POST", "/api/v1/videos/upload-direct/complete/"+a.UploadID, "alice-token", strings.NewReader(`{"parts":[]}`), nil), 404)
	problemOf(t, hs.do("DELETE", "/api/v1/videos/upload-direct/"+a.UploadID, "alice-token", nil, nil), 404)
	// A resumable session is not a direct one.
	loc, _ := hs.startResumable("alice-token", initBody(nil), 100, http.StatusCreated)
	problemOf(t, hs.do("DELETE", "/api/v1/videos/upload-direct/"+sessionIDOf(t, loc), "alice-token", nil, nil), 404)
	if resp := hs.do("DELETE", "/api/v1/videos/upload-resumable?upload_id="+sessionIDOf(t, loc), "alice-token", nil, nil); resp.StatusCode != 204 {
		t.Fatal("cleanup")
	}

	for _, tc := range []struct {
		token  string
		body   string
		status int
	}{
		{"", `{"name":"Direct clip","channelId":1,"filename":"a.mp4","size":10}`, 401},
		{"alice-token", `{"name":"Direct clip","channelId":1,"filename":"a.mp4"}`, 400},
		{"alice-token", `{"name":"Direct clip","channelId":1,"filename":"a.mp4","size":-1}`, 400},
		{"alice-token", `{"name":"Direct clip","channelId":1,"filename":"a.mp4","size":1.5}`, 400},
		{"alice-token", `{"name":"Direct clip","channelId":1,"size":10}`, 400},
		{"alice-token", `{"name":"D","channelId":1,"filename":"a.mp4","size":10}`, 400},
		{"alice-token", `{"name":"Direct clip","channelId":1,"filename":"a.mp4","size":10,"contentType":5}`, 400},
		{"alice-token", `not json`, 400},
		{"alice-token", `{"name":"Direct clip","channelId":2,"filename":"a.mp4","size":10}`, 403},
		{"alice-token", `{"name":"Direct clip","channelId":1,"filename":"a.txt","size":10}`, 415},
		{"alice-token", `{"name":"Direct clip","channelId":1,"filename":"a.mp4","size":10,"contentType":"text/html"}`, 415},
		{"alice-token", fmt.Sprintf(`{"name":"Direct clip","channelId":1,"filename":"a.mp4","size":%d}`, int64(6)<<40), 413},
		{"alice-token", `{"name":"Direct clip","channelId":1,"filename":"a.mp4","size":10,"privacy":5}`, 400},
	} {
		problemOf(t, hs.do("POST", "/api/v1/videos/upload-direct", tc.token, strings.NewReader(tc.body), nil), tc.status)
	}
	hs.quota = 5
	resp := hs.do("POST", "/api/v1/videos/upload-direct", "alice-token", strings.NewReader(`{"name":"Direct clip","channelId":1,"filename":"a.mp4","size":10}`), nil)
	problemOf(t, resp, 413)
	if resp.Header.Get("X-File-Maximum-Size") != "5" {
		t.Fatal("quota header")
	}
	hs.assertNothingStored()
}

func TestPartSizeFor(t *testing.T) {
	for _, tc := range []struct{ size, want int64 }{
		{1, blob.MinPartSize},
		{blob.MinPartSize * blob.MaxParts, blob.MinPartSize},
		{blob.MinPartSize*blob.MaxParts + 1, 6 << 20},
		{100 << 30, 11 << 20},
	} {
		got := partSizeFor(tc.size)
		if got != tc.want || (tc.size+got-1)/got > blob.MaxParts {
			t.Errorf("partSizeFor(%d) = %d, want %d", tc.size, got, tc.want)
		}
	}
}

// Mounted without a {uploadId} pattern, the handlers read the id from the
// path.
func TestUploadIDWithoutPattern(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/videos/upload-direct/complete/abc": "abc",
		"/api/v1/videos/upload-direct/abc":          "abc",
		"/api/v1/videos/upload-direct/":             "",
		"/api/v1/videos/upload":                     "",
	} {
		r, _ := http.NewRequest("POST", "http://x"+path, nil)
		if got := uploadID(r); got != want {
			t.Errorf("uploadID(%s) = %q, want %q", path, got, want)
		}
	}
}
