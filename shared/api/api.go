package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/password"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
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
	}
}

func (a *API) routes() {
	for _, r := range a.routeTable() {
		a.mux.Handle(r.pattern, a.handle(r.h))
	}
}
