package resolve

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/vidiverse/vidiverse/shared/apobject"
	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
)

// MaxThreadDepth bounds how far up a reply chain Comment walks to find its
// video (PeerTube walks 100 hops; real threads are far shallower).
const MaxThreadDepth = 30

// ErrNotOwner means an object names owners on another host than the
// actor who sent it.
var ErrNotOwner = errors.New("object not owned by its sender")

// LocalVideo reads a local video from its watch URL.
func (r *Resolver) LocalVideo(ctx context.Context, u string) (model.Video, error) {
	rest, ok := strings.CutPrefix(u, r.PublicURL+"/videos/watch/")
	if !ok {
		return model.Video{}, fmt.Errorf("local video %s: %w", u, store.ErrNotFound)
	}
	v, err := r.Store.VideoByUUID(ctx, rest)
	if err == nil && v.Remote != nil {
		err = store.ErrNotFound
	}
	return v, err
}

// KnownVideo reads a video (local, or remote and held) by URL, without
// fetching.
func (r *Resolver) KnownVideo(ctx context.Context, u string) (model.Video, error) {
	if r.IsLocal(u) {
		return r.LocalVideo(ctx, u)
	}
	return r.Store.VideoByURL(ctx, u)
}

// Video resolves a video URL: a local one, a remote one held, or a remote
// one fetched and stored.
func (r *Resolver) Video(ctx context.Context, u string) (model.Video, error) {
	v, err := r.KnownVideo(ctx, u)
	if err == nil || r.IsLocal(u) || !errors.Is(err, store.ErrNotFound) {
		return v, err
	}
	body, err := r.Get(ctx, u)
	if err != nil {
		return v, err
	}
	obj, err := apvocab.Decode(body)
	if err != nil {
		return v, fmt.Errorf("video %s: %w", u, err)
	}
	av, ok := obj.(*apvocab.Video)
	if !ok || !SameOrigin(av.ID, u) {
		return v, fmt.Errorf("video %s: not a video of that host: %w", u, apobject.ErrInvalid)
	}
	v, _, err = r.SaveVideo(ctx, av, "")
	return v, err
}

// SaveVideo stores (or refreshes) a remote video object. sender, when
// set, is the actor the object came from: the video's owners must be on
// its host. It reports whether the video was new.
func (r *Resolver) SaveVideo(ctx context.Context, av *apvocab.Video, sender string) (model.Video, bool, error) {
	rv, err := apobject.FromVideo(av)
	if err != nil {
		return model.Video{}, false, err
	}
	if r.IsLocal(av.ID) {
		return model.Video{}, false, fmt.Errorf("video %s: a local URL from a remote server: %w", av.ID, ErrNotOwner)
	}
	if !SameOrigin(rv.ChannelURL, av.ID) || (rv.AccountURL != "" && !SameOrigin(rv.AccountURL, av.ID)) ||
		(sender != "" && !SameOrigin(sender, av.ID)) {
		return model.Video{}, false, fmt.Errorf("video %s: %w", av.ID, ErrNotOwner)
	}
	chRef, err := r.Actor(ctx, rv.ChannelURL)
	if err != nil {
		return model.Video{}, false, fmt.Errorf("video %s: channel: %w", av.ID, err)
	}
	if chRef.Kind != model.KindChannel {
		return model.Video{}, false, fmt.Errorf("video %s: %s is not a channel: %w", av.ID, rv.ChannelURL, apobject.ErrInvalid)
	}
	ch, err := r.Store.Channel(ctx, chRef.ID)
	if err != nil {
		return model.Video{}, false, err
	}
	v := rv.Video
	v.ChannelID, v.AccountID = ch.ID, ch.AccountID
	return r.Store.SaveRemoteVideo(ctx, v)
}

// Comment resolves a comment URL (local, held, or fetched with its thread
// up to its video) to the stored comment.
func (r *Resolver) Comment(ctx context.Context, u string) (model.Comment, error) {
	return r.comment(ctx, u, 0)
}

func (r *Resolver) comment(ctx context.Context, u string, depth int) (model.Comment, error) {
	c, err := r.Store.CommentByURL(ctx, u)
	if err == nil || r.IsLocal(u) || !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	if depth >= MaxThreadDepth {
		return c, fmt.Errorf("comment %s: thread deeper than %d: %w", u, MaxThreadDepth, apobject.ErrInvalid)
	}
	body, err := r.Get(ctx, u)
	if err != nil {
		return c, err
	}
	obj, err := apvocab.Decode(body)
	if err != nil {
		return c, fmt.Errorf("comment %s: %w", u, err)
	}
	n, ok := obj.(*apvocab.Note)
	if !ok || !SameOrigin(n.ID, u) {
		return c, fmt.Errorf("comment %s: not a note of that host: %w", u, apobject.ErrInvalid)
	}
	return r.fetchedComment(ctx, n, depth)
}

