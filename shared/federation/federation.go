package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/keyring"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/nodeinfo"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/serverconfig"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

// ContentType is what actor documents and collections are answered with,
// as PeerTube answers them.
const ContentType = "application/activity+json; charset=utf-8"

// Paths of the actors.
const (
	AccountsPath = "/accounts/"
	ChannelsPath = "/video-channels/"
	// SharedInboxPath is every local actor's endpoints.sharedInbox.
	SharedInboxPath = "/inbox"
	// VideosPath is where videos' ActivityPub ids live.
	VideosPath = "/videos/watch/"
)

// Deps are what the handler reads.
type Deps struct {
	// PublicURL is the instance's origin, without a trailing slash.
	PublicURL string
	// Settings are the instance's public settings (NodeInfo reports them).
	Settings serverconfig.Settings
	Store    *store.Store
	Keys     *keyring.Keyring
	Log      *slog.Logger
	// Inbox serves the inboxes (POST /inbox, /accounts/{name}/inbox,
	// /video-channels/{name}/inbox); nil leaves them unserved.
	Inbox http.Handler
	// Trackers are the tracker URLs videos list.
	Trackers []string
	// Pages, when set, serves the web pages on the URLs of videos: a
	// request for /videos/watch/{uuid} that does not ask for ActivityPub
	// is handed to it (the same URL serves both, as on PeerTube).
	Pages http.Handler
}

// Handler serves discovery and actor documents.
type Handler struct {
	d   Deps
	mux *http.ServeMux
}

var _ http.Handler = (*Handler)(nil)

// New returns the handler.
func New(d Deps) *Handler {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{d: d, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+webfinger.Path, func(w http.ResponseWriter, r *http.Request) {
		webfinger.Serve(w, r, h.lookup, d.PublicURL)
	})
	h.mux.HandleFunc("GET "+webfinger.HostMetaPath, func(w http.ResponseWriter, r *http.Request) {
		webfinger.ServeHostMeta(w, r, d.PublicURL)
	})
	h.mux.HandleFunc("GET "+nodeinfo.WellKnownPath, func(w http.ResponseWriter, r *http.Request) {
		nodeinfo.ServeWellKnown(w, r, d.PublicURL, AccountsPath+store.InstanceActorName)
	})
	h.mux.Handle("GET "+nodeinfo.Path, h.wrap(h.nodeInfo))
	h.mux.Handle("GET "+AccountsPath+"{name}", h.wrap(h.activityPub(h.account)))
	h.mux.Handle("GET "+ChannelsPath+"{name}", h.wrap(h.activityPub(h.channel)))
	if d.Inbox != nil {
		h.mux.Handle("POST "+SharedInboxPath, d.Inbox)
		h.mux.Handle("POST "+AccountsPath+"{name}/inbox", d.Inbox)
		h.mux.Handle("POST "+ChannelsPath+"{name}/inbox", d.Inbox)
	}
	h.mux.Handle("GET "+VideosPath+"{uuid}", h.wrap(h.orPage(h.video)))
	if d.Pages != nil {
		h.mux.Handle("GET /videos/embed/", d.Pages)
		h.mux.Handle("GET /player/", d.Pages)
	}
	h.mux.Handle("GET "+VideosPath+"{uuid}/comments/{id}", h.wrap(h.activityPub(h.comment)))
	for _, c := range []string{"followers", "following"} {
		h.mux.Handle("GET "+AccountsPath+"{name}/"+c, h.wrap(h.activityPub(h.followCollection(AccountsPath, c, h.accountRef))))
		h.mux.Handle("GET "+ChannelsPath+"{name}/"+c, h.wrap(h.activityPub(h.followCollection(ChannelsPath, c, h.channelRef))))
	}
	h.mux.Handle("GET "+AccountsPath+"{name}/outbox", h.wrap(h.activityPub(h.outbox(AccountsPath))))
	h.mux.Handle("GET "+ChannelsPath+"{name}/outbox", h.wrap(h.activityPub(h.outbox(ChannelsPath))))
	for _, c := range []string{"playlists"} {
		h.mux.Handle("GET "+AccountsPath+"{name}/"+c, h.wrap(h.activityPub(h.emptyCollection(AccountsPath, c, h.accountExists))))
		h.mux.Handle("GET "+ChannelsPath+"{name}/"+c, h.wrap(h.activityPub(h.emptyCollection(ChannelsPath, c, h.channelExists))))
	}
	return h
}

