package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
)

// Comment threads (/api/v1/videos/{id}/comment-threads and /comments).

// commentJSON is PeerTube's VideoComment.
type commentJSON struct {
	ID                          int64        `json:"id"`
	URL                         string       `json:"url"`
	Text                        string       `json:"text"`
	ThreadID                    int64        `json:"threadId"`
	InReplyToCommentID          *int64       `json:"inReplyToCommentId"`
	VideoID                     int64        `json:"videoId"`
	CreatedAt                   string       `json:"createdAt"`
	UpdatedAt                   string       `json:"updatedAt"`
	DeletedAt                   *string      `json:"deletedAt"`
	IsDeleted                   bool         `json:"isDeleted"`
	HeldForReview               bool         `json:"heldForReview"`
	TotalRepliesFromVideoAuthor int          `json:"totalRepliesFromVideoAuthor"`
	TotalReplies                int          `json:"totalReplies"`
	Account                     *accountJSON `json:"account"`
}

type threadTree struct {
	Comment  commentJSON  `json:"comment"`
	Children []threadTree `json:"children"`
}

// commentURL is a local comment's ActivityPub id.
func (a *API) commentURL(v model.Video, id int64) string {
	return fmt.Sprintf("%s/videos/watch/%s/comments/%d", a.cfg.PublicURL, v.UUID, id)
}

func (a *API) commentJSON(ctx context.Context, v model.Video, c model.Comment, all []model.Comment) (commentJSON, error) {
	j := commentJSON{ID: c.ID, URL: c.URL, Text: c.Text, ThreadID: c.ThreadID, VideoID: c.VideoID,
		CreatedAt: timeJSON(c.CreatedAt), UpdatedAt: timeJSON(c.UpdatedAt)}
	if c.InReplyToID != 0 {
		id := c.InReplyToID
		j.InReplyToCommentID = &id
	}
	if c.DeletedAt != nil {
		j.DeletedAt, j.IsDeleted = timeOrNull(*c.DeletedAt), true
	} else {
		acc, err := a.st.Account(ctx, c.AccountID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return j, err
		}
		if err == nil {
			aj := a.accountJSON(acc)
			j.Account = &aj
		}
	}
	if c.InReplyToID == 0 {
		for _, o := range all {
			if o.ThreadID == c.ID && o.ID != c.ID && o.DeletedAt == nil {
				j.TotalReplies++
				if o.AccountID == v.AccountID {
					j.TotalRepliesFromVideoAuthor++
				}
			}
		}
	}
	return j, nil
}

// commentedVideo resolves the video of a comment route and checks the
// caller may see it.
func (a *API) commentedVideo(r *http.Request) (model.Video, []model.Comment, error) {
	v, _, err := a.visibleVideo(r, "id", "getVideoCommentThreads")
	if err != nil {
		return v, nil, err
	}
	cs, err := a.st.VideoComments(r.Context(), v.ID)
	return v, cs, err
}

// listCommentThreads answers GET /api/v1/videos/{id}/comment-threads.
func (a *API) listCommentThreads(w http.ResponseWriter, r *http.Request) error {
	p, err := parsePage(r, []string{"createdAt", "totalReplies"}, "-createdAt")
	if err != nil {
		return err
	}
	v, cs, err := a.commentedVideo(r)
	if err != nil {
		return err
	}
	var threads []commentJSON
	notDeleted := 0
	for _, c := range cs {
		if c.DeletedAt == nil {
			notDeleted++
		}
		if c.InReplyToID != 0 {
			continue
		}
		j, err := a.commentJSON(r.Context(), v, c, cs)
		if err != nil {
			return err
		}
		threads = append(threads, j)
	}
	page := paginate(threads, p, map[string]func(commentJSON) string{
		"createdAt":    func(c commentJSON) string { return c.CreatedAt },
		"totalReplies": func(c commentJSON) string { return fmt.Sprintf("%010d", c.TotalReplies) }})
	return writeJSON(w, http.StatusOK, struct {
		Total                   int           `json:"total"`
		TotalNotDeletedComments int           `json:"totalNotDeletedComments"`
		Data                    []commentJSON `json:"data"`
	}{page.Total, notDeleted, page.Data})
}

// getCommentThread answers GET /api/v1/videos/{id}/comment-threads/{threadId}.
func (a *API) getCommentThread(w http.ResponseWriter, r *http.Request) error {
	v, cs, err := a.commentedVideo(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("threadId"), 10, 64)
	if err != nil || id < 1 {
		return problem.InvalidField("path", "threadId", r.PathValue("threadId"), "Invalid value")
	}
	i := slices.IndexFunc(cs, func(c model.Comment) bool { return c.ID == id && c.InReplyToID == 0 })
	if i < 0 {
		return problem.NotFound("Video comment thread not found")
	}
	tree, err := a.tree(r.Context(), v, cs[i], cs)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, tree)
}

