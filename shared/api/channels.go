package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
)

func createdKey(t time.Time, id int64) string { return timeJSON(t) + numKey(id) }

func parseChannelPage(r *http.Request) (page, error) {
	return parsePage(r, []string{"id", "name", "updatedAt", "createdAt"}, "-createdAt")
}

var channelSortKeys = map[string]func(model.Channel) string{
	"id":        func(c model.Channel) string { return numKey(c.ID) },
	"name":      func(c model.Channel) string { return c.Name },
	"updatedAt": func(c model.Channel) string { return createdKey(c.UpdatedAt, c.ID) },
	"createdAt": func(c model.Channel) string { return createdKey(c.CreatedAt, c.ID) },
}

// writeChannels sends a page of channels with their owner accounts;
// owners caches accounts already loaded.
func (a *API) writeChannels(w http.ResponseWriter, r *http.Request, chans []model.Channel, p page, owners map[int64]model.Account) error {
	if p.Search != "" {
		q := strings.ToLower(p.Search)
		kept := chans[:0]
		for _, c := range chans {
			if strings.Contains(strings.ToLower(c.Name), q) || strings.Contains(strings.ToLower(c.DisplayName), q) {
				kept = append(kept, c)
			}
		}
		chans = kept
	}
	pg := paginate(chans, p, channelSortKeys)
	out := listPage[channelJSON]{Total: pg.Total, Data: make([]channelJSON, 0, len(pg.Data))}
	for _, c := range pg.Data {
		owner, ok := owners[c.AccountID]
		if !ok {
			var err error
			if owner, err = a.st.Account(r.Context(), c.AccountID); err != nil {
				return err
			}
			owners[c.AccountID] = owner
		}
		out.Data = append(out.Data, a.channelJSON(c, &owner))
	}
	return writeJSON(w, http.StatusOK, out)
}

// listChannels answers GET /api/v1/video-channels.
func (a *API) listChannels(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.optionalUser(r); err != nil {
		return err
	}
	p, err := parseChannelPage(r)
	if err != nil {
		return err
	}
	chans, err := a.st.Channels(r.Context())
	if err != nil {
		return err
	}
	return a.writeChannels(w, r, chans, p, map[int64]model.Account{})
}

// loadChannel resolves a channel handle; 404 when unknown.
func (a *API) loadChannel(ctx context.Context, r *http.Request) (model.Channel, error) {
	name, _, err := a.localName(r, "handle")
	if err != nil {
		return model.Channel{}, err
	}
	c, err := a.st.ChannelByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return c, problem.NotFound("Video channel not found")
	}
	return c, err
}

// getChannel answers GET /api/v1/video-channels/{handle}.
func (a *API) getChannel(w http.ResponseWriter, r *http.Request) error {
	if _, err := a.optionalUser(r); err != nil {
		return err
	}
	c, err := a.loadChannel(r.Context(), r)
	if err != nil {
		return err
	}
	owner, err := a.st.Account(r.Context(), c.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.channelJSON(c, &owner))
}

type channelBody struct {
	Name                    optString `json:"name"`
	DisplayName             optString `json:"displayName"`
	Description             optString `json:"description"`
	Support                 optString `json:"support"`
	BulkVideosSupportUpdate optBool   `json:"bulkVideosSupportUpdate"`
}

func checkChannelBody(b channelBody, create bool) error {
	fe := newFieldErrors("body")
	if create && !validChannelName(b.Name.V) {
		fe.add("name", b.Name.V, "Should have a valid channel name")
	}
	if (create || b.DisplayName.Set) && !validChannelDisplayName(b.DisplayName.V) {
		fe.add("displayName", b.DisplayName.V, "Should have a valid display name")
	}
	if b.Description.Set && !b.Description.Null && !validDescription(b.Description.V) {
		fe.add("description", b.Description.V, "Should have a valid description")
	}
	if b.Support.Set && !b.Support.Null && !validSupport(b.Support.V) {
		fe.add("support", b.Support.V, "Should have a valid support text")
	}
	return fe.err()
}

// postChannel answers POST /api/v1/video-channels.
func (a *API) postChannel(w http.ResponseWriter, r *http.Request) error {
	me := currentUser(r)
	var b channelBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if err := checkChannelBody(b, true); err != nil {
		return err
	}
	c, err := a.st.CreateChannel(r.Context(), model.Channel{
		AccountID: me.AccountID, Name: b.Name.V, DisplayName: b.DisplayName.V,
		Description: b.Description.V, Support: b.Support.V,
	}, a.cfg.MaxChannelsPerUser)
	switch {
	case errors.Is(err, store.ErrTaken):
		return actorNameTaken()
	case errors.Is(err, store.ErrTooManyChannels):
		return problem.BadRequest(fmt.Sprintf("You cannot create more than %d channels", a.cfg.MaxChannelsPerUser))
	case err != nil:
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"videoChannel": map[string]int64{"id": c.ID}})
}

// ownedChannel loads the {handle} channel for a change by its owner or by
// a moderator (MANAGE_ANY_VIDEO_CHANNEL).
func (a *API) ownedChannel(r *http.Request) (model.Channel, error) {
	me := currentUser(r)
	c, err := a.loadChannel(r.Context(), r)
	if err != nil {
		return c, err
	}
	if c.AccountID != me.AccountID && me.Role == model.RoleUser {
		return c, problem.Forbidden(fmt.Sprintf("User %s does not have right this channel or account.", me.Username))
	}
	return c, nil
}

// putChannel answers PUT /api/v1/video-channels/{handle}.
func (a *API) putChannel(w http.ResponseWriter, r *http.Request) error {
	var b channelBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if b.Name.Set {
		return problem.InvalidField("body", "name", b.Name.V, "Channel name cannot be updated")
	}
	if err := checkChannelBody(b, false); err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		c, err := a.ownedChannel(r)
		if err != nil {
			return err
		}
		if b.DisplayName.Set {
			c.DisplayName = b.DisplayName.V
		}
		if b.Description.Set {
			c.Description = b.Description.V
		}
		if b.Support.Set {
			c.Support = b.Support.V
		}
		_, err = a.st.UpdateChannel(r.Context(), c)
		if errors.Is(err, store.ErrStale) && attempt < 5 {
			continue
		}
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// deleteChannel answers DELETE /api/v1/video-channels/{handle}.
func (a *API) deleteChannel(w http.ResponseWriter, r *http.Request) error {
	c, err := a.ownedChannel(r)
	if err != nil {
		return err
	}
	err = a.st.DeleteChannel(r.Context(), c)
	switch {
	case errors.Is(err, store.ErrLastChannel):
		return problem.Conflict("", "Cannot remove the last channel of this user")
	case errors.Is(err, store.ErrNotFound):
		return problem.NotFound("Video channel not found")
	case err != nil:
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
