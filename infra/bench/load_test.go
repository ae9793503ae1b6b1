package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// wrk against the trivial server: its report parses, and the server
// answers the 1 KiB of JSON it promises.
func TestWrkAgainstBaseline(t *testing.T) {
	needTools(t, "wrk")
	url, stop, err := startBaseline()
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(body) != 1024 || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("baseline answered %d, %d bytes, %q, %v", resp.StatusCode, len(body), resp.Header.Get("Content-Type"), err)
	}
	res, err := runWrk(context.Background(), url, 4, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.RequestsPerSec <= 0 || res.Requests <= 0 || res.P50 <= 0 || res.P99 < res.P50 || res.Non2xx != 0 || res.SocketErrors != 0 {
		t.Errorf("wrk result %+v", res)
	}
}

// Non-2xx answers are counted, not taken for throughput silently, and a
// port nothing listens on is an error.
func TestWrkCountsErrors(t *testing.T) {
	needTools(t, "wrk")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "busy", http.StatusServiceUnavailable)
	}))
	res, err := runWrk(context.Background(), srv.URL+"/", 2, time.Second)
	srv.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Non2xx != res.Requests {
		t.Errorf("wrk against a server answering 503: %d requests, %d non-2xx", res.Requests, res.Non2xx)
	}
	if _, err := runWrk(context.Background(), srv.URL+"/", 2, time.Second); err == nil {
		t.Error("wrk against a closed port gave a result")
	}
}

func TestWrkDuration(t *testing.T) {
	for in, want := range map[[2]string]time.Duration{
		{"635.91", "us"}: 635910 * time.Nanosecond,
		{"4.07", "ms"}:   4070 * time.Microsecond,
		{"1.20", "s"}:    1200 * time.Millisecond,
		{"2.00", "m"}:    2 * time.Minute,
	} {
		got, err := wrkDuration(in[0], in[1])
		if err != nil || got != want {
			t.Errorf("wrkDuration(%s%s) = %v, %v; want %v", in[0], in[1], got, err, want)
		}
	}
}
