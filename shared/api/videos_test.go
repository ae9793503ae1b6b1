package api

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
	"github.com/vidiverse/vidiverse/shared/store"
)

// published makes a stored video look like a processed one: a web file
// with its torrent, so the detail shape is complete.
func (e *env) published(t *testing.T, v model.Video) model.Video {
	t.Helper()
	v, err := e.st.ModifyVideo(context.Background(), v.ID, func(x *model.Video) error {
		x.Duration, x.AspectRatio, x.Thumbnail, x.Preview = 3, 4.0/3, "t.jpg", "p.jpg"
		cat, lic := 15, 1
		x.Category, x.Licence, x.Language, x.Description = &cat, &lic, "en", "A **test** clip."
		x.Files = []model.VideoFile{{ID: 1, Resolution: 240, Width: 320, Height: 240, FPS: 25, Size: 43859,
			Filename: "f-240.mp4", TorrentFilename: "f-240.torrent", InfoHash: strings.Repeat("ab", 20), MetadataKey: "metadata/x/1.json"}}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVideoShapesMatchPeerTube(t *testing.T) {
	e := newEnv(t)
	v := e.published(t, e.storedVideo(t, "root", model.PrivacyPublic))
	one := e.do("GET", "/api/v1/videos/"+v.UUID, nil, "")
	if one.status != 200 {
		t.Fatalf("%d %s", one.status, one.body)
	}
	// The capture's channel has a description and support; ours is fresh.
	reftest.ShapeEqual(t, one.body, reftest.REST(t, "rest-video.json"), true, map[string]string{
		"channel.description": "null here, a string in the capture", "channel.support": "likewise",
		"support": "likewise",
	})
	list := e.do("GET", "/api/v1/videos?start=0&count=15&sort=-publishedAt", nil, "")
	reftest.ShapeEqual(t, list.body, reftest.REST(t, "rest-videos-sorted.json"), true, nil)
	desc := e.do("GET", "/api/v1/videos/"+v.UUID+"/description", nil, "")
	reftest.ShapeEqual(t, desc.body, reftest.REST(t, "rest-video-description.json"), true, nil)
	m := one.json(t)
	if m["shortUUID"] != shortuuid.FromUUID(v.UUID) || m["url"] != e.cfg.PublicURL+"/videos/watch/"+v.UUID {
		t.Fatalf("ids %v %v", m["shortUUID"], m["url"])
	}
	f := m["files"].([]any)[0].(map[string]any)
	if !strings.HasPrefix(f["magnetUri"].(string), "magnet:?xs=") || !strings.HasSuffix(f["torrentUrl"].(string), "/lazy-static/torrents/f-240.torrent") {
		t.Fatalf("file %v", f)
	}
	// By id, by short UUID, by UUID: the same video.
	for _, id := range []string{fmt.Sprint(v.ID), shortuuid.FromUUID(v.UUID), strings.ToUpper(v.UUID)} {
		if r := e.do("GET", "/api/v1/videos/"+id, nil, ""); r.status != 200 {
			t.Errorf("GET by %s: %d", id, r.status)
		}
	}
	missing := e.do("GET", "/api/v1/videos/00000000-0000-4000-8000-000000000000", nil, "")
	if string(missing.body) != string(reftest.REST(t, "rest-video-missing.json"))+"\n" {
		t.Errorf("missing video body differs from PeerTube's:\n got %s\nwant %s", missing.body, reftest.REST(t, "rest-video-missing.json"))
	}
	bad := e.do("GET", "/api/v1/videos/not-a-valid-id", nil, "")
	if string(bad.body) != string(reftest.REST(t, "rest-video-bad-id.json"))+"\n" {
		t.Errorf("bad id body differs from PeerTube's:\n got %s\nwant %s", bad.body, reftest.REST(t, "rest-video-bad-id.json"))
	}
}

func TestPrivacyOnEveryReadPath(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	owner := e.createUser(root, "olive")
	other := e.createUser(root, "peter")
	vs := map[int]model.Video{}
	for _, p := range []int{model.PrivacyPublic, model.PrivacyUnlisted, model.PrivacyPrivate, model.PrivacyInternal} {
		vs[p] = e.published(t, e.storedVideo(t, "olive", p))
	}
	waiting := e.storedVideo(t, "olive", model.PrivacyPublic)
	e.st.ModifyVideo(context.Background(), waiting.ID, func(x *model.Video) error {
		x.State, x.WaitTranscoding = model.StateToTranscode, true
		return nil
	})

	// Who may open each video by its link.
	for _, tc := range []struct {
		who   string
		token string
		can   map[int]bool
	}{
		{"anonymous", "", map[int]bool{1: true, 2: true}},
		{"another user", other, map[int]bool{1: true, 2: true, 4: true}},
		{"the owner", owner, map[int]bool{1: true, 2: true, 3: true, 4: true}},
		{"a moderator", root, map[int]bool{1: true, 2: true, 3: true, 4: true}},
	} {
		for p, v := range vs {
			for _, path := range []string{"/api/v1/videos/" + v.UUID, "/api/v1/videos/" + v.UUID + "/description"} {
				r := e.do("GET", path, nil, tc.token)
				if (r.status == 200) != tc.can[p] || (r.status != 200 && r.status != 401 && r.status != 403) {
					t.Errorf("%s GET %s of privacy %d: %d", tc.who, path, p, r.status)
				}
			}
		}
		if r := e.do("GET", "/api/v1/videos/"+waiting.UUID, nil, tc.token); (r.status == 200) != (tc.token == owner || tc.token == root) {
			t.Errorf("%s GET of an unpublished video: %d", tc.who, r.status)
		}
	}
	// Lists: public for all, internal for logged-in users, nothing else.
	for _, tc := range []struct {
		who   string
		token string
		want  int
	}{{"anonymous", "", 1}, {"another user", other, 2}, {"the owner", owner, 2}} {
		for _, path := range []string{"/api/v1/videos", "/api/v1/accounts/olive/videos", "/api/v1/video-channels/olive_channel/videos",
			"/api/v1/search/videos?search=olive"} {
			r := e.do("GET", path, nil, tc.token)
			if n := int(r.json(t)["total"].(float64)); n != tc.want {
				t.Errorf("%s %s: %d videos, want %d", tc.who, path, n, tc.want)
			}
		}
	}
	mine := e.do("GET", "/api/v1/users/me/videos", nil, owner).json(t)
	if mine["total"].(float64) != 5 || mine["data"].([]any)[0].(map[string]any)["state"] == nil {
		t.Fatalf("my videos: %v", mine)
	}
	wantProblem(t, e.do("GET", "/api/v1/videos?privacyOneOf=3", nil, other), 403, "", "")
	if r := e.do("GET", "/api/v1/videos?privacyOneOf=3", nil, root).json(t); r["total"].(float64) != 1 {
		t.Fatalf("moderator privacyOneOf=3: %v", r["total"])
	}
}

func TestListFiltersAndSorts(t *testing.T) {
	e := newEnv(t)
	e.login("root", rootPassword)
	mk := func(name string, cat int, lang string, tags []string, nsfw bool, views int64) model.Video {
		v := e.storedVideo(t, "root", model.PrivacyPublic)
		v, err := e.st.ModifyVideo(context.Background(), v.ID, func(x *model.Video) error {
			x.Name, x.Category, x.Language, x.Tags, x.NSFW = name, &cat, lang, tags, nsfw
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.AddViews(context.Background(), v.ID, views); err != nil {
			t.Fatal(err)
		}
		return v
	}
	mk("Alpha music", 1, "en", []string{"guitar", "live"}, false, 5)
	mk("Beta talk", 2, "fr", []string{"talk"}, false, 50)
	mk("Gamma music", 1, "fr", []string{"guitar"}, true, 1)
	names := func(q string) []string {
		r := e.do("GET", "/api/v1/videos?"+q, nil, "")
		if r.status != 200 {
			t.Fatalf("%s: %d %s", q, r.status, r.body)
		}
		var out []string
		for _, d := range r.json(t)["data"].([]any) {
			out = append(out, strings.Fields(d.(map[string]any)["name"].(string))[0])
		}
		return out
	}
	for q, want := range map[string]string{
		"sort=name":                 "Alpha Beta Gamma",
		"sort=-views":               "Beta Alpha Gamma",
		"sort=-publishedAt":         "Gamma Beta Alpha",
		"categoryOneOf=1&sort=name": "Alpha Gamma",
		"categoryOneOf=1&categoryOneOf=2&sort=name": "Alpha Beta Gamma",
		"languageOneOf=fr&sort=name":                "Beta Gamma",
		"tagsOneOf=guitar&tagsOneOf=talk&sort=name": "Alpha Beta Gamma",
		"tagsAllOf=guitar&tagsAllOf=live":           "Alpha",
		"nsfw=false&sort=name":                      "Alpha Beta",
		"nsfw=true":                                 "Gamma",
		"isLocal=false":                             "",
		"count=1&start=1&sort=name":                 "Beta",
		"sort=-trending":                            "Beta Alpha Gamma",
	} {
		if got := strings.Join(names(q), " "); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	if r := e.do("GET", "/api/v1/search/videos?search=MUSIC%20guitar", nil, "").json(t); r["total"].(float64) != 2 {
		t.Errorf("search: %v", r["total"])
	}
	if r := e.do("GET", "/api/v1/videos?skipCount=true", nil, "").json(t); r["total"].(float64) != 0 || len(r["data"].([]any)) != 3 {
		t.Errorf("skipCount: %v", r)
	}
}

func TestRatingsViewsUpdateDelete(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	user := e.createUser(root, "quinn")
	v := e.published(t, e.storedVideo(t, "root", model.PrivacyPublic))
	path := "/api/v1/videos/" + v.UUID

	for _, rating := range []string{"like", "dislike", "like"} {
		if r := e.do("PUT", path+"/rate", map[string]string{"rating": rating}, user); r.status != 204 {
			t.Fatalf("rate %s: %d %s", rating, r.status, r.body)
		}
	}
	got := e.do("GET", path, nil, "").json(t)
	if got["likes"].(float64) != 1 || got["dislikes"].(float64) != 0 {
		t.Fatalf("counts %v/%v", got["likes"], got["dislikes"])
	}
	if r := e.do("GET", fmt.Sprintf("/api/v1/users/me/videos/%d/rating", v.ID), nil, user).json(t); r["rating"] != "like" {
		t.Fatalf("my rating %v", r)
	}
	wantProblem(t, e.do("PUT", path+"/rate", map[string]string{"rating": "like"}, ""), 401, "", "")

	// A view counts once the viewer has watched 10 s.
	for _, at := range []int{2, 11, 16} {
		if r := e.do("POST", path+"/views", map[string]int{"currentTime": at}, ""); r.status != 204 {
			t.Fatalf("view: %d %s", r.status, r.body)
		}
	}
	if got := e.do("GET", path, nil, "").json(t); got["views"].(float64) != 1 {
		t.Fatalf("views %v, want 1", got["views"])
	}

	// Only the owner or a moderator edits or deletes.
	wantProblem(t, e.do("PUT", path, map[string]any{"name": "Renamed by another"}, user), 403, "", "")
	if r := e.do("PUT", path, map[string]any{"name": "Renamed", "tags": []string{"aa", "bb"}, "privacy": 2}, root); r.status != 204 {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	got = e.do("GET", path, nil, "").json(t)
	if got["name"] != "Renamed" || got["privacy"].(map[string]any)["id"].(float64) != 2 || len(got["tags"].([]any)) != 2 {
		t.Fatalf("after update %v", got)
	}
	if r := e.do("GET", "/api/v1/videos", nil, "").json(t); r["total"].(float64) != 0 {
		t.Fatalf("an unlisted video is listed: %v", r["total"])
	}
	wantProblem(t, e.do("DELETE", path, nil, user), 403, "", "")
	if r := e.do("DELETE", path, nil, root); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	wantProblem(t, e.do("GET", path, nil, root), 404, "", "Video not found")
	if _, err := e.st.Video(context.Background(), v.ID); err != store.ErrNotFound && !strings.Contains(fmt.Sprint(err), "not found") {
		t.Fatalf("store after delete: %v", err)
	}
}
