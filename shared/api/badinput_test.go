package api

import (
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/model"
)

// badInputs lists, for every route, requests with bad input. The test
// fails when a route has no entry, so a new route cannot skip this check.
// Each case must answer a 4xx problem+json (never a 5xx, never a success).
func badInputs(root string, video int64) map[string][]badCase {
	vid := strconv.FormatInt(video, 10)
	huge := strings.Repeat("x", 2<<20)
	bodyCases := func(method, path string, auth bool) []badCase {
		tok := ""
		if auth {
			tok = root
		}
		return []badCase{
			{method, path, "{", "application/json", tok, ""},
			{method, path, "[1,2]", "application/json", tok, ""},
			{method, path, `"text"`, "application/json", tok, ""},
			{method, path, "", "application/json", tok, ""},
			{method, path, "plain", "text/plain", tok, ""},
			{method, path, `{"a":` + `"` + huge + `"}`, "application/json", tok, ""},
			{method, path, "%zz=%", "application/x-www-form-urlencoded", tok, ""},
		}
	}
	listCases := func(path string, auth bool) []badCase {
		tok := ""
		if auth {
			tok = root
		}
		var out []badCase
		for _, q := range []string{"start=-1", "start=abc", "count=101", "count=-5", "count=1.5", "sort=nope", "sort=-password", "search=" + strings.Repeat("s", 300)} {
			out = append(out, badCase{"GET", path + "?" + q, "", "", tok, ""})
		}
		return out
	}
	noAuth := func(method, path string) badCase { return badCase{method, path, "", "", "", ""} }
	badToken := func(method, path string) badCase { return badCase{method, path, "", "", strings.Repeat("0", 40), ""} }
	user := func(field string, v any) map[string]any {
		m := map[string]any{"username": "newuser", "password": "newuser-pw", "email": "newuser@example.com",
			"role": 2, "videoQuota": -1, "videoQuotaDaily": -1}
		m[field] = v
		return m
	}
	return map[string][]badCase{
		"GET /api/v1/oauth-clients/local": {
			{"GET", "/api/v1/oauth-clients/local", "", "", "", "wrong.example"},
		},
		"POST /api/v1/users/token": append(bodyCases("POST", "/api/v1/users/token", false),
			badCase{"POST", "/api/v1/users/token", "grant_type=password", "multipart/form-data; boundary=x", "", ""},
			badCase{"POST", "/api/v1/users/token", "client_id=" + strings.Repeat("a", 70000), "application/x-www-form-urlencoded", "", ""}),
		"POST /api/v1/users/revoke-token": {noAuth("POST", "/api/v1/users/revoke-token"), badToken("POST", "/api/v1/users/revoke-token")},
		"POST /api/v1/users/register":     bodyCases("POST", "/api/v1/users/register", false),
		"GET /api/v1/users/me":            {noAuth("GET", "/api/v1/users/me"), badToken("GET", "/api/v1/users/me")},
		"PUT /api/v1/users/me": append(bodyCases("PUT", "/api/v1/users/me", true),
			jsonCase("PUT", "/api/v1/users/me", map[string]any{"nsfwPolicy": "maybe"}, root),
			jsonCase("PUT", "/api/v1/users/me", map[string]any{"p2pEnabled": "perhaps"}, root),
			jsonCase("PUT", "/api/v1/users/me", map[string]any{"displayName": ""}, root),
			jsonCase("PUT", "/api/v1/users/me", map[string]any{"description": "x"}, root),
			jsonCase("PUT", "/api/v1/users/me", map[string]any{"videoLanguages": []string{"xx-nope"}}, root),
			jsonCase("PUT", "/api/v1/users/me", map[string]any{"videoLanguages": "en"}, root),
			jsonCase("PUT", "/api/v1/users/me", map[string]any{"theme": "nonexistent"}, root),
			jsonCase("PUT", "/api/v1/users/me", map[string]any{"email": "not-an-email", "currentPassword": rootPassword}, root),
			jsonCase("PUT", "/api/v1/users/me", map[string]any{"password": "123", "currentPassword": rootPassword}, root),
			noAuth("PUT", "/api/v1/users/me")),
		"GET /api/v1/users/me/video-quota-used": {noAuth("GET", "/api/v1/users/me/video-quota-used")},
		"GET /api/v1/users":                     append(listCases("/api/v1/users", true), badCase{"GET", "/api/v1/users?blocked=sometimes", "", "", root, ""}, noAuth("GET", "/api/v1/users")),
		"POST /api/v1/users": append(bodyCases("POST", "/api/v1/users", true),
			jsonCase("POST", "/api/v1/users", user("username", "Bad Name"), root),
			jsonCase("POST", "/api/v1/users", user("username", ".dot"), root),
			jsonCase("POST", "/api/v1/users", user("username", strings.Repeat("a", 51)), root),
			jsonCase("POST", "/api/v1/users", user("username", 42), root),
			jsonCase("POST", "/api/v1/users", user("password", "12345"), root),
			jsonCase("POST", "/api/v1/users", user("email", "nope"), root),
			jsonCase("POST", "/api/v1/users", user("role", 7), root),
			jsonCase("POST", "/api/v1/users", user("role", "admin"), root),
			jsonCase("POST", "/api/v1/users", user("videoQuota", -2), root),
			jsonCase("POST", "/api/v1/users", user("videoQuotaDaily", "lots"), root),
			jsonCase("POST", "/api/v1/users", user("channelName", "newuser"), root),
			jsonCase("POST", "/api/v1/users", user("channelName", "Has Space"), root),
			jsonCase("POST", "/api/v1/users", user("username", "root"), root),
			jsonCase("POST", "/api/v1/users", map[string]any{"username": "x"}, root),
			noAuth("POST", "/api/v1/users")),
		"GET /api/v1/users/{id}": {
			{"GET", "/api/v1/users/abc", "", "", root, ""}, {"GET", "/api/v1/users/-1", "", "", root, ""},
			{"GET", "/api/v1/users/0", "", "", root, ""}, {"GET", "/api/v1/users/99999999999999999999", "", "", root, ""},
			{"GET", "/api/v1/users/424242", "", "", root, ""}, noAuth("GET", "/api/v1/users/1"),
		},
		"PUT /api/v1/users/{id}": append(bodyCases("PUT", "/api/v1/users/1", true),
			badCase{"PUT", "/api/v1/users/abc", `{}`, "application/json", root, ""},
			badCase{"PUT", "/api/v1/users/424242", `{}`, "application/json", root, ""},
			jsonCase("PUT", "/api/v1/users/1", map[string]any{"username": "renamed"}, root),
			jsonCase("PUT", "/api/v1/users/1", map[string]any{"role": 2}, root),
			jsonCase("PUT", "/api/v1/users/1", map[string]any{"emailVerified": "eh"}, root),
			jsonCase("PUT", "/api/v1/users/1", map[string]any{"adminFlags": -3}, root),
			noAuth("PUT", "/api/v1/users/1")),
		"DELETE /api/v1/users/{id}": {
			{"DELETE", "/api/v1/users/abc", "", "", root, ""}, {"DELETE", "/api/v1/users/1", "", "", root, ""},
			{"DELETE", "/api/v1/users/424242", "", "", root, ""}, noAuth("DELETE", "/api/v1/users/1"),
		},
		"GET /api/v1/accounts": append(listCases("/api/v1/accounts", false), badToken("GET", "/api/v1/accounts")),
		"GET /api/v1/accounts/{name}": {
			{"GET", "/api/v1/accounts/nobody", "", "", "", ""}, {"GET", "/api/v1/accounts/root@other.example", "", "", "", ""},
			{"GET", "/api/v1/accounts/" + strings.Repeat("n", 300), "", "", "", ""}, {"GET", "/api/v1/accounts/%40host", "", "", "", ""},
			{"GET", "/api/v1/accounts/root_channel", "", "", "", ""},
		},
		"GET /api/v1/accounts/{name}/video-channels": append(listCases("/api/v1/accounts/root/video-channels", false),
			badCase{"GET", "/api/v1/accounts/nobody/video-channels", "", "", "", ""}),
		"GET /api/v1/video-channels": listCases("/api/v1/video-channels", false),
		"POST /api/v1/video-channels": append(bodyCases("POST", "/api/v1/video-channels", true),
			jsonCase("POST", "/api/v1/video-channels", map[string]any{"name": "ok_name"}, root),
			jsonCase("POST", "/api/v1/video-channels", map[string]any{"name": "UPPER", "displayName": "x"}, root),
			jsonCase("POST", "/api/v1/video-channels", map[string]any{"name": "ok_name", "displayName": strings.Repeat("d", 121)}, root),
			jsonCase("POST", "/api/v1/video-channels", map[string]any{"name": "ok_name", "displayName": "x", "description": "ab"}, root),
			jsonCase("POST", "/api/v1/video-channels", map[string]any{"name": "ok_name", "displayName": "x", "support": 12}, root),
			jsonCase("POST", "/api/v1/video-channels", map[string]any{"name": "root_channel", "displayName": "x"}, root),
			jsonCase("POST", "/api/v1/video-channels", map[string]any{"name": "root", "displayName": "x"}, root),
			noAuth("POST", "/api/v1/video-channels")),
		"GET /api/v1/video-channels/{handle}": {
			{"GET", "/api/v1/video-channels/nothing", "", "", "", ""}, {"GET", "/api/v1/video-channels/root", "", "", "", ""},
			{"GET", "/api/v1/video-channels/x@other.example", "", "", "", ""},
		},
		"PUT /api/v1/video-channels/{handle}": append(bodyCases("PUT", "/api/v1/video-channels/root_channel", true),
			jsonCase("PUT", "/api/v1/video-channels/root_channel", map[string]any{"name": "rename"}, root),
			jsonCase("PUT", "/api/v1/video-channels/root_channel", map[string]any{"displayName": ""}, root),
			jsonCase("PUT", "/api/v1/video-channels/root_channel", map[string]any{"bulkVideosSupportUpdate": "x"}, root),
			jsonCase("PUT", "/api/v1/video-channels/nothing", map[string]any{"displayName": "x"}, root),
			noAuth("PUT", "/api/v1/video-channels/root_channel")),
		"GET /api/v1/videos": append(listCases("/api/v1/videos", false),
			badCase{"GET", "/api/v1/videos?nsfw=maybe", "", "", "", ""}, badCase{"GET", "/api/v1/videos?isLocal=perhaps", "", "", "", ""},
			badCase{"GET", "/api/v1/videos?categoryOneOf=music", "", "", "", ""}, badCase{"GET", "/api/v1/videos?privacyOneOf=9", "", "", "", ""},
			badCase{"GET", "/api/v1/videos?privacyOneOf=3", "", "", "", ""}, badCase{"GET", "/api/v1/videos?tagsOneOf=" + strings.Repeat("t", 40), "", "", "", ""},
			badCase{"GET", "/api/v1/videos?skipCount=yes", "", "", "", ""}),
		"GET /api/v1/videos/{id}": {
			{"GET", "/api/v1/videos/not-a-valid-id", "", "", "", ""}, {"GET", "/api/v1/videos/0", "", "", "", ""},
			{"GET", "/api/v1/videos/-3", "", "", "", ""}, {"GET", "/api/v1/videos/99999", "", "", "", ""},
			{"GET", "/api/v1/videos/00000000-0000-4000-8000-000000000000", "", "", "", ""},
			{"GET", "/api/v1/videos/" + strings.Repeat("z", 22), "", "", "", ""},
			{"GET", "/api/v1/videos/" + vid, "", "", strings.Repeat("0", 40), ""},
		},
		// An empty body is a valid update that changes nothing, as in PeerTube.
		"PUT /api/v1/videos/{id}": append(slices.DeleteFunc(bodyCases("PUT", "/api/v1/videos/"+vid, true), func(c badCase) bool { return c.body == "" }),
			jsonCase("PUT", "/api/v1/videos/"+vid, map[string]any{"name": "ab"}, root),
			jsonCase("PUT", "/api/v1/videos/"+vid, map[string]any{"privacy": 9}, root),
			jsonCase("PUT", "/api/v1/videos/"+vid, map[string]any{"privacy": 5}, root),
			jsonCase("PUT", "/api/v1/videos/"+vid, map[string]any{"category": 999}, root),
			jsonCase("PUT", "/api/v1/videos/"+vid, map[string]any{"tags": []string{"a"}}, root),
			jsonCase("PUT", "/api/v1/videos/"+vid, map[string]any{"nsfw": nil}, root),
			jsonCase("PUT", "/api/v1/videos/99999", map[string]any{"name": "Fine name"}, root),
			noAuth("PUT", "/api/v1/videos/"+vid)),
		"DELETE /api/v1/videos/{id}": {
			{"DELETE", "/api/v1/videos/abc", "", "", root, ""}, {"DELETE", "/api/v1/videos/99999", "", "", root, ""},
			noAuth("DELETE", "/api/v1/videos/"+vid),
		},
		"GET /api/v1/videos/{id}/description": {{"GET", "/api/v1/videos/x!/description", "", "", "", ""}, {"GET", "/api/v1/videos/99999/description", "", "", "", ""}},
		"GET /api/v1/videos/{id}/metadata/{fileId}": {
			{"GET", "/api/v1/videos/" + vid + "/metadata/abc", "", "", "", ""}, {"GET", "/api/v1/videos/" + vid + "/metadata/99", "", "", "", ""},
			{"GET", "/api/v1/videos/99999/metadata/1", "", "", "", ""},
		},
		"POST /api/v1/videos/{id}/views": append(bodyCases("POST", "/api/v1/videos/"+vid+"/views", false),
			jsonCase("POST", "/api/v1/videos/"+vid+"/views", map[string]any{}, ""),
			jsonCase("POST", "/api/v1/videos/"+vid+"/views", map[string]any{"currentTime": -4}, ""),
			jsonCase("POST", "/api/v1/videos/"+vid+"/views", map[string]any{"currentTime": 3, "viewEvent": "rewind"}, ""),
			jsonCase("POST", "/api/v1/videos/99999/views", map[string]any{"currentTime": 3}, "")),
		"PUT /api/v1/videos/{id}/rate": append(bodyCases("PUT", "/api/v1/videos/"+vid+"/rate", true),
			jsonCase("PUT", "/api/v1/videos/"+vid+"/rate", map[string]any{"rating": "love"}, root),
			jsonCase("PUT", "/api/v1/videos/99999/rate", map[string]any{"rating": "like"}, root),
			noAuth("PUT", "/api/v1/videos/"+vid+"/rate")),
		"GET /api/v1/users/me/videos": append(listCases("/api/v1/users/me/videos", true), noAuth("GET", "/api/v1/users/me/videos")),
		"GET /api/v1/users/me/videos/{videoId}/rating": {
			{"GET", "/api/v1/users/me/videos/zz!/rating", "", "", root, ""}, {"GET", "/api/v1/users/me/videos/99999/rating", "", "", root, ""},
			noAuth("GET", "/api/v1/users/me/videos/"+vid+"/rating"),
		},
		"GET /api/v1/accounts/{name}/videos":         append(listCases("/api/v1/accounts/root/videos", false), badCase{"GET", "/api/v1/accounts/nobody/videos", "", "", "", ""}),
		"GET /api/v1/video-channels/{handle}/videos": append(listCases("/api/v1/video-channels/root_channel/videos", false), badCase{"GET", "/api/v1/video-channels/nothing/videos", "", "", "", ""}),
		"GET /api/v1/search/videos":                  append(listCases("/api/v1/search/videos", false), badCase{"GET", "/api/v1/search/videos?searchTarget=search-index", "", "", "", ""}),
		"GET /download/videos/{file}": {
			{"GET", "/download/videos/nothing.mp4", "", "", "", ""}, {"GET", "/download/videos/00000000-0000-4000-8000-000000000000-720.mp4", "", "", "", ""},
			{"GET", "/download/videos/00000000-0000-4000-8000-000000000000-abc.mp4", "", "", "", ""},
		},
		"GET /download/streaming-playlists/hls/videos/{file}": {{"GET", "/download/streaming-playlists/hls/videos/x-720-fragmented.mp4", "", "", "", ""}},
		"GET /download/torrents/{file}":                       {{"GET", "/download/torrents/notatorrent.txt", "", "", "", ""}},
		"DELETE /api/v1/video-channels/{handle}": {
			{"DELETE", "/api/v1/video-channels/nothing", "", "", root, ""}, {"DELETE", "/api/v1/video-channels/root_channel", "", "", root, ""},
			noAuth("DELETE", "/api/v1/video-channels/root_channel"),
		},
	}
}

