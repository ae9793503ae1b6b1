package apobject

import (
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
	"github.com/vidiverse/vidiverse/shared/transcode"
)

// Media types of the links of a Video's url[].
const (
	mediaHTML     = "text/html"
	mediaMarkdown = "text/markdown"
	mediaJSON     = "application/json"
	mediaTorrent  = "application/x-bittorrent"
	mediaMagnet   = "application/x-bittorrent;x-scheme-handler/magnet"
	mediaHLS      = "application/x-mpegURL"
)

// unknownLabel is the name PeerTube gives a category, licence or language
// missing from its tables.
const unknownLabel = "Unknown"

// Video is a local video's ActivityPub object as PeerTube 6.1 writes it
// (video-activity-pub-format.ts, with the audience its GET handler and its
// Create and Update activities add), for the video's account and channel
// and the instance's tracker URLs (HTTP first, then WebSocket, as
// torrentfile.TrackerURLs gives them and PeerTube lists them).
//
// The members are 6.1's, in its order, plus PeerTube 6.2's commentsPolicy
// and canReply (null, or as:Public unless comments are enabled): PeerTube
// 8 reads a video without commentsPolicy as one whose comments are
// disabled. There is no preview[] (this server makes no storyboards), no
// subtitleLanguage entry (no captions) and the video is never a live.
//
// The audience is to [as:Public], cc [the account's followers] for a
// public video; to [], cc [as:Public] for an unlisted one; empty for
// others, which PeerTube does not federate.
func Video(publicURL string, v model.Video, acc model.Account, ch model.Channel, trackers []string) *apvocab.Video {
	publicURL = base(publicURL)
	id := VideoURL(publicURL, v.UUID)
	accountURL := ActorURL(publicURL, acc)
	published := v.PublishedAt
	if published.IsZero() {
		published = v.CreatedAt
	}
	policy := v.CommentsPolicy
	if policy == 0 {
		policy = model.CommentsEnabled // unset: enabled, as the REST API shows it
	}
	o := &apvocab.Video{
		Type:            apvocab.TypeVideo,
		ID:              id,
		Name:            v.Name,
		Duration:        v.Duration,
		UUID:            v.UUID,
		Views:           v.Views,
		Sensitive:       v.NSFW,
		WaitTranscoding: v.WaitTranscoding,
		State:           v.State,
		CommentsEnabled: policy != model.CommentsDisabled,
		CommentsPolicy:  policy,
		DownloadEnabled: v.DownloadEnabled,
		Published:       published,
		Updated:         v.UpdatedAt,
		Tag:             []apvocab.Link{},
		MediaType:       mediaMarkdown,
		Content:         v.Description,
		Support:         v.Support,
		Icon:            icons(publicURL, v),
		AspectRatio:     float64(int64(v.AspectRatio*10000+0.5)) / 10000,
		URL:             videoLinks(publicURL, id, v, trackers),
		Likes:           id + "/likes",
		Dislikes:        id + "/dislikes",
		Shares:          id + "/announces",
		Comments:        id + "/comments",
		HasParts:        id + "/chapters",
		AttributedTo: []apvocab.Ref{
			{Type: apvocab.TypePerson, ID: accountURL},
			{Type: apvocab.TypeGroup, ID: ChannelURL(publicURL, ch)},
		},
	}
	o.To, o.CC = videoAudience(v.Privacy, accountURL)
	if policy != model.CommentsEnabled {
		o.CanReply = apvocab.Public
	}
	if v.Category != nil {
		o.Category = &apvocab.Identifier{Identifier: strconv.Itoa(*v.Category), Name: labelOr(taxonomy.CategoryLabel(*v.Category))}
	}
	if v.Licence != nil {
		o.Licence = &apvocab.Identifier{Identifier: strconv.Itoa(*v.Licence), Name: labelOr(taxonomy.LicenceLabel(*v.Licence))}
	}
	if v.Language != "" {
		o.Language = &apvocab.Identifier{Identifier: v.Language, Name: labelOr(taxonomy.LanguageLabel(v.Language))}
	}
	if v.OriginallyPublishedAt != nil {
		o.OriginallyPublishedAt = *v.OriginallyPublishedAt
	}
	for _, t := range v.Tags {
		o.Tag = append(o.Tag, apvocab.Link{Type: apvocab.TypeHashtag, Name: t})
	}
	return o
}

// videoAudience is PeerTube's getVideoAudience for the video's account.
func videoAudience(privacy int, accountURL string) (to, cc []string) {
	switch privacy {
	case model.PrivacyPublic:
		return []string{apvocab.Public}, []string{followersURL(accountURL)}
	case model.PrivacyUnlisted:
		return []string{}, []string{apvocab.Public}
	}
	return []string{}, []string{}
}

func labelOr(label string, ok bool) string {
	if !ok {
		return unknownLabel
	}
	return label
}

