package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/password"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
)

// newUserInput is what creating a user takes, from any route.
type newUserInput struct {
	Username, Password, Email string
	Role                      model.Role
	VideoQuota                int64
	VideoQuotaDaily           int64
	AdminFlags                int
	DisplayName               string
	ChannelName               string // "" picks <username>_channel
	ChannelDisplayName        string
	EmailVerified             bool
}

// createUser creates a user with its account and default channel.
func (a *API) createUser(ctx context.Context, in newUserInput) (model.User, model.Account, error) {
	hash, err := password.Hash(in.Password, a.kdf)
	if err != nil {
		return model.User{}, model.Account{}, err
	}
	u := model.User{
		Username: in.Username, Email: in.Email, EmailVerified: in.EmailVerified, PasswordHash: hash,
		Role: in.Role, AdminFlags: in.AdminFlags, VideoQuota: in.VideoQuota, VideoQuotaDaily: in.VideoQuotaDaily,
		NSFWPolicy: model.NSFWDisplay, P2PEnabled: true, VideosHistoryEnabled: true, AutoPlayVideo: true,
		AutoPlayNextVideoPlaylist: true, Theme: "instance-default",
	}
	display := in.DisplayName
	if display == "" {
		display = in.Username
	}
	explicit := in.ChannelName != ""
	for attempt := 0; ; attempt++ {
		ch := model.Channel{Name: in.ChannelName, DisplayName: in.ChannelDisplayName}
		if !explicit {
			ch.Name = in.Username + "_channel"
			if attempt > 0 {
				ch.Name += "-" + strconv.Itoa(attempt)
			}
		}
		if ch.DisplayName == "" {
			ch.DisplayName = "Main " + in.Username + " channel"
		}
		nu, acc, _, err := a.st.CreateUser(ctx, store.NewUser{User: u, AccountDisplayName: display, Channel: ch})
		var taken *store.TakenError
		if errors.As(err, &taken) {
			switch {
			case taken.What == "name" && strings.EqualFold(taken.Value, ch.Name) && !explicit && attempt < 29:
				continue // find an available default channel name, as PeerTube does
			case taken.What == "name" && strings.EqualFold(taken.Value, ch.Name):
				return nu, acc, problem.Conflict("", "Channel with name "+ch.Name+" already exists.")
			case taken.What == "name":
				return nu, acc, actorNameTaken()
			default:
				return nu, acc, userExists()
			}
		}
		return nu, acc, err
	}
}

func actorNameTaken() *problem.Error {
	return problem.Conflict("",
		"Another actor (account/channel) with this name on this instance already exists or has already existed.")
}

func userExists() *problem.Error {
	return problem.Conflict("", "User with this username or email already exists.")
}

// modifyUser applies fn to the stored user and writes it, retrying when a
// concurrent write got there first.
func (a *API) modifyUser(ctx context.Context, id int64, fn func(*model.User) error) (model.User, error) {
	for attempt := 0; ; attempt++ {
		u, err := a.st.User(ctx, id)
		if err != nil {
			return u, err
		}
		if err := fn(&u); err != nil {
			return u, err
		}
		u, err = a.st.UpdateUser(ctx, u)
		if errors.Is(err, store.ErrStale) && attempt < 5 {
			continue
		}
		var taken *store.TakenError
		if errors.As(err, &taken) {
			return u, problem.Conflict(problem.CodeEmailExists, "User with this email already exists.")
		}
		return u, err
	}
}

// userView loads what the User JSON needs besides the user.
func (a *API) userView(ctx context.Context, u model.User) (userJSON, error) {
	acc, err := a.st.Account(ctx, u.AccountID)
	if err != nil {
		return userJSON{}, err
	}
	chans, err := a.st.AccountChannels(ctx, acc.ID)
	if err != nil {
		return userJSON{}, err
	}
	return a.userJSON(u, acc, chans), nil
}

// userParam reads the {id} path parameter.
func userParam(r *http.Request) (int64, error) {
	v := r.PathValue("id")
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, problem.InvalidField("params", "id", v, "Should have a valid id")
	}
	return id, nil
}

// loadUser reads a user for an admin route, 404 when absent.
func (a *API) loadUser(ctx context.Context, id int64) (model.User, error) {
	u, err := a.st.User(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return u, problem.NotFound("User not found")
	}
	return u, err
}
