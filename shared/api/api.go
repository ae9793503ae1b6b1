package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/password"
	"github.com/vidiverse/vidiverse/shared/store"
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
}

// New returns the API as an http.Handler for every path under /api/v1/.
func New(d Deps) *API {
	a := &API{cfg: d.Config, st: d.Store, log: d.Log, now: d.Now, kdf: d.Password, mux: http.NewServeMux()}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.kdf == (password.Params{}) {
		a.kdf = password.Default
	}
	a.routes()
	a.root = a.middleware(a.mux)
	return a
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.root.ServeHTTP(w, r) }

func (a *API) routes() {
	m := a.mux
	h := a.handle
	m.Handle("GET /api/v1/oauth-clients/local", h(a.getLocalClient))
	m.Handle("POST /api/v1/users/token", h(a.postToken))
	m.Handle("POST /api/v1/users/revoke-token", h(a.authed(a.postRevokeToken)))
	m.Handle("POST /api/v1/users/register", h(a.postRegister))

	m.Handle("GET /api/v1/users/me", h(a.authed(a.getMe)))
	m.Handle("PUT /api/v1/users/me", h(a.authed(a.putMe)))
	m.Handle("GET /api/v1/users/me/video-quota-used", h(a.authed(a.getMyQuotaUsed)))

	m.Handle("GET /api/v1/users", h(a.authed(a.listUsers)))
	m.Handle("POST /api/v1/users", h(a.authed(a.postUser)))
	m.Handle("GET /api/v1/users/{id}", h(a.authed(a.getUser)))
	m.Handle("PUT /api/v1/users/{id}", h(a.authed(a.putUser)))
	m.Handle("DELETE /api/v1/users/{id}", h(a.authed(a.deleteUser)))

	m.Handle("GET /api/v1/accounts", h(a.listAccounts))
	m.Handle("GET /api/v1/accounts/{name}", h(a.getAccount))
	m.Handle("GET /api/v1/accounts/{name}/video-channels", h(a.listAccountChannels))

	m.Handle("GET /api/v1/video-channels", h(a.listChannels))
	m.Handle("POST /api/v1/video-channels", h(a.authed(a.postChannel)))
	m.Handle("GET /api/v1/video-channels/{handle}", h(a.getChannel))
	m.Handle("PUT /api/v1/video-channels/{handle}", h(a.authed(a.putChannel)))
	m.Handle("DELETE /api/v1/video-channels/{handle}", h(a.authed(a.deleteChannel)))

	a.staticRoutes()
}
