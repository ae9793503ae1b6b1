package resolve

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

// Accept is what fetches ask for, as PeerTube asks.
const Accept = "application/activity+json, application/ld+json"

// InstanceKey is the keyring name of the instance actor, which signs fetches.
const InstanceKey = "account:" + store.InstanceActorName

// DefaultMaxAge is how long a remote actor's copy is used before it is
// fetched again.
const DefaultMaxAge = 24 * time.Hour

// ErrNotActor means a URL answered with something that is not an actor.
var ErrNotActor = errors.New("not an actor")

// Resolver fetches and stores remote objects.
type Resolver struct {
	PublicURL string
	Store     *store.Store
	Client    *fetch.Client
	Keys      *keyring.Keyring
	Log       *slog.Logger
	MaxAge    time.Duration
	Now       func() time.Time
}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Resolver) maxAge() time.Duration {
	if r.MaxAge > 0 {
		return r.MaxAge
	}
	return DefaultMaxAge
}

// InstanceActorURL is this instance's actor, which signs fetches.
func (r *Resolver) InstanceActorURL() string {
	return r.PublicURL + "/accounts/" + store.InstanceActorName
}

// sign signs a fetch with the instance actor's key (PeerTube's keyId: the
// bare actor URL).
func (r *Resolver) sign(ctx context.Context) (fetch.Signer, error) {
	k, err := r.Keys.Key(ctx, InstanceKey)
	if err != nil {
		return nil, fmt.Errorf("instance actor key: %w", err)
	}
	id := r.InstanceActorURL()
	return func(req *http.Request) error { return httpsig.Sign(req, k.Private, id, nil, time.Now()) }, nil
}

// Get fetches an ActivityPub document with a signed GET.
func (r *Resolver) Get(ctx context.Context, rawURL string) ([]byte, error) {
	if r.IsLocal(rawURL) {
		return nil, fmt.Errorf("fetch %s: a local URL is read from the store", rawURL)
	}
	sign, err := r.sign(ctx)
	if err != nil {
		return nil, err
	}
	body, _, err := r.Client.Get(ctx, rawURL, Accept, sign)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", rawURL, err)
	}
	return body, nil
}

// IsLocal reports whether u is a URL of this instance.
func (r *Resolver) IsLocal(u string) bool {
	return u == r.PublicURL || strings.HasPrefix(u, r.PublicURL+"/")
}

// hostOf is the host[:port] of a URL.
func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.ToLower(p.Host)
}

// SameOrigin reports whether two URLs are on one host.
func SameOrigin(a, b string) bool {
	ha := hostOf(a)
	return ha != "" && ha == hostOf(b)
}

// Local resolves a URL of this instance to the local account or channel it
// names.
func (r *Resolver) Local(ctx context.Context, u string) (model.ActorRef, error) {
	path := strings.TrimPrefix(u, r.PublicURL)
	switch {
	case strings.HasPrefix(path, "/accounts/"):
		a, err := r.Store.AccountByName(ctx, strings.TrimPrefix(path, "/accounts/"))
		if err != nil || a.Remote != nil {
			return model.ActorRef{}, fmt.Errorf("local account %s: %w", u, store.ErrNotFound)
		}
		return model.ActorRef{Kind: model.KindAccount, ID: a.ID}, nil
	case strings.HasPrefix(path, "/video-channels/"):
		c, err := r.Store.ChannelByName(ctx, strings.TrimPrefix(path, "/video-channels/"))
		if err != nil || c.Remote != nil {
			return model.ActorRef{}, fmt.Errorf("local channel %s: %w", u, store.ErrNotFound)
		}
		return model.ActorRef{Kind: model.KindChannel, ID: c.ID}, nil
	}
	return model.ActorRef{}, fmt.Errorf("local actor %s: %w", u, store.ErrNotFound)
}

// Actor resolves an actor URL, local or remote, fetching and storing a
// remote actor unknown here or older than MaxAge (a failed refresh keeps
// the copy held).
func (r *Resolver) Actor(ctx context.Context, actorURL string) (model.ActorRef, error) {
	if r.IsLocal(actorURL) {
		return r.Local(ctx, actorURL)
	}
	ref, err := r.Store.ActorByURL(ctx, actorURL)
	if err == nil {
		rem, rerr := r.remote(ctx, ref)
		if rerr != nil || rem == nil || r.now().Sub(rem.FetchedAt) < r.maxAge() {
			return ref, rerr
		}
		fresh, ferr := r.fetchActor(ctx, actorURL)
		if ferr != nil {
			r.log().WarnContext(ctx, "refresh remote actor failed; using the copy held", "actor", actorURL, "err", ferr)
			return ref, nil
		}
		return fresh, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return ref, err
	}
	return r.fetchActor(ctx, actorURL)
}

