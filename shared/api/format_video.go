package api

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
)

// JSON shapes of PeerTube 6.1's Video (list item) and VideoDetails, with
// its field order.

type videoBase struct {
	ID                    int64               `json:"id"`
	UUID                  string              `json:"uuid"`
	ShortUUID             string              `json:"shortUUID"`
	URL                   string              `json:"url"`
	Name                  string              `json:"name"`
	Category              taxonomy.OptIDLabel `json:"category"`
	Licence               taxonomy.OptIDLabel `json:"licence"`
	Language              taxonomy.LangLabel  `json:"language"`
	Privacy               taxonomy.IDLabel    `json:"privacy"`
	NSFW                  bool                `json:"nsfw"`
	TruncatedDescription  *string             `json:"truncatedDescription"`
	Description           *string             `json:"description"`
	IsLocal               bool                `json:"isLocal"`
	Duration              int64               `json:"duration"`
	AspectRatio           *float64            `json:"aspectRatio"`
	Views                 int64               `json:"views"`
	Viewers               int64               `json:"viewers"`
	Likes                 int64               `json:"likes"`
	Dislikes              int64               `json:"dislikes"`
	ThumbnailPath         *string             `json:"thumbnailPath"`
	PreviewPath           *string             `json:"previewPath"`
	EmbedPath             string              `json:"embedPath"`
	CreatedAt             string              `json:"createdAt"`
	UpdatedAt             string              `json:"updatedAt"`
	PublishedAt           string              `json:"publishedAt"`
	OriginallyPublishedAt *string             `json:"originallyPublishedAt"`
	IsLive                bool                `json:"isLive"`
}

// actorSummary is the short account or channel of a list item.
type actorSummary struct {
	ID          int64        `json:"id"`
	DisplayName string       `json:"displayName,omitempty"`
	Name        string       `json:"name"`
	URL         string       `json:"url"`
	Host        string       `json:"host"`
	Avatars     []actorImage `json:"avatars"`
}

// channelSummary orders its fields as PeerTube does for channels.
type channelSummary struct {
	ID          int64        `json:"id"`
	Name        string       `json:"name"`
	DisplayName string       `json:"displayName"`
	URL         string       `json:"url"`
	Host        string       `json:"host"`
	Avatars     []actorImage `json:"avatars"`
}

type videoJSON struct {
	videoBase
	Account actorSummary   `json:"account"`
	Channel channelSummary `json:"channel"`
	// State and WaitTranscoding are shown to the owner in their own lists.
	State           *taxonomy.IDLabel `json:"state,omitempty"`
	WaitTranscoding *bool             `json:"waitTranscoding,omitempty"`
}

type videoDetailsJSON struct {
	videoBase
	Account            accountJSON      `json:"account"`
	Channel            channelJSON      `json:"channel"`
	Blacklisted        bool             `json:"blacklisted"`
	BlacklistedReason  *string          `json:"blacklistedReason"`
	StreamingPlaylists []playlistJSON   `json:"streamingPlaylists"`
	Files              []fileJSON       `json:"files"`
	Support            *string          `json:"support"`
	DescriptionPath    string           `json:"descriptionPath"`
	Tags               []string         `json:"tags"`
	CommentsEnabled    bool             `json:"commentsEnabled"`
	DownloadEnabled    bool             `json:"downloadEnabled"`
	WaitTranscoding    bool             `json:"waitTranscoding"`
	InputFileUpdatedAt *string          `json:"inputFileUpdatedAt"`
	State              taxonomy.IDLabel `json:"state"`
	TrackerURLs        []string         `json:"trackerUrls"`
}

type fileJSON struct {
	ID                 int64            `json:"id"`
	Resolution         taxonomy.IDLabel `json:"resolution"`
	Width              int              `json:"width"`
	Height             int              `json:"height"`
	MagnetURI          string           `json:"magnetUri"`
	Size               int64            `json:"size"`
	FPS                int              `json:"fps"`
	TorrentURL         string           `json:"torrentUrl"`
	TorrentDownloadURL string           `json:"torrentDownloadUrl"`
	FileURL            string           `json:"fileUrl"`
	FileDownloadURL    string           `json:"fileDownloadUrl"`
	MetadataURL        string           `json:"metadataUrl"`
}

type playlistJSON struct {
	ID                int64      `json:"id"`
	Type              int        `json:"type"`
	PlaylistURL       string     `json:"playlistUrl"`
	SegmentsSha256URL string     `json:"segmentsSha256Url"`
	Redundancies      []struct{} `json:"redundancies"`
	Files             []fileJSON `json:"files"`
}