// icons are the miniature then the preview, those that exist.
func icons(publicURL string, v model.Video) []apvocab.Image {
	out := []apvocab.Image{}
	for _, img := range []struct {
		name string
		key  func(string) string
		size transcode.ImageSize
	}{
		{v.Thumbnail, mediakeys.Thumbnail, transcode.ThumbnailSize},
		{v.Preview, mediakeys.Preview, transcode.PreviewSize},
	} {
		if img.name == "" {
			continue
		}
		out = append(out, apvocab.Image{
			Type: apvocab.TypeImage, URL: mediakeys.URL(publicURL, img.key(img.name)),
			MediaType: imageMediaType(img.name), Width: img.size.Width, Height: img.size.Height,
		})
	}
	return out
}

// imageMediaType is PeerTube's MIMETYPES.IMAGE.EXT_MIMETYPE.
func imageMediaType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".png":
		return "image/png"
	case ".webp":
		return "image/webp"
	case ".gif":
		return "image/gif"
	}
	return "image/jpeg"
}

// videoLinks is url[]: the watch page, each web-video file, the HLS
// playlist, the trackers.
func videoLinks(publicURL, id string, v model.Video, trackers []string) []apvocab.Link {
	links := []apvocab.Link{{Type: apvocab.TypeLink, MediaType: mediaHTML, Href: id}}
	links = append(links, fileLinks(publicURL, v, v.Files, mediakeys.WebVideo, trackers)...)
	if v.HLS != nil {
		hls := v.HLS
		playlistURL := mediakeys.URL(publicURL, mediakeys.HLSFile(v.UUID, hls.PlaylistFilename))
		var tags []apvocab.Link
		for _, h := range torrentfile.HLSInfoHashes(playlistURL, len(hls.Files)) {
			tags = append(tags, apvocab.Link{Type: apvocab.TypeInfohash, Name: h})
		}
		tags = append(tags, apvocab.Link{
			Type: apvocab.TypeLink, Name: "sha256", MediaType: mediaJSON,
			Href: mediakeys.URL(publicURL, mediakeys.HLSFile(v.UUID, hls.SegmentsSHA256Filename)),
		})
		tags = append(tags, fileLinks(publicURL, v, hls.Files, func(name string) string {
			return mediakeys.HLSFile(v.UUID, name)
		}, trackers)...)
		links = append(links, apvocab.Link{Type: apvocab.TypeLink, MediaType: mediaHLS, Href: playlistURL, Tag: tags})
	}
	for _, tr := range trackers {
		kind := "websocket"
		if strings.HasPrefix(tr, "http") {
			kind = "http"
		}
		links = append(links, apvocab.Link{Type: apvocab.TypeLink, Name: "tracker-" + kind, Rel: []string{"tracker", kind}, Href: tr})
	}
	return links
}

// fileLinks are the links of files, highest resolution first: each file,
// its metadata, and its torrent and magnet when it has a torrent. Files
// not yet published (no Filename) are left out.
func fileLinks(publicURL string, v model.Video, files []model.VideoFile, key func(string) string, trackers []string) []apvocab.Link {
	sorted := slices.Clone(files)
	slices.SortStableFunc(sorted, func(a, b model.VideoFile) int { return b.Resolution - a.Resolution })
	var links []apvocab.Link
	for _, f := range sorted {
		if f.Filename == "" {
			continue
		}
		fileURL := mediakeys.URL(publicURL, key(f.Filename))
		mime := fileMediaType(f)
		height := f.Height
		if height == 0 {
			height = f.Resolution
		}
		fps := float64(f.FPS)
		links = append(links,
			apvocab.Link{Type: apvocab.TypeLink, MediaType: mime, Href: fileURL, Height: height, Width: f.Width, Size: f.Size, FPS: fps},
			apvocab.Link{Type: apvocab.TypeLink, Rel: []string{"metadata", mime}, MediaType: mediaJSON,
				Href:   fmt.Sprintf("%s/api/v1/videos/%s/metadata/%d", publicURL, v.UUID, f.ID),
				Height: height, Width: f.Width, FPS: fps})
		if f.TorrentFilename == "" {
			continue
		}
		torrentURL := mediakeys.URL(publicURL, mediakeys.Torrent(f.TorrentFilename))
		magnet := torrentfile.Magnet(torrentfile.MagnetOptions{
			TorrentURL: torrentURL, InfoHash: f.InfoHash, Name: v.Name, Trackers: trackers, WebSeeds: []string{fileURL},
		})
		links = append(links,
			apvocab.Link{Type: apvocab.TypeLink, MediaType: mediaTorrent, Href: torrentURL, Height: height, Width: f.Width, FPS: fps},
			apvocab.Link{Type: apvocab.TypeLink, MediaType: mediaMagnet, Href: magnet, Height: height, Width: f.Width, FPS: fps})
	}
	return links
}

// fileMediaType is PeerTube's getVideoFileMimeType: audio/mp4 for an
// audio-only MP4 (resolution 0), else by extension.
func fileMediaType(f model.VideoFile) string {
	switch strings.ToLower(path.Ext(f.Filename)) {
	case ".webm":
		return "video/webm"
	case ".ogv":
		return "video/ogg"
	}
	if f.Resolution == 0 {
		return "audio/mp4"
	}
	return "video/mp4"
}
