package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/password"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
)

// getMe answers GET /api/v1/users/me: one MyUser object.
func (a *API) getMe(w http.ResponseWriter, r *http.Request) error {
	v, err := a.userView(r.Context(), *currentUser(r))
	if err != nil {
		return err
	}
	// Playlists (and so "Watch later") do not exist yet: the list is empty.
	v.SpecialPlaylists = &[]specialPlaylist{}
	return writeJSON(w, http.StatusOK, v)
}

// getMyQuotaUsed answers GET /api/v1/users/me/video-quota-used.
func (a *API) getMyQuotaUsed(w http.ResponseWriter, r *http.Request) error {
	total, daily, err := a.quotaUsed(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int64{"videoQuotaUsed": total, "videoQuotaUsedDaily": daily})
}

type meBody struct {
	Password                     optString `json:"password"`
	CurrentPassword              optString `json:"currentPassword"`
	Email                        optString `json:"email"`
	DisplayName                  optString `json:"displayName"`
	Description                  optString `json:"description"`
	NSFWPolicy                   optString `json:"nsfwPolicy"`
	P2PEnabled                   optBool   `json:"p2pEnabled"`
	WebTorrentEnabled            optBool   `json:"webTorrentEnabled"`
	AutoPlayVideo                optBool   `json:"autoPlayVideo"`
	AutoPlayNextVideo            optBool   `json:"autoPlayNextVideo"`
	AutoPlayNextVideoPlaylist    optBool   `json:"autoPlayNextVideoPlaylist"`
	VideosHistoryEnabled         optBool   `json:"videosHistoryEnabled"`
	VideoLanguages               *[]string `json:"videoLanguages"`
	Theme                        optString `json:"theme"`
	EmailPublic                  optBool   `json:"emailPublic"`
	NoInstanceConfigWarningModal optBool   `json:"noInstanceConfigWarningModal"`
	NoWelcomeModal               optBool   `json:"noWelcomeModal"`
	NoAccountSetupWarningModal   optBool   `json:"noAccountSetupWarningModal"`
}

func checkMeBody(b meBody) error {
	fe := newFieldErrors("body")
	if b.Password.Set && !validPassword(b.Password.V) {
		fe.add("password", nil, "Should have a valid password")
	}
	if b.Email.Set && !validEmail(b.Email.V) {
		fe.add("email", b.Email.V, "Should have a valid email attribute")
	}
	if b.DisplayName.Set && !validDisplayName(b.DisplayName.V) {
		fe.add("displayName", b.DisplayName.V, "Should have a valid display name")
	}
	if b.Description.Set && !b.Description.Null && !validDescription(b.Description.V) {
		fe.add("description", b.Description.V, "Should have a valid description")
	}
	if b.NSFWPolicy.Set && !taxonomy.NSFWPolicy(b.NSFWPolicy.V).Valid() {
		fe.add("nsfwPolicy", b.NSFWPolicy.V, "Should have a valid display Not Safe For Work policy")
	}
	if b.Theme.Set && b.Theme.V != "instance-default" && b.Theme.V != "default" {
		fe.add("theme", b.Theme.V, "Should have a valid theme")
	}
	if b.VideoLanguages != nil {
		if len(*b.VideoLanguages) > videoLanguagesMax {
			fe.add("videoLanguages", nil, "Should have a valid video languages attribute")
		}
		for _, l := range *b.VideoLanguages {
			if _, ok := taxonomy.LanguageLabel(l); !ok {
				fe.add("videoLanguages", l, "Should have a valid video languages attribute")
			}
		}
	}
	return fe.err()
}

// putMe answers PUT /api/v1/users/me.
func (a *API) putMe(w http.ResponseWriter, r *http.Request) error {
	me := currentUser(r)
	var b meBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if b.Password.Set || b.Email.Set {
		if b.CurrentPassword.V == "" {
			return problem.BadRequest("currentPassword parameter is missing.")
		}
		ok, err := password.Verify(b.CurrentPassword.V, me.PasswordHash)
		if err != nil {
			return err
		}
		if !ok {
			return problem.New(http.StatusUnauthorized, "currentPassword is invalid.")
		}
	}
	if err := checkMeBody(b); err != nil {
		return err
	}
	var hash string
	var err error
	if b.Password.Set {
		if hash, err = password.Hash(b.Password.V, a.kdf); err != nil {
			return err
		}
	}
	_, err = a.modifyUser(r.Context(), me.ID, func(u *model.User) error {
		setBool := func(o optBool, dst *bool) {
			if o.Set {
				*dst = o.V
			}
		}
		if hash != "" {
			u.PasswordHash = hash
		}
		if b.Email.Set {
			u.Email = strings.ToLower(b.Email.V)
		}
		if b.NSFWPolicy.Set {
			u.NSFWPolicy = b.NSFWPolicy.V
		}
		if b.Theme.Set {
			u.Theme = b.Theme.V
		}
		if b.VideoLanguages != nil {
			u.VideoLanguages = *b.VideoLanguages
		}
		setBool(b.P2PEnabled, &u.P2PEnabled)
		setBool(b.WebTorrentEnabled, &u.P2PEnabled)
		setBool(b.AutoPlayVideo, &u.AutoPlayVideo)
		setBool(b.AutoPlayNextVideo, &u.AutoPlayNextVideo)
		setBool(b.AutoPlayNextVideoPlaylist, &u.AutoPlayNextVideoPlaylist)
		setBool(b.VideosHistoryEnabled, &u.VideosHistoryEnabled)
		setBool(b.EmailPublic, &u.EmailPublic)
		setBool(b.NoInstanceConfigWarningModal, &u.NoInstanceConfigWarningModal)
		setBool(b.NoWelcomeModal, &u.NoWelcomeModal)
		setBool(b.NoAccountSetupWarningModal, &u.NoAccountSetupWarningModal)
		return nil
	})
	if err != nil {
		return err
	}
	if hash != "" {
		tok, _ := r.Context().Value(accessTokenKey).(string)
		if err := a.st.RevokeUserTokens(r.Context(), me.ID, tok); err != nil {
			return err
		}
	}
	if b.DisplayName.Set || b.Description.Set {
		if err := a.updateAccount(r, me.AccountID, b.DisplayName, b.Description); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// updateAccount sets an account's display name and description, retrying
// on concurrent writes.
func (a *API) updateAccount(r *http.Request, id int64, display, desc optString) error {
	for attempt := 0; ; attempt++ {
		acc, err := a.st.Account(r.Context(), id)
		if err != nil {
			return err
		}
		if display.Set {
			acc.DisplayName = display.V
		}
		if desc.Set {
			acc.Description = desc.V
		}
		_, err = a.st.UpdateAccount(r.Context(), acc)
		if errors.Is(err, store.ErrStale) && attempt < 5 {
			continue
		}
		return err
	}
}
