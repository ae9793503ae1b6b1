package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
	"github.com/vidiverse/vidiverse/shared/store"
)

// Abuse reports, as PeerTube 6 takes and lists them. A report names one
// video, comment or account; the stored report keeps the reported account
// in AccountID whatever was reported (PeerTube's flaggedAccountId), and the
// video or comment id for those reports. Reports of remote content stay on
// this instance.

// Abuse states, with PeerTube's ids and labels.
const (
	abusePending  = 1
	abuseRejected = 2
	abuseAccepted = 3
)

var abuseStateLabels = map[int]string{abusePending: "Pending", abuseRejected: "Rejected", abuseAccepted: "Accepted"}

// abusePredefinedReasons are the reasons PeerTube's abusePredefinedReasonsMap
// knows (the OpenAPI's "violentOrAbusive" is wrong; PeerTube takes
// "violentOrRepulsive").
var abusePredefinedReasons = []string{"violentOrRepulsive", "hatefulOrAbusive", "spamOrMisleading",
	"privacy", "rights", "serverRules", "thumbnails", "captions"}

// PeerTube's CONSTRAINTS_FIELDS.ABUSES.REASON.
const (
	abuseReasonMin = 2
	abuseReasonMax = 3000
)

// idOrUUID is a video id field: a number or a string (an id, a UUID or a
// short UUID).
type idOrUUID struct {
	Set bool
	Raw string
}

func (v *idOrUUID) UnmarshalJSON(b []byte) error {
	v.Set = true
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		return json.Unmarshal(b, &v.Raw)
	case string(b) == "null":
		v.Raw = ""
		return nil
	}
	if _, err := strconv.ParseInt(string(b), 10, 64); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: stringType}
	}
	v.Raw = string(b)
	return nil
}

// optTimestamp is a video timestamp: null, a number or a numeric string.
type optTimestamp struct {
	Set, Null, Bad bool
	V              int64
}

func (o *optTimestamp) UnmarshalJSON(b []byte) error {
	o.Set = true
	s := string(bytes.TrimSpace(b))
	if s == "null" || s == `"null"` {
		o.Null = true
		return nil
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal([]byte(s), &s); err != nil {
			return err
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	o.V, o.Bad = n, err != nil
	return nil
}

type abuseBody struct {
	Reason            optString `json:"reason"`
	PredefinedReasons *[]string `json:"predefinedReasons"`
	Video             *struct {
		ID      idOrUUID     `json:"id"`
		StartAt optTimestamp `json:"startAt"`
		EndAt   optTimestamp `json:"endAt"`
	} `json:"video"`
	Comment *struct {
		ID optInt `json:"id"`
	} `json:"comment"`
	Account *struct {
		ID optInt `json:"id"`
	} `json:"account"`
}

// check is PeerTube's abuseReportValidator field checks.
func (b abuseBody) check() error {
	fe := newFieldErrors("body")
	if b.Reason.Null || !b.Reason.Set || runeLen(b.Reason.V) < abuseReasonMin || runeLen(b.Reason.V) > abuseReasonMax {
		fe.add("reason", b.Reason.V, "Invalid value")
	}
	if b.PredefinedReasons != nil {
		for _, r := range *b.PredefinedReasons {
			if !slices.Contains(abusePredefinedReasons, r) {
				fe.add("predefinedReasons", *b.PredefinedReasons, "Invalid value")
			}
		}
	}
	if v := b.Video; v != nil {
		if v.ID.Set && !validVideoRef(v.ID.Raw) {
			fe.add("video.id", v.ID.Raw, "Invalid value")
		}
		if v.StartAt.Set && !v.StartAt.Null && (v.StartAt.Bad || v.StartAt.V < 0) {
			fe.add("video.startAt", nil, "Invalid value")
		}
		if v.EndAt.Set {
			switch {
			case !v.EndAt.Null && (v.EndAt.Bad || v.EndAt.V < 0):
				fe.add("video.endAt", nil, "Invalid value")
			case v.EndAt.Null || !v.StartAt.Set || v.StartAt.Null || v.EndAt.V <= v.StartAt.V:
				fe.add("video.endAt", nil, "Should have a startAt timestamp beginning before endAt")
			}
		}
	}
	return fe.err()
}

// validVideoRef is PeerTube's isIdOrUUIDValid after toCompleteUUID.
func validVideoRef(s string) bool {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return true
	}
	if uuidRe.MatchString(s) {
		return true
	}
	_, ok := shortuuid.ToUUID(s)
	return ok
}

// videoByRef reads a video by id, UUID or short UUID (404 when none).
func (a *API) videoByRef(ctx context.Context, ref string) (model.Video, error) {
	var v model.Video
	var err error
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
		v, err = a.st.Video(ctx, id)
	} else if uuidRe.MatchString(ref) {
		v, err = a.st.VideoByUUID(ctx, strings.ToLower(ref))
	} else if u, ok := shortuuid.ToUUID(ref); ok {
		v, err = a.st.VideoByUUID(ctx, u)
	} else {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		return v, problem.NotFound("Video not found")
	}
	return v, err
}

