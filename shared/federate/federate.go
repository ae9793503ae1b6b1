package federate

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/vidiverse/vidiverse/shared/apply"
	"github.com/vidiverse/vidiverse/shared/deliver"
	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/inbox"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/outbox"
	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/resolve"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
)

// Config is what federation is built from.
type Config struct {
	PublicURL string
	Store     *store.Store
	Keys      *keyring.Keyring
	// Inbox and Deliver are the two federation queues; DeliverDLQ receives
	// deliveries that failed for good (nil: logged and dropped).
	Inbox, Deliver, DeliverDLQ queue.Sender
	// Fetch configures the HTTP client (loopback peers are allowed when
	// PublicURL is http on a loopback host).
	Fetch fetch.Options
	Log   *slog.Logger
}

// Services are an instance's federation parts.
type Services struct {
	Client    *fetch.Client
	Resolver  *resolve.Resolver
	Outbox    *outbox.Outbox
	Deliverer *deliver.Deliverer
	Applier   *apply.Applier
	Inbox     *inbox.Handler
}

// New builds the services.
func New(c Config) (*Services, error) {
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	opts := c.Fetch
	if fetch.LoopbackPublicURL(c.PublicURL) {
		opts.AllowLoopbackHTTP = true
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "Vidiverse (+" + c.PublicURL + ")"
	}
	client, err := fetch.New(opts)
	if err != nil {
		return nil, fmt.Errorf("federation client: %w", err)
	}
	s := &Services{Client: client}
	s.Resolver = &resolve.Resolver{PublicURL: c.PublicURL, Store: c.Store, Client: client, Keys: c.Keys, Log: c.Log}
	s.Deliverer = deliver.New(deliver.Deps{Queue: c.Deliver, DeadLetter: c.DeliverDLQ, Keys: c.Keys,
		Followers: c.Store.FollowerInboxes, Client: client, Log: c.Log, PublicURL: c.PublicURL})
	ws, httpTracker, err := torrentfile.TrackerURLs(c.PublicURL)
	if err != nil {
		return nil, fmt.Errorf("tracker URLs: %w", err)
	}
	s.Outbox = &outbox.Outbox{PublicURL: c.PublicURL, Store: c.Store, Send: s.Deliverer.Enqueue,
		Trackers: []string{httpTracker, ws}, Log: c.Log}
	s.Applier = &apply.Applier{Store: c.Store, Resolver: s.Resolver, Outbox: s.Outbox, Log: c.Log}
	s.Inbox = inbox.New(inbox.Deps{
		PublicURL: c.PublicURL,
		Keys:      s.Resolver.PublicKey,
		Record:    c.Store.RecordActivity,
		Forget:    c.Store.ForgetActivity,
		Queue:     c.Inbox,
		Blocked:   func(ctx context.Context, actorURL string) (bool, error) { return blocked(ctx, c.Store, actorURL) },
		Exists: func(ctx context.Context, kind, name string) (bool, error) {
			_, err := s.Resolver.Local(ctx, c.PublicURL+map[string]string{"account": "/accounts/", "channel": "/video-channels/"}[kind]+name)
			return err == nil, nil
		},
		Confirm: s.Resolver.Get,
		Log:     c.Log,
	})
	return s, nil
}

// blocked reports whether the instance blocks an actor (known here) or its
// host.
func blocked(ctx context.Context, st *store.Store, actorURL string) (bool, error) {
	inst, err := st.EnsureInstanceAccount(ctx)
	if err != nil {
		return false, err
	}
	u, err := url.Parse(actorURL)
	if err != nil {
		return false, nil
	}
	var id int64
	if ref, err := st.ActorByURL(ctx, actorURL); err == nil && ref.Kind == model.KindAccount {
		id = ref.ID
	}
	return st.Blocked(ctx, inst.ID, id, strings.ToLower(u.Host))
}
