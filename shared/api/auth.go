package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/vidiverse/vidiverse/shared/logging"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
)

// bearerRe is the Authorization header form OAuth 2 bearer tokens take.
var bearerRe = regexp.MustCompile(`^Bearer ([0-9a-zA-Z\-._~+/]+=*)$`)

type ctxKey int

const (
	userKey ctxKey = iota
	accessTokenKey
)

// authed runs h only for requests with a valid bearer token, with the
// token's user in the context.
func (a *API) authed(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, tok, err := a.authenticate(r)
		if err != nil {
			return err
		}
		if u == nil {
			return problem.Unauthorized("Token is invalid")
		}
		ctx := context.WithValue(r.Context(), userKey, u)
		ctx = context.WithValue(ctx, accessTokenKey, tok)
		logging.SetActor(ctx, u.Username)
		return h(w, r.WithContext(ctx))
	}
}

// authenticate returns the user of the request's bearer token; nil, nil
// when there is no token; a 401 problem when the token is not valid.
func (a *API) authenticate(r *http.Request) (*model.User, string, error) {
	hdr := r.Header.Get("Authorization")
	if hdr == "" {
		return nil, "", nil
	}
	m := bearerRe.FindStringSubmatch(hdr)
	if m == nil || len(m[1]) > 200 {
		return nil, "", problem.Coded(http.StatusBadRequest, problem.CodeInvalidRequest, "Token is invalid")
	}
	tok := m[1]
	invalid := problem.Coded(http.StatusUnauthorized, problem.CodeInvalidToken, "Token is invalid")
	t, err := a.st.TokenByAccess(r.Context(), tok)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", invalid
	}
	if err != nil {
		return nil, "", err
	}
	u, err := a.st.User(r.Context(), t.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, "", invalid
	}
	if err != nil {
		return nil, "", err
	}
	if u.Blocked {
		return nil, "", invalid
	}
	return &u, tok, nil
}

// currentUser is the authenticated user of an authed request.
func currentUser(r *http.Request) *model.User {
	u, _ := r.Context().Value(userKey).(*model.User)
	return u
}

// optionalUser authenticates when a token is given and returns nil for
// anonymous requests.
func (a *API) optionalUser(r *http.Request) (*model.User, error) {
	u, _, err := a.authenticate(r)
	return u, err
}

// canManageUsers reports whether actor may manage target (PeerTube's
// MANAGE_USERS right: administrators manage everyone, moderators manage
// plain users).
func canManageUsers(actor *model.User, target *model.User) bool {
	switch actor.Role {
	case model.RoleAdministrator:
		return true
	case model.RoleModerator:
		return target == nil || target.Role == model.RoleUser
	}
	return false
}

// rightManageUsers is PeerTube's UserRight.MANAGE_USERS.
const rightManageUsers = 1

func requireManageUsers(r *http.Request, u *model.User) error {
	if !canManageUsers(u, nil) {
		return problem.Forbidden(fmt.Sprintf("User %s does not have right %d to access to %s.",
			u.Username, rightManageUsers, routerPath(r.URL.Path, "/api/v1/users")))
	}
	return nil
}

// routerPath is a path relative to the router mounted at prefix, as
// Express reports req.path in PeerTube's messages.
func routerPath(path, prefix string) string {
	if p := strings.TrimPrefix(path, prefix); p != "" {
		return p
	}
	return "/"
}
