package tracker

import (
	"sync"
	"time"
)

// maxLimitKeys bounds the keys a window counter or the block list holds.
// Past it, new keys are let through uncounted (and new blocks not
// recorded) until the window turns: the limits guard the tracker's work,
// and the swarms are bounded on their own.
const maxLimitKeys = 200000

// window counts hits per key in fixed windows, as PeerTube's tracker does
// (every count is cleared when the window turns).
type window struct {
	limit Limit

	mu     sync.Mutex
	start  time.Time
	counts map[string]int
}

func newWindow(l Limit) *window { return &window{limit: l, counts: map[string]int{}} }

// hit counts one hit of key at now and reports whether it is within the
// limit.
func (w *window) hit(key string, now time.Time) bool {
	if w.limit.Max < 0 {
		return true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if now.Sub(w.start) >= w.limit.Window || now.Before(w.start) {
		clear(w.counts)
		w.start = now
	}
	n, ok := w.counts[key]
	if !ok && len(w.counts) >= maxLimitKeys {
		return true
	}
	n++
	w.counts[key] = n
	return n <= w.limit.Max
}

// blockList holds IPs refused until a time.
type blockList struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (b *blockList) block(ip string, until time.Time, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.until == nil {
		b.until = map[string]time.Time{}
	}
	if len(b.until) >= maxLimitKeys {
		for k, t := range b.until {
			if !now.Before(t) {
				delete(b.until, k)
			}
		}
		if len(b.until) >= maxLimitKeys {
			return
		}
	}
	b.until[ip] = until
}

func (b *blockList) blocked(ip string, now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	t, ok := b.until[ip]
	if ok && !now.Before(t) {
		delete(b.until, ip)
		return false
	}
	return ok
}
