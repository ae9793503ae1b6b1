package apobject

import (
	"slices"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
)

// RemoteVideo is a video read from another server's Video object.
type RemoteVideo struct {
	// Video has Remote set (the origin's id, host, thumbnail, preview,
	// trackers and collections), its ids (ID, AccountID, ChannelID) zero,
	// and its files' absolute URLs in URL, TorrentURL and MetadataURL (the
	// HLS playlist's in PlaylistURL and SegmentsSHA256URL); Filename is the
	// last path segment of the file's URL, as PeerTube names remote files.
	// Thumbnail and Preview are "": the images stay at the origin.
	Video model.Video
	// AccountURL is the Person the video is attributed to; "" when it names
	// none (the channel's attributedTo then names its account).
	// ChannelURL is its Group, always set.
	AccountURL, ChannelURL string
}

// PeerTube's limits on remote videos (CONSTRAINTS_FIELDS.VIDEOS).
const (
	nameMin, nameMax  = 3, 120
	descriptionMin    = 3
	descriptionMax    = 10000
	supportMax        = 1000
	tagMin, tagMax    = 2, 30
	thumbnailMinWidth = 150 // THUMBNAILS_SIZE.minWidth
	previewMinWidth   = 400 // PREVIEWS_SIZE.minWidth
)

// FromVideo reads a remote Video object, in PeerTube's 6.x form (typed
// attributedTo stubs, commentsEnabled) or its 8.x form (attributedTo as
// plain IRIs, account then channel; commentsPolicy only; the short watch
// URL first in url[]), and checks it as PeerTube's
// sanitizeAndCheckVideoTorrentObject does. It refuses, with an error
// wrapping ErrInvalid, a video without a valid id, uuid, name (3 to 120
// characters), duration ("PT…S"), published and updated date, view count
// or valid icon; one whose attributedTo names no channel; one whose
// category is not a number or whose description is not Markdown or HTML of
// at least 3 characters; one with a magnet whose info hash is not valid;
// and one addressed neither to as:Public (to: public) nor copied to it
// (cc: unlisted), the audience being the object's own to and cc (callers
// reading an activity whose object has none copy the activity's).
//
// What PeerTube drops or defaults, FromVideo does too: invalid tags
// (Hashtags of 2 to 30 characters are kept) and links, a licence that is
// neither a number nor a known SPDX id, an unknown state (published), an
// absent downloadEnabled (true), and commentsPolicy (6.2+) falling back to
// commentsEnabled. The description is cut to 10000 characters, the
// support text to 1000. The thumbnail is the narrowest icon wider than 150
// pixels (any icon if none is), the preview the widest wider than 400.
// WebSocket trackers are kept (PeerTube drops them and assumes
// wss://host/tracker/socket).
func FromVideo(v *apvocab.Video) (RemoteVideo, error) {
	if v == nil {
		return RemoteVideo{}, invalid("Video", "", "no object")
	}
	bad := func(format string, args ...any) (RemoteVideo, error) {
		return RemoteVideo{}, invalid("Video", v.ID, format, args...)
	}
	if v.Type != apvocab.TypeVideo {
		return bad("type %q is not Video", v.Type)
	}
	doc, err := written(v)
	if err != nil {
		return bad("%v", err)
	}
	if !isAPURL(v.ID) {
		return bad("id is not an http(s) URL")
	}
	if !uuidRE.MatchString(v.UUID) {
		return bad("uuid %q is not a UUID", v.UUID)
	}
	if n := runes(v.Name); n < nameMin || n > nameMax {
		return bad("name has %d characters, not %d to %d", n, nameMin, nameMax)
	}
	if d, ok := isString(doc, "duration"); !ok || len(d) < 3 || d[:2] != "PT" || d[len(d)-1] != 'S' {
		return bad("duration is not PT…S")
	}
	if !present(doc, "views") || !isNonNegativeInt(doc["views"]) {
		return bad("views is not a count")
	}
	if v.Published.IsZero() || v.Updated.IsZero() {
		return bad("published or updated date missing")
	}

	out := model.Video{
		UUID:        v.UUID,
		State:       v.State,
		Duration:    v.Duration,
		AspectRatio: v.AspectRatio,
		Views:       v.Views,
		CreatedAt:   v.Published,
		PublishedAt: v.Published,
		UpdatedAt:   v.Updated,
	}
	out.Name = v.Name
	out.NSFW = v.Sensitive
	out.WaitTranscoding = v.WaitTranscoding
	out.DownloadEnabled = v.DownloadEnabled || !present(doc, "downloadEnabled")
	out.Support = truncate(v.Support, supportMax)
	if _, ok := taxonomy.StateLabel(v.State); !ok {
		out.State = model.StatePublished
	}
	out.CommentsPolicy = commentsPolicy(v)
	if !v.OriginallyPublishedAt.IsZero() {
		t := v.OriginallyPublishedAt
		out.OriginallyPublishedAt = &t
	}

	switch {
	case hasPublic(v.To):
		out.Privacy = model.PrivacyPublic
	case hasPublic(v.CC):
		out.Privacy = model.PrivacyUnlisted
	default:
		return bad("addressed neither to nor cc as:Public")
	}

	if v.Category != nil {
		n, ok := identifierNumber(v.Category.Identifier)
		if !ok {
			return bad("category %q is not a number", v.Category.Identifier)
		}
		out.Category = &n
	}
	if v.Licence != nil {
		if n, ok := licence(v.Licence.Identifier); ok {
			out.Licence = &n
		}
	}
	if v.Language != nil {
		out.Language = v.Language.Identifier
	}
	if _, ok := isString(doc, "content"); ok {
		if v.MediaType != mediaMarkdown && v.MediaType != mediaHTML {
			return bad("content of media type %q, not text/markdown or text/html", v.MediaType)
		}
		out.Description = truncate(v.Content, descriptionMax)
		if runes(out.Description) < descriptionMin {
			return bad("description shorter than %d characters", descriptionMin)
		}
	}
	for _, name := range v.Hashtags() {
		if n := runes(name); n >= tagMin && n <= tagMax {
			out.Tags = append(out.Tags, name)
		}
	}

	account, channel := attribution(v.AttributedTo)
	if channel == "" {
		return bad("attributedTo names no channel (Group)")
	}
	thumbnail, preview, ok := pickIcons(v.Icon)
	if !ok {
		return bad("no valid icon")
	}

	files, hls, err := mediaFiles(v.URL)
	if err != nil {
		return bad("%v", err)
	}
	out.Files, out.HLS = files, hls
	out.Remote = &model.RemoteVideo{
		URL: v.ID, Host: hostOf(v.ID),
		ThumbnailURL: thumbnail, PreviewURL: preview,
		Trackers: trackerURLs(v.URL),
		Likes:    v.Likes, Dislikes: v.Dislikes, Shares: v.Shares, Comments: v.Comments,
	}
	return RemoteVideo{Video: out, AccountURL: account, ChannelURL: channel}, nil
}

