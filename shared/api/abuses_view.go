package api

import (
	"context"
	"errors"
	"slices"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
	"github.com/vidiverse/vidiverse/shared/store"
)

// abuseView is a report with what it names, as far as it is still held.
type abuseView struct {
	ab       model.Abuse
	reporter *model.Account
	flagged  *model.Account
	video    *model.Video   // a video report's video; nil when deleted
	channel  *model.Channel // the video's channel
	comment  *model.Comment // a comment report's comment; nil when gone
	cvideo   *model.Video   // the comment's video
}

func (v abuseView) state() int {
	if _, ok := abuseStateLabels[v.ab.State]; ok {
		return v.ab.State
	}
	return abusePending
}

// kind is PeerTube's abuse filter value: what the report is about.
func (v abuseView) kind() string {
	switch {
	case v.ab.VideoID != 0:
		return "video"
	case v.ab.CommentID != 0:
		return "comment"
	}
	return "account"
}

// abuseRefs reads, once per request, the accounts, videos, channels and
// comments reports name.
type abuseRefs struct {
	a        *API
	accounts map[int64]*model.Account
	videos   map[int64]*model.Video
	channels map[int64]*model.Channel
	comments map[int64]*model.Comment
	// indexed is set once every comment has been read into comments.
	indexed bool
}

func newAbuseRefs(a *API) *abuseRefs {
	return &abuseRefs{a: a, accounts: map[int64]*model.Account{}, videos: map[int64]*model.Video{},
		channels: map[int64]*model.Channel{}, comments: map[int64]*model.Comment{}}
}

// cached reads a record through its cache; nil when it does not exist.
func cached[T any](m map[int64]*T, id int64, read func() (T, error)) (*T, error) {
	if v, ok := m[id]; ok {
		return v, nil
	}
	v, err := read()
	if errors.Is(err, store.ErrNotFound) {
		m[id] = nil
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	m[id] = &v
	return &v, nil
}

func (c *abuseRefs) account(ctx context.Context, id int64) (*model.Account, error) {
	return cached(c.accounts, id, func() (model.Account, error) { return c.a.st.Account(ctx, id) })
}

func (c *abuseRefs) video(ctx context.Context, id int64) (*model.Video, error) {
	return cached(c.videos, id, func() (model.Video, error) { return c.a.st.Video(ctx, id) })
}

func (c *abuseRefs) channel(ctx context.Context, id int64) (*model.Channel, error) {
	return cached(c.channels, id, func() (model.Channel, error) { return c.a.st.Channel(ctx, id) })
}

// comment finds a comment by id alone. Comments are kept in their video's
// partition and the store has no index by id, so the first miss reads
// every video's comments once.
func (c *abuseRefs) comment(ctx context.Context, id int64) (*model.Comment, error) {
	if cm, ok := c.comments[id]; ok || c.indexed {
		return cm, nil
	}
	videos, err := c.a.st.Videos(ctx)
	if err != nil {
		return nil, err
	}
	for _, v := range videos {
		cs, err := c.a.st.VideoComments(ctx, v.ID)
		if err != nil {
			return nil, err
		}
		for i := range cs {
			c.comments[cs[i].ID] = &cs[i]
		}
		c.videos[v.ID] = &v
	}
	c.indexed = true
	return c.comments[id], nil
}

// view resolves what a report names.
func (c *abuseRefs) view(ctx context.Context, ab model.Abuse) (abuseView, error) {
	v := abuseView{ab: ab}
	var err error
	if v.reporter, err = c.account(ctx, ab.ReporterAccountID); err != nil {
		return v, err
	}
	flagged := ab.AccountID
	switch {
	case ab.VideoID != 0:
		if v.video, err = c.video(ctx, ab.VideoID); err != nil {
			return v, err
		}
		if v.video != nil {
			if flagged == 0 {
				flagged = v.video.AccountID
			}
			if v.channel, err = c.channel(ctx, v.video.ChannelID); err != nil {
				return v, err
			}
		}
	case ab.CommentID != 0:
		if v.comment, err = c.comment(ctx, ab.CommentID); err != nil {
			return v, err
		}
		if v.comment != nil {
			if flagged == 0 {
				flagged = v.comment.AccountID
			}
			if v.cvideo, err = c.video(ctx, v.comment.VideoID); err != nil {
				return v, err
			}
		}
	}
	if flagged != 0 {
		if v.flagged, err = c.account(ctx, flagged); err != nil {
			return v, err
		}
	}
	return v, nil
}

type abuseStateJSON struct {
	ID    int    `json:"id"`
	Label string `json:"label"`
}

type abuseVideoJSON struct {
	ID            int64        `json:"id"`
	UUID          string       `json:"uuid"`
	ShortUUID     string       `json:"shortUUID"`
	Name          string       `json:"name"`
	NSFW          bool         `json:"nsfw"`
	StartAt       *int64       `json:"startAt"`
	EndAt         *int64       `json:"endAt"`
	Deleted       bool         `json:"deleted"`
	Blacklisted   bool         `json:"blacklisted"`
	ThumbnailPath *string      `json:"thumbnailPath"`
	Channel       *channelJSON `json:"channel"`
	// CountReports and NthReport are shown to moderators.
	CountReports *int `json:"countReports,omitempty"`
	NthReport    *int `json:"nthReport,omitempty"`
}

type abuseCommentVideoJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	UUID string `json:"uuid"`
}

