package api

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/reftest"
)

func TestLocalClientChecksHost(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/v1/oauth-clients/local", nil, "")
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	m := r.json(t)
	if m["client_id"] != e.clientID || m["client_secret"] != e.clientSecret {
		t.Fatalf("client %v", m)
	}
	reftest.ShapeEqual(t, r.body, reftest.REST(t, "rest-oauth-clients-local.json"), true, nil)

	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/oauth-clients/local", nil)
	req.Host = "evil.example"
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign Host: status %d, want 403", resp.StatusCode)
	}
}

func TestTokenGrants(t *testing.T) {
	e := newEnv(t)
	r := e.tokenRequest(url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {rootPassword},
		"response_type": {"code"}, "scope": {"upload"}})
	if r.status != http.StatusOK {
		t.Fatalf("password grant: %d %s", r.status, r.body)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", r.header.Get("Cache-Control"))
	}
	reftest.ShapeEqual(t, r.body, reftest.REST(t, "rest-token.json"), true, nil)
	tok := r.json(t)
	access, refresh := tok["access_token"].(string), tok["refresh_token"].(string)
	if len(access) != 40 || tok["expires_in"].(float64) < 86390 || tok["refresh_token_expires_in"].(float64) < 1209590 {
		t.Fatalf("token %v", tok)
	}

	// Login by email, case-insensitively, works too.
	if got := e.login("ADMIN@example.com", rootPassword); got == "" {
		t.Fatal("no token by email")
	}

	// The refresh grant trades the pair once.
	r = e.tokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}})
	if r.status != http.StatusOK {
		t.Fatalf("refresh grant: %d %s", r.status, r.body)
	}
	newAccess := r.json(t)["access_token"].(string)
	wantProblem(t, e.tokenRequest(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}),
		400, "invalid_grant", "Invalid grant: refresh token is invalid")
	wantProblem(t, e.do("GET", "/api/v1/users/me", nil, access), 401, "invalid_token", "Token is invalid")
	if r := e.do("GET", "/api/v1/users/me", nil, newAccess); r.status != 200 {
		t.Fatalf("new access token refused: %d", r.status)
	}

	// Revoking ends the token.
	r = e.do("POST", "/api/v1/users/revoke-token", nil, newAccess)
	if r.status != 200 || r.json(t)["success"] != true {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	wantProblem(t, e.do("GET", "/api/v1/users/me", nil, newAccess), 401, "invalid_token", "")
}

func TestTokenErrorsAsPeerTube(t *testing.T) {
	e := newEnv(t)
	bad := e.tokenRequest(url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {"wrong-password"},
		"response_type": {"code"}})
	wantProblem(t, bad, 400, "invalid_grant", "Invalid grant: user credentials are invalid")
	if string(bad.body) != string(reftest.REST(t, "rest-token-bad-password.json"))+"\n" {
		t.Errorf("bad password body differs from PeerTube's:\n got %s\nwant %s", bad.body, reftest.REST(t, "rest-token-bad-password.json"))
	}
	badClient := e.tokenRequest(url.Values{"client_id": {strings.Repeat("c", 32)}, "grant_type": {"password"},
		"username": {"root"}, "password": {rootPassword}})
	if string(badClient.body) != string(reftest.REST(t, "rest-token-bad-client.json"))+"\n" {
		t.Errorf("bad client body differs from PeerTube's:\n got %s\nwant %s", badClient.body, reftest.REST(t, "rest-token-bad-client.json"))
	}

	for _, tc := range []struct {
		name         string
		form         url.Values
		code, detail string
	}{
		{"unknown user", url.Values{"grant_type": {"password"}, "username": {"nobody"}, "password": {"whatever1"}},
			"invalid_grant", "Invalid grant: user credentials are invalid"},
		{"no client", url.Values{"client_id": {""}, "grant_type": {"password"}},
			"invalid_client", "Invalid client: cannot retrieve client credentials"},
		{"no grant", url.Values{"username": {"root"}}, "invalid_request", "Missing parameter: `grant_type`"},
		{"bad grant", url.Values{"grant_type": {"client_credentials"}}, "unsupported_grant_type",
			"Unsupported grant type: `grant_type` is invalid"},
		{"no username", url.Values{"grant_type": {"password"}, "password": {"x"}}, "invalid_request",
			"Missing parameter: `username`"},
		{"no password", url.Values{"grant_type": {"password"}, "username": {"root"}}, "invalid_request",
			"Missing parameter: `password`"},
		{"no refresh token", url.Values{"grant_type": {"refresh_token"}}, "invalid_request",
			"Missing parameter: `refresh_token`"},
		{"huge username", url.Values{"grant_type": {"password"}, "username": {strings.Repeat("a", 5000)}, "password": {"x"}},
			"invalid_grant", "Invalid grant: user credentials are invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantProblem(t, e.tokenRequest(tc.form), 400, tc.code, tc.detail)
		})
	}
	t.Run("json body", func(t *testing.T) {
		r := e.do("POST", "/api/v1/users/token", map[string]string{"grant_type": "password"}, "")
		wantProblem(t, r, 400, "invalid_request", "Invalid request: content must be application/x-www-form-urlencoded")
	})
}

