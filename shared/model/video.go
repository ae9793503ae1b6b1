package model

import "time"

// Video privacies, with PeerTube's ids.
const (
	PrivacyPublic   = 1
	PrivacyUnlisted = 2
	PrivacyPrivate  = 3
	PrivacyInternal = 4
)

// Video states, with PeerTube's ids (those this server uses).
const (
	StatePublished         = 1
	StateToTranscode       = 2
	StateTranscodingFailed = 7
)

// Comments policies, with PeerTube's ids.
const (
	CommentsEnabled          = 1
	CommentsDisabled         = 2
	CommentsRequiresApproval = 3
)

// VideoMeta is what an uploader (or an editor) says about a video: the
// fields of PeerTube's upload and update forms.
type VideoMeta struct {
	Name                  string
	ChannelID             int64
	Privacy               int
	Category              *int
	Licence               *int
	Language              string // "" when unset
	Description           string
	Support               string
	Tags                  []string
	NSFW                  bool
	CommentsPolicy        int
	DownloadEnabled       bool
	WaitTranscoding       bool
	OriginallyPublishedAt *time.Time
}

// Video is a local video: its metadata, its owner, its state and the
// files published for it. Counters (views, likes, dislikes) are kept
// beside it by the store so they can change without rewriting the video.
type Video struct {
	ID        int64
	UUID      string
	AccountID int64
	VideoMeta

	State int
	// StateReason says why the state is what it is (a failed transcoding's
	// cause, in words a user can act on).
	StateReason string

	// Duration is in whole seconds, as PeerTube reports it.
	Duration    int64
	AspectRatio float64

	// Thumbnail and Preview are file names under lazy-static/thumbnails/
	// and lazy-static/previews/; "" until made.
	Thumbnail string
	Preview   string

	// Source is the uploaded original.
	Source SourceFile
	// Files are the web videos (MP4), largest resolution first.
	Files []VideoFile
	// HLS is the streaming playlist, nil until made.
	HLS *StreamingPlaylist

	Views, Likes, Dislikes int64

	// Remote is set on a video that lives elsewhere; its files' URLs are
	// then absolute (VideoFile.URL and friends).
	Remote *RemoteVideo

	CreatedAt   time.Time
	UpdatedAt   time.Time
	PublishedAt time.Time

	Version int64
}

// Watchable reports whether a video can be shown to others yet:
// published, or waiting for transcoding with its original already
// published (and its uploader not asking to wait).
func (v Video) Watchable() bool {
	return v.State == StatePublished ||
		(v.State == StateToTranscode && !v.WaitTranscoding && len(v.Files) > 0 && v.Files[0].Filename != "")
}

// SourceFile is the original an uploader sent.
type SourceFile struct {
	// Key is its blob key.
	Key      string
	Filename string
	Size     int64
	// ChunkPrefix, when set, names the blob prefix holding the original as
	// chunks (a resumable upload's, in key order) not yet joined into Key;
	// the ingest job joins them.
	ChunkPrefix string
}

// VideoFile is one published rendition file.
type VideoFile struct {
	ID         int64
	Resolution int // height in pixels; 0 for audio only
	Width      int
	Height     int
	FPS        int
	Size       int64
	// Filename is the object name: under static/web-videos/ for web
	// videos, or under static/streaming-playlists/hls/{uuid}/ for HLS.
	Filename string
	// TorrentFilename is under lazy-static/torrents/.
	TorrentFilename string
	InfoHash        string
	HasAudio        bool
	HasVideo        bool
	// FromSource marks the uploaded original, published as is until the
	// transcoded files replace it.
	FromSource bool
	// MetadataKey is the blob key of the file's ffprobe JSON.
	MetadataKey string

	// URL, TorrentURL and MetadataURL are set on a remote video's files:
	// their absolute addresses at the origin.
	URL         string
	TorrentURL  string
	MetadataURL string

	// For HLS files: the media playlist beside the fragmented file, and
	// what the master playlist says of the variant.
	Playlist  string
	Bandwidth int
	Codecs    string
}

// StreamingPlaylist is a video's HLS playlist and its fragmented files.
type StreamingPlaylist struct {
	ID int64
	// PlaylistFilename and SegmentsSHA256Filename are under
	// static/streaming-playlists/hls/{uuid}/.
	PlaylistFilename       string
	SegmentsSHA256Filename string
	// PlaylistURL and SegmentsSHA256URL are a remote video's (absolute).
	PlaylistURL       string
	SegmentsSHA256URL string
	Files             []VideoFile
}