// commentsPolicy is PeerTube 6.2's reading: a valid commentsPolicy, else
// disabled when one is given; without one, commentsEnabled.
func commentsPolicy(v *apvocab.Video) int {
	switch {
	case v.CommentsPolicy >= model.CommentsEnabled && v.CommentsPolicy <= model.CommentsRequiresApproval:
		return v.CommentsPolicy
	case v.CommentsPolicy == 0 && v.CommentsEnabled:
		return model.CommentsEnabled
	}
	return model.CommentsDisabled
}

// identifierNumber is validator's isInt(identifier, {min: 0}), then
// parseInt.
func identifierNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// spdxLicences is PeerTube's spdxToPeertubeLicence.
var spdxLicences = map[string]int{
	"CC-BY-4.0": 1, "CC-BY-SA-4.0": 2, "CC-BY-ND-4.0": 3, "CC-BY-NC-4.0": 4,
	"CC-BY-NC-SA-4.0": 5, "CC-BY-NC-ND-4.0": 6, "CC0": 7,
}

// licence is a licence identifier's number: the number itself, or that of
// a known SPDX id.
func licence(id string) (int, bool) {
	if n, ok := identifierNumber(id); ok {
		return n, true
	}
	n, ok := spdxLicences[id]
	return n, ok
}

// attribution is the account and channel a video names, among the valid
// entries of its attributedTo (PeerTube's setValidAttributedTo).
func attribution(refs []apvocab.Ref) (account, channel string) {
	valid := &apvocab.Video{}
	for _, r := range refs {
		if isAPURL(r.ID) && (r.Type == "" || r.Type == apvocab.TypePerson || r.Type == apvocab.TypeGroup) {
			valid.AttributedTo = append(valid.AttributedTo, r)
		}
	}
	return valid.Account(), valid.Channel()
}

// imageTypes is PeerTube's MIMETYPES.IMAGE.MIMETYPE_EXT.
var imageTypes = []string{"image/png", "image/gif", "image/webp", "image/jpg", "image/jpeg"}

// pickIcons chooses the thumbnail and the preview among the valid icons
// (PeerTube's setValidRemoteIcon, getThumbnailFromIcons and
// getPreviewFromIcons); ok is false when no icon is valid.
func pickIcons(all []apvocab.Image) (thumbnail, preview string, ok bool) {
	var valid []apvocab.Image
	sizes := map[[2]int]bool{}
	for _, i := range all {
		size := [2]int{i.Width, i.Height}
		if i.Type != apvocab.TypeImage || !isAPURL(i.URL) || !slices.Contains(imageTypes, i.MediaType) ||
			i.Width < 0 || i.Height < 0 || sizes[size] {
			continue
		}
		sizes[size] = true
		valid = append(valid, i)
	}
	if len(valid) == 0 {
		return "", "", false
	}
	var thumb, prev *apvocab.Image
	for i := range valid {
		img := &valid[i]
		if img.Width > thumbnailMinWidth && (thumb == nil || img.Width < thumb.Width) {
			thumb = img
		}
		if img.Width > previewMinWidth && (prev == nil || img.Width > prev.Width) {
			prev = img
		}
	}
	if thumb == nil {
		thumb = &valid[0]
		for i := range valid {
			if valid[i].Width < thumb.Width {
				thumb = &valid[i]
			}
		}
	}
	if prev != nil {
		preview = prev.URL
	}
	return thumb.URL, preview, true
}
