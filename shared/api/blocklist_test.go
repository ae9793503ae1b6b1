package api

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/model"
)

// createModerator creates a moderator as root and returns its token.
func (e *env) createModerator(rootTok, username string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/users", map[string]any{
		"username": username, "password": username + "-password", "email": username + "@example.com",
		"role": int(model.RoleModerator), "videoQuota": -1, "videoQuotaDaily": -1,
	}, rootTok)
	if r.status != http.StatusOK {
		e.t.Fatalf("create moderator %s: %d %s", username, r.status, r.body)
	}
	return e.login(username, username+"-password")
}

// remoteAccount stores a copy of an account that lives on host.
func (e *env) remoteAccount(name, host string) model.Account {
	e.t.Helper()
	acc, err := e.st.SaveRemoteAccount(context.Background(), model.Account{Name: name, DisplayName: "Remote " + name,
		Remote: &model.Remote{URL: "https://" + host + "/accounts/" + name, Host: host, Type: "Person",
			Inbox: "https://" + host + "/accounts/" + name + "/inbox"}})
	if err != nil {
		e.t.Fatal(err)
	}
	return acc
}

// want fails unless r has status.
func want(t *testing.T, r reply, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
}

// blockList reads a blocklist and returns its total and data.
func (e *env) blockList(path, tok string) (int, []map[string]any) {
	e.t.Helper()
	r := e.do("GET", path, nil, tok)
	want(e.t, r, http.StatusOK)
	m := r.json(e.t)
	var data []map[string]any
	for _, d := range m["data"].([]any) {
		data = append(data, d.(map[string]any))
	}
	return int(m["total"].(float64)), data
}

func blockedName(d map[string]any) string {
	return d["blockedAccount"].(map[string]any)["name"].(string)
}

func TestMyAccountBlocklist(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	alice := e.createUser(root, "alice")
	e.remoteAccount("bob", "remote.example")
	const path = "/api/v1/users/me/blocklist/accounts"

	want(t, e.do("POST", path, map[string]any{"accountName": "root"}, alice), http.StatusNoContent)
	// Blocking again is not an error: PeerTube 6 upserts the block.
	want(t, e.do("POST", path, map[string]any{"accountName": "root@" + e.cfg.Host()}, alice), http.StatusNoContent)
	want(t, e.do("POST", path, map[string]any{"accountName": "bob@remote.example"}, alice), http.StatusNoContent)

	total, data := e.blockList(path+"?sort=createdAt", alice)
	if total != 2 || len(data) != 2 || blockedName(data[0]) != "root" || blockedName(data[1]) != "bob" {
		t.Fatalf("blocks %d %v", total, data)
	}
	by := data[0]["byAccount"].(map[string]any)
	if by["name"] != "alice" || data[0]["createdAt"] == "" {
		t.Fatalf("block %v", data[0])
	}
	if b := data[1]["blockedAccount"].(map[string]any); b["host"] != "remote.example" || b["displayName"] != "Remote bob" {
		t.Fatalf("remote account %v", b)
	}
	if _, data = e.blockList(path, alice); blockedName(data[0]) != "bob" {
		t.Fatalf("default sort is -createdAt: %v", data)
	}
	if total, data = e.blockList(path+"?search=BOB", alice); total != 1 || blockedName(data[0]) != "bob" {
		t.Fatalf("search: %d %v", total, data)
	}
	if total, data = e.blockList(path+"?start=1&count=1&sort=createdAt", alice); total != 2 || len(data) != 1 || blockedName(data[0]) != "bob" {
		t.Fatalf("paging: %d %v", total, data)
	}
	// The blocks are alice's alone.
	if total, _ := e.blockList(path, root); total != 0 {
		t.Fatalf("root's blocklist has %d entries", total)
	}

	wantProblem(t, e.do("POST", path, map[string]any{"accountName": "alice"}, alice), http.StatusConflict, "", "You cannot block yourself.")
	wantProblem(t, e.do("POST", path, map[string]any{"accountName": "nobody"}, alice), http.StatusNotFound, "", "Account not found")
	wantProblem(t, e.do("POST", path, map[string]any{"accountName": "bob@elsewhere.example"}, alice), http.StatusNotFound, "", "Account not found")
	m := wantProblem(t, e.do("POST", path, map[string]any{}, alice), http.StatusBadRequest, "", "")
	if _, ok := m["invalid-params"].(map[string]any)["accountName"]; !ok {
		t.Fatalf("invalid params %v", m)
	}
	wantProblem(t, e.do("POST", path, map[string]any{"accountName": 7}, alice), http.StatusBadRequest, "", "")
	wantProblem(t, e.do("POST", path, map[string]any{"accountName": "root"}, ""), http.StatusUnauthorized, "", "")
	wantProblem(t, e.do("GET", path, nil, ""), http.StatusUnauthorized, "", "")
	wantProblem(t, e.do("GET", path+"?sort=name", nil, alice), http.StatusBadRequest, "", "")

	want(t, e.do("DELETE", path+"/root", nil, alice), http.StatusNoContent)
	wantProblem(t, e.do("DELETE", path+"/root", nil, alice), http.StatusNotFound, "", "Account block entry not found.")
	wantProblem(t, e.do("DELETE", path+"/nobody", nil, alice), http.StatusNotFound, "", "Account not found")
	wantProblem(t, e.do("DELETE", path+"/bob@remote.example", nil, ""), http.StatusUnauthorized, "", "")
	want(t, e.do("DELETE", path+"/bob@remote.example", nil, alice), http.StatusNoContent)
	if total, _ := e.blockList(path, alice); total != 0 {
		t.Fatalf("%d blocks left", total)
	}
}