// truncatedDescriptionLen is PeerTube's CONSTRAINTS_FIELDS.VIDEOS.TRUNCATED_DESCRIPTION.
const truncatedDescriptionLen = 250

func truncate250(s string) string {
	if utf8.RuneCountInString(s) <= truncatedDescriptionLen {
		return s
	}
	r := []rune(s)
	return string(r[:truncatedDescriptionLen-3]) + "..."
}

func (a *API) videoBase(v model.Video) videoBase {
	b := videoBase{
		ID: v.ID, UUID: v.UUID, ShortUUID: shortuuid.FromUUID(v.UUID), URL: a.cfg.PublicURL + "/videos/watch/" + v.UUID,
		Name: v.Name, Category: taxonomy.Category(v.Category), Licence: taxonomy.Licence(v.Licence),
		Privacy: taxonomy.Privacy(v.Privacy), NSFW: v.NSFW, IsLocal: true, Duration: v.Duration,
		Views: v.Views, Likes: v.Likes, Dislikes: v.Dislikes, EmbedPath: "/videos/embed/" + v.UUID,
		CreatedAt: timeJSON(v.CreatedAt), UpdatedAt: timeJSON(v.UpdatedAt), PublishedAt: timeJSON(v.PublishedAt),
	}
	var lang *string
	if v.Language != "" {
		lang = &v.Language
	}
	b.Language = taxonomy.Language(lang)
	if v.Description != "" {
		d, t := v.Description, truncate250(v.Description)
		b.Description, b.TruncatedDescription = &d, &t
	}
	if v.AspectRatio > 0 {
		ar := float64(int64(v.AspectRatio*10000+0.5)) / 10000
		b.AspectRatio = &ar
	}
	if v.Thumbnail != "" {
		p := "/" + mediakeys.Thumbnail(v.Thumbnail)
		b.ThumbnailPath = &p
	}
	if v.Preview != "" {
		p := "/" + mediakeys.Preview(v.Preview)
		b.PreviewPath = &p
	}
	if v.OriginallyPublishedAt != nil {
		b.OriginallyPublishedAt = timeOrNull(*v.OriginallyPublishedAt)
	}
	if v.Remote != nil {
		// A remote video is watched at its origin; its images are there
		// too (this instance does not cache them: the paths stay null).
		b.URL, b.IsLocal = v.Remote.URL, false
		b.ThumbnailPath, b.PreviewPath = nil, nil
	}
	return b
}

// videoJSON is a list item; the owner's own lists show the state too.
func (a *API) videoJSON(v model.Video, acc model.Account, ch model.Channel, withState bool) videoJSON {
	accURL, accHost := actorURLHost(a.cfg.PublicURL, a.cfg.Host(), "accounts", acc.Name, acc.Remote)
	chURL, chHost := actorURLHost(a.cfg.PublicURL, a.cfg.Host(), "video-channels", ch.Name, ch.Remote)
	j := videoJSON{
		videoBase: a.videoBase(v),
		Account: actorSummary{ID: acc.ID, DisplayName: acc.DisplayName, Name: acc.Name,
			URL: accURL, Host: accHost, Avatars: []actorImage{}},
		Channel: channelSummary{ID: ch.ID, Name: ch.Name, DisplayName: ch.DisplayName,
			URL: chURL, Host: chHost, Avatars: []actorImage{}},
	}
	if withState {
		st := taxonomy.State(v.State)
		wait := v.WaitTranscoding
		j.State, j.WaitTranscoding = &st, &wait
	}
	return j
}

