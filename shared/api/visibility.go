package api

import (
	"github.com/vidiverse/vidiverse/shared/model"
)

// Who may see a video, as PeerTube decides:
//   - public and unlisted videos: anyone with the link; only public ones are
//     listed;
//   - internal videos: any logged-in user of this instance (and listed for
//     them);
//   - private videos: their owner and moderators;
//   - a video not yet published whose uploader asked to wait for
//     transcoding: its owner and moderators.

func isModerator(u *model.User) bool {
	return u != nil && (u.Role == model.RoleAdministrator || u.Role == model.RoleModerator)
}

func ownsVideo(u *model.User, v model.Video) bool { return u != nil && u.AccountID == v.AccountID }

// canSee reports whether u (nil when anonymous) may open v by its link.
func canSee(u *model.User, v model.Video) bool {
	if ownsVideo(u, v) || isModerator(u) {
		return true
	}
	if !v.Watchable() {
		return false
	}
	switch v.Privacy {
	case model.PrivacyPublic, model.PrivacyUnlisted:
		return true
	case model.PrivacyInternal:
		return u != nil
	}
	return false
}

// listable reports whether v appears in public lists for u.
func listable(u *model.User, v model.Video) bool {
	if !v.Watchable() {
		return false
	}
	switch v.Privacy {
	case model.PrivacyPublic:
		return true
	case model.PrivacyInternal:
		return u != nil
	}
	return false
}
