package tracker

import (
	"context"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
)

const (
	// negativeTTL is how long an infohash found unknown is refused
	// without asking the store again.
	negativeTTL = 10 * time.Second
	// missGap is the least time between two loads that misses cause, so
	// unknown infohashes cannot hammer the store (a miss waits for it).
	missGap = 2 * time.Second
	// maxMisses bounds the negative cache.
	maxMisses = 10000
)

// AllowList is the set of infohashes of the instance's published local
// videos (web video files and HLS files), read from the store: listed
// again every refresh, and on a miss (at most once per missGap, with each
// unknown infohash remembered for negativeTTL). Its Allowed is a
// Config.Allowed.
type AllowList struct {
	list    func(context.Context) ([]model.Video, error)
	refresh time.Duration
	now     func() time.Time
	missGap time.Duration
	sem     chan struct{} // one load at a time

	mu       sync.Mutex
	known    map[[20]byte]struct{}
	gen      uint64 // loads done
	loadedAt time.Time
	misses   map[[20]byte]time.Time
}

// StoreAllowList returns the allow-list of st's published local videos,
// listed again every refresh (default 1 minute when refresh <= 0).
func StoreAllowList(st *store.Store, refresh time.Duration) *AllowList {
	return &AllowList{
		list: st.Videos, refresh: durationOr(refresh, time.Minute), now: time.Now, missGap: missGap,
		sem: make(chan struct{}, 1), misses: map[[20]byte]time.Time{},
	}
}

// WithClock sets the clock the list dates its loads and misses by.
func (a *AllowList) WithClock(now func() time.Time) *AllowList {
	a.now = now
	return a
}

// Allowed reports whether infoHash is a file of a published local video.
// When the store cannot be read, an infohash known from the last listing
// stays allowed.
func (a *AllowList) Allowed(ctx context.Context, infoHash [20]byte) (bool, error) {
	a.mu.Lock()
	now := a.now()
	stale := a.gen == 0 || now.Sub(a.loadedAt) >= a.refresh || now.Before(a.loadedAt)
	_, known := a.known[infoHash]
	if !stale {
		if known {
			a.mu.Unlock()
			return true, nil
		}
		if t, ok := a.misses[infoHash]; ok && now.Sub(t) < negativeTTL && !now.Before(t) {
			a.mu.Unlock()
			return false, nil
		}
	}
	gen := a.gen
	a.mu.Unlock()

	if err := a.load(ctx, gen, !stale); err != nil {
		if known {
			return true, nil
		}
		return false, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, known = a.known[infoHash]; !known {
		if len(a.misses) >= maxMisses {
			clear(a.misses)
		}
		a.misses[infoHash] = a.now()
	}
	return known, nil
}

// load lists the videos again, unless a load finished since generation
// gen. A load for a miss first waits until missGap after the last one.
func (a *AllowList) load(ctx context.Context, gen uint64, forMiss bool) error {
	select {
	case a.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-a.sem }()
	a.mu.Lock()
	done, last := a.gen != gen, a.loadedAt
	a.mu.Unlock()
	if done {
		return nil
	}
	if wait := a.missGap - a.now().Sub(last); forMiss && wait > 0 {
		timer := time.NewTimer(min(wait, a.missGap))
		select {
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		}
	}
	videos, err := a.list(ctx)
	if err != nil {
		return fmt.Errorf("tracker allow-list: list videos: %w", err)
	}
	known := map[[20]byte]struct{}{}
	for _, v := range videos {
		if v.Remote != nil || !v.Watchable() {
			continue
		}
		files := v.Files
		if v.HLS != nil {
			files = append(files[:len(files):len(files)], v.HLS.Files...)
		}
		for _, f := range files {
			var ih [20]byte
			if b, err := hex.DecodeString(f.InfoHash); err == nil && len(b) == len(ih) {
				known[[20]byte(b)] = struct{}{}
			}
		}
	}
	a.mu.Lock()
	a.known, a.loadedAt = known, a.now()
	a.gen++
	clear(a.misses)
	a.mu.Unlock()
	return nil
}
