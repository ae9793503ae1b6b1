package api

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/model"
)

func TestListsAreAtMostCatalogTTLStale(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC).UnixNano())
	e := newEnv(t, func(*config.Config) {})
	e.api.now = func() time.Time { return time.Unix(0, now.Load()) }
	root := e.login("root", rootPassword)
	total := func() int { return int(e.do("GET", "/api/v1/videos", nil, "").json(t)["total"].(float64)) }

	if n := total(); n != 0 {
		t.Fatalf("empty instance lists %d", n)
	}
	// Published by another process (the pipeline, another Lambda): shown
	// once the snapshot expires, not before.
	v := e.storedVideo(t, "root", model.PrivacyPublic)
	if n := total(); n != 0 {
		t.Fatalf("the snapshot was not used: %d", n)
	}
	now.Add(int64(catalogTTL))
	if n := total(); n != 1 {
		t.Fatalf("after catalogTTL: %d, want 1", n)
	}
	// This process's own writes show at once.
	if r := e.do("PUT", "/api/v1/videos/"+v.UUID, map[string]any{"privacy": model.PrivacyUnlisted}, root); r.status != 204 {
		t.Fatalf("update: %d", r.status)
	}
	if n := total(); n != 0 {
		t.Fatalf("own update not shown at once: %d", n)
	}
	// The owner's own list never waits.
	e.storedVideo(t, "root", model.PrivacyPublic)
	if r := e.do("GET", "/api/v1/users/me/videos", nil, root).json(t); r["total"].(float64) != 2 {
		t.Fatalf("my videos: %v", r["total"])
	}
}
