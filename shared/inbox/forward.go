package inbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/fetch"
)

// errUnconfirmed is the cause of every refused forwarded activity.
var errUnconfirmed = errors.New("forwarded activity not confirmed by its origin")

// confirm asks the origin of a forwarded activity (one signed by another
// actor than its own) whether it is genuine, and returns the activity to
// record: for Create and Update the body with the object replaced by the
// origin's, for Announce the origin's Announce, for Delete the body as
// received. See the package documentation.
func (h *Handler) confirm(ctx context.Context, act *apvocab.Activity, body []byte) ([]byte, error) {
	unconfirmed := func(format string, args ...any) error {
		return refuse(http.StatusUnauthorized, "Forwarded activity could not be confirmed by its origin",
			fmt.Errorf("%w: %s %s by %s: %s", errUnconfirmed, act.Type, act.ID, act.Actor, fmt.Sprintf(format, args...)))
	}
	switch act.Type {
	case apvocab.TypeCreate, apvocab.TypeUpdate, apvocab.TypeDelete:
		if act.Objects != nil {
			return nil, unconfirmed("object is a list")
		}
		objID := act.Object.ID
		if objID == "" || !sameHost(objID, act.Actor) {
			return nil, unconfirmed("object %q is not on the actor's host", objID)
		}
		doc, err := h.d.Confirm(ctx, objID)
		if act.Type == apvocab.TypeDelete {
			if err == nil && isTombstone(doc, objID) ||
				errors.Is(err, fetch.ErrNotFound) || errors.Is(err, fetch.ErrGone) {
				return body, nil
			}
			if err != nil {
				return nil, unconfirmed("fetch %s: %v", objID, err)
			}
			return nil, unconfirmed("%s still exists", objID)
		}
		if err != nil {
			return nil, unconfirmed("fetch %s: %v", objID, err)
		}
		o, err := apvocab.Decode(doc)
		if err != nil {
			return nil, unconfirmed("fetched %s: %v", objID, err)
		}
		if o.ObjectID() != objID {
			return nil, unconfirmed("fetched %s has id %q", objID, o.ObjectID())
		}
		raw, err := apvocab.WithMember(body, "object", doc)
		if err != nil {
			return nil, unconfirmed("replace object: %v", err)
		}
		return raw, nil
	case apvocab.TypeAnnounce:
		doc, err := h.d.Confirm(ctx, act.ID) // parse checked it is on the actor's host
		if err != nil {
			return nil, unconfirmed("fetch %s: %v", act.ID, err)
		}
		got, err := apvocab.DecodeActivity(doc)
		if err != nil {
			return nil, unconfirmed("fetched %s: %v", act.ID, err)
		}
		if got.Type != act.Type || got.ID != act.ID || got.Actor != act.Actor ||
			!slices.Equal(got.ObjectIDs(), act.ObjectIDs()) || len(act.ObjectIDs()) == 0 {
			return nil, unconfirmed("origin serves %s %s by %s of %v, forwarded was of %v",
				got.Type, got.ID, got.Actor, got.ObjectIDs(), act.ObjectIDs())
		}
		return doc, nil
	}
	return nil, unconfirmed("a forwarded %s cannot be confirmed", act.Type)
}

// isTombstone reports whether a fetched document is the Tombstone of id.
func isTombstone(doc []byte, id string) bool {
	o, err := apvocab.Decode(doc)
	return err == nil && o.ObjectType() == apvocab.TypeTombstone && o.ObjectID() == id
}
