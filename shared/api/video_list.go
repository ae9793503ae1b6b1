package api

import (
	"cmp"
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
)

// videoSorts are the columns GET /videos sorts by (PeerTube's
// SORTABLE_COLUMNS.VIDEOS).
var videoSorts = []string{"name", "duration", "createdAt", "publishedAt", "originallyPublishedAt",
	"views", "likes", "trending", "hot", "best", "localVideoFilesSize", "match"}

// videoQuery is a parsed list request.
type videoQuery struct {
	page
	nsfw         string // "true", "false", "both" or "" (the instance default: show all)
	isLocal      *bool
	isLive       *bool
	categories   []int
	licences     []int
	languages    []string
	tagsOneOf    []string
	tagsAllOf    []string
	privacies    []int
	hasHLS       *bool
	hasWebVideos *bool
	skipCount    bool
	search       string
	ownerView    bool // the requester's own videos: every state and privacy
}

// values returns a query parameter's values, whether sent repeated
// (k=a&k=b), with brackets (k[]=a) or indexed (k[0]=a).
func values(q url.Values, key string) []string {
	var out []string
	for k, vs := range q {
		if k == key || k == key+"[]" || (strings.HasPrefix(k, key+"[") && strings.HasSuffix(k, "]")) {
			out = append(out, vs...)
		}
	}
	return out
}

func parseVideoQuery(r *http.Request) (videoQuery, error) {
	p, err := parsePage(r, videoSorts, "-publishedAt")
	vq := videoQuery{page: p}
	fe := newFieldErrors("query")
	if err != nil {
		if pe := problem.As(err); pe != nil {
			for name, ip := range pe.InvalidParams {
				fe.add(name, ip.Value, ip.Msg)
			}
		}
	}
	q := r.URL.Query()
	boolParam := func(name string) *bool {
		v := q.Get(name)
		if v == "" {
			return nil
		}
		b, err := strconv.ParseBool(v)
		if err != nil {
			fe.add(name, v, "Should have a valid "+name+" boolean")
			return nil
		}
		return &b
	}
	intList := func(name string, ok func(int) bool) []int {
		var out []int
		for _, v := range values(q, name) {
			for _, part := range strings.Split(v, ",") {
				n, err := strconv.Atoi(strings.TrimSpace(part))
				if err != nil || !ok(n) {
					fe.add(name, v, "Should have a valid "+name+" array")
					continue
				}
				out = append(out, n)
			}
		}
		return out
	}
	strList := func(name string, maxLen int) []string {
		var out []string
		for _, v := range values(q, name) {
			if v == "" || len(v) > maxLen {
				fe.add(name, v, "Should have a valid "+name+" array")
				continue
			}
			out = append(out, v)
		}
		return out
	}
	switch n := q.Get("nsfw"); n {
	case "", "true", "false", "both":
		vq.nsfw = n
	default:
		fe.add("nsfw", n, "Should have a valid NSFW attribute")
	}
	vq.isLocal, vq.isLive = boolParam("isLocal"), boolParam("isLive")
	vq.hasHLS, vq.hasWebVideos = boolParam("hasHLSFiles"), boolParam("hasWebVideoFiles")
	if s := boolParam("skipCount"); s != nil {
		vq.skipCount = *s
	}
	vq.categories = intList("categoryOneOf", func(n int) bool { return n > 0 && n < 1000 })
	vq.licences = intList("licenceOneOf", func(n int) bool { return n > 0 && n < 1000 })
	vq.privacies = intList("privacyOneOf", func(n int) bool { return n >= 1 && n <= 5 })
	vq.languages = strList("languageOneOf", 20)
	vq.tagsOneOf = strList("tagsOneOf", 30)
	vq.tagsAllOf = strList("tagsAllOf", 30)
	if len(vq.tagsOneOf) > 5 || len(vq.tagsAllOf) > 5 {
		fe.add("tagsOneOf", nil, "Should have at most 5 tags")
	}
	return vq, fe.err()
}

// filterVideos keeps what u may list and what the query asks for.
func filterVideos(u *model.User, vs []model.Video, q videoQuery) []model.Video {
	out := vs[:0:0]
	for _, v := range vs {
		if !q.ownerView && !listable(u, v) && !(len(q.privacies) > 0 && isModerator(u)) {
			continue
		}
		if len(q.privacies) > 0 && !slices.Contains(q.privacies, v.Privacy) {
			continue
		}
		if q.nsfw == "false" && v.NSFW || q.nsfw == "true" && !v.NSFW {
			continue
		}
		if q.isLocal != nil && *q.isLocal != (v.Remote == nil) || q.isLive != nil && *q.isLive {
			continue // none is live
		}
		if len(q.categories) > 0 && (v.Category == nil || !slices.Contains(q.categories, *v.Category)) {
			continue
		}
		if len(q.licences) > 0 && (v.Licence == nil || !slices.Contains(q.licences, *v.Licence)) {
			continue
		}
		if len(q.languages) > 0 && !slices.ContainsFunc(q.languages, func(l string) bool {
			return l == v.Language || (l == "_unknown" && v.Language == "")
		}) {
			continue
		}
		if len(q.tagsOneOf) > 0 && !slices.ContainsFunc(q.tagsOneOf, func(t string) bool { return hasTag(v, t) }) {
			continue
		}
		if len(q.tagsAllOf) > 0 && !allTags(v, q.tagsAllOf) {
			continue
		}
		if q.hasHLS != nil && (v.HLS != nil) != *q.hasHLS || q.hasWebVideos != nil && (len(v.Files) > 0) != *q.hasWebVideos {
			continue
		}
		if q.search != "" && !matches(v, q.search) {
			continue
		}
		out = append(out, v)
	}
	return out
}

