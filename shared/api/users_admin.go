package api

import (
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/password"
	"github.com/vidiverse/vidiverse/shared/problem"
)

type userBody struct {
	Username        optString `json:"username"`
	Password        optString `json:"password"`
	Email           optString `json:"email"`
	EmailVerified   optBool   `json:"emailVerified"`
	VideoQuota      optInt    `json:"videoQuota"`
	VideoQuotaDaily optInt    `json:"videoQuotaDaily"`
	Role            optInt    `json:"role"`
	AdminFlags      optInt    `json:"adminFlags"`
	ChannelName     optString `json:"channelName"`
	PluginAuth      optString `json:"pluginAuth"`
}

// checkUserBody validates the fields of POST and PUT /users; creating
// requires username, password, email, quotas and role.
func checkUserBody(b userBody, create bool) error {
	fe := newFieldErrors("body")
	if create || b.Username.Set {
		if !validUsername(b.Username.V) {
			fe.add("username", b.Username.V, "Should have a valid username (lowercase alphanumeric characters)")
		}
	}
	if create || b.Password.Set {
		if !validPassword(b.Password.V) {
			fe.add("password", nil, "Should have a valid password")
		}
	}
	if create || b.Email.Set {
		if !validEmail(b.Email.V) {
			fe.add("email", b.Email.V, "Should have a valid email")
		}
	}
	if b.VideoQuota.Set && !validQuota(b.VideoQuota.V) {
		fe.add("videoQuota", b.VideoQuota.V, "Should have a valid user quota")
	}
	if b.VideoQuotaDaily.Set && !validQuota(b.VideoQuotaDaily.V) {
		fe.add("videoQuotaDaily", b.VideoQuotaDaily.V, "Should have a valid daily user quota")
	}
	if (create || b.Role.Set) && (!b.Role.Set || !model.Role(b.Role.V).Valid()) {
		fe.add("role", b.Role.V, "Should have a valid role")
	}
	if b.AdminFlags.Set && (b.AdminFlags.V < 0 || b.AdminFlags.V > 1<<16) {
		fe.add("adminFlags", b.AdminFlags.V, "Should have a valid admin flags")
	}
	if b.ChannelName.Set && !validChannelName(b.ChannelName.V) {
		fe.add("channelName", b.ChannelName.V, "Should have a valid channel name")
	}
	if err := fe.err(); err != nil {
		return err
	}
	if b.ChannelName.Set && b.ChannelName.V == b.Username.V {
		return problem.BadRequest("Channel name cannot be the same as user username.")
	}
	return nil
}

// postUser answers POST /api/v1/users (MANAGE_USERS).
func (a *API) postUser(w http.ResponseWriter, r *http.Request) error {
	actor := currentUser(r)
	if err := requireManageUsers(r, actor); err != nil {
		return err
	}
	var b userBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if err := checkUserBody(b, true); err != nil {
		return err
	}
	role := model.Role(b.Role.V)
	if actor.Role != model.RoleAdministrator && role != model.RoleUser {
		return problem.Forbidden("You can only create users (and not administrators or moderators)")
	}
	in := newUserInput{
		Username: b.Username.V, Password: b.Password.V, Email: strings.ToLower(b.Email.V), Role: role,
		VideoQuota: a.cfg.UserVideoQuota, VideoQuotaDaily: a.cfg.UserVideoQuotaDaily, AdminFlags: int(b.AdminFlags.V),
		ChannelName: b.ChannelName.V, ChannelDisplayName: b.ChannelName.V,
	}
	if b.VideoQuota.Set {
		in.VideoQuota = b.VideoQuota.V
	}
	if b.VideoQuotaDaily.Set {
		in.VideoQuotaDaily = b.VideoQuotaDaily.V
	}
	u, acc, err := a.createUser(r.Context(), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{
		"user": map[string]any{"id": u.ID, "account": map[string]any{"id": acc.ID}},
	})
}

