package resolve

import (
	"context"
	"fmt"

	"github.com/vidiverse/vidiverse/shared/apvocab"
)

// CrawlOutbox brings in the videos a remote actor's outbox lists (Creates
// with the video embedded, Announces naming it), at most max of them,
// newest first, as PeerTube does once a follow is accepted. Items that
// cannot be read are skipped; it returns how many videos it stored.
func (r *Resolver) CrawlOutbox(ctx context.Context, outboxURL string, max int) (int, error) {
	if outboxURL == "" || r.IsLocal(outboxURL) {
		return 0, nil
	}
	col, err := r.collection(ctx, outboxURL)
	if err != nil {
		return 0, err
	}
	page := col
	if !col.IsPage() {
		if page, err = r.pageOf(ctx, col.First); err != nil || page == nil {
			return 0, err
		}
	}
	stored, seen := 0, 0
	for pages := 0; page != nil && pages < 10 && seen < max; pages++ {
		for _, it := range page.OrderedItems {
			if seen >= max {
				break
			}
			seen++
			if r.crawlItem(ctx, outboxURL, it) {
				stored++
			}
		}
		if page.Next.IsZero() || seen >= max {
			break
		}
		if page, err = r.pageOf(ctx, page.Next); err != nil {
			return stored, err
		}
	}
	return stored, nil
}

// crawlItem stores the video an outbox item is about; it reports success.
func (r *Resolver) crawlItem(ctx context.Context, outboxURL string, it apvocab.Ref) bool {
	act, ok := it.Object.(*apvocab.Activity)
	if !ok || !SameOrigin(act.Actor, outboxURL) {
		return false
	}
	var err error
	switch {
	case act.Type == apvocab.TypeCreate:
		v, isVideo := act.Object.Object.(*apvocab.Video)
		if !isVideo {
			return false
		}
		_, _, err = r.SaveVideo(ctx, v, act.Actor)
	case act.Type == apvocab.TypeAnnounce && act.Object.ID != "":
		_, err = r.Video(ctx, act.Object.ID)
	default:
		return false
	}
	if err != nil {
		r.log().InfoContext(ctx, "outbox item not imported", "outbox", outboxURL, "activity", act.ID, "err", err)
		return false
	}
	return true
}

// collection fetches a collection or collection page.
func (r *Resolver) collection(ctx context.Context, u string) (*apvocab.Collection, error) {
	body, err := r.Get(ctx, u)
	if err != nil {
		return nil, err
	}
	obj, err := apvocab.Decode(body)
	if err != nil {
		return nil, fmt.Errorf("collection %s: %w", u, err)
	}
	c, ok := obj.(*apvocab.Collection)
	if !ok || !SameOrigin(c.ID, u) {
		return nil, fmt.Errorf("collection %s: not a collection of that host", u)
	}
	return c, nil
}

// pageOf is a page named by a collection's first or next member
// (embedded or by URL); nil when there is none.
func (r *Resolver) pageOf(ctx context.Context, ref apvocab.Ref) (*apvocab.Collection, error) {
	if c, ok := ref.Object.(*apvocab.Collection); ok {
		return c, nil
	}
	if ref.ID == "" {
		return nil, nil
	}
	return r.collection(ctx, ref.ID)
}