func TestBlockedUserCannotLogIn(t *testing.T) {
	e := newEnv(t)
	root := e.login("root", rootPassword)
	tok := e.createUser(root, "alice")
	u, err := e.st.UserByUsername(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	u.Blocked = true
	if _, err := e.st.UpdateUser(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, e.do("GET", "/api/v1/users/me", nil, tok), 401, "invalid_token", "Token is invalid")
	r := e.tokenRequest(url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"alice-password"}})
	wantProblem(t, r, 400, "access_denied", "User is blocked.")
}

func TestAuthHeaderErrors(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/v1/users/me", nil, "")
	wantProblem(t, r, 401, "unauthorized_request", "Token is invalid")
	if string(r.body) != string(reftest.REST(t, "rest-users-me-unauthenticated.json"))+"\n" {
		t.Errorf("body differs from PeerTube's:\n got %s\nwant %s", r.body, reftest.REST(t, "rest-users-me-unauthenticated.json"))
	}
	wantProblem(t, e.do("GET", "/api/v1/users/me", nil, strings.Repeat("f", 40)), 401, "invalid_token", "Token is invalid")
	for _, hdr := range []string{"bearer abc", "Basic cm9vdDpwdw==", "Bearer", "Bearer a b", "Bearer " + strings.Repeat("a", 300)} {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/users/me", nil)
		req.Header.Set("Authorization", hdr)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Errorf("Authorization %.20q: status %d, want 400", hdr, resp.StatusCode)
		}
	}
	// A bad token on a public route fails too, as in PeerTube.
	wantProblem(t, e.do("GET", "/api/v1/accounts", nil, strings.Repeat("f", 40)), 401, "invalid_token", "")
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.LoginLimit.Max = 3 })
	form := url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {"wrong"}}
	for i := 0; i < 3; i++ {
		r := e.tokenRequest(form)
		if r.status != 400 || r.header.Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("attempt %d: %d limit %q", i, r.status, r.header.Get("X-RateLimit-Limit"))
		}
	}
	r := e.tokenRequest(form)
	wantProblem(t, r, 429, "too_many_requests", "")
	if r.header.Get("Retry-After") == "" || r.header.Get("X-RateLimit-Remaining") != "0" {
		t.Fatalf("429 headers %v", r.header)
	}
	// The right password is refused too while limited.
	wantProblem(t, e.tokenRequest(url.Values{"grant_type": {"password"}, "username": {"root"}, "password": {rootPassword}}), 429, "", "")
}

func TestTrustedProxyHeaders(t *testing.T) {
	for _, tc := range []struct {
		hops   int
		values []string
		want   string
	}{
		{1, []string{"203.0.113.9"}, "203.0.113.9"},
		{1, []string{"198.51.100.1, 203.0.113.9"}, "203.0.113.9"}, // a forged first entry is ignored
		{2, []string{"198.51.100.1, 203.0.113.9"}, "198.51.100.1"},
		{2, []string{"203.0.113.9"}, ""},
		{1, []string{"not-an-ip"}, ""},
		{1, nil, ""},
	} {
		if got := forwardedFor(tc.values, tc.hops); got != tc.want {
			t.Errorf("forwardedFor(%q, %d) = %q, want %q", tc.values, tc.hops, got, tc.want)
		}
	}
	// Behind CloudFront the OAuth client check sees the public host.
	e := newEnv(t, func(c *config.Config) { c.PublicURL = "https://video.example"; c.TrustedProxyHops = 1 })
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/oauth-clients/local", nil)
	req.Header.Set("X-Forwarded-Host", "video.example")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("through a trusted proxy: %d", resp.StatusCode)
	}
	// Without trust the header changes nothing.
	e = newEnv(t, func(c *config.Config) { c.PublicURL = "https://video.example" })
	req, _ = http.NewRequest("GET", e.srv.URL+"/api/v1/oauth-clients/local", nil)
	req.Header.Set("X-Forwarded-Host", "video.example")
	resp, err = e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("untrusted X-Forwarded-Host accepted: %d", resp.StatusCode)
	}
}