func (a *API) videoDetailsJSON(v model.Video, acc model.Account, ch model.Channel) videoDetailsJSON {
	j := videoDetailsJSON{
		videoBase: a.videoBase(v), Account: a.accountJSON(acc), Channel: a.channelJSON(ch, &acc),
		StreamingPlaylists: []playlistJSON{}, Files: make([]fileJSON, 0, len(v.Files)),
		Support: nullable(v.Support), DescriptionPath: "/api/v1/videos/" + v.UUID + "/description",
		Tags: v.Tags, CommentsEnabled: v.CommentsPolicy != model.CommentsDisabled,
		DownloadEnabled: v.DownloadEnabled, WaitTranscoding: v.WaitTranscoding,
		State: taxonomy.State(v.State), TrackerURLs: []string{a.httpTracker, a.wsTracker},
	}
	if v.Remote != nil && len(v.Remote.Trackers) > 0 {
		j.TrackerURLs = v.Remote.Trackers
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	for _, f := range v.Files {
		if v.Remote != nil {
			j.Files = append(j.Files, a.remoteFileJSON(v, f))
			continue
		}
		if f.Filename == "" {
			// The upload, not yet published: only what is known of it.
			j.Files = append(j.Files, fileJSON{ID: f.ID, Resolution: taxonomy.Resolution(f.Resolution), Size: f.Size})
			continue
		}
		j.Files = append(j.Files, a.fileJSON(v, f, mediakeys.WebVideo(f.Filename), "/download/videos/"+fmt.Sprintf("%s-%d%s", v.UUID, f.Resolution, ext(f.Filename))))
	}
	if v.HLS != nil {
		p := playlistJSON{
			ID: v.HLS.ID, Type: 1,
			PlaylistURL:       mediakeys.URL(a.cfg.PublicURL, mediakeys.HLSFile(v.UUID, v.HLS.PlaylistFilename)),
			SegmentsSha256URL: mediakeys.URL(a.cfg.PublicURL, mediakeys.HLSFile(v.UUID, v.HLS.SegmentsSHA256Filename)),
			Redundancies:      []struct{}{}, Files: []fileJSON{},
		}
		if v.Remote != nil {
			p.PlaylistURL, p.SegmentsSha256URL = v.HLS.PlaylistURL, v.HLS.SegmentsSHA256URL
		}
		for _, f := range v.HLS.Files {
			if v.Remote != nil {
				p.Files = append(p.Files, a.remoteFileJSON(v, f))
				continue
			}
			p.Files = append(p.Files, a.fileJSON(v, f, mediakeys.HLSFile(v.UUID, f.Filename),
				"/download/streaming-playlists/hls/videos/"+fmt.Sprintf("%s-%d-fragmented%s", v.UUID, f.Resolution, ext(f.Filename))))
		}
		j.StreamingPlaylists = append(j.StreamingPlaylists, p)
	}
	return j
}

func (a *API) fileJSON(v model.Video, f model.VideoFile, key, downloadPath string) fileJSON {
	fileURL := mediakeys.URL(a.cfg.PublicURL, key)
	torrentURL := mediakeys.URL(a.cfg.PublicURL, mediakeys.Torrent(f.TorrentFilename))
	j := fileJSON{
		ID: f.ID, Resolution: taxonomy.Resolution(f.Resolution), Width: f.Width, Height: f.Height,
		Size: f.Size, FPS: f.FPS, FileURL: fileURL, FileDownloadURL: a.cfg.PublicURL + downloadPath,
		MetadataURL: fmt.Sprintf("%s/api/v1/videos/%s/metadata/%d", a.cfg.PublicURL, v.UUID, f.ID),
	}
	if f.TorrentFilename != "" {
		j.TorrentURL = torrentURL
		j.TorrentDownloadURL = a.cfg.PublicURL + "/download/torrents/" + f.TorrentFilename
		j.MagnetURI = torrentfile.Magnet(torrentfile.MagnetOptions{
			TorrentURL: torrentURL, InfoHash: f.InfoHash, Name: v.Name,
			Trackers: []string{a.httpTracker, a.wsTracker}, WebSeeds: []string{fileURL},
		})
	}
	return j
}

// remoteFileJSON is a remote video's file: every URL at its origin.
func (a *API) remoteFileJSON(v model.Video, f model.VideoFile) fileJSON {
	j := fileJSON{
		ID: f.ID, Resolution: taxonomy.Resolution(f.Resolution), Width: f.Width, Height: f.Height,
		Size: f.Size, FPS: f.FPS, FileURL: f.URL, FileDownloadURL: f.URL, MetadataURL: f.MetadataURL,
	}
	if f.TorrentURL != "" {
		j.TorrentURL, j.TorrentDownloadURL = f.TorrentURL, f.TorrentURL
		if f.InfoHash != "" {
			j.MagnetURI = torrentfile.Magnet(torrentfile.MagnetOptions{
				TorrentURL: f.TorrentURL, InfoHash: f.InfoHash, Name: v.Name,
				Trackers: v.Remote.Trackers, WebSeeds: []string{f.URL},
			})
		}
	}
	return j
}

func ext(filename string) string {
	if i := strings.LastIndexByte(filename, '.'); i >= 0 {
		return filename[i:]
	}
	return ""
}
