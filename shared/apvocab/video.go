package apvocab

import (
	"encoding/json"
	"time"
)

// Video is PeerTube's Video object (video-activity-pub-format.ts), in the
// 6.x form and the 8.x one (attributedTo as plain IRIs, commentsEnabled
// gone, summary, schedules and playerSettings added).
type Video struct {
	// Context is the document's @context; unset, Encode writes PeerTube's
	// Video context on a top-level video.
	Context json.RawMessage
	To, CC  []string
	Type    string
	ID      string
	Name    string
	// Duration is in whole seconds ("PT{n}S").
	Duration int64
	UUID     string
	Category *Identifier
	Licence  *Identifier
	Language *Identifier
	Views    int64
	// Sensitive is the NSFW flag; Summary (8.x) says why.
	Sensitive       bool
	Summary         string
	WaitTranscoding bool
	State           int
	// CommentsEnabled is 6.x's flag; CommentsPolicy (6.2+: 1 enabled,
	// 2 disabled, 3 requires approval) replaces it, and CanReply is
	// as:Public when replies need approval ("" is null).
	CommentsEnabled       bool
	CanReply              string
	CommentsPolicy        int
	DownloadEnabled       bool
	Published             time.Time
	OriginallyPublishedAt time.Time
	Schedules             json.RawMessage
	Updated               time.Time
	UploadDate            time.Time
	// Tag holds Hashtag (and 8.x SensitiveTag) tags.
	Tag []Link
	// MediaType is "text/markdown": Content is the description.
	MediaType        string
	Content          string
	Support          string
	SubtitleLanguage []Caption
	// Icon is the miniature and the preview; Preview the storyboards.
	Icon        []Image
	Preview     []Image
	AspectRatio float64
	// URL lists the watch page first (text/html), then each file with its
	// metadata, torrent and magnet links, the HLS playlist and the
	// trackers.
	URL            []Link
	Likes          string
	Dislikes       string
	Shares         string
	Comments       string
	HasParts       string
	PlayerSettings string
	// AttributedTo is the account (Person) then the channel (Group): stubs
	// with a Type in 6.x, plain IRIs in 8.x.
	AttributedTo    []Ref
	IsLiveBroadcast bool
	LiveSaveReplay  *bool
	PermanentLive   *bool
	LatencyMode     *int
	Extra           map[string]json.RawMessage
	memo
}

func (v *Video) ObjectType() string { return v.Type }
func (v *Video) ObjectID() string   { return v.ID }
func (*Video) object()              {}

func (v *Video) extras() *map[string]json.RawMessage { return &v.Extra }

func (v *Video) members() []member {
	canReply := strM("canReply", &v.CanReply, nullEmpty)
	canReply.when = func() bool { return v.CommentsPolicy != 0 || v.CanReply != "" }
	return []member{
		contextM(&v.Context),
		strsM("to", &v.To, omitNil),
		strsM("cc", &v.CC, omitNil),
		strM("type", &v.Type, always),
		strM("id", &v.ID, always),
		strM("name", &v.Name, always),
		durationM("duration", &v.Duration, always),
		strM("uuid", &v.UUID, always),
		structM("category", &v.Category, omitEmpty),
		structM("licence", &v.Licence, omitEmpty),
		structM("language", &v.Language, omitEmpty),
		int64M("views", &v.Views, always),
		boolM("sensitive", &v.Sensitive, always),
		strM("summary", &v.Summary, omitEmpty),
		boolM("waitTranscoding", &v.WaitTranscoding, always),
		intM("state", &v.State, always),
		boolM("commentsEnabled", &v.CommentsEnabled, always),
		canReply,
		intM("commentsPolicy", &v.CommentsPolicy, omitEmpty),
		boolM("downloadEnabled", &v.DownloadEnabled, always),
		timeM("published", &v.Published, always),
		timeM("originallyPublishedAt", &v.OriginallyPublishedAt, nullEmpty),
		rawM("schedules", &v.Schedules, omitEmpty),
		timeM("updated", &v.Updated, always),
		timeM("uploadDate", &v.UploadDate, omitEmpty),
		sliceM[Link]("tag", &v.Tag, always),
		strM("mediaType", &v.MediaType, omitEmpty),
		strM("content", &v.Content, nullEmpty),
		strM("support", &v.Support, nullEmpty),
		sliceM[Caption]("subtitleLanguage", &v.SubtitleLanguage, always),
		sliceM[Image]("icon", &v.Icon, always),
		sliceM[Image]("preview", &v.Preview, omitEmpty),
		floatM("aspectRatio", &v.AspectRatio, nullEmpty),
		sliceM[Link]("url", &v.URL, always),
		iriM("likes", &v.Likes, omitEmpty),
		iriM("dislikes", &v.Dislikes, omitEmpty),
		iriM("shares", &v.Shares, omitEmpty),
		iriM("comments", &v.Comments, omitEmpty),
		iriM("hasParts", &v.HasParts, omitEmpty),
		iriM("playerSettings", &v.PlayerSettings, omitEmpty),
		refsM("attributedTo", &v.AttributedTo, always, v.level),
		boolM("isLiveBroadcast", &v.IsLiveBroadcast, always),
		boolPtrM("liveSaveReplay", &v.LiveSaveReplay, nullEmpty),
		boolPtrM("permanentLive", &v.PermanentLive, nullEmpty),
		intPtrM("latencyMode", &v.LatencyMode, nullEmpty),
	}
}

// Account is the IRI of the account the video is attributed to: the
// Person, or (8.x, plain IRIs) the first entry.
func (v *Video) Account() string { return v.attributed(TypePerson, 0) }

// Channel is the IRI of the channel the video is attributed to: the
// Group, or (8.x, plain IRIs) the second entry.
func (v *Video) Channel() string { return v.attributed(TypeGroup, 1) }

func (v *Video) attributed(typ string, pos int) string {
	typed := false
	for _, r := range v.AttributedTo {
		if r.Type == typ {
			return r.ID
		}
		typed = typed || r.Type != ""
	}
	if !typed && pos < len(v.AttributedTo) {
		return v.AttributedTo[pos].ID
	}
	return ""
}

// Hashtags are the names of the video's Hashtag tags.
func (v *Video) Hashtags() []string {
	var out []string
	for _, t := range v.Tag {
		if t.Type == TypeHashtag {
			out = append(out, t.Name)
		}
	}
	return out
}

// WatchURL is the first text/html link of url[]: the watch page.
func (v *Video) WatchURL() string {
	for _, l := range v.URL {
		if l.MediaType == "text/html" {
			return l.Href
		}
	}
	return ""
}
