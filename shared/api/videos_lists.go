package api

import (
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
)

// listRequest reads what every video list takes: the optional user and
// the query.
func (a *API) listRequest(r *http.Request) (*model.User, videoQuery, error) {
	u, err := a.optionalUser(r)
	if err != nil {
		return nil, videoQuery{}, err
	}
	q, err := parseVideoQuery(r)
	return u, q, err
}

// listVideos answers GET /api/v1/videos.
func (a *API) listVideos(w http.ResponseWriter, r *http.Request) error {
	u, q, err := a.listRequest(r)
	if err != nil {
		return err
	}
	if len(q.privacies) > 0 && !isModerator(u) {
		return problem.Forbidden("Cannot list videos by privacy without the right to see all videos")
	}
	return a.writeCatalog(w, r, u, q, func(model.Video) bool { return true })
}

// searchVideos answers GET /api/v1/search/videos over names, descriptions
// and tags.
func (a *API) searchVideos(w http.ResponseWriter, r *http.Request) error {
	u, q, err := a.listRequest(r)
	if err != nil {
		return err
	}
	q.search = r.URL.Query().Get("search")
	if st := r.URL.Query().Get("searchTarget"); st != "" && st != "local" {
		return problem.InvalidField("query", "searchTarget", st, "Should have a valid search target")
	}
	if r.URL.Query().Get("sort") == "" {
		q.Sort, q.Desc = "match", true
	}
	if u != nil && (strings.HasPrefix(q.search, "https://") || strings.HasPrefix(q.search, "http://")) {
		// A URL as search term resolves the remote video it names, for
		// signed-in users (PeerTube's search.remote_uri.users default).
		return a.resolveVideoSearch(w, r, u, q)
	}
	return a.writeCatalog(w, r, u, q, func(model.Video) bool { return true })
}

// resolveVideoSearch answers a search for a video URL with that video,
// fetched from its origin when it is not held yet (and nothing when it
// cannot be).
func (a *API) resolveVideoSearch(w http.ResponseWriter, r *http.Request, u *model.User, q videoQuery) error {
	url := q.search
	q.search = ""
	var found []model.Video
	if a.federating() == nil {
		v, err := a.resolver.Video(r.Context(), url)
		if err == nil {
			a.invalidate()
			found = append(found, v)
		} else {
			a.log.InfoContext(r.Context(), "search: URL not resolved", "url", url, "err", err)
		}
	}
	return a.writeVideos(w, r, u, found, q)
}

// listAccountVideos answers GET /api/v1/accounts/{name}/videos.
func (a *API) listAccountVideos(w http.ResponseWriter, r *http.Request) error {
	u, q, err := a.listRequest(r)
	if err != nil {
		return err
	}
	acc, err := a.loadAccount(r.Context(), r, "name")
	if err != nil {
		return err
	}
	return a.writeCatalog(w, r, u, q, func(v model.Video) bool { return v.AccountID == acc.ID })
}

// listChannelVideos answers GET /api/v1/video-channels/{handle}/videos.
func (a *API) listChannelVideos(w http.ResponseWriter, r *http.Request) error {
	u, q, err := a.listRequest(r)
	if err != nil {
		return err
	}
	ch, err := a.loadChannel(r.Context(), r)
	if err != nil {
		return err
	}
	return a.writeCatalog(w, r, u, q, func(v model.Video) bool { return v.ChannelID == ch.ID })
}

// listMyVideos answers GET /api/v1/users/me/videos: every video of the
// user, whatever its privacy or state, with the state shown.
func (a *API) listMyVideos(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	q, err := parseVideoQuery(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("sort") == "" {
		q.Sort, q.Desc = "createdAt", true
	}
	q.ownerView = true
	vs, err := a.st.AccountVideos(r.Context(), u.AccountID)
	if err != nil {
		return err
	}
	return a.writeVideos(w, r, u, vs, q)
}

// writeCatalog sends a public list from the catalog snapshot: the videos
// keep selects, filtered for u by the query.
func (a *API) writeCatalog(w http.ResponseWriter, r *http.Request, u *model.User, q videoQuery, keep func(model.Video) bool) error {
	cat, err := a.snapshot(r.Context())
	if err != nil {
		return err
	}
	vs := make([]model.Video, 0, len(cat.videos))
	for _, v := range cat.videos {
		if keep(v) {
			vs = append(vs, v)
		}
	}
	return a.writeVideosWith(w, r, u, vs, q, &owners{a: a, accounts: cat.accounts, channels: cat.channels})
}