// ServeHTTP serves the routes; others are 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// handlerFunc is a route that may fail; wrap writes its error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h *Handler) wrap(f handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := f(w, r)
		if err == nil {
			return
		}
		p := problem.As(err)
		if p == nil {
			h.d.Log.ErrorContext(r.Context(), "federation request failed", "path", r.URL.Path, "err", err)
			p = problem.Internal()
		}
		problem.Write(w, r, p)
	})
}

// activityPub answers only requests asking for ActivityPub; the HTML pages
// on the same URLs are not served yet, so others get 406.
func (h *Handler) activityPub(f handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if !wantsActivityPub(r.Header.Get("Accept")) {
			return problem.New(http.StatusNotAcceptable,
				"This URL serves ActivityPub documents only (Accept: application/activity+json); its web page is not available yet.")
		}
		w.Header().Set("Access-Control-Allow-Origin", "*")
		return f(w, r)
	}
}

// orPage serves f to ActivityPub requests and hands the others to the
// web pages (406 without them).
func (h *Handler) orPage(f handlerFunc) handlerFunc {
	ap := h.activityPub(f)
	return func(w http.ResponseWriter, r *http.Request) error {
		if h.d.Pages != nil && !wantsActivityPub(r.Header.Get("Accept")) {
			h.d.Pages.ServeHTTP(w, r)
			return nil
		}
		return ap(w, r)
	}
}

// lookup resolves a WebFinger name to a local actor's path. Accounts and
// channels share one namespace of names.
func (h *Handler) lookup(ctx context.Context, name string) (string, bool, error) {
	if a, err := h.d.Store.AccountByName(ctx, name); err == nil && a.Remote == nil {
		return AccountsPath + name, true, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", false, err
	}
	if c, err := h.d.Store.ChannelByName(ctx, name); err == nil && c.Remote == nil {
		return ChannelsPath + name, true, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", false, err
	}
	return "", false, nil
}

func (h *Handler) nodeInfo(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	users, err := h.d.Store.Users(ctx)
	if err != nil {
		return fmt.Errorf("nodeinfo: list users: %w", err)
	}
	videos, err := h.d.Store.Videos(ctx)
	if err != nil {
		return fmt.Errorf("nodeinfo: list videos: %w", err)
	}
	local := int64(0)
	for _, v := range videos {
		if v.Remote == nil {
			local++
		}
	}
	n := int64(len(users))
	// Activity is not tracked yet: every user counts as active, as on a
	// fresh PeerTube instance.
	u := nodeinfo.Usage{Users: nodeinfo.Users{Total: n, ActiveMonth: n, ActiveHalfyear: n}, LocalPosts: local}
	nodeinfo.Serve(w, r, nodeinfo.Build(h.d.Settings, u))
	return nil
}

func (h *Handler) accountExists(ctx context.Context, name string) error {
	_, err := h.localAccount(ctx, name)
	return err
}

func (h *Handler) channelExists(ctx context.Context, name string) error {
	_, err := h.localChannel(ctx, name)
	return err
}

// localAccount reads a local account by name; remote copies (name@host)
// are not served as ours.
func (h *Handler) localAccount(ctx context.Context, name string) (model.Account, error) {
	a, err := h.d.Store.AccountByName(ctx, name)
	if err == nil && a.Remote != nil {
		err = store.ErrNotFound
	}
	return a, notFound(err, "Account not found")
}

// localChannel is localAccount for channels.
func (h *Handler) localChannel(ctx context.Context, name string) (model.Channel, error) {
	c, err := h.d.Store.ChannelByName(ctx, name)
	if err == nil && c.Remote != nil {
		err = store.ErrNotFound
	}
	return c, notFound(err, "Video channel not found")
}