// Refresh fetches a remote actor again, whatever its age.
func (r *Resolver) Refresh(ctx context.Context, actorURL string) (model.ActorRef, error) {
	if r.IsLocal(actorURL) {
		return r.Local(ctx, actorURL)
	}
	return r.fetchActor(ctx, actorURL)
}

func (r *Resolver) log() *slog.Logger {
	if r.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Log
}

func (r *Resolver) remote(ctx context.Context, ref model.ActorRef) (*model.Remote, error) {
	if ref.Kind == model.KindChannel {
		c, err := r.Store.Channel(ctx, ref.ID)
		return c.Remote, err
	}
	a, err := r.Store.Account(ctx, ref.ID)
	return a.Remote, err
}

// fetchActor fetches an actor document and stores it; a channel's owner
// account is resolved first.
func (r *Resolver) fetchActor(ctx context.Context, actorURL string) (model.ActorRef, error) {
	body, err := r.Get(ctx, actorURL)
	if err != nil {
		return model.ActorRef{}, err
	}
	obj, err := apvocab.Decode(body)
	if err != nil {
		return model.ActorRef{}, fmt.Errorf("actor %s: %w", actorURL, err)
	}
	a, ok := obj.(*apvocab.Actor)
	if !ok || a.ID == "" || a.PreferredUsername == "" {
		return model.ActorRef{}, fmt.Errorf("actor %s: %w", actorURL, ErrNotActor)
	}
	// The document's id is the authority, and it must be where it was
	// fetched from (no actor may speak for another host).
	if !SameOrigin(a.ID, actorURL) {
		return model.ActorRef{}, fmt.Errorf("actor %s: its id %s is on another host: %w", actorURL, a.ID, ErrNotActor)
	}
	rem := remoteOf(a, r.now())
	if a.Type == apvocab.TypeGroup && rem.ChannelOwnerURL != "" && SameOrigin(rem.ChannelOwnerURL, a.ID) {
		ownerRef, err := r.Actor(ctx, rem.ChannelOwnerURL)
		if err != nil {
			return model.ActorRef{}, fmt.Errorf("channel %s: owner: %w", a.ID, err)
		}
		if ownerRef.Kind != model.KindAccount {
			return model.ActorRef{}, fmt.Errorf("channel %s: owner %s is not an account: %w", a.ID, rem.ChannelOwnerURL, ErrNotActor)
		}
		c, err := r.Store.SaveRemoteChannel(ctx, model.Channel{AccountID: ownerRef.ID, Name: a.PreferredUsername,
			DisplayName: displayName(a), Description: a.Summary, Support: a.Support, Remote: rem, CreatedAt: a.Published})
		if err != nil {
			return model.ActorRef{}, err
		}
		return model.ActorRef{Kind: model.KindChannel, ID: c.ID}, nil
	}
	acc, err := r.Store.SaveRemoteAccount(ctx, model.Account{Name: a.PreferredUsername, DisplayName: displayName(a),
		Description: a.Summary, Remote: rem, CreatedAt: a.Published})
	if err != nil {
		return model.ActorRef{}, err
	}
	return model.ActorRef{Kind: model.KindAccount, ID: acc.ID}, nil
}

func displayName(a *apvocab.Actor) string {
	if a.Name != "" {
		return a.Name
	}
	return a.PreferredUsername
}

// remoteOf is what is kept of a fetched actor.
func remoteOf(a *apvocab.Actor, now time.Time) *model.Remote {
	rem := &model.Remote{URL: a.ID, Host: hostOf(a.ID), Type: a.Type, Inbox: a.Inbox, SharedInbox: a.SharedInbox(),
		Outbox: a.Outbox, Followers: a.Followers, Following: a.Following, WebURL: a.URL, FetchedAt: now}
	if a.PublicKey != nil {
		rem.PublicKeyID, rem.PublicKeyPEM = a.PublicKey.ID, a.PublicKey.PublicKeyPem
	}
	if len(a.Icon) > 0 {
		rem.AvatarURL = a.Icon[0].URL
	}
	for _, o := range a.AttributedTo {
		if o.Type == apvocab.TypePerson || o.Type == "" {
			rem.ChannelOwnerURL = o.ID
			break
		}
	}
	return rem
}

