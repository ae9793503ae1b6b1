package federation

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/apobject"
	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/outbox"
	"github.com/vidiverse/vidiverse/shared/store"
)

// Outboxes list an actor's public published videos, newest first, as
// PeerTube lists them: an account's as Creates with the video embedded, a
// channel's and the instance actor's as Announces. Servers that follow an
// actor read it to bring in what was published before they followed.

// outboxVideos lists the videos of an outbox: an account's or a channel's,
// or every local one for the instance actor.
func (h *Handler) outboxVideos(ctx context.Context, base, name string) ([]model.Video, model.Account, model.Channel, error) {
	var vs []model.Video
	var acc model.Account
	var ch model.Channel
	var err error
	switch {
	case base == ChannelsPath:
		if ch, err = h.localChannel(ctx, name); err != nil {
			return nil, acc, ch, err
		}
		vs, err = h.d.Store.ChannelVideos(ctx, ch.ID)
	default:
		if acc, err = h.localAccount(ctx, name); err != nil {
			return nil, acc, ch, err
		}
		if acc.UserID == 0 && acc.Name == store.InstanceActorName {
			vs, err = h.d.Store.Videos(ctx)
		} else {
			vs, err = h.d.Store.AccountVideos(ctx, acc.ID)
		}
	}
	if err != nil {
		return nil, acc, ch, err
	}
	vs = slices.DeleteFunc(vs, func(v model.Video) bool {
		return v.Remote != nil || v.State != model.StatePublished || v.Privacy != model.PrivacyPublic
	})
	slices.SortFunc(vs, func(a, b model.Video) int { return b.PublishedAt.Compare(a.PublishedAt) })
	return vs, acc, ch, nil
}

// outbox serves an actor's outbox.
func (h *Handler) outbox(base string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		name := r.PathValue("name")
		vs, acc, ch, err := h.outboxVideos(ctx, base, name)
		if err != nil {
			return err
		}
		id := h.d.PublicURL + base + name + "/outbox"
		if len(vs) == 0 {
			return h.emptyCollection(base, "outbox", func(context.Context, string) error { return nil })(w, r)
		}
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil || page < 1 {
			return writeAP(w, &apvocab.Collection{ID: id, Type: apvocab.TypeOrderedCollection,
				TotalItems: int64(len(vs)), First: apvocab.Ref{ID: id + "?page=1"}})
		}
		col := &apvocab.Collection{ID: id + "?page=" + strconv.Itoa(page), Type: apvocab.TypeOrderedCollectionPage,
			PartOf: apvocab.Ref{ID: id}, OrderedItems: []apvocab.Ref{}, TotalItems: int64(len(vs))}
		start := (page - 1) * collectionPageSize
		for i := start; i < len(vs) && i < start+collectionPageSize; i++ {
			item, err := h.outboxItem(ctx, base, acc, ch, vs[i])
			if err != nil {
				return err
			}
			col.OrderedItems = append(col.OrderedItems, apvocab.Ref{ID: item.ID, Type: item.Type, Object: item})
		}
		if page > 1 {
			col.Prev = apvocab.Ref{ID: id + "?page=" + strconv.Itoa(page-1)}
		}
		if start+collectionPageSize < len(vs) {
			col.Next = apvocab.Ref{ID: id + "?page=" + strconv.Itoa(page+1)}
		}
		return writeAP(w, col)
	}
}

// outboxItem is one video's activity in an outbox: base names whose
// outbox it is (acc or ch is that actor).
func (h *Handler) outboxItem(ctx context.Context, base string, acc model.Account, ch model.Channel, v model.Video) (*apvocab.Activity, error) {
	owner, err := h.d.Store.Account(ctx, v.AccountID)
	if err != nil {
		return nil, err
	}
	videoURL := apobject.VideoURL(h.d.PublicURL, v.UUID)
	cc := []string{apobject.ActorURL(h.d.PublicURL, owner) + "/followers"}
	if base == AccountsPath && acc.UserID != 0 {
		vch, err := h.d.Store.Channel(ctx, v.ChannelID)
		if err != nil {
			return nil, err
		}
		obj := apobject.Video(h.d.PublicURL, v, owner, vch, h.d.Trackers)
		return &apvocab.Activity{Type: apvocab.TypeCreate, ID: videoURL + "/activity", Actor: apobject.ActorURL(h.d.PublicURL, acc),
			To: obj.To, CC: obj.CC, Object: apvocab.Ref{ID: obj.ID, Type: apvocab.TypeVideo, Object: obj}}, nil
	}
	actorURL, by := apobject.ActorURL(h.d.PublicURL, acc), model.ActorRef{Kind: model.KindAccount, ID: acc.ID}
	if base == ChannelsPath {
		actorURL, by = apobject.ChannelURL(h.d.PublicURL, ch), model.ActorRef{Kind: model.KindChannel, ID: ch.ID}
	}
	return &apvocab.Activity{Type: apvocab.TypeAnnounce, ID: outbox.AnnounceURL(videoURL, by),
		Actor: actorURL, To: []string{apvocab.Public}, CC: cc, Object: apvocab.Ref{ID: videoURL}}, nil
}
