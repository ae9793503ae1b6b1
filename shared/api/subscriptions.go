package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/webfinger"
)

// Subscriptions (/api/v1/users/me/subscriptions): a user's account
// following channels, here or elsewhere.

func myRef(u *model.User) model.ActorRef {
	return model.ActorRef{Kind: model.KindAccount, ID: u.AccountID}
}

// subscribedChannels lists the channels u's account follows.
func (a *API) subscribedChannels(ctx context.Context, u *model.User) ([]model.Follow, []model.Channel, error) {
	fs, err := a.st.Following(ctx, myRef(u))
	if err != nil {
		return nil, nil, err
	}
	var keep []model.Follow
	var chans []model.Channel
	for _, f := range fs {
		if f.Target.Kind != model.KindChannel {
			continue
		}
		c, err := a.st.Channel(ctx, f.Target.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		keep, chans = append(keep, f), append(chans, c)
	}
	return keep, chans, nil
}

// handleOf is a channel's handle as subscriptions name it: name for a
// local channel, name@host for a remote one.
func (a *API) handleOf(c model.Channel) string {
	if c.Remote != nil {
		return c.Name + "@" + c.Remote.Host
	}
	return c.Name + "@" + a.cfg.Host()
}

// listSubscriptions answers GET /api/v1/users/me/subscriptions.
func (a *API) listSubscriptions(w http.ResponseWriter, r *http.Request) error {
	p, err := parsePage(r, []string{"createdAt", "id"}, "-createdAt")
	if err != nil {
		return err
	}
	_, chans, err := a.subscribedChannels(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	items := make([]channelJSON, 0, len(chans))
	for _, c := range chans {
		owner, err := a.st.Account(r.Context(), c.AccountID)
		if err != nil {
			return err
		}
		items = append(items, a.channelJSON(c, &owner))
	}
	return writeJSON(w, http.StatusOK, paginate(items, p, map[string]func(channelJSON) string{
		"createdAt": func(c channelJSON) string { return c.CreatedAt },
		"id":        func(c channelJSON) string { return fmt.Sprintf("%020d", c.ID) }}))
}

// postSubscription answers POST /api/v1/users/me/subscriptions {"uri":
// "channel@host"} with 204, as PeerTube does.
func (a *API) postSubscription(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		URI string `json:"uri"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if _, _, err := webfinger.SplitHandle(body.URI); err != nil {
		return problem.InvalidField("body", "uri", body.URI, "Should have a valid uri to follow (username@domain)")
	}
	u := currentUser(r)
	ctx := r.Context()
	c, err := a.channelByHandle(ctx, body.URI, true)
	if err != nil {
		return err
	}
	acc, err := a.st.Account(ctx, u.AccountID)
	if err != nil {
		return err
	}
	if err := a.sendFollow(ctx, acc, model.ActorRef{Kind: model.KindChannel, ID: c.ID}, c.Remote); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// channelByHandle finds a channel by name@host: a local one, one held, or
// (when resolve is set) one fetched through WebFinger.
func (a *API) channelByHandle(ctx context.Context, handle string, resolve bool) (model.Channel, error) {
	name, host, err := webfinger.SplitHandle(handle)
	if err != nil {
		return model.Channel{}, problem.BadRequest("Invalid handle " + handle)
	}
	notFound := problem.NotFound("Video channel " + handle + " not found")
	if strings.EqualFold(host, a.cfg.Host()) {
		c, err := a.st.ChannelByName(ctx, name)
		if err != nil || c.Remote != nil {
			return c, notFound
		}
		return c, nil
	}
	if c, err := a.st.ChannelByName(ctx, name+"@"+host); err == nil {
		return c, nil
	}
	if !resolve || a.federating() != nil {
		return model.Channel{}, notFound
	}
	ref, err := a.resolver.Handle(ctx, handle)
	if err != nil || ref.Kind != model.KindChannel {
		return model.Channel{}, notFound
	}
	return a.st.Channel(ctx, ref.ID)
}

// getSubscription answers GET /api/v1/users/me/subscriptions/{handle}.
func (a *API) getSubscription(w http.ResponseWriter, r *http.Request) error {
	c, err := a.subscription(r)
	if err != nil {
		return err
	}
	owner, err := a.st.Account(r.Context(), c.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.channelJSON(c, &owner))
}

func (a *API) subscription(r *http.Request) (model.Channel, error) {
	handle := r.PathValue("subscriptionHandle")
	c, err := a.channelByHandle(r.Context(), handle, false)
	if err != nil {
		return c, err
	}
	if _, err := a.st.Follow(r.Context(), myRef(currentUser(r)), model.ActorRef{Kind: model.KindChannel, ID: c.ID}); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return c, problem.NotFound("Subscription " + handle + " not found.")
		}
		return c, err
	}
	return c, nil
}

// deleteSubscription answers DELETE /api/v1/users/me/subscriptions/{handle}.
func (a *API) deleteSubscription(w http.ResponseWriter, r *http.Request) error {
	c, err := a.subscription(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u := currentUser(r)
	target := model.ActorRef{Kind: model.KindChannel, ID: c.ID}
	f, err := a.st.Follow(ctx, myRef(u), target)
	if err != nil {
		return err
	}
	if err := a.st.DeleteFollow(ctx, myRef(u), target); err != nil {
		return err
	}
	if c.Remote != nil && a.outbox != nil && f.URL != "" {
		acc, err := a.st.Account(ctx, u.AccountID)
		if err != nil {
			return err
		}
		if err := a.outbox.Unfollow(ctx, f, acc, c.Remote.URL, c.Remote.Inbox); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// subscriptionsExist answers GET /api/v1/users/me/subscriptions/exist?uris=…
func (a *API) subscriptionsExist(w http.ResponseWriter, r *http.Request) error {
	uris := r.URL.Query()["uris"]
	if len(uris) == 0 || len(uris) > 100 {
		return problem.InvalidField("query", "uris", nil, "Should have a valid array of uris")
	}
	_, chans, err := a.subscribedChannels(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, c := range chans {
		have[strings.ToLower(a.handleOf(c))] = true
	}
	out := map[string]bool{}
	for _, u := range uris {
		h := u
		if !strings.Contains(h, "@") {
			h += "@" + a.cfg.Host()
		}
		out[u] = have[strings.ToLower(h)]
	}
	return writeJSON(w, http.StatusOK, out)
}

// listSubscriptionVideos answers GET /api/v1/users/me/subscriptions/videos.
func (a *API) listSubscriptionVideos(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	q, err := parseVideoQuery(r)
	if err != nil {
		return err
	}
	fs, _, err := a.subscribedChannels(r.Context(), u)
	if err != nil {
		return err
	}
	subscribed := map[int64]bool{}
	for _, f := range fs {
		subscribed[f.Target.ID] = true
	}
	return a.writeCatalog(w, r, u, q, func(v model.Video) bool { return subscribed[v.ChannelID] })
}