func TestMyServerBlocklist(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	alice := e.createUser(root, "alice")
	const path = "/api/v1/users/me/blocklist/servers"

	want(t, e.do("POST", path, map[string]any{"host": "remote.example"}, alice), http.StatusNoContent)
	want(t, e.do("POST", path, map[string]any{"host": "Remote.Example"}, alice), http.StatusNoContent)
	want(t, e.do("POST", path, map[string]any{"host": "127.0.0.1:9003"}, alice), http.StatusNoContent)
	total, data := e.blockList(path+"?sort=createdAt", alice)
	if total != 2 || data[0]["blockedServer"].(map[string]any)["host"] != "remote.example" ||
		data[1]["blockedServer"].(map[string]any)["host"] != "127.0.0.1:9003" ||
		data[0]["byAccount"].(map[string]any)["name"] != "alice" {
		t.Fatalf("server blocks %d %v", total, data)
	}
	if total, _ = e.blockList(path+"?search=remote", alice); total != 1 {
		t.Fatalf("search found %d", total)
	}

	wantProblem(t, e.do("POST", path, map[string]any{"host": e.cfg.Host()}, alice), http.StatusConflict, "", "You cannot block your own server.")
	for _, bad := range []any{"not a host", "a/b.example", "https://remote.example", "nodot", "", 12, nil} {
		wantProblem(t, e.do("POST", path, map[string]any{"host": bad}, alice), http.StatusBadRequest, "", "")
	}
	wantProblem(t, e.do("POST", path, map[string]any{"host": "remote.example"}, ""), http.StatusUnauthorized, "", "")

	want(t, e.do("DELETE", path+"/remote.example", nil, alice), http.StatusNoContent)
	wantProblem(t, e.do("DELETE", path+"/remote.example", nil, alice), http.StatusNotFound, "", "Server block entry not found.")
	wantProblem(t, e.do("DELETE", path+"/not_a_host", nil, alice), http.StatusBadRequest, "", "")
	if total, _ = e.blockList(path, alice); total != 1 {
		t.Fatalf("%d blocks left", total)
	}
}