// Handle resolves name@host (or @name@host, acct:name@host) through
// WebFinger to an actor.
func (r *Resolver) Handle(ctx context.Context, handle string) (model.ActorRef, error) {
	name, host, err := webfinger.SplitHandle(handle)
	if err != nil {
		return model.ActorRef{}, err
	}
	if strings.EqualFold(host, hostOf(r.PublicURL)) {
		return r.Local(ctx, r.PublicURL+"/accounts/"+name)
	}
	if a, err := r.Store.AccountByName(ctx, name+"@"+host); err == nil && a.Remote != nil && r.now().Sub(a.Remote.FetchedAt) < r.maxAge() {
		return model.ActorRef{Kind: model.KindAccount, ID: a.ID}, nil
	}
	if c, err := r.Store.ChannelByName(ctx, name+"@"+host); err == nil && c.Remote != nil && r.now().Sub(c.Remote.FetchedAt) < r.maxAge() {
		return model.ActorRef{Kind: model.KindChannel, ID: c.ID}, nil
	}
	actorURL, err := webfinger.Lookup(ctx, r.Client, handle)
	if err != nil {
		return model.ActorRef{}, fmt.Errorf("resolve %s: %w", handle, err)
	}
	return r.Actor(ctx, actorURL)
}

// Instance resolves another instance's actor from its host (PeerTube's
// server following follows peertube@host).
func (r *Resolver) Instance(ctx context.Context, host string) (model.Account, error) {
	ref, err := r.Handle(ctx, store.InstanceActorName+"@"+host)
	if err != nil {
		return model.Account{}, err
	}
	if ref.Kind != model.KindAccount {
		return model.Account{}, fmt.Errorf("instance actor of %s is a channel: %w", host, ErrNotActor)
	}
	return r.Store.Account(ctx, ref.ID)
}

// PublicKey resolves a signature's keyId to its owner's actor URL and key
// (inbox verification). A keyId naming no known key, or an actor without a
// key, wraps httpsig.ErrKeyNotFound; a fetch that failed for another reason
// does not, so the sender is asked to retry.
func (r *Resolver) PublicKey(ctx context.Context, keyID string) (string, *rsa.PublicKey, error) {
	kr := httpsig.ParseKeyID(keyID)
	actorURL := kr.LikelyActor()
	if kr.Acct != "" {
		ref, err := r.Handle(ctx, kr.Acct)
		if err != nil {
			return "", nil, keyErr(keyID, err)
		}
		rem, err := r.remote(ctx, ref)
		if err != nil || rem == nil {
			return "", nil, fmt.Errorf("key %s: %w", keyID, httpsig.ErrKeyNotFound)
		}
		actorURL = rem.URL
	}
	if actorURL == "" || r.IsLocal(actorURL) {
		return "", nil, fmt.Errorf("key %s: %w", keyID, httpsig.ErrKeyNotFound)
	}
	ref, err := r.Actor(ctx, actorURL)
	if err != nil {
		return "", nil, keyErr(keyID, err)
	}
	rem, err := r.remote(ctx, ref)
	if err != nil || rem == nil || rem.PublicKeyPEM == "" {
		return "", nil, fmt.Errorf("key %s: actor has no key: %w", keyID, httpsig.ErrKeyNotFound)
	}
	if kr.Fragment != "" && rem.PublicKeyID != "" && rem.PublicKeyID != keyID && rem.URL+"#"+kr.Fragment != rem.PublicKeyID {
		return "", nil, fmt.Errorf("key %s: the actor's key is %s: %w", keyID, rem.PublicKeyID, httpsig.ErrKeyNotFound)
	}
	pub, err := httpsig.ParsePublicKeyPEM(rem.PublicKeyPEM)
	if err != nil {
		return "", nil, fmt.Errorf("key %s: %w: %v", keyID, httpsig.ErrKeyNotFound, err)
	}
	return rem.URL, pub, nil
}

// keyErr maps a failed resolution to ErrKeyNotFound when the actor is not
// there (or not an actor) and keeps other errors (retry later) as they are.
func keyErr(keyID string, err error) error {
	if errors.Is(err, fetch.ErrNotFound) || errors.Is(err, fetch.ErrGone) || errors.Is(err, ErrNotActor) ||
		errors.Is(err, store.ErrNotFound) || errors.Is(err, fetch.ErrBadURL) || errors.Is(err, apvocab.ErrNotActivity) {
		return fmt.Errorf("key %s: %w: %v", keyID, httpsig.ErrKeyNotFound, err)
	}
	return fmt.Errorf("key %s: %w", keyID, err)
}
