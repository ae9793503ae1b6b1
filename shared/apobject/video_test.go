package apobject

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
)

const (
	instance1 = "http://127.0.0.1:9001"
	video1    = "peertube-6.1/instance1-activitypub/ap-video.json"
)

var (
	root        = model.Account{ID: 1, Name: "root"}
	rootChannel = model.Channel{ID: 1, AccountID: 1, Name: "root_channel"}
)

func trackersOf(t testing.TB, publicURL string) []string {
	t.Helper()
	ws, httpURL, err := torrentfile.TrackerURLs(publicURL)
	if err != nil {
		t.Fatal(err)
	}
	return []string{httpURL, ws}
}

func ptr[T any](v T) *T { return &v }

// capturedVideo1 is the model of the captured video 1 of instance 1
// (README of peertube-6.1: uploaded 07:59:47, transcoding disabled, so
// one web-video file, the original).
func capturedVideo1() model.Video {
	v := model.Video{
		ID: 1, UUID: "2ce1bf7c-5070-4b7a-9eb8-f67516a5038f", AccountID: 1,
		State: model.StatePublished, Duration: 3, AspectRatio: 320.0 / 240.0,
		Thumbnail: "b06f99ee-35c6-45f0-a808-cb2d0c47f5da.jpg", Preview: "6133f3b1-2142-4779-b8ca-0793d3fef43f.jpg",
		Files: []model.VideoFile{{
			ID: 1, Resolution: 240, Width: 320, Height: 240, FPS: 25, Size: 43859,
			Filename:        "0f98e0bc-ab3a-4fe8-878c-b7cef12d2d70-240.mp4",
			TorrentFilename: "3c9410cf-bf3d-439b-b59f-0f33fdcca927-240.torrent",
			InfoHash:        "954b3ab96b2cb6c992d71c9470087bd288eaec09", HasAudio: true, HasVideo: true, FromSource: true,
		}},
		CreatedAt:   time.Date(2026, 11, 22, 7, 59, 47, 200e6, time.UTC),
		PublishedAt: time.Date(2026, 11, 22, 7, 59, 47, 241e6, time.UTC),
		UpdatedAt:   time.Date(2026, 11, 22, 7, 59, 48, 346e6, time.UTC),
	}
	v.VideoMeta = model.VideoMeta{
		Name: "Test pattern clip", ChannelID: 1, Privacy: model.PrivacyPublic,
		Category: ptr(15), Licence: ptr(1), Language: "en",
		Description:    "A three second **test pattern** clip with a 440 Hz tone, generated with ffmpeg for wire samples.",
		Tags:           []string{"sample", "testpattern"},
		CommentsPolicy: model.CommentsEnabled, DownloadEnabled: true, WaitTranscoding: true,
	}
	return v
}

