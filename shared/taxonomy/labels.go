package taxonomy

// Tables that PeerTube 6.x keeps in server/core/initializers/constants.ts and
// packages/models but serves through no endpoint of its own; they appear only
// as {id,label} members of API objects.

// Video privacies (VideoPrivacy).
const (
	PrivacyPublic            = 1
	PrivacyUnlisted          = 2
	PrivacyPrivate           = 3
	PrivacyInternal          = 4
	PrivacyPasswordProtected = 5
)

// Video states (VideoState).
const (
	StatePublished                     = 1
	StateToTranscode                   = 2
	StateToImport                      = 3
	StateWaitingForLive                = 4
	StateLiveEnded                     = 5
	StateToMoveToExternalStorage       = 6
	StateTranscodingFailed             = 7
	StateToMoveToExternalStorageFailed = 8
	StateToEdit                        = 9
	StateToMoveToFileSystem            = 10
	StateToMoveToFileSystemFailed      = 11
)

// states is VIDEO_STATES of PeerTube 6.x.
var states = Table{
	{ID: StatePublished, Label: "Published"},
	{ID: StateToTranscode, Label: "To transcode"},
	{ID: StateToImport, Label: "To import"},
	{ID: StateWaitingForLive, Label: "Waiting for livestream"},
	{ID: StateLiveEnded, Label: "Livestream ended"},
	{ID: StateToMoveToExternalStorage, Label: "To move to an external storage"},
	{ID: StateTranscodingFailed, Label: "Transcoding failed"},
	{ID: StateToMoveToExternalStorageFailed, Label: "External storage move failed"},
	{ID: StateToEdit, Label: "To edit"},
	{ID: StateToMoveToFileSystem, Label: "To move to file system"},
	{ID: StateToMoveToFileSystemFailed, Label: "Move to file system failed"},
}

// Playlist privacies (VideoPlaylistPrivacy).
const (
	PlaylistPrivacyPublic   = 1
	PlaylistPrivacyUnlisted = 2
	PlaylistPrivacyPrivate  = 3
)

// playlistPrivacies is VIDEO_PLAYLIST_PRIVACIES.
var playlistPrivacies = Table{
	{ID: PlaylistPrivacyPublic, Label: "Public"},
	{ID: PlaylistPrivacyUnlisted, Label: "Unlisted"},
	{ID: PlaylistPrivacyPrivate, Label: "Private"},
}

// Playlist types (VideoPlaylistType).
const (
	PlaylistTypeRegular    = 1
	PlaylistTypeWatchLater = 2
)

// playlistTypes is VIDEO_PLAYLIST_TYPES.
var playlistTypes = Table{
	{ID: PlaylistTypeRegular, Label: "Regular"},
	{ID: PlaylistTypeWatchLater, Label: "Watch later"},
}

// Comment policies (VideoCommentPolicy, PeerTube >= 6.2; 6.1 has only the
// boolean commentsEnabled, which maps to Enabled and Disabled).
const (
	CommentsPolicyEnabled          = 1
	CommentsPolicyDisabled         = 2
	CommentsPolicyRequiresApproval = 3
)

// commentsPolicies is VIDEO_COMMENTS_POLICY, in id order.
var commentsPolicies = Table{
	{ID: CommentsPolicyEnabled, Label: "Enabled"},
	{ID: CommentsPolicyDisabled, Label: "Disabled"},
	{ID: CommentsPolicyRequiresApproval, Label: "Requires approval"},
}

// User roles (UserRole).
const (
	RoleAdministrator = 0
	RoleModerator     = 1
	RoleUser          = 2
)

// roles is USER_ROLE_LABELS.
var roles = Table{
	{ID: RoleAdministrator, Label: "Administrator"},
	{ID: RoleModerator, Label: "Moderator"},
	{ID: RoleUser, Label: "User"},
}

// NSFWPolicy is how a user or an instance shows videos marked NSFW.
type NSFWPolicy string

// NSFW policies of PeerTube 6.x (NSFW_POLICY_TYPES).
const (
	NSFWDoNotList NSFWPolicy = "do_not_list"
	NSFWBlur      NSFWPolicy = "blur"
	NSFWDisplay   NSFWPolicy = "display"
)

// NSFWPolicies returns every NSFW policy PeerTube 6.x accepts.
func NSFWPolicies() []NSFWPolicy {
	return []NSFWPolicy{NSFWDoNotList, NSFWBlur, NSFWDisplay}
}

// Valid reports whether p is one of NSFWPolicies.
func (p NSFWPolicy) Valid() bool {
	switch p {
	case NSFWDoNotList, NSFWBlur, NSFWDisplay:
		return true
	}
	return false
}