type abuseCommentJSON struct {
	ID       int64                 `json:"id"`
	ThreadID int64                 `json:"threadId"`
	Text     string                `json:"text"`
	Deleted  bool                  `json:"deleted"`
	Video    abuseCommentVideoJSON `json:"video"`
}

// abuseJSON is PeerTube's UserAbuse, in its field order.
type abuseJSON struct {
	ID                int64             `json:"id"`
	Reason            string            `json:"reason"`
	PredefinedReasons []string          `json:"predefinedReasons"`
	FlaggedAccount    *accountJSON      `json:"flaggedAccount"`
	State             abuseStateJSON    `json:"state"`
	CountMessages     int               `json:"countMessages"`
	CreatedAt         string            `json:"createdAt"`
	UpdatedAt         string            `json:"updatedAt"`
	Video             *abuseVideoJSON   `json:"video"`
	Comment           *abuseCommentJSON `json:"comment"`
}

// adminAbuseJSON is PeerTube's AdminAbuse.
type adminAbuseJSON struct {
	abuseJSON
	ModerationComment       *string      `json:"moderationComment"`
	ReporterAccount         *accountJSON `json:"reporterAccount"`
	CountReportsForReporter int          `json:"countReportsForReporter"`
	CountReportsForReportee int          `json:"countReportsForReportee"`
}

func (a *API) optAccountJSON(acc *model.Account) *accountJSON {
	if acc == nil {
		return nil
	}
	j := a.accountJSON(*acc)
	return &j
}

func (a *API) abuseJSON(v abuseView) abuseJSON {
	reasons := make([]string, 0, len(v.ab.PredefinedReasons))
	for _, r := range v.ab.PredefinedReasons {
		if slices.Contains(abusePredefinedReasons, r) {
			reasons = append(reasons, r)
		}
	}
	j := abuseJSON{
		ID: v.ab.ID, Reason: v.ab.Reason, PredefinedReasons: reasons, FlaggedAccount: a.optAccountJSON(v.flagged),
		State:     abuseStateJSON{ID: v.state(), Label: abuseStateLabels[v.state()]},
		CreatedAt: timeJSON(v.ab.CreatedAt), UpdatedAt: timeJSON(v.ab.UpdatedAt),
	}
	switch v.kind() {
	case "video":
		// A deleted video keeps only its id here.
		vj := &abuseVideoJSON{ID: v.ab.VideoID, StartAt: v.ab.StartAt, EndAt: v.ab.EndAt, Deleted: v.video == nil}
		if vid := v.video; vid != nil {
			vj.UUID, vj.ShortUUID, vj.Name, vj.NSFW = vid.UUID, shortuuid.FromUUID(vid.UUID), vid.Name, vid.NSFW
			vj.ThumbnailPath = a.videoBase(*vid).ThumbnailPath
		}
		if v.channel != nil {
			ch := a.channelJSON(*v.channel, nil)
			vj.Channel = &ch
		}
		j.Video = vj
	case "comment":
		if c := v.comment; c != nil {
			cj := &abuseCommentJSON{ID: c.ID, ThreadID: c.ThreadID, Text: c.Text, Deleted: c.DeletedAt != nil}
			if c.DeletedAt != nil {
				cj.Text = ""
			}
			if v.cvideo != nil {
				cj.Video = abuseCommentVideoJSON{ID: v.cvideo.ID, Name: v.cvideo.Name, UUID: v.cvideo.UUID}
			}
			j.Comment = cj
		}
	}
	return j
}

// adminAbuseJSON adds what moderators see; all is every report, for the
// counts.
func (a *API) adminAbuseJSON(v abuseView, all []abuseView) adminAbuseJSON {
	j := adminAbuseJSON{abuseJSON: a.abuseJSON(v), ModerationComment: nullable(v.ab.ModerationComment),
		ReporterAccount: a.optAccountJSON(v.reporter)}
	count, nth := 0, 0
	for _, o := range all {
		if o.ab.ReporterAccountID == v.ab.ReporterAccountID {
			j.CountReportsForReporter++
		}
		if v.flagged != nil && o.flagged != nil && o.flagged.ID == v.flagged.ID {
			j.CountReportsForReportee++
		}
		if v.ab.VideoID != 0 && o.ab.VideoID == v.ab.VideoID {
			count++
			if o.ab.ID <= v.ab.ID {
				nth++
			}
		}
	}
	if j.Video != nil {
		j.Video.CountReports, j.Video.NthReport = &count, &nth
	}
	return j
}