func TestServerBlocklistNeedsModeration(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	alice := e.createUser(root, "alice")
	mod := e.createModerator(root, "mod")
	for _, c := range []struct{ method, path, msg string }{
		{"GET", "/api/v1/server/blocklist/accounts", "User alice does not have right 10 to access to /blocklist/accounts."},
		{"POST", "/api/v1/server/blocklist/accounts", "User alice does not have right 10 to access to /blocklist/accounts."},
		{"DELETE", "/api/v1/server/blocklist/accounts/root", "User alice does not have right 10 to access to /blocklist/accounts/root."},
		{"GET", "/api/v1/server/blocklist/servers", "User alice does not have right 11 to access to /blocklist/servers."},
		{"POST", "/api/v1/server/blocklist/servers", "User alice does not have right 11 to access to /blocklist/servers."},
		{"DELETE", "/api/v1/server/blocklist/servers/x.example", "User alice does not have right 11 to access to /blocklist/servers/x.example."},
	} {
		var body any
		if c.method == "POST" {
			body = map[string]any{"accountName": "root", "host": "x.example"}
		}
		wantProblem(t, e.do(c.method, c.path, body, alice), http.StatusForbidden, "", c.msg)
		wantProblem(t, e.do(c.method, c.path, body, ""), http.StatusUnauthorized, "", "")
	}

	const accounts, servers = "/api/v1/server/blocklist/accounts", "/api/v1/server/blocklist/servers"
	want(t, e.do("POST", accounts, map[string]any{"accountName": "alice"}, mod), http.StatusNoContent)
	want(t, e.do("POST", servers, map[string]any{"host": "bad.example"}, root), http.StatusNoContent)
	// As in PeerTube, the self-block check is on the acting user's account.
	wantProblem(t, e.do("POST", accounts, map[string]any{"accountName": "root"}, root), http.StatusConflict, "", "You cannot block yourself.")
	wantProblem(t, e.do("POST", servers, map[string]any{"host": e.cfg.Host()}, mod), http.StatusConflict, "", "You cannot block your own server.")

	total, data := e.blockList(accounts, root)
	if total != 1 || blockedName(data[0]) != "alice" || data[0]["byAccount"].(map[string]any)["name"] != "peertube" {
		t.Fatalf("instance account blocks %d %v", total, data)
	}
	total, data = e.blockList(servers, mod)
	if total != 1 || data[0]["blockedServer"].(map[string]any)["host"] != "bad.example" ||
		data[0]["byAccount"].(map[string]any)["name"] != "peertube" {
		t.Fatalf("instance server blocks %d %v", total, data)
	}
	// The instance's blocks are not the moderators' own.
	if total, _ := e.blockList("/api/v1/users/me/blocklist/accounts", mod); total != 0 {
		t.Fatalf("mod's own blocklist has %d", total)
	}
	wantProblem(t, e.do("DELETE", accounts+"/root", nil, mod), http.StatusNotFound, "", "Account block entry not found.")
	want(t, e.do("DELETE", accounts+"/alice", nil, mod), http.StatusNoContent)
	want(t, e.do("DELETE", servers+"/bad.example", nil, root), http.StatusNoContent)
	wantProblem(t, e.do("DELETE", servers+"/bad.example", nil, root), http.StatusNotFound, "", "Server block entry not found.")
}

