package blobtest

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
)

const ttl = 5 * time.Minute

func testPresignGet(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "pg/photo.jpg"
	data := genBytes(71, 2000)
	put(t, s, key, data, blob.PutOptions{ContentType: "image/jpeg"})
	u, err := s.PresignGet(ctx, key, ttl)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	status, h, body := do(t, ctx, http.MethodGet, u, nil, nil)
	if status != http.StatusOK || !bytes.Equal(body, data) {
		t.Errorf("GET presigned: %d with %d bytes, want 200 with the %d bytes put", status, len(body), len(data))
	}
	if ct := h.Get("Content-Type"); ct != "image/jpeg" {
		t.Errorf("GET presigned: Content-Type %q, want image/jpeg", ct)
	}
	status, h, body = do(t, ctx, http.MethodGet, u, nil, http.Header{"Range": {"bytes=100-199"}})
	if status != http.StatusPartialContent || !bytes.Equal(body, data[100:200]) {
		t.Errorf("GET presigned with Range: %d with %d bytes, want 206 with bytes 100-199", status, len(body))
	}
	if cr := h.Get("Content-Range"); cr != "bytes 100-199/2000" {
		t.Errorf("GET presigned with Range: Content-Range %q", cr)
	}
	status, _, body = do(t, ctx, http.MethodGet, u, nil, http.Header{"Range": {"bytes=1990-"}})
	if status != http.StatusPartialContent || !bytes.Equal(body, data[1990:]) {
		t.Errorf("GET presigned with Range bytes=1990-: %d with %d bytes", status, len(body))
	}

	missing, err := s.PresignGet(ctx, "pg/missing", ttl)
	if err != nil {
		t.Fatalf("PresignGet of a missing key: %v", err)
	}
	if status, _, _ := do(t, ctx, http.MethodGet, missing, nil, nil); status != http.StatusNotFound {
		t.Errorf("GET presigned of a missing key: %d, want 404", status)
	}
}

func testPresignCacheControl(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "pc/seg.m4s"
	const cc = "public, max-age=31536000, immutable"
	put(t, s, key, []byte("segment"), blob.PutOptions{ContentType: "video/iso.segment", CacheControl: cc})
	u, err := s.PresignGet(ctx, key, ttl)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	status, h, _ := do(t, ctx, http.MethodGet, u, nil, nil)
	if status != http.StatusOK || h.Get("Cache-Control") != cc || h.Get("Content-Type") != "video/iso.segment" {
		t.Errorf("GET presigned: %d, Cache-Control %q, Content-Type %q; want 200, %q, video/iso.segment",
			status, h.Get("Cache-Control"), h.Get("Content-Type"), cc)
	}
}

func testPresignPut(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "pp/clip.webm"
	data := genBytes(72, 3000)
	u, err := s.PresignPut(ctx, key, ttl)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	status, h, body := do(t, ctx, http.MethodPut, u, data, http.Header{"Content-Type": {"video/webm"}})
	if status != http.StatusOK {
		t.Fatalf("PUT presigned: %d %s, want 200", status, body)
	}
	if etag := strings.Trim(h.Get("ETag"), `"`); etag != md5Hex(data) {
		t.Errorf("PUT presigned: ETag %q, want %q", h.Get("ETag"), md5Hex(data))
	}
	got, info := get(t, s, key, nil)
	if !bytes.Equal(got, data) || info.ContentType != "video/webm" || info.ETag != md5Hex(data) {
		t.Errorf("Get after PUT presigned: %d bytes, Info %+v; want the %d bytes as video/webm", len(got), info, len(data))
	}
}