// fetchedComment stores a parent note fetched at depth in a thread.
func (r *Resolver) fetchedComment(ctx context.Context, n *apvocab.Note, depth int) (model.Comment, error) {
	if c, err := r.Store.CommentByURL(ctx, n.ID); err == nil || !errors.Is(err, store.ErrNotFound) {
		return c, err
	}
	if depth >= MaxThreadDepth {
		return model.Comment{}, fmt.Errorf("comment %s: thread deeper than %d: %w", n.ID, MaxThreadDepth, apobject.ErrInvalid)
	}
	return r.saveComment(ctx, n, depth)
}

// SaveComment stores a received Note as a comment, resolving its author
// and what it answers (fetching unknown parents up to its video).
func (r *Resolver) SaveComment(ctx context.Context, n *apvocab.Note) (model.Comment, error) {
	return r.saveComment(ctx, n, 0)
}

func (r *Resolver) saveComment(ctx context.Context, n *apvocab.Note, depth int) (model.Comment, error) {
	rc, err := apobject.FromNote(n)
	if err != nil {
		return model.Comment{}, err
	}
	if !SameOrigin(rc.AttributedTo, rc.URL) {
		return model.Comment{}, fmt.Errorf("comment %s: author %s: %w", rc.URL, rc.AttributedTo, ErrNotOwner)
	}
	author, err := r.Actor(ctx, rc.AttributedTo)
	if err != nil {
		return model.Comment{}, fmt.Errorf("comment %s: author: %w", rc.URL, err)
	}
	if author.Kind != model.KindAccount {
		return model.Comment{}, fmt.Errorf("comment %s: author is a channel: %w", rc.URL, apobject.ErrInvalid)
	}
	c := model.Comment{URL: rc.URL, AccountID: author.ID, Text: rc.Text, CreatedAt: rc.Published, UpdatedAt: rc.Updated}
	// What it answers: a video, or a comment (itself answering …).
	if v, note, err := r.videoOrNothing(ctx, rc.InReplyTo); err != nil {
		return model.Comment{}, err
	} else if v != nil {
		c.VideoID = v.ID
	} else {
		var parent model.Comment
		if note != nil {
			// The parent was fetched to tell it from a video: not twice.
			parent, err = r.fetchedComment(ctx, note, depth+1)
		} else {
			parent, err = r.comment(ctx, rc.InReplyTo, depth+1)
		}
		if err != nil {
			return model.Comment{}, fmt.Errorf("comment %s: parent: %w", rc.URL, err)
		}
		c.VideoID, c.ThreadID, c.InReplyToID = parent.VideoID, parent.ThreadID, parent.ID
	}
	if c.ID, err = r.Store.NewCommentID(ctx); err != nil {
		return model.Comment{}, err
	}
	saved, _, err := r.Store.CreateComment(ctx, c)
	return saved, err
}

// videoOrNothing resolves u as a video when it is one (a known video, or a
// remote document of type Video); nil when u is something else. A remote
// Note of u's host it fetched to tell is returned, for the caller to store.
func (r *Resolver) videoOrNothing(ctx context.Context, u string) (*model.Video, *apvocab.Note, error) {
	if v, err := r.KnownVideo(ctx, u); err == nil {
		return &v, nil, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, nil, err
	}
	if r.IsLocal(u) {
		return nil, nil, nil
	}
	if _, err := r.Store.CommentByURL(ctx, u); err == nil {
		return nil, nil, nil
	}
	body, err := r.Get(ctx, u)
	if err != nil {
		return nil, nil, err
	}
	obj, err := apvocab.Decode(body)
	if err != nil {
		return nil, nil, fmt.Errorf("resolve %s: %w", u, err)
	}
	if n, ok := obj.(*apvocab.Note); ok && SameOrigin(n.ID, u) {
		return nil, n, nil
	}
	av, ok := obj.(*apvocab.Video)
	if !ok {
		return nil, nil, nil
	}
	if !SameOrigin(av.ID, u) {
		return nil, nil, fmt.Errorf("video %s: not a video of that host: %w", u, apobject.ErrInvalid)
	}
	v, _, err := r.SaveVideo(ctx, av, "")
	if err != nil {
		return nil, nil, err
	}
	return &v, nil, nil
}
