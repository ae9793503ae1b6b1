package deliver

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
)

// HostDownFor is how long a host whose POST timed out is skipped by this
// process: its jobs are rescheduled without a try.
const HostDownFor = 30 * time.Second

// deliver makes one try of a single-inbox job.
func (d *Deliverer) deliver(ctx context.Context, j Job) error {
	u, err := parseInbox(j.Inbox)
	if err != nil { // decode checked it
		return nil
	}
	if d.own(u) {
		d.log.WarnContext(ctx, "delivery to this instance's own origin dropped", "inbox", j.Inbox)
		return nil
	}
	host := strings.ToLower(u.Host)
	if d.down.isDown(host) {
		return d.retry(ctx, j, errHostDown)
	}
	key, err := d.keys.get(ctx, j.Signer)
	if err != nil {
		return fmt.Errorf("deliver to %s: %w", j.Inbox, err)
	}
	sign := func(req *http.Request) error {
		return httpsig.Sign(req, key, j.KeyID, j.Activity, time.Now())
	}
	_, _, err = d.d.Client.Post(ctx, u.String(), j.Activity, ContentType, sign)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		// The invocation ran out of time: not the host's fault.
		return fmt.Errorf("deliver to %s: %w", j.Inbox, err)
	case fetch.Retryable(err):
		if errors.Is(err, fetch.ErrTimeout) {
			d.down.mark(host)
		}
		return d.retry(ctx, j, err)
	}
	d.log.WarnContext(ctx, "delivery refused, dropped", "inbox", j.Inbox, "err", err)
	return nil
}

// keyCache holds parsed signing keys for the life of the process: one
// keyring read per signer, shared by concurrent first uses. Failed reads
// are not kept.
type keyCache struct {
	src Keys
	mu  sync.Mutex
	m   map[string]*keyEntry
}

type keyEntry struct {
	ready chan struct{}
	key   *rsa.PrivateKey
	err   error
}

func (c *keyCache) get(ctx context.Context, signer string) (*rsa.PrivateKey, error) {
	c.mu.Lock()
	e, ok := c.m[signer]
	if !ok {
		if c.m == nil {
			c.m = map[string]*keyEntry{}
		}
		e = &keyEntry{ready: make(chan struct{})}
		c.m[signer] = e
	}
	c.mu.Unlock()
	if !ok {
		e.key, e.err = c.load(ctx, signer)
		if e.err != nil {
			c.mu.Lock()
			delete(c.m, signer)
			c.mu.Unlock()
		}
		close(e.ready)
	}
	select {
	case <-e.ready:
		return e.key, e.err
	case <-ctx.Done():
		return nil, fmt.Errorf("key of %s: %w", signer, ctx.Err())
	}
}

func (c *keyCache) load(ctx context.Context, signer string) (*rsa.PrivateKey, error) {
	if c.src == nil {
		return nil, fmt.Errorf("key of %s: no keyring configured", signer)
	}
	k, err := c.src.Key(ctx, signer)
	if err != nil {
		return nil, fmt.Errorf("key of %s: %w", signer, err)
	}
	if k.Private == nil {
		return nil, fmt.Errorf("key of %s: no private key", signer)
	}
	// Parsed keys come precomputed (then this only reads); a key built
	// otherwise is made so here, once, rather than on every signature.
	k.Private.Precompute()
	return k.Private, nil
}

// hostMemory remembers the hosts whose POSTs timed out lately.
type hostMemory struct {
	mu    sync.Mutex
	until map[string]time.Time
}

func (m *hostMemory) mark(host string) {
	now := time.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.until == nil {
		m.until = map[string]time.Time{}
	}
	if len(m.until) >= 4096 {
		for h, t := range m.until {
			if now.After(t) {
				delete(m.until, h)
			}
		}
	}
	m.until[host] = now.Add(HostDownFor)
}

func (m *hostMemory) isDown(host string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.until[host]
	if !ok {
		return false
	}
	if time.Now().After(t) {
		delete(m.until, host)
		return false
	}
	return true
}
