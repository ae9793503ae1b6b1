package model

import "time"

// Remote is what this instance knows of an actor that lives on another
// server (a PeerTube account or channel, a Mastodon user, another
// instance's actor). An Account or Channel with a Remote is a copy of it:
// its Name is the remote preferredUsername and its id is local.
type Remote struct {
	// URL is the actor's ActivityPub id.
	URL string
	// Host is the actor's host[:port], as handles name it (name@host).
	Host string
	// Type is Person, Group, Application or Service.
	Type        string
	Inbox       string
	SharedInbox string
	Outbox      string
	Followers   string
	Following   string
	// WebURL is the actor's HTML profile ("url"); "" when it has none.
	WebURL string
	// PublicKeyID and PublicKeyPEM are the actor's key, as published.
	PublicKeyID  string
	PublicKeyPEM string
	// AvatarURL is its first icon, "" when none.
	AvatarURL string
	// ChannelOwnerURL is, for a Group, the account it is attributed to.
	ChannelOwnerURL string
	FetchedAt       time.Time
}

// DeliveryInbox is where activities for the actor go: its shared inbox
// when it has one, else its own.
func (r *Remote) DeliveryInbox() string {
	if r.SharedInbox != "" {
		return r.SharedInbox
	}
	return r.Inbox
}

// RemoteVideo is what a video that lives elsewhere keeps of its origin:
// its ActivityPub id and the absolute URLs of its media there.
type RemoteVideo struct {
	// URL is the video's ActivityPub id (its watch URL at the origin).
	URL  string
	Host string
	// ThumbnailURL and PreviewURL are absolute ("" when none).
	ThumbnailURL string
	PreviewURL   string
	// Trackers are the origin's tracker URLs.
	Trackers []string
	// Shares, Comments, Likes, Dislikes are its collections' URLs.
	Likes, Dislikes, Shares, Comments string
}

// ActorKind tells an account from a channel in an ActorRef.
type ActorKind string

// Actor kinds.
const (
	KindAccount ActorKind = "account"
	KindChannel ActorKind = "channel"
)

// ActorRef names a local or remote account or channel by its local id.
type ActorRef struct {
	Kind ActorKind
	ID   int64
}

// Follow states, as PeerTube names them.
const (
	FollowPending  = "pending"
	FollowAccepted = "accepted"
	FollowRejected = "rejected"
)

// Follow is one actor following another: the instance actor following
// another instance (server following), a user's account subscribing to a
// channel, or a remote actor following a local one.
type Follow struct {
	ID       int64
	Follower ActorRef
	Target   ActorRef
	State    string
	// URL is the Follow activity's id.
	URL       string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Comment is a comment on a video (a Note in ActivityPub), local or
// received.
type Comment struct {
	ID int64
	// URL is its ActivityPub id.
	URL     string
	VideoID int64
	// ThreadID is the thread's first comment (its own id for a thread).
	ThreadID int64
	// InReplyToID is the comment it answers, 0 for a thread.
	InReplyToID int64
	AccountID   int64
	// Text is Markdown for local and PeerTube comments, HTML as received
	// from Mastodon-compatible servers.
	Text      string
	CreatedAt time.Time
	UpdatedAt time.Time
	// DeletedAt is set on a deleted comment, kept as a tombstone while it
	// has replies.
	DeletedAt *time.Time
}

// Block kinds.
const (
	BlockAccount = "account"
	BlockServer  = "server"
)

// Block is an account or a server muted by a user's account or by the
// instance (Owner is the instance actor's account).
type Block struct {
	OwnerAccountID int64
	Kind           string
	// AccountID for an account block; Host for a server block.
	AccountID int64
	Host      string
	CreatedAt time.Time
}

// Abuse is a report of a video, a comment or an account.
type Abuse struct {
	ID int64
	// ReporterAccountID is the reporter (local or remote account).
	ReporterAccountID int64
	Reason            string
	PredefinedReasons []string
	VideoID           int64
	CommentID         int64
	AccountID         int64
	StartAt, EndAt    *int64
	State             int
	ModerationComment string
	// URL is the Flag activity's id, for a report received.
	URL       string
	CreatedAt time.Time
	UpdatedAt time.Time
}