// inputless routes take no input at all, so nothing sent to them is bad:
// they must ignore junk (query strings, tokens, bodies) and answer 200.
var inputless = []string{
	"GET /api/v1/config", "GET /api/v1/config/about", "GET /api/v1/videos/categories",
	"GET /api/v1/videos/licences", "GET /api/v1/videos/languages", "GET /api/v1/videos/privacies",
}

type badCase struct {
	method, path, body, contentType, token string
	host                                   string
}

func jsonCase(method, path string, v any, token string) badCase {
	return badCase{method: method, path: path, body: mustJSON(v), contentType: "application/json", token: token}
}

func TestBadInputAnswers4xxProblem(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	vid := e.storedVideo(t, "root", model.PrivacyPublic).ID
	cases := badInputs(root, vid)
	maps.Copy(cases, federationBadInputs(root, vid))
	maps.Copy(cases, moderationBadInputs(root))
	for _, r := range e.api.routeTable() {
		if len(cases[r.pattern]) == 0 && !slices.Contains(inputless, r.pattern) {
			t.Errorf("route %s has no bad-input cases", r.pattern)
		}
	}
	for _, pattern := range inputless {
		path := strings.TrimPrefix(pattern, "GET ")
		req, _ := http.NewRequest("GET", e.srv.URL+path+"?start=-1&count=x&sort=%zz", strings.NewReader("junk"))
		req.Header.Set("Authorization", "Bearer "+strings.Repeat("0", 40))
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s with junk: %d %s", pattern, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	for pattern, cs := range cases {
		for _, c := range cs {
			name := pattern + " " + c.method + " " + truncate(c.path, 60) + " " + truncate(c.body, 40)
			t.Run(name, func(t *testing.T) {
				req, err := http.NewRequest(c.method, e.srv.URL+c.path, strings.NewReader(c.body))
				if err != nil {
					t.Fatal(err)
				}
				if c.contentType != "" {
					req.Header.Set("Content-Type", c.contentType)
				}
				if c.token != "" {
					req.Header.Set("Authorization", "Bearer "+c.token)
				}
				if c.host != "" {
					req.Host = c.host
				}
				resp, err := e.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode < 400 || resp.StatusCode > 499 {
					t.Fatalf("status %d, want 4xx", resp.StatusCode)
				}
				if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json; charset=utf-8" {
					t.Fatalf("content type %q, want problem+json", ct)
				}
			})
		}
	}
	// The store is intact after all that: root still logs in and sees its
	// one channel.
	me := e.do("GET", "/api/v1/users/me", nil, e.login("root", rootPassword)).json(t)
	if len(me["videoChannels"].([]any)) != 1 {
		t.Fatalf("bad input changed state: %v", me["videoChannels"])
	}
}

func TestUnroutedAnswersProblem(t *testing.T) {
	e := newEnv(t)
	wantProblem(t, e.do("GET", "/api/v1/nothing/here", nil, ""), 404, "", "")
	r := e.do("PATCH", "/api/v1/users/me", nil, "")
	wantProblem(t, r, 405, "", "")
	if !strings.Contains(r.header.Get("Allow"), "GET") || !strings.Contains(r.header.Get("Allow"), "PUT") {
		t.Fatalf("Allow %q", r.header.Get("Allow"))
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
