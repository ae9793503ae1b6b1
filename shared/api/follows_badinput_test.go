package api

import (
	"strconv"
	"strings"
)

// federationBadInputs are the bad-input cases of the federation routes
// (server follows, subscriptions, comments).
func federationBadInputs(root string, video int64) map[string][]badCase {
	vid := strconv.FormatInt(video, 10)
	noAuth := func(method, path string) badCase { return badCase{method, path, "", "", "", ""} }
	list := func(path, tok string) []badCase {
		var out []badCase
		for _, q := range []string{"start=-1", "count=101", "sort=nope"} {
			out = append(out, badCase{"GET", path + "?" + q, "", "", tok, ""})
		}
		return out
	}
	body := func(method, path string, cases ...string) []badCase {
		out := []badCase{noAuth(method, path), {method, path, "{", "application/json", root, ""}}
		for _, c := range cases {
			out = append(out, badCase{method, path, c, "application/json", root, ""})
		}
		return out
	}
	comments := "/api/v1/videos/" + vid + "/comment-threads"
	return map[string][]badCase{
		"GET /api/v1/server/following":      list("/api/v1/server/following", ""),
		"GET /api/v1/search/video-channels": append(list("/api/v1/search/video-channels", ""), noAuth("GET", "/api/v1/search/video-channels?searchTarget=search-index")),
		"POST /api/v1/server/following": body("POST", "/api/v1/server/following",
			`{}`, `{"hosts":[]}`, `{"hosts":["a/b"]}`, `{"hosts":"x"}`, `{"handles":["nohost"]}`),
		"DELETE /api/v1/server/following/{hostOrHandle}": {noAuth("DELETE", "/api/v1/server/following/x.example"),
			{"DELETE", "/api/v1/server/following/unknown.example", "", "", root, ""}},
		"GET /api/v1/server/followers": list("/api/v1/server/followers", ""),
		"POST /api/v1/server/followers/{nameWithHost}/accept": {noAuth("POST", "/api/v1/server/followers/a@b.example/accept"),
			{"POST", "/api/v1/server/followers/a@b.example/accept", "", "", root, ""}},
		"POST /api/v1/server/followers/{nameWithHost}/reject": {noAuth("POST", "/api/v1/server/followers/a@b.example/reject"),
			{"POST", "/api/v1/server/followers/a@b.example/reject", "", "", root, ""}},
		"DELETE /api/v1/server/followers/{nameWithHost}": {noAuth("DELETE", "/api/v1/server/followers/a@b.example"),
			{"DELETE", "/api/v1/server/followers/a@b.example", "", "", root, ""}},
		"GET /api/v1/users/me/subscriptions": append(list("/api/v1/users/me/subscriptions", root), noAuth("GET", "/api/v1/users/me/subscriptions")),
		"POST /api/v1/users/me/subscriptions": body("POST", "/api/v1/users/me/subscriptions",
			`{}`, `{"uri":"nohost"}`, `{"uri":42}`, `{"uri":"nobody_channel@localhost:9000"}`),
		"GET /api/v1/users/me/subscriptions/exist": {noAuth("GET", "/api/v1/users/me/subscriptions/exist?uris=a@b"),
			{"GET", "/api/v1/users/me/subscriptions/exist", "", "", root, ""},
			{"GET", "/api/v1/users/me/subscriptions/exist?" + strings.Repeat("uris=a@b&", 101), "", "", root, ""}},
		"GET /api/v1/users/me/subscriptions/videos": {noAuth("GET", "/api/v1/users/me/subscriptions/videos"),
			{"GET", "/api/v1/users/me/subscriptions/videos?count=101", "", "", root, ""}},
		"GET /api/v1/users/me/subscriptions/{subscriptionHandle}": {noAuth("GET", "/api/v1/users/me/subscriptions/a@b"),
			{"GET", "/api/v1/users/me/subscriptions/nohandle", "", "", root, ""},
			{"GET", "/api/v1/users/me/subscriptions/root_channel@elsewhere.example", "", "", root, ""}},
		"DELETE /api/v1/users/me/subscriptions/{subscriptionHandle}": {noAuth("DELETE", "/api/v1/users/me/subscriptions/a@b"),
			{"DELETE", "/api/v1/users/me/subscriptions/root_channel@elsewhere.example", "", "", root, ""}},
		"GET /api/v1/videos/{id}/comment-threads": append(list(comments, ""), noAuth("GET", "/api/v1/videos/999999/comment-threads")),
		"POST /api/v1/videos/{id}/comment-threads": append(body("POST", comments, `{}`, `{"text":""}`, `{"text":42}`,
			`{"text":"`+strings.Repeat("x", 10001)+`"}`), badCase{"POST", "/api/v1/videos/999999/comment-threads", `{"text":"hi"}`, "application/json", root, ""}),
		"GET /api/v1/videos/{id}/comment-threads/{threadId}": {noAuth("GET", comments+"/abc"), noAuth("GET", comments+"/999999"),
			noAuth("GET", "/api/v1/videos/999999/comment-threads/1")},
		"POST /api/v1/videos/{id}/comments/{commentId}": append(body("POST", "/api/v1/videos/"+vid+"/comments/999999", `{"text":"hi"}`),
			badCase{"POST", "/api/v1/videos/" + vid + "/comments/abc", `{"text":"hi"}`, "application/json", root, ""}),
		"DELETE /api/v1/videos/{id}/comments/{commentId}": {noAuth("DELETE", "/api/v1/videos/"+vid+"/comments/1"),
			{"DELETE", "/api/v1/videos/" + vid + "/comments/999999", "", "", root, ""},
			{"DELETE", "/api/v1/videos/" + vid + "/comments/x", "", "", root, ""}},
	}
}