// listUsers answers GET /api/v1/users (MANAGE_USERS).
func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	if err := requireManageUsers(r, currentUser(r)); err != nil {
		return err
	}
	p, err := parsePage(r, []string{"id", "username", "videoQuotaUsed", "createdAt", "lastLoginDate", "role"}, "-createdAt")
	if err != nil {
		return err
	}
	users, err := a.st.Users(r.Context())
	if err != nil {
		return err
	}
	blocked := r.URL.Query().Get("blocked")
	if blocked != "" && blocked != "true" && blocked != "false" {
		return problem.InvalidField("query", "blocked", blocked, "Should be a boolean")
	}
	kept := users[:0]
	for _, u := range users {
		if p.Search != "" && !strings.Contains(u.Username, strings.ToLower(p.Search)) &&
			!strings.Contains(u.Email, strings.ToLower(p.Search)) {
			continue
		}
		if blocked != "" && u.Blocked != (blocked == "true") {
			continue
		}
		kept = append(kept, u)
	}
	pg := paginate(kept, p, map[string]func(model.User) string{
		"id":             func(u model.User) string { return numKey(u.ID) },
		"username":       func(u model.User) string { return u.Username },
		"videoQuotaUsed": func(u model.User) string { return numKey(0) },
		"role":           func(u model.User) string { return numKey(int64(u.Role)) },
		"createdAt":      func(u model.User) string { return timeJSON(u.CreatedAt) },
		"lastLoginDate":  func(u model.User) string { return timeJSON(u.LastLoginDate) },
	})
	out := listPage[userJSON]{Total: pg.Total, Data: make([]userJSON, 0, len(pg.Data))}
	for _, u := range pg.Data {
		v, err := a.userView(r.Context(), u)
		if err != nil {
			return err
		}
		out.Data = append(out.Data, v)
	}
	return writeJSON(w, http.StatusOK, out)
}

// managedUser loads the {id} user of a route that needs MANAGE_USERS and
// returns it with the acting user.
func (a *API) managedUser(r *http.Request) (*model.User, model.User, error) {
	actor := currentUser(r)
	if err := requireManageUsers(r, actor); err != nil {
		return actor, model.User{}, err
	}
	id, err := userParam(r)
	if err != nil {
		return actor, model.User{}, err
	}
	target, err := a.loadUser(r.Context(), id)
	return actor, target, err
}

// getUser answers GET /api/v1/users/{id} (MANAGE_USERS).
func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	_, u, err := a.managedUser(r)
	if err != nil {
		return err
	}
	v, err := a.userView(r.Context(), u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// putUser answers PUT /api/v1/users/{id} (MANAGE_USERS).
func (a *API) putUser(w http.ResponseWriter, r *http.Request) error {
	actor := currentUser(r)
	if err := requireManageUsers(r, actor); err != nil {
		return err
	}
	id, err := userParam(r)
	if err != nil {
		return err
	}
	var b userBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if b.Username.Set || b.ChannelName.Set {
		return problem.InvalidField("body", "username", b.Username.V, "Username cannot be updated")
	}
	if err := checkUserBody(b, false); err != nil {
		return err
	}
	target, err := a.loadUser(r.Context(), id)
	if err != nil {
		return err
	}
	if target.Username == "root" && b.Role.Set && model.Role(b.Role.V) != model.RoleAdministrator {
		return problem.BadRequest("Cannot change root role.")
	}
	if !canManageUsers(actor, &target) || (b.Role.Set && actor.Role != model.RoleAdministrator && model.Role(b.Role.V) != model.RoleUser) {
		return problem.Forbidden("A moderator can only manage users.")
	}
	var hash string
	if b.Password.Set {
		if hash, err = password.Hash(b.Password.V, a.kdf); err != nil {
			return err
		}
	}
	_, err = a.modifyUser(r.Context(), id, func(u *model.User) error {
		if b.Email.Set {
			u.Email = strings.ToLower(b.Email.V)
		}
		if b.EmailVerified.Set {
			u.EmailVerified = b.EmailVerified.V
		}
		if b.VideoQuota.Set {
			u.VideoQuota = b.VideoQuota.V
		}
		if b.VideoQuotaDaily.Set {
			u.VideoQuotaDaily = b.VideoQuotaDaily.V
		}
		if b.Role.Set {
			u.Role = model.Role(b.Role.V)
		}
		if b.AdminFlags.Set {
			u.AdminFlags = int(b.AdminFlags.V)
		}
		if hash != "" {
			u.PasswordHash = hash
		}
		return nil
	})
	if err != nil {
		return err
	}
	if hash != "" || b.Role.Set {
		// A new password or role ends every session of the user.
		if err := a.st.RevokeUserTokens(r.Context(), id, ""); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteUser answers DELETE /api/v1/users/{id} (MANAGE_USERS).
func (a *API) deleteUser(w http.ResponseWriter, r *http.Request) error {
	actor, target, err := a.managedUser(r)
	if err != nil {
		return err
	}
	if target.Username == "root" {
		return problem.BadRequest("Cannot remove the root user")
	}
	if !canManageUsers(actor, &target) {
		return problem.Forbidden("A moderator can only manage users.")
	}
	if err := a.st.DeleteUser(r.Context(), target.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
