package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/outbox"
	"github.com/vidiverse/vidiverse/shared/password"
	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/resolve"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
	"github.com/vidiverse/vidiverse/shared/upload"
)

// Deps is what the API needs.
type Deps struct {
	Config config.Config
	Store  *store.Store
	Log    *slog.Logger
	// Now reads the clock; time.Now when nil.
	Now func() time.Time
	// Password holds the KDF parameters; password.Default when zero.
	Password password.Params
	// Blobs holds media (originals, files' metadata).
	Blobs blob.Store
	// Transcode is the transcode queue, fed an ingest job per upload.
	Transcode queue.Sender
	// Probe, when set, reads an uploaded file's media information so that
	// unreadable uploads are refused at once (where ffprobe is available).
	Probe func(ctx context.Context, input string) error
	// Resolver and Outbox federate: they find remote actors and videos
	// and send activities. Without them federation routes answer 503.
	Resolver *resolve.Resolver
	Outbox   *outbox.Outbox
}

// API is the REST API handler.
type API struct {
	cfg  config.Config
	st   *store.Store
	log  *slog.Logger
	now  func() time.Time
	kdf  password.Params
	mux  *http.ServeMux
	root http.Handler

	blobs     blob.Store
	transcode queue.Sender
	uploads   *upload.Handlers
	cat       catalog
	probe     func(ctx context.Context, input string) error
	resolver  *resolve.Resolver
	outbox    *outbox.Outbox
	// wsTracker and httpTracker are the instance's tracker URLs.
	wsTracker, httpTracker string
}

// New returns the API as an http.Handler for every path under /api/v1/.
func New(d Deps) *API {
	a := &API{cfg: d.Config, st: d.Store, log: d.Log, now: d.Now, kdf: d.Password, mux: http.NewServeMux(),
		blobs: d.Blobs, transcode: d.Transcode, probe: d.Probe,
		resolver: d.Resolver, outbox: d.Outbox}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.kdf == (password.Params{}) {
		a.kdf = password.Default
	}
	var err error
	if a.wsTracker, a.httpTracker, err = torrentfile.TrackerURLs(a.cfg.PublicURL); err != nil {
		a.log.Error("tracker URLs", "publicURL", a.cfg.PublicURL, "err", err)
	}
	a.uploads = upload.New(upload.Deps{Store: d.Store, Blobs: d.Blobs, User: a.requireUser,
		CheckChannel: a.checkChannel, CheckQuota: a.checkQuota, Create: a.createUploaded, Log: a.log, Now: a.now})
	a.routes()
	a.root = a.middleware(a.mux)
	return a
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.root.ServeHTTP(w, r) }

// route is one endpoint of the API.
type route struct {
	pattern string
	h       handlerFunc
}

