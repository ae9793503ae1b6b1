package api

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
)

// storedComment stores a comment of username on a video.
func (e *env) storedComment(username string, video model.Video, text string) model.Comment {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.st.UserByUsername(ctx, username)
	if err != nil {
		e.t.Fatal(err)
	}
	id, err := e.st.NewCommentID(ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	c, _, err := e.st.CreateComment(ctx, model.Comment{ID: id, VideoID: video.ID, AccountID: u.AccountID, Text: text,
		URL: e.cfg.PublicURL + "/videos/watch/" + video.UUID + "/comments/" + strconv.FormatInt(id, 10)})
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// report files an abuse report and returns its id.
func (e *env) report(tok string, body map[string]any) int64 {
	e.t.Helper()
	r := e.do("POST", "/api/v1/abuses", body, tok)
	want(e.t, r, http.StatusOK)
	ab, ok := r.json(e.t)["abuse"].(map[string]any)
	if !ok || len(ab) != 1 || ab["id"].(float64) < 1 {
		e.t.Fatalf("report answer %s", r.body)
	}
	return int64(ab["id"].(float64))
}

// abuses lists abuse reports at path and returns them by id.
func (e *env) abuses(path, tok string) (int, []map[string]any) {
	e.t.Helper()
	return e.blockList(path, tok)
}

func TestReportAbuse(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	alice := e.createUser(root, "alice")
	v := e.storedVideo(t, "root", model.PrivacyPublic)
	c := e.storedComment("root", v, "A rude comment")
	rootAcc, err := e.st.AccountByName(context.Background(), "root")
	if err != nil {
		t.Fatal(err)
	}
	remote := e.remoteAccount("bob", "remote.example")

	ids := map[int64]bool{}
	for _, body := range []map[string]any{
		{"reason": "Spam everywhere", "predefinedReasons": []string{"spamOrMisleading", "violentOrRepulsive"},
			"video": map[string]any{"id": v.ID, "startAt": 3, "endAt": 9}},
		{"reason": "By UUID", "video": map[string]any{"id": v.UUID}},
		{"reason": "By short UUID", "video": map[string]any{"id": shortuuid.FromUUID(v.UUID), "startAt": "1"}},
		{"reason": "Rude", "comment": map[string]any{"id": c.ID}},
		{"reason": "Remote troll", "account": map[string]any{"id": remote.ID}},
		{"reason": "ok", "account": map[string]any{"id": rootAcc.ID}, "predefinedReasons": []string{}},
	} {
		id := e.report(alice, body)
		if ids[id] {
			t.Fatalf("id %d given twice", id)
		}
		ids[id] = true
	}
	stored, err := e.st.Abuses(context.Background())
	if err != nil || len(stored) != 6 {
		t.Fatalf("stored %d reports: %v", len(stored), err)
	}
	first := stored[0]
	if first.VideoID != v.ID || first.AccountID != rootAcc.ID || *first.StartAt != 3 || *first.EndAt != 9 ||
		first.State != abusePending || strings.Join(first.PredefinedReasons, ",") != "spamOrMisleading,violentOrRepulsive" {
		t.Fatalf("video report stored as %+v", first)
	}
	if s := stored[2]; *s.StartAt != 1 || s.EndAt != nil {
		t.Fatalf("timestamps %v %v", s.StartAt, s.EndAt)
	}
	if s := stored[3]; s.CommentID != c.ID || s.AccountID != rootAcc.ID || s.VideoID != 0 {
		t.Fatalf("comment report stored as %+v", s)
	}

	fine := "A fine reason"
	for _, c := range []struct {
		body   map[string]any
		status int
		detail string
	}{
		{map[string]any{"account": map[string]any{"id": rootAcc.ID}}, 400, ""},
		{map[string]any{"reason": "x", "account": map[string]any{"id": rootAcc.ID}}, 400, ""},
		{map[string]any{"reason": strings.Repeat("é", 3001), "account": map[string]any{"id": rootAcc.ID}}, 400, ""},
		{map[string]any{"reason": fine, "predefinedReasons": []string{"violentOrAbusive"}, "account": map[string]any{"id": rootAcc.ID}}, 400, ""},
		{map[string]any{"reason": fine, "video": map[string]any{"id": "not-an-id!"}}, 400, ""},
		{map[string]any{"reason": fine, "video": map[string]any{"id": v.ID, "startAt": -1}}, 400, ""},
		{map[string]any{"reason": fine, "video": map[string]any{"id": v.ID, "startAt": "soon"}}, 400, ""},
		{map[string]any{"reason": fine, "video": map[string]any{"id": v.ID, "startAt": 5, "endAt": 5}}, 400, ""},
		{map[string]any{"reason": fine, "video": map[string]any{"id": v.ID, "endAt": 5}}, 400, ""},
		{map[string]any{"reason": fine, "video": map[string]any{"id": v.ID, "startAt": 1, "endAt": nil}}, 400, ""},
		{map[string]any{"reason": fine, "account": map[string]any{"id": "two"}}, 400, ""},
		{map[string]any{"reason": fine, "comment": map[string]any{"id": 1.5}}, 400, ""},
		{map[string]any{"reason": fine, "video": map[string]any{"id": 99999}}, 404, "Video not found"},
		{map[string]any{"reason": fine, "video": map[string]any{"id": "00000000-0000-4000-8000-000000000000"}}, 404, "Video not found"},
		{map[string]any{"reason": fine, "account": map[string]any{"id": 424242}}, 404, "Account not found"},
		{map[string]any{"reason": fine, "comment": map[string]any{"id": 424242}}, 404, "Video comment thread not found"},
		{map[string]any{"reason": fine}, 400, "video id or account id or comment id is required."},
		{map[string]any{"reason": fine, "video": map[string]any{}}, 400, "video id or account id or comment id is required."},
		{map[string]any{"reason": fine, "account": map[string]any{"id": 0}}, 400, "video id or account id or comment id is required."},
	} {
		t.Run(mustJSON(c.body)[:min(60, len(mustJSON(c.body)))], func(t *testing.T) {
			wantProblem(t, e.do("POST", "/api/v1/abuses", c.body, alice), c.status, "", c.detail)
		})
	}
	m := wantProblem(t, e.do("POST", "/api/v1/abuses", map[string]any{"reason": "x", "video": map[string]any{"id": v.ID, "startAt": 4, "endAt": 2}}, alice), 400, "", "")
	params := m["invalid-params"].(map[string]any)
	if params["video.endAt"].(map[string]any)["msg"] != "Should have a startAt timestamp beginning before endAt" || params["reason"] == nil {
		t.Fatalf("invalid params %v", params)
	}
	wantProblem(t, e.do("POST", "/api/v1/abuses", map[string]any{"reason": fine, "video": map[string]any{"id": v.ID}}, ""), 401, "", "")
	if after, _ := e.st.Abuses(context.Background()); len(after) != 6 {
		t.Fatalf("refused reports were stored: %d", len(after))
	}
}

func TestListAbuses(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	alice := e.createUser(root, "alice")
	carol := e.createUser(root, "carol")
	mod := e.createModerator(root, "mod")
	v := e.storedVideo(t, "root", model.PrivacyPublic)
	gone := e.storedVideo(t, "root", model.PrivacyPublic)
	c := e.storedComment("carol", v, "Rude words")
	remote := e.remoteAccount("bob", "remote.example")

	videoReport := e.report(alice, map[string]any{"reason": "Spam video", "predefinedReasons": []string{"spamOrMisleading"},
		"video": map[string]any{"id": v.ID, "startAt": 1, "endAt": 4}})
	commentReport := e.report(alice, map[string]any{"reason": "Rude comment", "comment": map[string]any{"id": c.ID}})
	accountReport := e.report(alice, map[string]any{"reason": "Remote troll", "account": map[string]any{"id": remote.ID}})
	secondVideoReport := e.report(carol, map[string]any{"reason": "Also spam", "video": map[string]any{"id": v.UUID}})
	goneReport := e.report(carol, map[string]any{"reason": "Soon deleted", "video": map[string]any{"id": gone.ID}})
	if err := e.st.DeleteVideo(context.Background(), gone); err != nil {
		t.Fatal(err)
	}

	total, data := e.abuses("/api/v1/abuses?sort=createdAt", mod)
	if total != 5 || len(data) != 5 {
		t.Fatalf("%d reports: %v", total, data)
	}
	byID := map[int64]map[string]any{}
	for _, d := range data {
		byID[int64(d["id"].(float64))] = d
	}
	vr := byID[videoReport]
	vj := vr["video"].(map[string]any)
	if vr["reason"] != "Spam video" || vr["state"].(map[string]any)["label"] != "Pending" || vr["state"].(map[string]any)["id"] != float64(1) ||
		vr["reporterAccount"].(map[string]any)["name"] != "alice" || vr["flaggedAccount"].(map[string]any)["name"] != "root" ||
		vr["predefinedReasons"].([]any)[0] != "spamOrMisleading" || vr["comment"] != nil || vr["moderationComment"] != nil ||
		vr["countMessages"] != float64(0) || vr["countReportsForReporter"] != float64(3) || vr["countReportsForReportee"] != float64(3) {
		t.Fatalf("video report %v", vr)
	}
	if vj["uuid"] != v.UUID || vj["shortUUID"] != shortuuid.FromUUID(v.UUID) || vj["name"] != v.Name || vj["deleted"] != false ||
		vj["startAt"] != float64(1) || vj["endAt"] != float64(4) || vj["countReports"] != float64(2) || vj["nthReport"] != float64(1) ||
		vj["channel"].(map[string]any)["name"] != "root_channel" {
		t.Fatalf("video of the report %v", vj)
	}
	if n := byID[secondVideoReport]["video"].(map[string]any)["nthReport"]; n != float64(2) {
		t.Fatalf("second report of the video is nth %v", n)
	}
	cr := byID[commentReport]
	cj := cr["comment"].(map[string]any)
	if cr["video"] != nil || cj["text"] != "Rude words" || cj["threadId"] != float64(c.ID) || cj["deleted"] != false ||
		cj["video"].(map[string]any)["uuid"] != v.UUID || cr["flaggedAccount"].(map[string]any)["name"] != "carol" {
		t.Fatalf("comment report %v", cr)
	}
	ar := byID[accountReport]
	if ar["video"] != nil || ar["comment"] != nil || ar["flaggedAccount"].(map[string]any)["host"] != "remote.example" {
		t.Fatalf("account report %v", ar)
	}
	if gj := byID[goneReport]["video"].(map[string]any); gj["deleted"] != true || gj["id"] != float64(gone.ID) {
		t.Fatalf("report of a deleted video %v", gj)
	}

	// The default order is newest first.
	for q, wantIDs := range map[string][]int64{
		"filter=video":                                {goneReport, secondVideoReport, videoReport},
		"filter=comment":                              {commentReport},
		"filter=account":                              {accountReport},
		"predefinedReason=spamOrMisleading":           {videoReport},
		"state=1&searchReporter=CAROL":                {goneReport, secondVideoReport},
		"state=3":                                     {},
		"searchReportee=bob":                          {accountReport},
		"searchVideo=" + url.QueryEscape(v.Name[:10]): {secondVideoReport, videoReport},
		"searchVideoChannel=root_channel":             {secondVideoReport, videoReport},
		"search=troll":                                {},
		"search=bob":                                  {accountReport},
		"videoIs=deleted":                             {goneReport},
		"videoIs=blacklisted":                         {},
		"id=" + strconv.FormatInt(commentReport, 10):  {commentReport},
		"sort=-id&count=2":                            {goneReport, secondVideoReport},
		"sort=id&start=4":                             {goneReport},
	} {
		_, data := e.abuses("/api/v1/abuses?"+q, root)
		var got []int64
		for _, d := range data {
			got = append(got, int64(d["id"].(float64)))
		}
		if mustJSON(got) != mustJSON(wantIDs) && !(len(got) == 0 && len(wantIDs) == 0) {
			t.Errorf("%s: %v, want %v", q, got, wantIDs)
		}
	}

	wantProblem(t, e.do("GET", "/api/v1/abuses", nil, alice), 403, "", "User alice does not have right 6 to access to /.")
	wantProblem(t, e.do("GET", "/api/v1/abuses", nil, ""), 401, "", "")

	// Each reporter sees their own reports, without the moderators' fields.
	total, data = e.abuses("/api/v1/users/me/abuses?sort=createdAt", alice)
	if total != 3 || int64(data[0]["id"].(float64)) != videoReport {
		t.Fatalf("alice's reports %d %v", total, data)
	}
	for _, k := range []string{"reporterAccount", "moderationComment", "countReportsForReporter"} {
		if _, ok := data[0][k]; ok {
			t.Fatalf("a reporter sees %s: %v", k, data[0])
		}
	}
	if vj := data[0]["video"].(map[string]any); vj["countReports"] != nil || vj["name"] != v.Name {
		t.Fatalf("reporter's view of the video %v", vj)
	}
	if total, _ = e.abuses("/api/v1/users/me/abuses?id="+strconv.FormatInt(commentReport, 10), alice); total != 1 {
		t.Fatalf("alice's report by id: %d", total)
	}
	if total, _ = e.abuses("/api/v1/users/me/abuses", mod); total != 0 {
		t.Fatalf("mod reported nothing, sees %d", total)
	}
	if total, _ = e.abuses("/api/v1/users/me/abuses", carol); total != 2 {
		t.Fatalf("carol's reports: %d", total)
	}
	wantProblem(t, e.do("GET", "/api/v1/users/me/abuses", nil, ""), 401, "", "")
	wantProblem(t, e.do("GET", "/api/v1/users/me/abuses?state=7", nil, alice), 400, "", "")
}