func hasTag(v model.Video, tag string) bool {
	return slices.ContainsFunc(v.Tags, func(t string) bool { return strings.EqualFold(t, tag) })
}

func allTags(v model.Video, tags []string) bool {
	for _, t := range tags {
		if !hasTag(v, t) {
			return false
		}
	}
	return true
}

// matches is the search: every word of the query appears in the name,
// the description or a tag (case-insensitive).
func matches(v model.Video, query string) bool {
	hay := strings.ToLower(v.Name + "\n" + v.Description + "\n" + strings.Join(v.Tags, "\n"))
	for _, w := range strings.Fields(strings.ToLower(query)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// videoOrder compares videos by each sortable column (ascending), ties
// broken by the newest publication, then the id, for a stable order.
var videoOrder = map[string]func(a, b model.Video) int{
	"name":                  func(a, b model.Video) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) },
	"duration":              func(a, b model.Video) int { return cmp.Compare(a.Duration, b.Duration) },
	"createdAt":             func(a, b model.Video) int { return a.CreatedAt.Compare(b.CreatedAt) },
	"publishedAt":           func(a, b model.Video) int { return a.PublishedAt.Compare(b.PublishedAt) },
	"originallyPublishedAt": func(a, b model.Video) int { return originally(a).Compare(originally(b)) },
	"views":                 func(a, b model.Video) int { return cmp.Compare(a.Views, b.Views) },
	"likes":                 func(a, b model.Video) int { return cmp.Compare(a.Likes, b.Likes) },
	// Trending, hot and best rank by views, then likes: this instance
	// keeps no per-day view history yet.
	"trending": byViewsThenLikes,
	"hot":      byViewsThenLikes,
	"best": func(a, b model.Video) int {
		return cmp.Or(cmp.Compare(a.Likes-a.Dislikes, b.Likes-b.Dislikes), cmp.Compare(a.Views, b.Views))
	},
	"localVideoFilesSize": func(a, b model.Video) int { return cmp.Compare(filesSize(a), filesSize(b)) },
	"match":               func(a, b model.Video) int { return 0 },
}

func byViewsThenLikes(a, b model.Video) int {
	return cmp.Or(cmp.Compare(a.Views, b.Views), cmp.Compare(a.Likes, b.Likes))
}

func originally(v model.Video) time.Time {
	if v.OriginallyPublishedAt != nil {
		return *v.OriginallyPublishedAt
	}
	return v.PublishedAt
}

// sortPage sorts videos by the page's column and cuts the page.
func sortPage(vs []model.Video, p page) listPage[model.Video] {
	by := videoOrder[p.Sort]
	slices.SortStableFunc(vs, func(a, b model.Video) int {
		c := cmp.Or(by(a, b), a.PublishedAt.Compare(b.PublishedAt), cmp.Compare(a.ID, b.ID))
		if p.Desc {
			return -c
		}
		return c
	})
	out := listPage[model.Video]{Total: len(vs), Data: []model.Video{}}
	if p.Start < len(vs) {
		out.Data = vs[p.Start:min(len(vs), p.Start+p.Count)]
	}
	return out
}

// filesSize is what a video's files take: PeerTube's quota counts the
// largest file of each video.
func filesSize(v model.Video) int64 {
	var largest int64
	for _, f := range v.Files {
		largest = max(largest, f.Size)
	}
	if v.HLS != nil {
		for _, f := range v.HLS.Files {
			largest = max(largest, f.Size)
		}
	}
	if largest == 0 {
		largest = v.Source.Size
	}
	return largest
}

// writeVideos filters, sorts and pages videos and sends them as a list.
func (a *API) writeVideos(w http.ResponseWriter, r *http.Request, u *model.User, vs []model.Video, q videoQuery) error {
	return a.writeVideosWith(w, r, u, vs, q, newOwners(a))
}

// writeVideosWith is writeVideos with owners already known (a snapshot's).
// Owners missing from it are loaded.
func (a *API) writeVideosWith(w http.ResponseWriter, r *http.Request, u *model.User, vs []model.Video, q videoQuery, owners *owners) error {
	pg := sortPage(filterVideos(u, vs, q), q.page)
	out := listPage[videoJSON]{Total: pg.Total, Data: make([]videoJSON, 0, len(pg.Data))}
	for _, v := range pg.Data {
		acc, ch, err := owners.of(r.Context(), v)
		if err != nil {
			return err
		}
		out.Data = append(out.Data, a.videoJSON(v, acc, ch, q.ownerView))
	}
	if q.skipCount {
		out.Total = 0
	}
	return writeJSON(w, http.StatusOK, out)
}

// owners loads videos' accounts and channels once per request.
type owners struct {
	a        *API
	accounts map[int64]model.Account
	channels map[int64]model.Channel
}

func newOwners(a *API) *owners {
	return &owners{a: a, accounts: map[int64]model.Account{}, channels: map[int64]model.Channel{}}
}

func (o *owners) of(ctx context.Context, v model.Video) (model.Account, model.Channel, error) {
	acc, ok := o.accounts[v.AccountID]
	if !ok {
		var err error
		if acc, err = o.a.st.Account(ctx, v.AccountID); err != nil {
			return acc, model.Channel{}, err
		}
		o.accounts[v.AccountID] = acc
	}
	ch, ok := o.channels[v.ChannelID]
	if !ok {
		var err error
		if ch, err = o.a.st.Channel(ctx, v.ChannelID); err != nil {
			return acc, ch, err
		}
		o.channels[v.ChannelID] = ch
	}
	return acc, ch, nil
}
