package api

import (
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

// searchChannels answers GET /api/v1/search/video-channels: the channels
// whose name or display name contain the term; a handle (name@host, or
// @name@host) or a channel URL as term resolves that channel, fetching it
// from its server for signed-in users (PeerTube's search.remote_uri.users
// default), as PeerTube does.
func (a *API) searchChannels(w http.ResponseWriter, r *http.Request) error {
	u, err := a.optionalUser(r)
	if err != nil {
		return err
	}
	p, err := parseChannelPage(r)
	if err != nil {
		return err
	}
	if st := r.URL.Query().Get("searchTarget"); st != "" && st != "local" {
		return problem.InvalidField("query", "searchTarget", st, "Should have a valid search target")
	}
	term := strings.TrimSpace(p.Search)
	if c, ok := a.resolveChannelTerm(r, u, term); ok {
		p.Search = ""
		return a.writeChannels(w, r, c, p, map[int64]model.Account{})
	}
	chans, err := a.st.Channels(r.Context())
	if err != nil {
		return err
	}
	return a.writeChannels(w, r, chans, p, map[int64]model.Account{})
}

// resolveChannelTerm reads a search term naming one channel (a handle or
// a URL); ok is false when the term is plain text. The channel list is
// empty when the channel cannot be found (or fetched).
func (a *API) resolveChannelTerm(r *http.Request, u *model.User, term string) ([]model.Channel, bool) {
	ctx := r.Context()
	found := []model.Channel{}
	switch {
	case strings.HasPrefix(term, "https://") || strings.HasPrefix(term, "http://"):
		if u == nil || a.federating() != nil {
			return found, true
		}
		ref, err := a.resolver.Actor(ctx, term)
		if err == nil && ref.Kind == model.KindChannel {
			if c, err := a.st.Channel(ctx, ref.ID); err == nil {
				found = append(found, c)
			}
		}
		return found, true
	case strings.Contains(strings.TrimPrefix(term, "@"), "@"):
		if _, _, err := webfinger.SplitHandle(term); err != nil {
			return nil, false
		}
		c, err := a.channelByHandle(ctx, term, u != nil)
		if err == nil {
			found = append(found, c)
		}
		return found, true
	}
	return nil, false
}
