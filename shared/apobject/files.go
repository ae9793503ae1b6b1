package apobject

import (
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"math"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
)

// videoFileTypes is PeerTube's MIMETYPES.AP_VIDEO.MIMETYPE_EXT.
var videoFileTypes = []string{"video/mp4", "video/ogg", "video/webm", "audio/mp4"}

// mediaFiles reads the web-video files and the HLS playlist of a remote
// video's url[] (PeerTube's getFileAttributesFromUrl and
// getStreamingPlaylistAttributesFromObject). Links PeerTube would drop
// are skipped; a magnet with an invalid info hash fails the video, as in
// PeerTube. A playlist without a valid file is left out.
func mediaFiles(links []apvocab.Link) ([]model.VideoFile, *model.StreamingPlaylist, error) {
	files, err := filesOf(links)
	if err != nil {
		return nil, nil, err
	}
	for _, l := range links {
		if l.MediaType != mediaHLS || !isAPURL(l.Href) || l.Tag == nil {
			continue
		}
		hlsFiles, err := filesOf(l.Tag)
		if err != nil {
			return nil, nil, fmt.Errorf("HLS playlist: %w", err)
		}
		if len(hlsFiles) == 0 {
			continue
		}
		p := &model.StreamingPlaylist{PlaylistURL: l.Href, PlaylistFilename: baseName(l.Href), Files: hlsFiles}
		for _, t := range l.Tag {
			if t.Name == "sha256" && t.Type == apvocab.TypeLink && t.MediaType == mediaJSON && isAPURL(t.Href) {
				p.SegmentsSHA256URL, p.SegmentsSHA256Filename = t.Href, baseName(t.Href)
				break
			}
		}
		return files, p, nil
	}
	return files, nil, nil
}

// filesOf reads the file links of a list, each with its metadata, torrent
// and magnet links from the same list.
func filesOf(links []apvocab.Link) ([]model.VideoFile, error) {
	var files []model.VideoFile
	for _, l := range links {
		if l.Type != apvocab.TypeLink || !slices.Contains(videoFileTypes, l.MediaType) || !isAPURL(l.Href) ||
			l.Height < 0 || l.Size < 0 || l.FPS < -1 {
			continue
		}
		f := model.VideoFile{
			Resolution: l.Height, Width: l.Width, Height: l.Height, Size: l.Size,
			URL: l.Href, Filename: baseName(l.Href),
		}
		if l.Width > 0 && l.Width < l.Height {
			f.Resolution = l.Width
		}
		f.FPS = -1
		if l.FPS >= 0 && l.FPS < math.MaxInt32 {
			f.FPS = int(math.Round(l.FPS))
		}
		f.HasVideo, f.HasAudio = streams(l, f.Resolution)
		for _, m := range links {
			if m.Type == apvocab.TypeLink && m.MediaType == mediaJSON && slices.Contains(m.Rel, "metadata") &&
				slices.Contains(m.Rel, l.MediaType) && m.Height == l.Height && m.FPS == l.FPS && isAPURL(m.Href) {
				f.MetadataURL = m.Href
				break
			}
		}
		for _, m := range links {
			if m.MediaType == mediaMagnet && len(m.Href) >= 5 && m.Height == l.Height {
				torrentURL, infoHash, err := parseMagnet(m.Href)
				if err != nil {
					return nil, err
				}
				f.TorrentURL, f.InfoHash = torrentURL, infoHash
				break
			}
		}
		if f.TorrentURL == "" && f.InfoHash != "" {
			for _, m := range links {
				if m.MediaType == mediaTorrent && m.Height == l.Height && isAPURL(m.Href) {
					f.TorrentURL = m.Href
					break
				}
			}
		}
		files = append(files, f)
	}
	return files, nil
}

// streams is PeerTube's buildFileStreams: the file's ffprobe_codec_type
// attachments, else audio only for resolution 0 and both otherwise.
func streams(l apvocab.Link, resolution int) (video, audio bool) {
	hinted := false
	for _, a := range l.Attachment {
		if a.Type != apvocab.TypePropertyValue || a.Name != "ffprobe_codec_type" {
			continue
		}
		hinted = true
		video = video || a.Value == "video"
		audio = audio || a.Value == "audio"
	}
	if !hinted {
		return resolution != 0, true
	}
	return video, audio
}

// parseMagnet reads a magnet URI's torrent URL (its first xs, when an
// http(s) URL) and info hash (xt urn:btih:, 40 hex digits or 32 base32
// ones, given as 40 lower-case hex digits).
func parseMagnet(magnet string) (torrentURL, infoHash string, err error) {
	query, ok := strings.CutPrefix(magnet, "magnet:?")
	if !ok {
		return "", "", fmt.Errorf("magnet %.60q is not a magnet URI", magnet)
	}
	values, _ := url.ParseQuery(query) // keeps the pairs that parse
	if xs := values["xs"]; len(xs) > 0 && isAPURL(xs[0]) {
		torrentURL = xs[0]
	}
	for _, xt := range values["xt"] {
		h, ok := strings.CutPrefix(xt, "urn:btih:")
		if !ok {
			continue
		}
		switch len(h) {
		case 40:
			if _, err := hex.DecodeString(h); err == nil {
				return torrentURL, strings.ToLower(h), nil
			}
		case 32:
			if b, err := base32.StdEncoding.DecodeString(strings.ToUpper(h)); err == nil {
				return torrentURL, hex.EncodeToString(b), nil
			}
		}
	}
	return "", "", fmt.Errorf("magnet %.60q has no valid info hash", magnet)
}

// trackerURLs are the trackers a video lists in url[].
func trackerURLs(links []apvocab.Link) []string {
	var out []string
	for _, l := range links {
		if slices.Contains(l.Rel, "tracker") && isTrackerURL(l.Href) {
			out = append(out, l.Href)
		}
	}
	return out
}

// baseName is the last path segment of a URL.
func baseName(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Path == "" {
		return ""
	}
	return path.Base(u.Path)
}
