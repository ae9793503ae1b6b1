package api

import (
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
)

// userJSON is PeerTube's User (and, with the *Me fields, MyUser) object.
type userJSON struct {
	ID                           int64                `json:"id"`
	Username                     string               `json:"username"`
	Email                        string               `json:"email"`
	Theme                        string               `json:"theme"`
	PendingEmail                 *string              `json:"pendingEmail"`
	EmailPublic                  bool                 `json:"emailPublic"`
	EmailVerified                bool                 `json:"emailVerified"`
	NSFWPolicy                   string               `json:"nsfwPolicy"`
	P2PEnabled                   bool                 `json:"p2pEnabled"`
	VideosHistoryEnabled         bool                 `json:"videosHistoryEnabled"`
	AutoPlayVideo                bool                 `json:"autoPlayVideo"`
	AutoPlayNextVideo            bool                 `json:"autoPlayNextVideo"`
	AutoPlayNextVideoPlaylist    bool                 `json:"autoPlayNextVideoPlaylist"`
	VideoLanguages               []string             `json:"videoLanguages"`
	Role                         idLabel              `json:"role"`
	VideoQuota                   int64                `json:"videoQuota"`
	VideoQuotaDaily              int64                `json:"videoQuotaDaily"`
	VideoQuotaUsed               *int64               `json:"videoQuotaUsed,omitempty"`
	VideoQuotaUsedDaily          *int64               `json:"videoQuotaUsedDaily,omitempty"`
	NoInstanceConfigWarningModal bool                 `json:"noInstanceConfigWarningModal"`
	NoWelcomeModal               bool                 `json:"noWelcomeModal"`
	NoAccountSetupWarningModal   bool                 `json:"noAccountSetupWarningModal"`
	Blocked                      bool                 `json:"blocked"`
	BlockedReason                *string              `json:"blockedReason"`
	Account                      accountJSON          `json:"account"`
	NotificationSettings         notificationSettings `json:"notificationSettings"`
	VideoChannels                []channelJSON        `json:"videoChannels"`
	CreatedAt                    string               `json:"createdAt"`
	PluginAuth                   *string              `json:"pluginAuth"`
	LastLoginDate                *string              `json:"lastLoginDate"`
	TwoFactorEnabled             bool                 `json:"twoFactorEnabled"`
	AdminFlags                   int                  `json:"adminFlags"`
	SpecialPlaylists             *[]specialPlaylist   `json:"specialPlaylists,omitempty"`
}

// notificationSettings are PeerTube's per-event notification choices
// (1 web, 2 email, 3 both). Notifications are not delivered yet; these are
// PeerTube's defaults for a new user.
type notificationSettings struct {
	NewCommentOnMyVideo           int `json:"newCommentOnMyVideo"`
	NewVideoFromSubscription      int `json:"newVideoFromSubscription"`
	AbuseAsModerator              int `json:"abuseAsModerator"`
	VideoAutoBlacklistAsModerator int `json:"videoAutoBlacklistAsModerator"`
	BlacklistOnMyVideo            int `json:"blacklistOnMyVideo"`
	MyVideoPublished              int `json:"myVideoPublished"`
	MyVideoImportFinished         int `json:"myVideoImportFinished"`
	NewUserRegistration           int `json:"newUserRegistration"`
	CommentMention                int `json:"commentMention"`
	NewFollow                     int `json:"newFollow"`
	NewInstanceFollower           int `json:"newInstanceFollower"`
	AutoInstanceFollowing         int `json:"autoInstanceFollowing"`
	AbuseNewMessage               int `json:"abuseNewMessage"`
	AbuseStateChange              int `json:"abuseStateChange"`
	NewPeerTubeVersion            int `json:"newPeerTubeVersion"`
	MyVideoStudioEditionFinished  int `json:"myVideoStudioEditionFinished"`
	NewPluginVersion              int `json:"newPluginVersion"`
}

var defaultNotificationSettings = notificationSettings{
	NewCommentOnMyVideo: 1, NewVideoFromSubscription: 1, AbuseAsModerator: 3,
	VideoAutoBlacklistAsModerator: 3, BlacklistOnMyVideo: 3, MyVideoPublished: 1,
	MyVideoImportFinished: 1, NewUserRegistration: 1, CommentMention: 1, NewFollow: 1,
	NewInstanceFollower: 1, AutoInstanceFollowing: 1, AbuseNewMessage: 3, AbuseStateChange: 3,
	NewPeerTubeVersion: 3, MyVideoStudioEditionFinished: 1, NewPluginVersion: 1,
}

type specialPlaylist struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Type int    `json:"type"`
}

func (a *API) userJSON(u model.User, acc model.Account, chans []model.Channel) userJSON {
	role, _ := taxonomy.RoleLabel(int(u.Role))
	j := userJSON{
		ID: u.ID, Username: u.Username, Email: u.Email, Theme: orDefault(u.Theme, "instance-default"),
		PendingEmail: nullable(u.PendingEmail), EmailPublic: u.EmailPublic, EmailVerified: u.EmailVerified,
		NSFWPolicy: u.NSFWPolicy, P2PEnabled: u.P2PEnabled, VideosHistoryEnabled: u.VideosHistoryEnabled,
		AutoPlayVideo: u.AutoPlayVideo, AutoPlayNextVideo: u.AutoPlayNextVideo,
		AutoPlayNextVideoPlaylist: u.AutoPlayNextVideoPlaylist, VideoLanguages: u.VideoLanguages,
		Role: idLabel{ID: int(u.Role), Label: role}, VideoQuota: u.VideoQuota, VideoQuotaDaily: u.VideoQuotaDaily,
		NoInstanceConfigWarningModal: u.NoInstanceConfigWarningModal, NoWelcomeModal: u.NoWelcomeModal,
		NoAccountSetupWarningModal: u.NoAccountSetupWarningModal, Blocked: u.Blocked,
		BlockedReason: nullable(u.BlockedReason), Account: a.accountJSON(acc),
		NotificationSettings: defaultNotificationSettings, VideoChannels: make([]channelJSON, 0, len(chans)),
		CreatedAt: timeJSON(u.CreatedAt), LastLoginDate: timeOrNull(u.LastLoginDate), AdminFlags: u.AdminFlags,
	}
	for _, ch := range chans {
		j.VideoChannels = append(j.VideoChannels, a.channelJSON(ch, nil))
	}
	return j
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
