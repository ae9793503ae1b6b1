package api

import (
	"fmt"
	"testing"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/reftest"
)

func TestMeMatchesPeerTube(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	r := e.do("GET", "/api/v1/users/me", nil, root)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// PeerTube's capture has a second channel; make ours comparable.
	if c := e.do("POST", "/api/v1/video-channels", map[string]any{"name": "second_channel", "displayName": "Second",
		"description": "A second channel", "support": "Support me"}, root); c.status != 200 {
		t.Fatalf("create channel: %d %s", c.status, c.body)
	}
	r = e.do("GET", "/api/v1/users/me", nil, root)
	reftest.ShapeEqual(t, r.body, reftest.REST(t, "rest-users-me.json"), true, nil)
	m := r.json(t)
	chans := m["videoChannels"].([]any)
	if len(chans) != 2 || chans[0].(map[string]any)["name"] != "root_channel" ||
		chans[0].(map[string]any)["displayName"] != "Main root channel" || chans[0].(map[string]any)["id"].(float64) < 1 {
		t.Fatalf("videoChannels %v", chans)
	}
	acc := m["account"].(map[string]any)
	if acc["name"] != "root" || acc["id"].(float64) != 2 || m["id"].(float64) != 1 {
		t.Fatalf("root is user 1 with account 2 (account 1 is the instance actor): %v", acc)
	}
	if q := e.do("GET", "/api/v1/users/me/video-quota-used", nil, root).json(t); q["videoQuotaUsed"] != float64(0) {
		t.Fatalf("quota used %v", q)
	}
}

func TestUpdateMe(t *testing.T) {
	e := newEnv(t)
	tok := e.createUser(e.login("root", rootPassword), "bob")
	r := e.do("PUT", "/api/v1/users/me", map[string]any{
		"displayName": "Bobby", "description": "Hello there", "nsfwPolicy": "blur", "p2pEnabled": "false",
		"autoPlayVideo": false, "videoLanguages": []string{"fr", "en"},
	}, tok)
	if r.status != 204 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := e.do("GET", "/api/v1/users/me", nil, tok).json(t)
	acc := m["account"].(map[string]any)
	if acc["displayName"] != "Bobby" || acc["description"] != "Hello there" || m["nsfwPolicy"] != "blur" ||
		m["p2pEnabled"] != false || m["autoPlayVideo"] != false || len(m["videoLanguages"].([]any)) != 2 {
		t.Fatalf("not updated: %s", e.do("GET", "/api/v1/users/me", nil, tok).body)
	}

	wantProblem(t, e.do("PUT", "/api/v1/users/me", map[string]any{"password": "new-password"}, tok), 400, "",
		"currentPassword parameter is missing.")
	wantProblem(t, e.do("PUT", "/api/v1/users/me", map[string]any{"password": "new-password", "currentPassword": "nope"}, tok),
		401, "", "currentPassword is invalid.")
	r = e.do("PUT", "/api/v1/users/me", map[string]any{"password": "new-password", "currentPassword": "bob-password"}, tok)
	if r.status != 204 {
		t.Fatalf("password change: %d %s", r.status, r.body)
	}
	// The session that changed it stays; the new password works.
	if e.do("GET", "/api/v1/users/me", nil, tok).status != 200 {
		t.Fatal("current session ended by its own password change")
	}
	e.login("bob", "new-password")
}

func TestRegister(t *testing.T) {
	t.Run("disabled", func(t *testing.T) {
		e := newEnv(t)
		wantProblem(t, e.do("POST", "/api/v1/users/register", map[string]any{
			"username": "carol", "password": "carol-pw", "email": "carol@example.com"}, ""),
			403, "", "User registration is not allowed")
	})
	e := newEnv(t, func(c *config.Config) { c.SignupEnabled = true; c.SignupLimit.Max = 3 })
	r := e.do("POST", "/api/v1/users/register", map[string]any{
		"username": "carol", "password": "carol-pw", "email": "carol@example.com", "displayName": "Carol"}, "")
	if r.status != 204 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	tok := e.login("carol", "carol-pw")
	me := e.do("GET", "/api/v1/users/me", nil, tok).json(t)
	ch := me["videoChannels"].([]any)[0].(map[string]any)
	if ch["name"] != "carol_channel" || ch["displayName"] != "Main carol channel" || me["role"].(map[string]any)["id"] != float64(2) {
		t.Fatalf("defaults: %v", me)
	}
	wantProblem(t, e.do("POST", "/api/v1/users/register", map[string]any{
		"username": "carol", "password": "carol-pw", "email": "other@example.com"}, ""),
		409, "", "User with this username or email already exists.")
	// A name any actor holds is taken, even the instance actor's.
	wantProblem(t, e.do("POST", "/api/v1/users/register", map[string]any{
		"username": "peertube", "password": "pw-123456", "email": "p@example.com"}, ""),
		409, "", "Another actor (account/channel) with this name on this instance already exists or has already existed.")
	wantProblem(t, e.do("POST", "/api/v1/users/register", map[string]any{
		"username": "dave", "password": "dave-pw", "email": "dave@example.com",
		"channel": map[string]any{"name": "dave"}}, ""),
		400, "", "Channel is optional but if you specify it, channel.name and channel.displayName are required.")
	// carol_channel is taken: dave's explicit channel of that name conflicts.
	wantProblem(t, e.do("POST", "/api/v1/users/register", map[string]any{
		"username": "dave", "password": "dave-pw", "email": "dave@example.com",
		"channel": map[string]any{"name": "carol_channel", "displayName": "Mine"}}, ""),
		409, "", "Channel with name carol_channel already exists.")
	// A user whose default channel name is taken gets the next free one.
	if r := e.do("POST", "/api/v1/users/register", map[string]any{
		"username": "carol_channel_owner", "password": "pw-123456", "email": "cco@example.com"}, ""); r.status != 204 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// Only successful sign-ups count against the limit: two so far, one left.
	if r := e.do("POST", "/api/v1/users/register", map[string]any{
		"username": "erin", "password": "erin-pw", "email": "erin@example.com"}, ""); r.status != 204 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	wantProblem(t, e.do("POST", "/api/v1/users/register", map[string]any{
		"username": "frank", "password": "frank-pw", "email": "frank@example.com"}, ""), 429, "", "")
}