func encode(t testing.TB, o apvocab.Object) []byte {
	t.Helper()
	b, err := apvocab.Encode(o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Members a local video's document has that PeerTube 6.1's has not, or
// the reverse (see Video).
var videoDifferences = map[string]string{
	"canReply":       "PeerTube 6.2+, written for PeerTube 8 readers",
	"commentsPolicy": "PeerTube 6.2+, written for PeerTube 8 readers",
	"preview":        "storyboards are not made",
}

func videoDifferenceNames() []string {
	var out []string
	for k := range videoDifferences {
		out = append(out, k)
	}
	return out
}

// TestVideoAsPeerTube61 formats a video mirroring the captured video 1,
// on the captured instance's URL: the document is the capture's, member
// for member and value for value, in PeerTube's member order, apart from
// the members listed in videoDifferences.
func TestVideoAsPeerTube61(t *testing.T) {
	want := reftest.Read(t, video1)
	got := encode(t, Video(instance1, capturedVideo1(), root, rootChannel, trackersOf(t, instance1)))
	reftest.ShapeEqual(t, got, want, true, videoDifferences)
	if d := jsonDiff(withoutMembers(t, got, videoDifferenceNames()...), withoutMembers(t, want, videoDifferenceNames()...)); d != "" {
		t.Errorf("video document differs from the capture: %s\n%s", d, got)
	}
	var extra struct {
		CanReply       *string `json:"canReply"`
		CommentsPolicy int     `json:"commentsPolicy"`
	}
	if err := json.Unmarshal(got, &extra); err != nil || extra.CanReply != nil || extra.CommentsPolicy != 1 {
		t.Errorf("canReply %v, commentsPolicy %d (%v): want null and 1 for enabled comments", extra.CanReply, extra.CommentsPolicy, err)
	}
}

// TestVideoReproducesEveryCapture reads each captured Video of instance 1
// (GET answers, Create and Update deliveries, outbox pages, the edited
// video 2), turns it back into a local video and formats it: the result
// is the captured object again.
func TestVideoReproducesEveryCapture(t *testing.T) {
	n := 0
	for _, f := range objectsIn[*apvocab.Video](t) {
		if !strings.HasPrefix(f.obj.ID, instance1+"/") {
			continue
		}
		n++
		rv, err := FromVideo(f.obj)
		if err != nil {
			t.Errorf("%s: %v", f.where, err)
			continue
		}
		local := localized(t, rv)
		got := encode(t, Video(instance1, local, root, rootChannel, rv.Video.Remote.Trackers))
		want := encode(t, f.obj)
		// An embedded video has no @context of its own.
		drop := append(videoDifferenceNames(), "@context")
		if d := jsonDiff(withoutMembers(t, got, drop...), withoutMembers(t, want, drop...)); d != "" {
			t.Errorf("%s: formatted again, the video differs: %s", f.where, d)
		}
	}
	t.Logf("%d captured videos of instance 1", n)
	if n < 18 {
		t.Errorf("only %d captured videos of instance 1", n)
	}
}

// localized is a remote video of instance 1 as instance 1 holds it: file
// names instead of URLs.
func localized(t testing.TB, rv RemoteVideo) model.Video {
	t.Helper()
	v := rv.Video
	v.Thumbnail, v.Preview = baseName(v.Remote.ThumbnailURL), baseName(v.Remote.PreviewURL)
	v.Files = slices.Clone(v.Files)
	for i := range v.Files {
		f := &v.Files[i]
		id, err := strconv.ParseInt(baseName(f.MetadataURL), 10, 64)
		if err != nil {
			t.Fatalf("metadata URL %q: %v", f.MetadataURL, err)
		}
		f.ID, f.TorrentFilename = id, baseName(f.TorrentURL)
		f.URL, f.TorrentURL, f.MetadataURL = "", "", ""
	}
	v.Remote = nil
	return v
}

// TestVideoOtherInstance formats a video with an HLS playlist, two web
// videos given lowest first and an unpublished upload on an https
// instance: the URLs are that instance's, the files highest resolution
// first, the HLS playlist's tags hold its infohashes, sha256 link and
// files, and the WebSocket tracker is wss with its port.
func TestVideoOtherInstance(t *testing.T) {
	const pub = "https://videos.example/"
	v := capturedVideo1()
	v.UUID = "0b7e1c1e-8a36-4a0d-a2ad-1f0f2b1e9a10"
	v.Files = []model.VideoFile{
		{ID: 7, Resolution: 360, Width: 640, Height: 360, FPS: 30, Size: 1000, Filename: "a-360.mp4", TorrentFilename: "t-360.torrent", InfoHash: strings.Repeat("a", 40)},
		{ID: 8, Resolution: 720, Width: 1280, Height: 720, FPS: 30, Size: 2000, Filename: "a-720.mp4"},
		{ID: 9, Resolution: 1080, Size: 3000},
		{ID: 10, Resolution: 0, Size: 10, Filename: "a-0.mp4"},
	}
	v.HLS = &model.StreamingPlaylist{
		PlaylistFilename: "m-master.m3u8", SegmentsSHA256Filename: "s-segments-sha256.json",
		Files: []model.VideoFile{{ID: 11, Resolution: 720, Width: 1280, Height: 720, FPS: 30, Size: 4000,
			Filename: "h-720-fragmented.mp4", TorrentFilename: "h-720-hls.torrent", InfoHash: strings.Repeat("b", 40)}},
	}
	acc := model.Account{Name: "ann"}
	ch := model.Channel{Name: "ann_channel"}
	o := Video(pub, v, acc, ch, trackersOf(t, pub))
	const id = "https://videos.example/videos/watch/0b7e1c1e-8a36-4a0d-a2ad-1f0f2b1e9a10"
	if o.ID != id || o.Likes != id+"/likes" || o.Shares != id+"/announces" || o.HasParts != id+"/chapters" {
		t.Errorf("id %q likes %q shares %q", o.ID, o.Likes, o.Shares)
	}
	if o.Account() != "https://videos.example/accounts/ann" || o.Channel() != "https://videos.example/video-channels/ann_channel" {
		t.Errorf("attributed to %q, %q", o.Account(), o.Channel())
	}
	if !slices.Equal(o.CC, []string{"https://videos.example/accounts/ann/followers"}) {
		t.Errorf("cc = %v", o.CC)
	}
	var got []string
	for _, l := range o.URL {
		got = append(got, l.MediaType+" "+l.Href)
	}
	const web = "https://videos.example/static/web-videos/"
	const hls = "https://videos.example/static/streaming-playlists/hls/0b7e1c1e-8a36-4a0d-a2ad-1f0f2b1e9a10/"
	want := []string{
		"text/html " + id,
		"video/mp4 " + web + "a-720.mp4",
		"application/json https://videos.example/api/v1/videos/0b7e1c1e-8a36-4a0d-a2ad-1f0f2b1e9a10/metadata/8",
		"video/mp4 " + web + "a-360.mp4",
		"application/json https://videos.example/api/v1/videos/0b7e1c1e-8a36-4a0d-a2ad-1f0f2b1e9a10/metadata/7",
		"application/x-bittorrent https://videos.example/lazy-static/torrents/t-360.torrent",
		"application/x-bittorrent;x-scheme-handler/magnet magnet:?xs=https%3A%2F%2Fvideos.example%2Flazy-static%2Ftorrents%2Ft-360.torrent&xt=urn:btih:" +
			strings.Repeat("a", 40) + "&dn=Test+pattern+clip&tr=https%3A%2F%2Fvideos.example%2Ftracker%2Fannounce&tr=wss%3A%2F%2Fvideos.example%3A443%2Ftracker%2Fsocket&ws=https%3A%2F%2Fvideos.example%2Fstatic%2Fweb-videos%2Fa-360.mp4",
		"audio/mp4 " + web + "a-0.mp4",
		"application/json https://videos.example/api/v1/videos/0b7e1c1e-8a36-4a0d-a2ad-1f0f2b1e9a10/metadata/10",
		"application/x-mpegURL " + hls + "m-master.m3u8",
		" https://videos.example/tracker/announce",
		" wss://videos.example:443/tracker/socket",
	}
	if !slices.Equal(got, want) {
		t.Errorf("url[] =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	playlist := o.URL[9]
	var tags []string
	for _, l := range playlist.Tag {
		tags = append(tags, l.Type+" "+l.Name+" "+l.MediaType+" "+l.Href)
	}
	infohash := torrentfile.HLSInfoHashes(hls+"m-master.m3u8", 1)[0]
	wantTags := []string{
		"Infohash " + infohash + "  ",
		"Link sha256 application/json " + hls + "s-segments-sha256.json",
		"Link  video/mp4 " + hls + "h-720-fragmented.mp4",
		"Link  application/json https://videos.example/api/v1/videos/0b7e1c1e-8a36-4a0d-a2ad-1f0f2b1e9a10/metadata/11",
		"Link  application/x-bittorrent https://videos.example/lazy-static/torrents/h-720-hls.torrent",
		"Link  application/x-bittorrent;x-scheme-handler/magnet " + playlist.Tag[5].Href,
	}
	if !slices.Equal(tags, wantTags) {
		t.Errorf("HLS tag[] =\n  %s\nwant\n  %s", strings.Join(tags, "\n  "), strings.Join(wantTags, "\n  "))
	}
	if !strings.Contains(playlist.Tag[5].Href, "&ws=https%3A%2F%2Fvideos.example%2Fstatic%2Fstreaming-playlists%2Fhls%2F") {
		t.Errorf("HLS magnet's web seed is not the fragmented file: %s", playlist.Tag[5].Href)
	}
	if o.URL[10].Name != "tracker-http" || !slices.Equal(o.URL[11].Rel, []string{"tracker", "websocket"}) {
		t.Errorf("tracker links %+v %+v", o.URL[10], o.URL[11])
	}
	if o.Icon[0].URL != "https://videos.example/lazy-static/thumbnails/b06f99ee-35c6-45f0-a808-cb2d0c47f5da.jpg" {
		t.Errorf("icon %+v", o.Icon[0])
	}
}

// TestVideoAudienceAndOptionalMembers: an unlisted video is cc'd to
// as:Public only, a private one to nobody; a video without category,
// licence, language, description, images, tags or aspect ratio writes
// PeerTube's nulls and empty lists; disabled comments say so in all three
// members.
func TestVideoAudienceAndOptionalMembers(t *testing.T) {
	v := capturedVideo1()
	v.Privacy = model.PrivacyUnlisted
	v.Category, v.Licence, v.Language, v.Description, v.Support = nil, nil, "", "", ""
	v.Thumbnail, v.Preview, v.Tags, v.AspectRatio = "", "", nil, 0
	v.CommentsPolicy = model.CommentsDisabled
	orig := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	v.OriginallyPublishedAt = &orig
	b := encode(t, Video(instance1, v, root, rootChannel, nil))
	s := string(b)
	for _, want := range []string{
		`"to":[],"cc":["https://www.w3.org/ns/activitystreams#Public"],"type":"Video"`,
		`"uuid":"2ce1bf7c-5070-4b7a-9eb8-f67516a5038f","views":0,`,
		`"commentsEnabled":false,"canReply":"https://www.w3.org/ns/activitystreams#Public","commentsPolicy":2,`,
		`"originallyPublishedAt":"2020-01-02T03:04:05.000Z"`,
		`"tag":[],"mediaType":"text/markdown","content":null,"support":null,"subtitleLanguage":[],"icon":[],"aspectRatio":null,`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("document lacks %s\nin %s", want, s)
		}
	}
	if strings.Contains(s, "tracker") {
		t.Errorf("tracker links without trackers: %s", s)
	}
	v.Privacy = model.PrivacyPrivate
	o := Video(instance1, v, root, rootChannel, nil)
	if len(o.To) != 0 || len(o.CC) != 0 || o.To == nil || o.CC == nil {
		t.Errorf("private video's audience: to %v cc %v", o.To, o.CC)
	}
	v.Category, v.Language = ptr(99), "xx"
	v.CommentsPolicy = 0
	o = Video(instance1, v, root, rootChannel, nil)
	if o.Category.Name != "Unknown" || o.Language.Name != "Unknown" || o.Category.Identifier != "99" {
		t.Errorf("unknown category %+v language %+v", o.Category, o.Language)
	}
	if !o.CommentsEnabled || o.CommentsPolicy != model.CommentsEnabled || o.CanReply != "" {
		t.Errorf("unset comments policy written as enabled %v, policy %d, canReply %q", o.CommentsEnabled, o.CommentsPolicy, o.CanReply)
	}
}

func TestActorURLs(t *testing.T) {
	remote := model.Account{Name: "bob", Remote: &model.Remote{URL: "https://other.example/users/bob", Host: "other.example"}}
	remoteCh := model.Channel{Name: "c", Remote: &model.Remote{URL: "https://other.example/video-channels/c"}}
	for _, tc := range []struct{ got, want string }{
		{ActorURL(instance1, root), instance1 + "/accounts/root"},
		{ActorURL(instance1+"/", root), instance1 + "/accounts/root"},
		{ActorURL(instance1, remote), "https://other.example/users/bob"},
		{ChannelURL(instance1, rootChannel), instance1 + "/video-channels/root_channel"},
		{ChannelURL(instance1, remoteCh), "https://other.example/video-channels/c"},
		{VideoURL(instance1, "u"), instance1 + "/videos/watch/u"},
		{CommentURL(instance1, "u", 12), instance1 + "/videos/watch/u/comments/12"},
		{handle(instance1, root), "root@127.0.0.1:9001"},
		{handle(instance1, remote), "bob@other.example"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