func TestBlocklistStatus(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	alice := e.createUser(root, "alice")
	e.remoteAccount("bob", "remote.example")
	aliceHandle := "alice@" + e.cfg.Host()
	q := url.Values{"accounts": {aliceHandle, "bob@remote.example", "ghost@remote.example"},
		"hosts": {"remote.example", "other.example"}}
	status := func(tok string) map[string]any {
		t.Helper()
		r := e.do("GET", "/api/v1/blocklist/status?"+q.Encode(), nil, tok)
		want(t, r, http.StatusOK)
		return r.json(t)
	}
	entry := func(m map[string]any, kind, key string) [2]bool {
		t.Helper()
		v, ok := m[kind].(map[string]any)[key].(map[string]any)
		if !ok {
			t.Fatalf("no %s %q in %v", kind, key, m)
		}
		return [2]bool{v["blockedByServer"].(bool), v["blockedByUser"].(bool)}
	}
	m := status("")
	for _, k := range []string{aliceHandle, "bob@remote.example", "ghost@remote.example"} {
		if entry(m, "accounts", k) != [2]bool{} {
			t.Fatalf("%s blocked before any block: %v", k, m)
		}
	}

	want(t, e.do("POST", "/api/v1/server/blocklist/accounts", map[string]any{"accountName": "bob@remote.example"}, root), http.StatusNoContent)
	want(t, e.do("POST", "/api/v1/server/blocklist/servers", map[string]any{"host": "remote.example"}, root), http.StatusNoContent)
	want(t, e.do("POST", "/api/v1/users/me/blocklist/servers", map[string]any{"host": "other.example"}, alice), http.StatusNoContent)
	want(t, e.do("POST", "/api/v1/users/me/blocklist/accounts", map[string]any{"accountName": "bob@remote.example"}, alice), http.StatusNoContent)

	m = status("")
	if entry(m, "accounts", "bob@remote.example") != [2]bool{true, false} || entry(m, "hosts", "remote.example") != [2]bool{true, false} ||
		entry(m, "hosts", "other.example") != [2]bool{false, false} || entry(m, "accounts", aliceHandle) != [2]bool{false, false} {
		t.Fatalf("anonymous status %v", m)
	}
	m = status(alice)
	if entry(m, "accounts", "bob@remote.example") != [2]bool{true, true} || entry(m, "hosts", "other.example") != [2]bool{false, true} ||
		entry(m, "hosts", "remote.example") != [2]bool{true, false} || entry(m, "accounts", "ghost@remote.example") != [2]bool{false, false} {
		t.Fatalf("alice's status %v", m)
	}

	empty := e.do("GET", "/api/v1/blocklist/status", nil, "")
	want(t, empty, http.StatusOK)
	if strings.TrimSpace(string(empty.body)) != `{"accounts":{},"hosts":{}}` {
		t.Fatalf("empty status %s", empty.body)
	}
	for _, bad := range []string{"hosts=not%20a%20host", "hosts=a.example&hosts=a.example", "accounts=alice", "accounts=alice@bad/host"} {
		wantProblem(t, e.do("GET", "/api/v1/blocklist/status?"+bad, nil, ""), http.StatusBadRequest, "", "")
	}
	wantProblem(t, e.do("GET", "/api/v1/blocklist/status?hosts=a.example", nil, strings.Repeat("0", 40)), http.StatusUnauthorized, "", "")
}

func TestBlockableHost(t *testing.T) {
	for h, ok := range map[string]bool{
		"example.com": true, "sub.example.co.uk:8443": true, "127.0.0.1": true, "127.0.0.1:9000": true,
		"localhost:9000": true, "[::1]:443": true, "xn--bcher-kva.example": true,
		"": false, "nodot": false, "a/b.example": false, "https://x.example": false, "x.example:0": false,
		"x.example:99999": false, "x.example:": false, "-bad.example": false, "::1": false, "x.123": false,
		"a b.example": false, "x@y.example": false,
	} {
		if got := blockableHost(h); got != ok {
			t.Errorf("blockableHost(%q) = %v, want %v", h, got, ok)
		}
	}
}

