package api

import (
	"net/http"

	"github.com/vidiverse/vidiverse/shared/problem"
)

// listVideos answers GET /api/v1/videos.
func (a *API) listVideos(w http.ResponseWriter, r *http.Request) error {
	u, err := a.optionalUser(r)
	if err != nil {
		return err
	}
	q, err := parseVideoQuery(r)
	if err != nil {
		return err
	}
	if len(q.privacies) > 0 && !isModerator(u) {
		return problem.Forbidden("Cannot list videos by privacy without the right to see all videos")
	}
	vs, err := a.st.Videos(r.Context())
	if err != nil {
		return err
	}
	return a.writeVideos(w, r, u, vs, q)
}

// searchVideos answers GET /api/v1/search/videos over names, descriptions
// and tags.
func (a *API) searchVideos(w http.ResponseWriter, r *http.Request) error {
	u, err := a.optionalUser(r)
	if err != nil {
		return err
	}
	q, err := parseVideoQuery(r)
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
	vs, err := a.st.Videos(r.Context())
	if err != nil {
		return err
	}
	return a.writeVideos(w, r, u, vs, q)
}

// listAccountVideos answers GET /api/v1/accounts/{name}/videos.
func (a *API) listAccountVideos(w http.ResponseWriter, r *http.Request) error {
	u, err := a.optionalUser(r)
	if err != nil {
		return err
	}
	q, err := parseVideoQuery(r)
	if err != nil {
		return err
	}
	acc, err := a.loadAccount(r.Context(), r, "name")
	if err != nil {
		return err
	}
	vs, err := a.st.AccountVideos(r.Context(), acc.ID)
	if err != nil {
		return err
	}
	return a.writeVideos(w, r, u, vs, q)
}

// listChannelVideos answers GET /api/v1/video-channels/{handle}/videos.
func (a *API) listChannelVideos(w http.ResponseWriter, r *http.Request) error {
	u, err := a.optionalUser(r)
	if err != nil {
		return err
	}
	q, err := parseVideoQuery(r)
	if err != nil {
		return err
	}
	ch, err := a.loadChannel(r.Context(), r)
	if err != nil {
		return err
	}
	vs, err := a.st.ChannelVideos(r.Context(), ch.ID)
	if err != nil {
		return err
	}
	return a.writeVideos(w, r, u, vs, q)
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