// notFound turns the store's ErrNotFound into PeerTube's 404.
func notFound(err error, detail string) error {
	if errors.Is(err, store.ErrNotFound) {
		return problem.NotFound(detail)
	}
	return err
}

func (h *Handler) account(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a, err := h.localAccount(ctx, r.PathValue("name"))
	if err != nil {
		return err
	}
	typ := apvocab.TypePerson
	if a.UserID == 0 && a.Name == store.InstanceActorName {
		typ = apvocab.TypeApplication
	}
	actor, err := h.actor(ctx, typ, AccountsPath, "account:", a.Name, a.DisplayName, a.Description, a)
	if err != nil {
		return err
	}
	return writeAP(w, actor)
}

func (h *Handler) channel(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := h.localChannel(ctx, r.PathValue("name"))
	if err != nil {
		return err
	}
	owner, err := h.d.Store.Account(ctx, c.AccountID)
	if err != nil {
		return fmt.Errorf("channel %s: owner account %d: %w", c.Name, c.AccountID, err)
	}
	actor, err := h.actor(ctx, apvocab.TypeGroup, ChannelsPath, "channel:", c.Name, c.DisplayName, c.Description, model.Account{CreatedAt: c.CreatedAt})
	if err != nil {
		return err
	}
	actor.Support = c.Support
	actor.PostingRestrictedToMods = true
	actor.AttributedTo = []apvocab.Ref{{Type: apvocab.TypePerson, ID: h.d.PublicURL + AccountsPath + owner.Name}}
	return writeAP(w, actor)
}

// actor builds the document PeerTube serves for a local actor under base.
// keyPrefix names the actor in the keyring; only a.CreatedAt is read from a.
func (h *Handler) actor(ctx context.Context, typ, base, keyPrefix, name, displayName, summary string, a model.Account) (*apvocab.Actor, error) {
	id := h.d.PublicURL + base + name
	pem, err := h.d.Keys.PublicPEM(ctx, keyPrefix+name)
	if err != nil {
		return nil, fmt.Errorf("actor %s: public key: %w", id, err)
	}
	return &apvocab.Actor{
		Type:              typ,
		ID:                id,
		Following:         id + "/following",
		Followers:         id + "/followers",
		Playlists:         id + "/playlists",
		Inbox:             id + "/inbox",
		Outbox:            id + "/outbox",
		PreferredUsername: name,
		URL:               id,
		Name:              displayName,
		Endpoints:         &apvocab.Endpoints{SharedInbox: h.d.PublicURL + SharedInboxPath},
		PublicKey:         &apvocab.PublicKey{ID: id + "#main-key", Owner: id, PublicKeyPem: pem},
		Published:         a.CreatedAt,
		Summary:           summary,
	}, nil
}

// emptyCollection serves an actor's collection c, which holds nothing yet,
// paged as PeerTube pages collections (activityPubCollectionPagination):
// without ?page the collection itself (with no first page while it is
// empty), with ?page=N an OrderedCollectionPage.
func (h *Handler) emptyCollection(base, c string, exists func(context.Context, string) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := r.PathValue("name")
		if err := exists(r.Context(), name); err != nil {
			return err
		}
		id := h.d.PublicURL + base + name + "/" + c
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil || page < 1 {
			return writeAP(w, &apvocab.Collection{ID: id, Type: apvocab.TypeOrderedCollection})
		}
		col := &apvocab.Collection{
			ID:           id + "?page=" + strconv.Itoa(page),
			Type:         apvocab.TypeOrderedCollectionPage,
			PartOf:       apvocab.Ref{ID: id},
			OrderedItems: []apvocab.Ref{},
		}
		if page > 1 {
			col.Prev = apvocab.Ref{ID: id + "?page=" + strconv.Itoa(page-1)}
		}
		return writeAP(w, col)
	}
}

func writeAP(w http.ResponseWriter, o apvocab.Object) error {
	body, err := apvocab.Encode(o)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", o.ObjectType(), o.ObjectID(), err)
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(body)
	return err
}
