package federation

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/apobject"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
)

// localVideo reads the video a /videos/watch/{uuid} request names, when it
// is local and federated (published, public or unlisted), as PeerTube
// serves only those.
func (h *Handler) localVideo(r *http.Request) (model.Video, error) {
	v, err := h.d.Store.VideoByUUID(r.Context(), r.PathValue("uuid"))
	if err == nil && (v.Remote != nil || v.State != model.StatePublished ||
		(v.Privacy != model.PrivacyPublic && v.Privacy != model.PrivacyUnlisted)) {
		err = store.ErrNotFound
	}
	return v, notFound(err, "Video not found")
}

// video serves a local video's ActivityPub object.
func (h *Handler) video(w http.ResponseWriter, r *http.Request) error {
	v, err := h.localVideo(r)
	if err != nil {
		return err
	}
	acc, err := h.d.Store.Account(r.Context(), v.AccountID)
	if err != nil {
		return err
	}
	ch, err := h.d.Store.Channel(r.Context(), v.ChannelID)
	if err != nil {
		return err
	}
	return writeAP(w, apobject.Video(h.d.PublicURL, v, acc, ch, h.d.Trackers))
}

// comment serves a comment of a local video: a Note, or a Tombstone once
// deleted.
func (h *Handler) comment(w http.ResponseWriter, r *http.Request) error {
	v, err := h.localVideo(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return notFound(store.ErrNotFound, "Video comment not found")
	}
	ctx := r.Context()
	c, err := h.d.Store.Comment(ctx, v.ID, id)
	if err != nil {
		return notFound(err, "Video comment not found")
	}
	videoURL := h.d.PublicURL + VideosPath + v.UUID
	inReplyTo := videoURL
	if c.InReplyToID != 0 {
		parent, err := h.d.Store.Comment(ctx, v.ID, c.InReplyToID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		inReplyTo = parent.URL
	}
	if c.DeletedAt != nil {
		return writeAP(w, apobject.Tombstone(h.d.PublicURL, c, v, videoURL, inReplyTo))
	}
	if c.URL != apobject.CommentURL(h.d.PublicURL, v.UUID, c.ID) {
		// A remote comment: its origin serves it.
		return notFound(store.ErrNotFound, "Video comment not found")
	}
	author, err := h.d.Store.Account(ctx, c.AccountID)
	if err != nil {
		return err
	}
	return writeAP(w, apobject.Comment(h.d.PublicURL, c, v, videoURL, apobject.ActorURL(h.d.PublicURL, author), inReplyTo, nil))
}
