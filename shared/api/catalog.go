package api

import (
	"context"
	"sync"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
)

// catalogTTL bounds how stale a public list may be: lists are served from
// a snapshot of every video (with its account and channel) decoded at most
// this long ago, so a list request costs a filter and a sort, not a table
// scan. This process's own writes drop the snapshot at once; other
// processes' (the pipeline, other Lambda instances) show within catalogTTL.
const catalogTTL = 2 * time.Second

// catalog is the snapshot.
type catalog struct {
	mu       sync.Mutex
	at       time.Time
	videos   []model.Video
	accounts map[int64]model.Account
	channels map[int64]model.Channel
}

// snapshot returns the current videos and their owners; callers must not
// modify them.
func (a *API) snapshot(ctx context.Context) (*catalog, error) {
	a.cat.mu.Lock()
	defer a.cat.mu.Unlock()
	if a.cat.videos != nil && a.now().Sub(a.cat.at) < catalogTTL {
		return &catalog{at: a.cat.at, videos: a.cat.videos, accounts: a.cat.accounts, channels: a.cat.channels}, nil
	}
	vs, err := a.st.Videos(ctx)
	if err != nil {
		return nil, err
	}
	accounts, channels := map[int64]model.Account{}, map[int64]model.Channel{}
	for _, v := range vs {
		if _, ok := accounts[v.AccountID]; !ok {
			if accounts[v.AccountID], err = a.st.Account(ctx, v.AccountID); err != nil {
				return nil, err
			}
		}
		if _, ok := channels[v.ChannelID]; !ok {
			if channels[v.ChannelID], err = a.st.Channel(ctx, v.ChannelID); err != nil {
				return nil, err
			}
		}
	}
	if vs == nil {
		vs = []model.Video{}
	}
	a.cat.at, a.cat.videos, a.cat.accounts, a.cat.channels = a.now(), vs, accounts, channels
	return &catalog{at: a.cat.at, videos: vs, accounts: accounts, channels: channels}, nil
}

// invalidate drops the snapshot after a write through this process.
func (a *API) invalidate() {
	a.cat.mu.Lock()
	a.cat.videos = nil
	a.cat.mu.Unlock()
}