func testPresignUploadPart(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "ppart/video.mp4"
	id, err := s.CreateMultipart(ctx, key, blob.PutOptions{ContentType: "video/mp4"})
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	specs := []partSpec{{1, 81, blob.MinPartSize}, {2, 82, 999}}
	var parts []blob.Part
	for _, p := range specs {
		u, err := s.PresignUploadPart(ctx, key, id, p.number, ttl)
		if err != nil {
			t.Fatalf("PresignUploadPart %d: %v", p.number, err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, gen(p.seed, p.size))
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = p.size
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatalf("PUT presigned part %d: %v", p.number, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		etag := resp.Header.Get("ETag")
		if resp.StatusCode != http.StatusOK || etag == "" {
			t.Fatalf("PUT presigned part %d: %d, ETag %q, %s; want 200 and an ETag", p.number, resp.StatusCode, etag, body)
		}
		parts = append(parts, blob.Part{Number: p.number, ETag: etag})
	}
	listed, err := s.ListParts(ctx, key, id)
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	if len(listed) != 2 || listed[0].ETag != strings.Trim(parts[0].ETag, `"`) || listed[1].Size != 999 {
		t.Errorf("ListParts after presigned PUTs: %+v, want the parts %+v", listed, parts)
	}
	// The ETag header goes into Complete as it came (quoted).
	if err := s.CompleteMultipart(ctx, key, id, parts); err != nil {
		t.Fatalf("CompleteMultipart with the ETag headers: %v", err)
	}
	checkObject(t, s, key, partsDigest(t, specs...))
}

func testPresignExpired(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "pe/obj"
	data := []byte("still here")
	put(t, s, key, data, blob.PutOptions{})
	getURL, err := s.PresignGet(ctx, key, time.Second)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}
	putURL, err := s.PresignPut(ctx, key, time.Second)
	if err != nil {
		t.Fatalf("PresignPut: %v", err)
	}
	time.Sleep(2500 * time.Millisecond)
	if status, _, _ := do(t, ctx, http.MethodGet, getURL, nil, nil); status != http.StatusForbidden {
		t.Errorf("GET with an expired URL: %d, want 403", status)
	}
	if status, _, _ := do(t, ctx, http.MethodPut, putURL, []byte("overwritten"), nil); status != http.StatusForbidden {
		t.Errorf("PUT with an expired URL: %d, want 403", status)
	}
	if got, _ := get(t, s, key, nil); !bytes.Equal(got, data) {
		t.Errorf("object after an expired PUT: %q, want %q", got, data)
	}
}

var hexSignature = regexp.MustCompile(`^[0-9a-f]{64}$`)

func testPresignTampered(t *testing.T, s blob.Store) {
	ctx := t.Context()
	a, b := []byte("object a"), []byte("object b")
	put(t, s, "pt/a", a, blob.PutOptions{})
	put(t, s, "pt/b", b, blob.PutOptions{})
	getURL, err := s.PresignGet(ctx, "pt/a", ttl)
	if err != nil {
		t.Fatalf("PresignGet: %v", err)
	}

	// The signature binds the key.
	other := strings.Replace(getURL, "/pt/a?", "/pt/b?", 1)
	if other == getURL {
		t.Fatalf("presigned URL %q has no /pt/a? to swap", getURL)
	}
	if status, _, _ := do(t, ctx, http.MethodGet, other, nil, nil); status != http.StatusForbidden {
		t.Errorf("GET with the key swapped: %d, want 403", status)
	}

	// A changed signature fails.
	u, err := url.Parse(getURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	flipped := 0
	for name, vs := range q {
		if len(vs) == 1 && hexSignature.MatchString(vs[0]) {
			last := "0"
			if vs[0][63] == '0' {
				last = "1"
			}
			q.Set(name, vs[0][:63]+last)
			flipped++
		}
	}
	if flipped == 0 {
		t.Fatalf("presigned URL %q has no hex SHA-256 signature parameter", getURL)
	}
	u.RawQuery = q.Encode()
	if status, _, _ := do(t, ctx, http.MethodGet, u.String(), nil, nil); status != http.StatusForbidden {
		t.Errorf("GET with a changed signature: %d, want 403", status)
	}

	// The signature binds the method: a GET URL does not store.
	if status, _, _ := do(t, ctx, http.MethodPut, getURL, []byte("overwritten"), nil); status != http.StatusForbidden {
		t.Errorf("PUT with a GET URL: %d, want 403", status)
	}
	if got, _ := get(t, s, "pt/a", nil); !bytes.Equal(got, a) {
		t.Errorf("object after a PUT with a GET URL: %q, want %q", got, a)
	}

	// A part URL binds its upload and part number.
	id, err := s.CreateMultipart(ctx, "pt/mp", blob.PutOptions{})
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	partURL, err := s.PresignUploadPart(ctx, "pt/mp", id, 1, ttl)
	if err != nil {
		t.Fatalf("PresignUploadPart: %v", err)
	}
	renumbered := strings.Replace(partURL, "partNumber=1", "partNumber=2", 1)
	if renumbered == partURL {
		t.Fatalf("presigned part URL %q has no partNumber=1", partURL)
	}
	if status, _, _ := do(t, ctx, http.MethodPut, renumbered, []byte("part"), nil); status != http.StatusForbidden {
		t.Errorf("PUT with the part number changed: %d, want 403", status)
	}
	parts, err := s.ListParts(ctx, "pt/mp", id)
	if err != nil || len(parts) != 0 {
		t.Errorf("ListParts after refused part PUTs: %+v, %v; want none", parts, err)
	}
}