// routeTable lists every endpoint; tests walk it to prove each one answers
// bad input with a 4xx problem.
func (a *API) routeTable() []route {
	return []route{
		{"GET /api/v1/config", a.getConfig},
		{"GET /api/v1/config/about", a.getAbout},
		{"GET /api/v1/videos/categories", constant(taxonomy.Categories())},
		{"GET /api/v1/videos/licences", constant(taxonomy.Licences())},
		{"GET /api/v1/videos/languages", constant(taxonomy.Languages())},
		{"GET /api/v1/videos/privacies", constant(taxonomy.Privacies())},

		{"GET /api/v1/oauth-clients/local", a.getLocalClient},
		{"POST /api/v1/users/token", a.postToken},
		{"POST /api/v1/users/revoke-token", a.authed(a.postRevokeToken)},
		{"POST /api/v1/users/register", a.postRegister},

		{"GET /api/v1/users/me", a.authed(a.getMe)},
		{"PUT /api/v1/users/me", a.authed(a.putMe)},
		{"GET /api/v1/users/me/video-quota-used", a.authed(a.getMyQuotaUsed)},

		{"GET /api/v1/users", a.authed(a.listUsers)},
		{"POST /api/v1/users", a.authed(a.postUser)},
		{"GET /api/v1/users/{id}", a.authed(a.getUser)},
		{"PUT /api/v1/users/{id}", a.authed(a.putUser)},
		{"DELETE /api/v1/users/{id}", a.authed(a.deleteUser)},

		{"GET /api/v1/accounts", a.listAccounts},
		{"GET /api/v1/accounts/{name}", a.getAccount},
		{"GET /api/v1/accounts/{name}/video-channels", a.listAccountChannels},

		{"GET /api/v1/video-channels", a.listChannels},
		{"POST /api/v1/video-channels", a.authed(a.postChannel)},
		{"GET /api/v1/video-channels/{handle}", a.getChannel},
		{"PUT /api/v1/video-channels/{handle}", a.authed(a.putChannel)},
		{"DELETE /api/v1/video-channels/{handle}", a.authed(a.deleteChannel)},

		{"GET /api/v1/videos", a.listVideos},
		{"GET /api/v1/videos/{id}", a.getVideo},
		{"PUT /api/v1/videos/{id}", a.authed(a.putVideo)},
		{"DELETE /api/v1/videos/{id}", a.authed(a.deleteVideo)},
		{"GET /api/v1/videos/{id}/description", a.getVideoDescription},
		{"GET /api/v1/videos/{id}/metadata/{fileId}", a.getFileMetadata},
		{"POST /api/v1/videos/{id}/views", a.postVideoView},
		{"PUT /api/v1/videos/{id}/rate", a.authed(a.putVideoRate)},
		{"GET /api/v1/users/me/videos", a.authed(a.listMyVideos)},
		{"GET /api/v1/users/me/videos/{videoId}/rating", a.authed(a.getMyRating)},
		{"GET /api/v1/accounts/{name}/videos", a.listAccountVideos},
		{"GET /api/v1/video-channels/{handle}/videos", a.listChannelVideos},
		{"GET /api/v1/search/videos", a.searchVideos},
		{"GET /api/v1/search/video-channels", a.searchChannels},
		{"GET /api/v1/server/following", a.listServerFollows(true)},
		{"POST /api/v1/server/following", a.authed(a.postServerFollowing)},
		{"DELETE /api/v1/server/following/{hostOrHandle}", a.authed(a.deleteServerFollowing)},
		{"GET /api/v1/server/followers", a.listServerFollows(false)},
		{"POST /api/v1/server/followers/{nameWithHost}/accept", a.authed(a.serverFollower("accept"))},
		{"POST /api/v1/server/followers/{nameWithHost}/reject", a.authed(a.serverFollower("reject"))},
		{"DELETE /api/v1/server/followers/{nameWithHost}", a.authed(a.serverFollower("remove"))},
		{"GET /api/v1/users/me/subscriptions", a.authed(a.listSubscriptions)},
		{"POST /api/v1/users/me/subscriptions", a.authed(a.postSubscription)},
		{"GET /api/v1/users/me/subscriptions/exist", a.authed(a.subscriptionsExist)},
		{"GET /api/v1/users/me/subscriptions/videos", a.authed(a.listSubscriptionVideos)},
		{"GET /api/v1/users/me/subscriptions/{subscriptionHandle}", a.authed(a.getSubscription)},
		{"DELETE /api/v1/users/me/subscriptions/{subscriptionHandle}", a.authed(a.deleteSubscription)},
		{"GET /api/v1/videos/{id}/comment-threads", a.listCommentThreads},
		{"POST /api/v1/videos/{id}/comment-threads", a.authed(a.postComment(false))},
		{"GET /api/v1/videos/{id}/comment-threads/{threadId}", a.getCommentThread},
		{"POST /api/v1/videos/{id}/comments/{commentId}", a.authed(a.postComment(true))},
		{"DELETE /api/v1/videos/{id}/comments/{commentId}", a.authed(a.deleteComment)},
		{"GET /api/v1/users/me/blocklist/accounts", a.authed(a.listAccountBlocks(false))},
		{"POST /api/v1/users/me/blocklist/accounts", a.authed(a.postAccountBlock(false))},
		{"DELETE /api/v1/users/me/blocklist/accounts/{accountName}", a.authed(a.deleteAccountBlock(false))},
		{"GET /api/v1/users/me/blocklist/servers", a.authed(a.listServerBlocks(false))},
		{"POST /api/v1/users/me/blocklist/servers", a.authed(a.postServerBlock(false))},
		{"DELETE /api/v1/users/me/blocklist/servers/{host}", a.authed(a.deleteServerBlock(false))},
		{"GET /api/v1/server/blocklist/accounts", a.authed(a.listAccountBlocks(true))},
		{"POST /api/v1/server/blocklist/accounts", a.authed(a.postAccountBlock(true))},
		{"DELETE /api/v1/server/blocklist/accounts/{accountName}", a.authed(a.deleteAccountBlock(true))},
		{"GET /api/v1/server/blocklist/servers", a.authed(a.listServerBlocks(true))},
		{"POST /api/v1/server/blocklist/servers", a.authed(a.postServerBlock(true))},
		{"DELETE /api/v1/server/blocklist/servers/{host}", a.authed(a.deleteServerBlock(true))},
		{"GET /api/v1/blocklist/status", a.getBlocklistStatus},
		{"POST /api/v1/abuses", a.authed(a.postAbuse)},
		{"GET /api/v1/abuses", a.authed(a.listAbuses)},
		{"GET /api/v1/users/me/abuses", a.authed(a.listMyAbuses)},
		{"GET /download/videos/{file}", a.downloadVideo},
		{"GET /download/streaming-playlists/hls/videos/{file}", a.downloadVideo},
		{"GET /download/torrents/{file}", a.downloadTorrent},
	}
}

func (a *API) routes() {
	for _, r := range a.routeTable() {
		a.mux.Handle(r.pattern, a.handle(r.h))
	}
	for _, r := range a.uploads.Routes() {
		a.mux.Handle(r.Pattern, r.Handler)
	}
}
