package federation

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/apobject"
	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
)

// collectionPageSize is PeerTube's page size of ActivityPub collections.
const collectionPageSize = 10

// followCollection serves an actor's followers or following collection
// (c), with the actor URLs of its accepted follows, paged as PeerTube pages
// them; an empty one is served as emptyCollection serves it.
func (h *Handler) followCollection(base, c string, ref func(context.Context, string) (model.ActorRef, error)) handlerFunc {
	empty := h.emptyCollection(base, c, func(ctx context.Context, name string) error { _, err := ref(ctx, name); return err })
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		name := r.PathValue("name")
		me, err := ref(ctx, name)
		if err != nil {
			return err
		}
		items, err := h.followURLs(ctx, me, c == "followers")
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return empty(w, r)
		}
		id := h.d.PublicURL + base + name + "/" + c
		page, err := strconv.Atoi(r.URL.Query().Get("page"))
		if err != nil || page < 1 {
			return writeAP(w, &apvocab.Collection{ID: id, Type: apvocab.TypeOrderedCollection,
				TotalItems: int64(len(items)), First: apvocab.Ref{ID: id + "?page=1"}})
		}
		col := &apvocab.Collection{ID: id + "?page=" + strconv.Itoa(page), Type: apvocab.TypeOrderedCollectionPage,
			PartOf: apvocab.Ref{ID: id}, OrderedItems: []apvocab.Ref{}, TotalItems: int64(len(items))}
		start := (page - 1) * collectionPageSize
		for i := start; i < len(items) && i < start+collectionPageSize; i++ {
			col.OrderedItems = append(col.OrderedItems, apvocab.Ref{ID: items[i]})
		}
		if page > 1 {
			col.Prev = apvocab.Ref{ID: id + "?page=" + strconv.Itoa(page-1)}
		}
		if start+collectionPageSize < len(items) {
			col.Next = apvocab.Ref{ID: id + "?page=" + strconv.Itoa(page+1)}
		}
		return writeAP(w, col)
	}
}

// followURLs lists the actor URLs of me's accepted followers (or of whom
// it follows).
func (h *Handler) followURLs(ctx context.Context, me model.ActorRef, followers bool) ([]string, error) {
	var fs []model.Follow
	var err error
	if followers {
		fs, err = h.d.Store.Followers(ctx, me)
	} else {
		fs, err = h.d.Store.Following(ctx, me)
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range fs {
		if f.State != model.FollowAccepted {
			continue
		}
		other := f.Target
		if followers {
			other = f.Follower
		}
		u, err := h.actorURL(ctx, other)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func (h *Handler) actorURL(ctx context.Context, r model.ActorRef) (string, error) {
	if r.Kind == model.KindChannel {
		c, err := h.d.Store.Channel(ctx, r.ID)
		return apobject.ChannelURL(h.d.PublicURL, c), err
	}
	a, err := h.d.Store.Account(ctx, r.ID)
	return apobject.ActorURL(h.d.PublicURL, a), err
}

func (h *Handler) accountRef(ctx context.Context, name string) (model.ActorRef, error) {
	a, err := h.localAccount(ctx, name)
	return model.ActorRef{Kind: model.KindAccount, ID: a.ID}, err
}

func (h *Handler) channelRef(ctx context.Context, name string) (model.ActorRef, error) {
	c, err := h.localChannel(ctx, name)
	return model.ActorRef{Kind: model.KindChannel, ID: c.ID}, err
}
