package cdn

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/vidiverse/vidiverse/shared/blob"
	blobfs "github.com/vidiverse/vidiverse/shared/blob/fs"
)

func serve(t *testing.T) (*httptest.Server, blob.Store) {
	t.Helper()
	bs, err := blobfs.New(t.TempDir(), blobfs.Options{BaseURL: "http://localhost", Secret: bytes.Repeat([]byte("k"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&Handler{Blobs: bs})
	t.Cleanup(srv.Close)
	return srv, bs
}

func put(t *testing.T, bs blob.Store, key string, data []byte) {
	t.Helper()
	if err := bs.Put(context.Background(), key, bytes.NewReader(data), int64(len(data)), blob.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, method, url string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestServesRangesTypesAndCORS(t *testing.T) {
	srv, bs := serve(t)
	data := []byte("0123456789abcdefghij")
	put(t, bs, "static/web-videos/x-240.mp4", data)
	put(t, bs, "static/streaming-playlists/hls/u/u-master.m3u8", []byte("#EXTM3U\n"))

	resp, body := get(t, "GET", srv.URL+"/static/web-videos/x-240.mp4", nil)
	if resp.StatusCode != 200 || !bytes.Equal(body, data) || resp.Header.Get("Content-Type") != "video/mp4" ||
		resp.Header.Get("Accept-Ranges") != "bytes" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("GET: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	for rng, want := range map[string]string{"bytes=2-5": "2345", "bytes=15-": "fghij", "bytes=-3": "hij", "bytes=18-100": "ij"} {
		resp, body := get(t, "GET", srv.URL+"/static/web-videos/x-240.mp4", map[string]string{"Range": rng, "Cache-Control": "no-store"})
		if resp.StatusCode != 206 || string(body) != want {
			t.Errorf("Range %s: %d %q, want 206 %q", rng, resp.StatusCode, body, want)
		}
	}
	resp, _ = get(t, "GET", srv.URL+"/static/web-videos/x-240.mp4", map[string]string{"Range": "bytes=20-"})
	if resp.StatusCode != 416 || resp.Header.Get("Content-Range") != "bytes */20" {
		t.Fatalf("unsatisfiable: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = get(t, "HEAD", srv.URL+"/static/web-videos/x-240.mp4", nil)
	if resp.StatusCode != 200 || resp.ContentLength != 20 || len(body) != 0 {
		t.Fatalf("HEAD: %d %d", resp.StatusCode, resp.ContentLength)
	}
	etag := resp.Header.Get("ETag")
	if resp, _ := get(t, "GET", srv.URL+"/static/web-videos/x-240.mp4", map[string]string{"If-None-Match": etag}); etag == "" || resp.StatusCode != 304 {
		t.Fatalf("conditional GET with %q: %d", etag, resp.StatusCode)
	}
	resp, _ = get(t, "GET", srv.URL+"/static/streaming-playlists/hls/u/u-master.m3u8", nil)
	if resp.Header.Get("Content-Type") != "application/vnd.apple.mpegurl" || resp.Header.Get("Cache-Control") != "public, max-age=60" {
		t.Fatalf("playlist headers %v", resp.Header)
	}
	// WebTorrent web seeds send Range and Cache-Control cross-origin.
	resp, _ = get(t, "OPTIONS", srv.URL+"/static/web-videos/x-240.mp4", map[string]string{
		"Origin": "https://elsewhere.example", "Access-Control-Request-Headers": "range,cache-control"})
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
}

func TestPrivateAndMissingObjectsAreNotServed(t *testing.T) {
	srv, bs := serve(t)
	put(t, bs, "originals/secret", []byte("original upload"))
	for _, p := range []string{"/originals/secret", "/static/web-videos/none.mp4", "/static/../originals/secret", "/lazy-static/"} {
		if resp, _ := get(t, "GET", srv.URL+p, nil); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := get(t, "DELETE", srv.URL+"/static/web-videos/x.mp4", nil); resp.StatusCode != 405 {
		t.Errorf("DELETE: %d", resp.StatusCode)
	}
}
