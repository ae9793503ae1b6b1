package model

import "time"

// Role is a user's role, with PeerTube's ids.
type Role int

// Roles.
const (
	RoleAdministrator Role = 0
	RoleModerator     Role = 1
	RoleUser          Role = 2
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r >= RoleAdministrator && r <= RoleUser }

// NSFW policies a user (or the instance) may choose.
const (
	NSFWDisplay   = "display"
	NSFWBlur      = "blur"
	NSFWDoNotList = "do_not_list"
)

// User is a local user: credentials, role, quotas and preferences. Its
// public identity is its Account.
type User struct {
	ID                           int64
	Username                     string
	Email                        string
	PendingEmail                 string
	EmailVerified                bool
	EmailPublic                  bool
	PasswordHash                 string
	Role                         Role
	AdminFlags                   int
	VideoQuota                   int64 // bytes; -1 is unlimited
	VideoQuotaDaily              int64 // bytes; -1 is unlimited
	NSFWPolicy                   string
	P2PEnabled                   bool
	VideosHistoryEnabled         bool
	AutoPlayVideo                bool
	AutoPlayNextVideo            bool
	AutoPlayNextVideoPlaylist    bool
	VideoLanguages               []string
	Theme                        string
	NoInstanceConfigWarningModal bool
	NoWelcomeModal               bool
	NoAccountSetupWarningModal   bool
	Blocked                      bool
	BlockedReason                string
	AccountID                    int64
	CreatedAt                    time.Time
	LastLoginDate                time.Time

	// Version is the stored revision, for conditional updates.
	Version int64
}

// Account is a user's public identity (an ActivityPub Person).
type Account struct {
	ID          int64
	UserID      int64 // 0 for the instance actor's account
	Name        string
	DisplayName string
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Remote is set on a copy of an account that lives elsewhere.
	Remote *Remote

	Version int64
}

// Channel is a video channel owned by an account (an ActivityPub Group).
type Channel struct {
	ID          int64
	AccountID   int64
	Name        string
	DisplayName string
	Description string
	Support     string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// Remote is set on a copy of a channel that lives elsewhere.
	Remote *Remote

	Version int64
}

// OAuthClient is the instance's one OAuth client, as in PeerTube.
type OAuthClient struct {
	ID     string
	Secret string
}

// Token is an issued OAuth token pair. The store keeps only hashes of the
// secrets; Access and Refresh are set only when a token is issued.
type Token struct {
	UserID         int64
	Access         string
	Refresh        string
	AccessExpires  time.Time
	RefreshExpires time.Time
	CreatedAt      time.Time
}