func TestAdminUsers(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	r := e.do("POST", "/api/v1/users", map[string]any{
		"username": "mod", "password": "mod-password", "email": "mod@example.com", "role": 1,
		"videoQuota": 1000, "videoQuotaDaily": -1, "channelName": "mod_videos"}, root)
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	created := r.json(t)["user"].(map[string]any)
	modID := int64(created["id"].(float64))
	if created["account"].(map[string]any)["id"].(float64) < 1 {
		t.Fatalf("created %v", created)
	}
	mod := e.login("mod", "mod-password")
	user := e.createUser(root, "plain")

	list := e.do("GET", "/api/v1/users?sort=username&count=2", nil, root).json(t)
	data := list["data"].([]any)
	if list["total"].(float64) != 3 || len(data) != 2 || data[0].(map[string]any)["username"] != "mod" {
		t.Fatalf("list %v", list)
	}
	if s := e.do("GET", "/api/v1/users?search=plain", nil, root).json(t); s["total"].(float64) != 1 {
		t.Fatalf("search %v", s)
	}
	got := e.do("GET", fmt.Sprintf("/api/v1/users/%d", modID), nil, root).json(t)
	if got["videoQuota"].(float64) != 1000 || got["role"].(map[string]any)["label"] != "Moderator" ||
		got["videoChannels"].([]any)[0].(map[string]any)["name"] != "mod_videos" {
		t.Fatalf("get %v", got)
	}

	// Plain users have no MANAGE_USERS right.
	wantProblem(t, e.do("GET", "/api/v1/users", nil, user), 403, "", "User plain does not have right 1 to access to /.")
	// Moderators manage plain users only.
	wantProblem(t, e.do("POST", "/api/v1/users", map[string]any{"username": "mod2", "password": "mod2-pw",
		"email": "mod2@example.com", "role": 1}, mod), 403, "", "You can only create users (and not administrators or moderators)")
	wantProblem(t, e.do("PUT", "/api/v1/users/1", map[string]any{"videoQuota": 5}, mod), 403, "", "A moderator can only manage users.")

	r = e.do("PUT", fmt.Sprintf("/api/v1/users/%d", modID), map[string]any{"videoQuota": 5000, "role": "2",
		"email": "mod-new@example.com"}, root)
	if r.status != 204 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	// A role change ends the user's sessions.
	wantProblem(t, e.do("GET", "/api/v1/users/me", nil, mod), 401, "invalid_token", "")
	wantProblem(t, e.do("PUT", "/api/v1/users/1", map[string]any{"role": 2}, root), 400, "", "Cannot change root role.")
	wantProblem(t, e.do("DELETE", "/api/v1/users/1", nil, root), 400, "", "Cannot remove the root user")
	wantProblem(t, e.do("GET", "/api/v1/users/999", nil, root), 404, "", "User not found")

	if r := e.do("DELETE", fmt.Sprintf("/api/v1/users/%d", modID), nil, root); r.status != 204 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	wantProblem(t, e.do("GET", fmt.Sprintf("/api/v1/users/%d", modID), nil, root), 404, "", "")
	wantProblem(t, e.do("GET", "/api/v1/accounts/mod", nil, ""), 404, "", "Account not found")
	// Deleted actors' names stay reserved, as in PeerTube (remote servers
	// remember them); the email is free again.
	wantProblem(t, e.do("POST", "/api/v1/users", map[string]any{"username": "mod", "password": "mod-password",
		"email": "mod@example.com", "role": 2}, root), 409, "",
		"Another actor (account/channel) with this name on this instance already exists or has already existed.")
	wantProblem(t, e.do("POST", "/api/v1/users", map[string]any{"username": "mod3", "password": "mod-password",
		"email": "mod-new@example.com", "role": 2, "channelName": "mod_videos"}, root), 409, "", "Channel with name mod_videos already exists.")
	if r := e.do("POST", "/api/v1/users", map[string]any{"username": "mod3", "password": "mod-password",
		"email": "mod-new@example.com", "role": 2}, root); r.status != 200 {
		t.Fatalf("email of a deleted user should be free: %d %s", r.status, r.body)
	}
}
