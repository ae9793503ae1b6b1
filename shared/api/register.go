package api

import (
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
)

type registerBody struct {
	Username    optString `json:"username"`
	Password    optString `json:"password"`
	Email       optString `json:"email"`
	DisplayName optString `json:"displayName"`
	Channel     *struct {
		Name        optString `json:"name"`
		DisplayName optString `json:"displayName"`
	} `json:"channel"`
}

// postRegister answers POST /api/v1/users/register: self sign-up, when
// the instance allows it.
func (a *API) postRegister(w http.ResponseWriter, r *http.Request) error {
	if err := a.limit(w, r, "signup", a.cfg.SignupLimit, false); err != nil {
		return err
	}
	if !a.cfg.SignupEnabled {
		return problem.Forbidden("User registration is not allowed")
	}
	if a.cfg.SignupRequiresApproval {
		return problem.Forbidden("User registration requires approval")
	}
	var b registerBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	fe := newFieldErrors("body")
	if !validUsername(b.Username.V) {
		fe.add("username", b.Username.V, "Should have a valid username (lowercase alphanumeric characters)")
	}
	if !validPassword(b.Password.V) {
		fe.add("password", nil, "Should have a valid password")
	}
	if !validEmail(b.Email.V) {
		fe.add("email", b.Email.V, "Should have a valid email")
	}
	if b.DisplayName.Set && !validDisplayName(b.DisplayName.V) {
		fe.add("displayName", b.DisplayName.V, "Should have a valid display name")
	}
	in := newUserInput{
		Username: b.Username.V, Password: b.Password.V, Email: strings.ToLower(b.Email.V),
		Role: model.RoleUser, VideoQuota: a.cfg.UserVideoQuota, VideoQuotaDaily: a.cfg.UserVideoQuotaDaily,
		DisplayName: b.DisplayName.V,
	}
	if b.Channel != nil {
		if !b.Channel.Name.Set || !b.Channel.DisplayName.Set {
			return problem.BadRequest("Channel is optional but if you specify it, channel.name and channel.displayName are required.")
		}
		if !validChannelName(b.Channel.Name.V) {
			fe.add("channel.name", b.Channel.Name.V, "Should have a valid channel name")
		}
		if !validChannelDisplayName(b.Channel.DisplayName.V) {
			fe.add("channel.displayName", b.Channel.DisplayName.V, "Should have a valid channel display name")
		}
		in.ChannelName, in.ChannelDisplayName = b.Channel.Name.V, b.Channel.DisplayName.V
	}
	if err := fe.err(); err != nil {
		return err
	}
	if b.Channel != nil && b.Channel.Name.V == b.Username.V {
		return problem.BadRequest("Channel name cannot be the same as user username.")
	}
	if _, _, err := a.createUser(r.Context(), in); err != nil {
		return err
	}
	if _, _, err := a.st.Hit(r.Context(), "signup", clientIP(r), a.cfg.SignupLimit.Window); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
