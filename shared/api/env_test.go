package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	blobfs "github.com/vidiverse/vidiverse/shared/blob/fs"
	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/password"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
)

const rootPassword = "root-secret-pw"

// testKDF keeps tests fast; production uses password.Default.
var testKDF = password.Params{MemoryKiB: 64, Time: 1, Threads: 1}

// env is an API served over loopback HTTP on a real embedded table.
type env struct {
	t   *testing.T
	srv *httptest.Server
	api *API
	st  *store.Store
	cfg config.Config
	// clientID and clientSecret of the instance's OAuth client.
	clientID, clientSecret string
}

func newEnv(t *testing.T, mutate ...func(*config.Config)) *env {
	t.Helper()
	tbl, err := embedded.Open(filepath.Join(t.TempDir(), "table.db"), store.Schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tbl.Close() })
	srv := httptest.NewUnstartedServer(nil)
	cfg := config.Defaults()
	cfg.PublicURL = "http://" + srv.Listener.Addr().String()
	cfg.AdminEmail = "admin@example.com"
	for _, m := range mutate {
		m(&cfg)
	}
	st := store.New(tbl)
	blobs, err := blobfs.New(filepath.Join(t.TempDir(), "blobs"), blobfs.Options{BaseURL: cfg.PublicURL, Secret: bytes.Repeat([]byte("s"), 32)})
	if err != nil {
		t.Fatal(err)
	}
	a := New(Deps{Config: cfg, Store: st, Log: slog.New(slog.DiscardHandler), Password: testKDF, Blobs: blobs})
	if _, err := a.Bootstrap(context.Background(), rootPassword, true); err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = a
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := st.EnsureOAuthClient(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, srv: srv, api: a, st: st, cfg: cfg, clientID: c.ID, clientSecret: c.Secret}
}

// reply is a response with its body read.
type reply struct {
	status int
	header http.Header
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("status %d: body is not a JSON object: %v: %s", r.status, err, r.body)
	}
	return m
}

// do sends a request. body may be nil, a string (sent as is with
// contentType) or any other value (sent as JSON).
func (e *env) do(method, path string, body any, token string, contentType ...string) reply {
	e.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		rd, ct = bytes.NewReader(raw), "application/json"
	}
	if len(contentType) > 0 {
		ct = contentType[0]
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: b}
}

// login runs the password grant and returns the access token.
func (e *env) login(username, pw string) string {
	e.t.Helper()
	r := e.tokenRequest(url.Values{"grant_type": {"password"}, "username": {username}, "password": {pw}})
	if r.status != http.StatusOK {
		e.t.Fatalf("login %s: %d %s", username, r.status, r.body)
	}
	return r.json(e.t)["access_token"].(string)
}

func (e *env) tokenRequest(form url.Values) reply {
	e.t.Helper()
	if !form.Has("client_id") {
		form.Set("client_id", e.clientID)
	}
	if !form.Has("client_secret") {
		form.Set("client_secret", e.clientSecret)
	}
	return e.do("POST", "/api/v1/users/token", form.Encode(), "", "application/x-www-form-urlencoded")
}

// createUser creates a plain user as root and returns its token.
func (e *env) createUser(rootTok, username string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/users", map[string]any{
		"username": username, "password": username + "-password", "email": username + "@example.com",
		"role": 2, "videoQuota": -1, "videoQuotaDaily": -1,
	}, rootTok)
	if r.status != http.StatusOK {
		e.t.Fatalf("create user %s: %d %s", username, r.status, r.body)
	}
	return e.login(username, username+"-password")
}

// wantProblem checks an error reply: status, problem+json, and the code
// and detail when given.
func wantProblem(t *testing.T, r reply, status int, code, detail string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json; charset=utf-8" {
		t.Fatalf("content type %q, want problem+json: %s", ct, r.body)
	}
	m := r.json(t)
	if int(m["status"].(float64)) != status {
		t.Errorf("body status %v, want %d", m["status"], status)
	}
	if code != "" && m["code"] != code {
		t.Errorf("code %v, want %s: %s", m["code"], code, r.body)
	}
	if detail != "" && m["detail"] != detail {
		t.Errorf("detail %q, want %q", m["detail"], detail)
	}
	if m["error"] != m["detail"] {
		t.Errorf("error %q should repeat detail %q", m["error"], m["detail"])
	}
	return m
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// storedVideo stores a published video of a user directly, without media,
// for tests of routes that only read or change its record.
func (e *env) storedVideo(t *testing.T, username string, privacy int) model.Video {
	t.Helper()
	u, err := e.st.UserByUsername(context.Background(), username)
	if err != nil {
		t.Fatal(err)
	}
	chans, err := e.st.AccountChannels(context.Background(), u.AccountID)
	if err != nil || len(chans) == 0 {
		t.Fatalf("channels of %s: %v", username, err)
	}
	v, err := e.st.CreateVideo(context.Background(), model.Video{
		UUID: mediakeys.NewName(), AccountID: u.AccountID, State: model.StatePublished,
		VideoMeta: model.VideoMeta{Name: "Stored video of " + username, ChannelID: chans[0].ID, Privacy: privacy,
			CommentsPolicy: model.CommentsEnabled, DownloadEnabled: true, Tags: []string{"stored"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}
