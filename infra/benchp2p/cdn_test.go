package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// origin is a stand-in instance: media bytes under /static/, a page, and
// a WebSocket-like upgrade that echoes what it reads.
func origin(t *testing.T, media []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/web-videos/a.mp4", func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "a.mp4", time.Time{}, strings.NewReader(string(media)))
	})
	mux.HandleFunc("GET /videos/watch/x", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "page for %s", r.Host)
	})
	mux.HandleFunc("GET /tracker/socket", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "websocket" {
			http.Error(w, "upgrade required", http.StatusUpgradeRequired)
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		fmt.Fprint(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		line, _ := rw.ReadString('\n')
		fmt.Fprint(rw, "echo "+line)
		rw.Flush()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, string, time.Duration) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b), time.Since(start)
}

// The proxy delays and counts media responses only, keeps the browser's
// Host, passes ranged requests through, and paces media to its rate.
func TestCDNCountsAndDelaysMedia(t *testing.T) {
	media := strings.Repeat("0123456789", 10000) // 100 kB
	o := origin(t, []byte(media))
	const latency = 150 * time.Millisecond
	c, err := startCDN(latency, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := c.setOrigin(o.URL); err != nil {
		t.Fatal(err)
	}

	resp, body, took := get(t, c.url+"/videos/watch/x", nil)
	if resp.StatusCode != 200 || body != "page for "+strings.TrimPrefix(c.url, "http://") {
		t.Fatalf("page through the proxy: %d %q", resp.StatusCode, body)
	}
	if got := c.counts(); got.Requests != 0 || got.Bytes != 0 {
		t.Fatalf("a page counted as media: %+v", got)
	}
	if took >= latency {
		t.Errorf("the page took %s: the media latency was added to it", took)
	}

	resp, body, took = get(t, c.url+"/static/web-videos/a.mp4", nil)
	if resp.StatusCode != 200 || body != media {
		t.Fatalf("media through the proxy: %d, %d bytes", resp.StatusCode, len(body))
	}
	if took < latency {
		t.Errorf("media took %s, less than the latency %s", took, latency)
	}
	resp, body, _ = get(t, c.url+"/static/web-videos/a.mp4", map[string]string{"Range": "bytes=100-16483"})
	if resp.StatusCode != http.StatusPartialContent || body != media[100:16484] {
		t.Fatalf("ranged media through the proxy: %d, %d bytes", resp.StatusCode, len(body))
	}
	want := cdnCounts{Requests: 2, Bytes: int64(len(media) + 16384)}
	if got := c.counts(); got != want {
		t.Fatalf("counts %+v, want %+v", got, want)
	}
	if got := c.counts().sub(cdnCounts{Requests: 1, Bytes: 100}); got != (cdnCounts{Requests: 1, Bytes: want.Bytes - 100}) {
		t.Errorf("sub: %+v", got)
	}

	// A rate of 200 kB/s makes 100 kB last at least half a second.
	paced, err := startCDN(latency, 200_000)
	if err != nil {
		t.Fatal(err)
	}
	defer paced.close()
	if err := paced.setOrigin(o.URL); err != nil {
		t.Fatal(err)
	}
	_, body, took = get(t, paced.url+"/static/web-videos/a.mp4", nil)
	if body != media || took < latency+500*time.Millisecond {
		t.Errorf("paced media: %d bytes in %s, want %d bytes in at least %s", len(body), took, len(media), latency+500*time.Millisecond)
	}
}

// WebSocket upgrades (the tracker's socket) go through the proxy both
// ways, uncounted.
func TestCDNPassesUpgrades(t *testing.T) {
	o := origin(t, nil)
	c, err := startCDN(time.Second, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if err := c.setOrigin(o.URL); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", strings.TrimPrefix(c.url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(conn, "GET /tracker/socket HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", strings.TrimPrefix(c.url, "http://"))
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("upgrade through the proxy: %s", resp.Status)
	}
	fmt.Fprint(conn, "announce\n")
	line, err := r.ReadString('\n')
	if err != nil || line != "echo announce\n" {
		t.Fatalf("after the upgrade: %q, %v", line, err)
	}
	if got := c.counts(); got != (cdnCounts{}) {
		t.Errorf("the socket counted as media: %+v", got)
	}
}

// Before the origin is set the proxy says so instead of failing oddly.
func TestCDNWithoutOrigin(t *testing.T) {
	c, err := startCDN(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	resp, _, _ := get(t, c.url+"/static/x", nil)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("no origin: %s", resp.Status)
	}
}