// moderationBadInputs are the bad-input cases of the blocklist and abuse
// routes.
func moderationBadInputs(root string) map[string][]badCase {
	noAuth := func(method, path string) badCase { return badCase{method, path, "", "", "", ""} }
	list := func(path string) []badCase {
		out := []badCase{noAuth("GET", path), {"GET", path, "", "", strings.Repeat("0", 40), ""}}
		for _, q := range []string{"start=-1", "count=101", "sort=nope", "sort=-name", "search=" + strings.Repeat("s", 300)} {
			out = append(out, badCase{"GET", path + "?" + q, "", "", root, ""})
		}
		return out
	}
	body := func(method, path string, cases ...string) []badCase {
		out := []badCase{noAuth(method, path), {method, path, "{", "application/json", root, ""},
			{method, path, "[1]", "application/json", root, ""}, {method, path, "", "application/json", root, ""},
			{method, path, "x", "text/plain", root, ""}}
		for _, c := range cases {
			out = append(out, badCase{method, path, c, "application/json", root, ""})
		}
		return out
	}
	del := func(path string, cases ...string) []badCase {
		out := []badCase{noAuth("DELETE", path+"/"+cases[0])}
		for _, c := range cases {
			out = append(out, badCase{"DELETE", path + "/" + c, "", "", root, ""})
		}
		return out
	}
	cases := map[string][]badCase{
		"GET /api/v1/blocklist/status": {
			{"GET", "/api/v1/blocklist/status?hosts=bad%20host", "", "", "", ""},
			{"GET", "/api/v1/blocklist/status?hosts=a.example&hosts=a.example", "", "", "", ""},
			{"GET", "/api/v1/blocklist/status?accounts=nohost", "", "", "", ""},
			{"GET", "/api/v1/blocklist/status?accounts=a@b@c", "", "", "", ""},
			{"GET", "/api/v1/blocklist/status", "", "", strings.Repeat("0", 40), ""},
		},
		"POST /api/v1/abuses": body("POST", "/api/v1/abuses", `{}`, `{"reason":"x","account":{"id":2}}`,
			`{"reason":"`+strings.Repeat("r", 3001)+`","account":{"id":2}}`, `{"reason":12,"account":{"id":2}}`,
			`{"reason":"Fine reason"}`, `{"reason":"Fine reason","account":{"id":424242}}`,
			`{"reason":"Fine reason","account":{"id":"abc"}}`, `{"reason":"Fine reason","video":{"id":"!!"}}`,
			`{"reason":"Fine reason","video":{"id":99999}}`, `{"reason":"Fine reason","video":5}`,
			`{"reason":"Fine reason","comment":{"id":99999}}`, `{"reason":"Fine reason","account":{"id":2},"predefinedReasons":["nope"]}`,
			`{"reason":"Fine reason","account":{"id":2},"predefinedReasons":"spamOrMisleading"}`,
			`{"reason":"Fine reason","video":{"id":99999,"startAt":-1}}`, `{"reason":"Fine reason","video":{"id":99999,"startAt":5,"endAt":2}}`),
		"GET /api/v1/abuses": append(list("/api/v1/abuses"), badCase{"GET", "/api/v1/abuses?state=9", "", "", root, ""},
			badCase{"GET", "/api/v1/abuses?filter=videos", "", "", root, ""}, badCase{"GET", "/api/v1/abuses?videoIs=gone", "", "", root, ""},
			badCase{"GET", "/api/v1/abuses?predefinedReason=nope", "", "", root, ""}, badCase{"GET", "/api/v1/abuses?id=abc", "", "", root, ""}),
		"GET /api/v1/users/me/abuses": append(list("/api/v1/users/me/abuses"), badCase{"GET", "/api/v1/users/me/abuses?state=0", "", "", root, ""},
			badCase{"GET", "/api/v1/users/me/abuses?id=1.5", "", "", root, ""}),
	}
	for _, scope := range []string{"/api/v1/users/me/blocklist", "/api/v1/server/blocklist"} {
		cases["GET "+scope+"/accounts"] = list(scope + "/accounts")
		cases["GET "+scope+"/servers"] = list(scope + "/servers")
		cases["POST "+scope+"/accounts"] = body("POST", scope+"/accounts", `{}`, `{"accountName":null}`, `{"accountName":42}`,
			`{"accountName":"root"}`, `{"accountName":"nobody"}`, `{"accountName":"x@unknown.example"}`, `{"accountName":"@"}`)
		cases["POST "+scope+"/servers"] = body("POST", scope+"/servers", `{}`, `{"host":null}`, `{"host":"bad host"}`,
			`{"host":"a/b.example"}`, `{"host":["a.example"]}`, `{"host":"nodot"}`)
		cases["DELETE "+scope+"/accounts/{accountName}"] = del(scope+"/accounts", "root", "nobody", "x@unknown.example")
		cases["DELETE "+scope+"/servers/{host}"] = del(scope+"/servers", "unblocked.example", "bad_host", "a.example:0")
	}
	return cases
}