func (a *API) tree(ctx context.Context, v model.Video, c model.Comment, all []model.Comment) (threadTree, error) {
	j, err := a.commentJSON(ctx, v, c, all)
	if err != nil {
		return threadTree{}, err
	}
	t := threadTree{Comment: j, Children: []threadTree{}}
	for _, o := range all {
		if o.InReplyToID == c.ID {
			child, err := a.tree(ctx, v, o, all)
			if err != nil {
				return t, err
			}
			t.Children = append(t.Children, child)
		}
	}
	return t, nil
}

// postComment answers POST /videos/{id}/comment-threads (a new thread)
// and POST /videos/{id}/comments/{commentId} (a reply).
func (a *API) postComment(reply bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body struct {
			Text string `json:"text"`
		}
		if err := decodeJSON(r, &body); err != nil {
			return err
		}
		if n := utf8.RuneCountInString(body.Text); n < 1 || n > 10000 {
			return problem.InvalidField("body", "text", body.Text, "Should have a valid comment text")
		}
		v, _, err := a.visibleVideo(r, "id", "addCommentThread")
		if err != nil {
			return err
		}
		if v.CommentsPolicy == model.CommentsDisabled {
			return problem.Conflict("", "Video comments are disabled")
		}
		ctx := r.Context()
		u := currentUser(r)
		c := model.Comment{VideoID: v.ID, AccountID: u.AccountID, Text: body.Text}
		inReplyTo := a.videoAPURL(v)
		if reply {
			pid, err := strconv.ParseInt(r.PathValue("commentId"), 10, 64)
			if err != nil || pid < 1 {
				return problem.InvalidField("path", "commentId", r.PathValue("commentId"), "Invalid value")
			}
			parent, err := a.st.Comment(ctx, v.ID, pid)
			if errors.Is(err, store.ErrNotFound) || (err == nil && parent.DeletedAt != nil) {
				return problem.NotFound("Video comment not found")
			}
			if err != nil {
				return err
			}
			c.ThreadID, c.InReplyToID, inReplyTo = parent.ThreadID, parent.ID, parent.URL
		}
		if c.ID, err = a.st.NewCommentID(ctx); err != nil {
			return err
		}
		c.URL = a.commentURL(v, c.ID)
		saved, _, err := a.st.CreateComment(ctx, c)
		if err != nil {
			return err
		}
		author, err := a.st.Account(ctx, u.AccountID)
		if err != nil {
			return err
		}
		if a.outbox != nil {
			if err := a.outbox.CommentCreated(ctx, saved, v, author, inReplyTo); err != nil {
				a.log.ErrorContext(ctx, "federate comment", "comment", saved.URL, "err", err)
			}
		}
		j, err := a.commentJSON(ctx, v, saved, nil)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, map[string]commentJSON{"comment": j})
	}
}

// videoAPURL is a video's ActivityPub id.
func (a *API) videoAPURL(v model.Video) string {
	if v.Remote != nil {
		return v.Remote.URL
	}
	return a.cfg.PublicURL + "/videos/watch/" + v.UUID
}

// deleteComment answers DELETE /api/v1/videos/{id}/comments/{commentId}:
// the author, the video's owner or a moderator may delete a comment.
func (a *API) deleteComment(w http.ResponseWriter, r *http.Request) error {
	v, _, err := a.visibleVideo(r, "id", "deleteVideoComment")
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("commentId"), 10, 64)
	if err != nil || id < 1 {
		return problem.InvalidField("path", "commentId", r.PathValue("commentId"), "Invalid value")
	}
	ctx := r.Context()
	c, err := a.st.Comment(ctx, v.ID, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && c.DeletedAt != nil) {
		return problem.NotFound("Video comment not found")
	}
	if err != nil {
		return err
	}
	u := currentUser(r)
	if c.AccountID != u.AccountID && !ownsVideo(u, v) && !isModerator(u) {
		return problem.Forbidden("Cannot remove video comment of another user")
	}
	if _, err := a.st.DeleteComment(ctx, c); err != nil {
		return err
	}
	if a.outbox != nil && c.URL == a.commentURL(v, c.ID) {
		author, err := a.st.Account(ctx, c.AccountID)
		if err == nil {
			err = a.outbox.CommentDeleted(ctx, c, v, author)
		}
		if err != nil {
			a.log.ErrorContext(ctx, "federate comment deletion", "comment", c.URL, "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