// postAbuse answers POST /api/v1/abuses: {abuse: {id}}.
func (a *API) postAbuse(w http.ResponseWriter, r *http.Request) error {
	var b abuseBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if err := b.check(); err != nil {
		return err
	}
	me := currentUser(r)
	ab := model.Abuse{ReporterAccountID: me.AccountID, Reason: b.Reason.V, State: abusePending, PredefinedReasons: []string{}}
	if b.PredefinedReasons != nil {
		ab.PredefinedReasons = *b.PredefinedReasons
	}
	refs := newAbuseRefs(a)
	var (
		video   *model.Video
		comment *model.Comment
		account *model.Account
	)
	// PeerTube checks the video, then the account, then the comment; an
	// id of 0 counts as none.
	if b.Video != nil && b.Video.ID.Raw != "" && b.Video.ID.Raw != "0" {
		v, err := a.videoByRef(r.Context(), b.Video.ID.Raw)
		if err != nil {
			return err
		}
		video = &v
	}
	if b.Account != nil && b.Account.ID.V != 0 {
		acc, err := refs.account(r.Context(), b.Account.ID.V)
		if err != nil {
			return err
		}
		if acc == nil {
			return problem.NotFound("Account not found")
		}
		account = acc
	}
	if b.Comment != nil && b.Comment.ID.V != 0 {
		c, err := refs.comment(r.Context(), b.Comment.ID.V)
		if err != nil {
			return err
		}
		if c == nil || c.DeletedAt != nil {
			return problem.NotFound("Video comment thread not found")
		}
		comment = c
	}
	switch {
	case video != nil:
		ab.VideoID, ab.AccountID = video.ID, video.AccountID
		if b.Video.StartAt.Set && !b.Video.StartAt.Null {
			ab.StartAt = &b.Video.StartAt.V
		}
		if b.Video.EndAt.Set && !b.Video.EndAt.Null {
			ab.EndAt = &b.Video.EndAt.V
		}
	case comment != nil:
		ab.CommentID, ab.AccountID = comment.ID, comment.AccountID
	case account != nil:
		ab.AccountID = account.ID
	default:
		return problem.BadRequest("video id or account id or comment id is required.")
	}
	created, err := a.st.CreateAbuse(r.Context(), ab)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"abuse": map[string]int64{"id": created.ID}})
}

// abuseQuery is the filters of the abuse lists.
type abuseQuery struct {
	page
	id                                                         int64
	state                                                      int
	filter, predefinedReason, videoIs                          string
	searchReporter, searchReportee, searchVideo, searchChannel string
}

// parseAbuseQuery reads the abuse lists' query: paging, sorting and, for
// moderators (admin), PeerTube's filters.
func parseAbuseQuery(r *http.Request, admin bool) (abuseQuery, error) {
	p, err := parsePage(r, []string{"id", "createdAt", "state"}, "-createdAt")
	if err != nil {
		return abuseQuery{}, err
	}
	aq := abuseQuery{page: p}
	q := r.URL.Query()
	fe := newFieldErrors("query")
	if v := q.Get("id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			fe.add("id", v, "Invalid value")
		}
		aq.id = n
	}
	if v := q.Get("state"); v != "" {
		n, err := strconv.Atoi(v)
		if _, ok := abuseStateLabels[n]; err != nil || !ok {
			fe.add("state", v, "Invalid value")
		}
		aq.state = n
	}
	if admin {
		aq.filter, aq.predefinedReason, aq.videoIs = q.Get("filter"), q.Get("predefinedReason"), q.Get("videoIs")
		if aq.filter != "" && aq.filter != "video" && aq.filter != "comment" && aq.filter != "account" {
			fe.add("filter", aq.filter, "Invalid value")
		}
		if aq.predefinedReason != "" && !slices.Contains(abusePredefinedReasons, aq.predefinedReason) {
			fe.add("predefinedReason", aq.predefinedReason, "Invalid value")
		}
		if aq.videoIs != "" && aq.videoIs != "deleted" && aq.videoIs != "blacklisted" {
			fe.add("videoIs", aq.videoIs, "Invalid value")
		}
		aq.searchReporter, aq.searchReportee = q.Get("searchReporter"), q.Get("searchReportee")
		aq.searchVideo, aq.searchChannel = q.Get("searchVideo"), q.Get("searchVideoChannel")
	}
	return aq, fe.err()
}

