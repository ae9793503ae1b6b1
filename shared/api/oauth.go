package api

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vidiverse/vidiverse/shared/config"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/password"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
)

// getLocalClient answers GET /api/v1/oauth-clients/local: the instance's
// OAuth client, only when the request's Host is the instance's own, as
// PeerTube checks.
func (a *API) getLocalClient(w http.ResponseWriter, r *http.Request) error {
	if !strings.EqualFold(r.Host, a.cfg.Host()) {
		return problem.Forbidden(fmt.Sprintf("Getting client tokens for host %s is forbidden", r.Host))
	}
	c, err := a.st.EnsureOAuthClient(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"client_id": c.ID, "client_secret": c.Secret})
}

func tokenError(code, detail string) *problem.Error {
	return problem.Coded(http.StatusBadRequest, code, detail).WithDocs("getOAuthToken")
}

// postToken answers POST /api/v1/users/token (password and refresh_token
// grants, form-urlencoded only).
func (a *API) postToken(w http.ResponseWriter, r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return tokenError(problem.CodeInvalidRequest, "Invalid request: content must be application/x-www-form-urlencoded")
	}
	if err := a.limit(w, r, "login", a.cfg.LoginLimit, true); err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return tokenError(problem.CodeInvalidRequest, "Invalid request: malformed body")
	}
	f := r.PostForm
	if f.Get("client_id") == "" || f.Get("client_secret") == "" {
		return tokenError(problem.CodeInvalidClient, "Invalid client: cannot retrieve client credentials")
	}
	client, err := a.st.EnsureOAuthClient(r.Context())
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare([]byte(f.Get("client_id")), []byte(client.ID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(f.Get("client_secret")), []byte(client.Secret)) != 1 {
		return tokenError(problem.CodeInvalidClient, "Invalid client: client is invalid")
	}
	grant := f.Get("grant_type")
	if grant == "" {
		return tokenError(problem.CodeInvalidRequest, "Missing parameter: `grant_type`")
	}

	var userID int64
	switch grant {
	case "password":
		if userID, err = a.passwordGrant(r, f.Get("username"), f.Get("password")); err != nil {
			return err
		}
	case "refresh_token":
		rt := f.Get("refresh_token")
		if rt == "" {
			return tokenError(problem.CodeInvalidRequest, "Missing parameter: `refresh_token`")
		}
		tok, err := a.st.RefreshToken(r.Context(), rt)
		switch {
		case errors.Is(err, store.ErrExpired):
			return tokenError(problem.CodeInvalidGrant, "Invalid grant: refresh token has expired")
		case errors.Is(err, store.ErrNotFound):
			return tokenError(problem.CodeInvalidGrant, "Invalid grant: refresh token is invalid")
		case err != nil:
			return err
		}
		a.touchLogin(r, tok.UserID)
		return a.writeToken(w, tok)
	default:
		return tokenError(problem.CodeUnsupportedGrantType, "Unsupported grant type: `grant_type` is invalid")
	}
	tok, err := a.st.IssueToken(r.Context(), userID)
	if err != nil {
		return err
	}
	return a.writeToken(w, tok)
}

// passwordGrant checks a username-or-email and password.
func (a *API) passwordGrant(r *http.Request, login, pw string) (int64, error) {
	if login == "" {
		return 0, tokenError(problem.CodeInvalidRequest, "Missing parameter: `username`")
	}
	if pw == "" {
		return 0, tokenError(problem.CodeInvalidRequest, "Missing parameter: `password`")
	}
	invalid := tokenError(problem.CodeInvalidGrant, "Invalid grant: user credentials are invalid")
	if len(login) > emailMax || len(pw) > passwordMax {
		return 0, invalid
	}
	u, err := a.st.UserByLogin(r.Context(), strings.ToLower(login))
	if errors.Is(err, store.ErrNotFound) {
		// Spend the same time as a real check, so response times do not
		// tell which usernames exist.
		_, _ = password.Verify(pw, dummyHash(a.kdf))
		return 0, invalid
	}
	if err != nil {
		return 0, err
	}
	ok, err := password.Verify(pw, u.PasswordHash)
	if err != nil {
		return 0, fmt.Errorf("verify password of user %d: %w", u.ID, err)
	}
	if !ok {
		return 0, invalid
	}
	if u.Blocked {
		return 0, tokenError(problem.CodeAccessDenied, "User is blocked.")
	}
	a.touchLogin(r, u.ID)
	return u.ID, nil
}

// touchLogin records a login time; a failure to record it does not fail
// the login.
func (a *API) touchLogin(r *http.Request, id int64) {
	_, err := a.modifyUser(r.Context(), id, func(u *model.User) error {
		u.LastLoginDate = a.now()
		return nil
	})
	if err != nil {
		a.log.WarnContext(r.Context(), "record last login", "user", id, "err", err)
	}
}

type tokenJSON struct {
	TokenType             string `json:"token_type"`
	AccessToken           string `json:"access_token"`
	RefreshToken          string `json:"refresh_token"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
}

// writeToken sends an issued token pair, as PeerTube does.
func (a *API) writeToken(w http.ResponseWriter, tok model.Token) error {
	now := a.now()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	return writeJSON(w, http.StatusOK, tokenJSON{
		TokenType:             "Bearer",
		AccessToken:           tok.Access,
		RefreshToken:          tok.Refresh,
		ExpiresIn:             int64(tok.AccessExpires.Sub(now).Seconds()),
		RefreshTokenExpiresIn: int64(tok.RefreshExpires.Sub(now).Seconds()),
	})
}

// postRevokeToken answers POST /api/v1/users/revoke-token.
func (a *API) postRevokeToken(w http.ResponseWriter, r *http.Request) error {
	tok, _ := r.Context().Value(accessTokenKey).(string)
	if err := a.st.RevokeAccess(r.Context(), tok); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"success": true})
}

// limit enforces a per-IP rate limit with PeerTube's headers, answering
// 429 past it. When count is false the request is only checked against the
// window, and the caller counts it with a.hit once it succeeded (PeerTube
// counts only successful signups).
func (a *API) limit(w http.ResponseWriter, r *http.Request, bucket string, l config.RateLimit, count bool) error {
	ip := clientIP(r)
	var n int64
	var reset time.Time
	var err error
	if count {
		n, reset, err = a.st.Hit(r.Context(), bucket, ip, l.Window)
	} else {
		n, reset, err = a.st.Hits(r.Context(), bucket, ip, l.Window)
		n++
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.FormatInt(l.Max, 10))
	h.Set("X-RateLimit-Remaining", strconv.FormatInt(max(0, l.Max-n), 10))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	if n > l.Max {
		retry := int64(reset.Sub(a.now()).Seconds()) + 1
		return problem.Coded(http.StatusTooManyRequests, problem.CodeTooManyRequests,
			"Too many requests, please try again later.").
			WithHeader("Retry-After", strconv.FormatInt(retry, 10))
	}
	return nil
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

var (
	dummyOnce sync.Once
	dummyPHC  string
)

// dummyHash is a hash of nothing in particular, made with the live KDF
// parameters, to verify against when the user does not exist.
func dummyHash(p password.Params) string {
	dummyOnce.Do(func() { dummyPHC, _ = password.Hash("not a password", p) })
	return dummyPHC
}