// listAbuses answers GET /api/v1/abuses (MANAGE_ABUSES): PeerTube's
// AdminAbuse objects.
func (a *API) listAbuses(w http.ResponseWriter, r *http.Request) error {
	if err := requireModerator(r, rightManageAbuses, "/api/v1/abuses"); err != nil {
		return err
	}
	aq, err := parseAbuseQuery(r, true)
	if err != nil {
		return err
	}
	all, err := a.st.Abuses(r.Context())
	if err != nil {
		return err
	}
	refs := newAbuseRefs(a)
	views := make([]abuseView, 0, len(all))
	for _, ab := range all {
		v, err := refs.view(r.Context(), ab)
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	kept := make([]abuseView, 0, len(views))
	for _, v := range views {
		if aq.matches(v) {
			kept = append(kept, v)
		}
	}
	pg := paginate(kept, aq.page, abuseSortKeys)
	out := listPage[adminAbuseJSON]{Total: pg.Total, Data: make([]adminAbuseJSON, 0, len(pg.Data))}
	for _, v := range pg.Data {
		out.Data = append(out.Data, a.adminAbuseJSON(v, views))
	}
	return writeJSON(w, http.StatusOK, out)
}

// listMyAbuses answers GET /api/v1/users/me/abuses: the user's own
// reports, as PeerTube's UserAbuse objects.
func (a *API) listMyAbuses(w http.ResponseWriter, r *http.Request) error {
	aq, err := parseAbuseQuery(r, false)
	if err != nil {
		return err
	}
	all, err := a.st.Abuses(r.Context())
	if err != nil {
		return err
	}
	me := currentUser(r)
	refs := newAbuseRefs(a)
	kept := []abuseView{}
	for _, ab := range all {
		if ab.ReporterAccountID != me.AccountID {
			continue
		}
		v, err := refs.view(r.Context(), ab)
		if err != nil {
			return err
		}
		if aq.matches(v) {
			kept = append(kept, v)
		}
	}
	pg := paginate(kept, aq.page, abuseSortKeys)
	out := listPage[abuseJSON]{Total: pg.Total, Data: make([]abuseJSON, 0, len(pg.Data))}
	for _, v := range pg.Data {
		out.Data = append(out.Data, a.abuseJSON(v))
	}
	return writeJSON(w, http.StatusOK, out)
}

var abuseSortKeys = map[string]func(abuseView) string{
	"id":        func(v abuseView) string { return numKey(v.ab.ID) },
	"createdAt": func(v abuseView) string { return createdKey(v.ab.CreatedAt, v.ab.ID) },
	"state":     func(v abuseView) string { return numKey(int64(v.state())) },
}

// matches applies the query's filters, as PeerTube's abuse query builder
// does (searches are case-insensitive substrings).
func (aq abuseQuery) matches(v abuseView) bool {
	switch {
	case aq.id != 0 && v.ab.ID != aq.id,
		aq.state != 0 && v.state() != aq.state,
		aq.filter != "" && v.kind() != aq.filter,
		aq.predefinedReason != "" && !slices.Contains(v.ab.PredefinedReasons, aq.predefinedReason),
		aq.videoIs == "deleted" && (v.kind() != "video" || v.video != nil),
		aq.videoIs == "blacklisted": // nothing is blacklisted here
		return false
	}
	has := func(search string, fields ...string) bool {
		search = strings.ToLower(search)
		for _, f := range fields {
			if f != "" && strings.Contains(strings.ToLower(f), search) {
				return true
			}
		}
		return false
	}
	videoName, channelName, channelDisplay := "", "", ""
	if v.video != nil {
		videoName = v.video.Name
	}
	if v.channel != nil {
		channelName, channelDisplay = v.channel.Name, v.channel.DisplayName
	}
	reporter, reportee := accountNames(v.reporter), accountNames(v.flagged)
	if aq.Search != "" && !has(aq.Search, append(append([]string{videoName, channelName, channelDisplay}, reporter...), reportee...)...) {
		return false
	}
	return (aq.searchReporter == "" || has(aq.searchReporter, reporter...)) &&
		(aq.searchReportee == "" || has(aq.searchReportee, reportee...)) &&
		(aq.searchVideo == "" || has(aq.searchVideo, videoName)) &&
		(aq.searchChannel == "" || has(aq.searchChannel, channelName, channelDisplay))
}

func accountNames(acc *model.Account) []string {
	if acc == nil {
		return nil
	}
	return []string{acc.Name, acc.DisplayName}
}
