package apvocab

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

func decodeVideo(t *testing.T, raw []byte) *Video {
	t.Helper()
	o, err := Decode(raw)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	v, ok := o.(*Video)
	if !ok {
		t.Fatalf("decoded a %T, want *Video", o)
	}
	return v
}

// TestVideoKeepsWhatGoAPDrops reads the captured PeerTube 6.1 video: the
// members go-ap loses on its own (style.md §5) are all there.
func TestVideoKeepsWhatGoAPDrops(t *testing.T) {
	v := decodeVideo(t, reftest.Read(t, "peertube-6.1/instance1-activitypub/ap-video.json"))
	const id = "http://127.0.0.1:9001/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f"
	if v.ID != id || v.Type != TypeVideo || v.Name != "Test pattern clip" {
		t.Errorf("id/type/name = %q %q %q", v.ID, v.Type, v.Name)
	}
	if v.Duration != 3 {
		t.Errorf("duration PT3S read as %d s", v.Duration)
	}
	if v.UUID != "2ce1bf7c-5070-4b7a-9eb8-f67516a5038f" || v.Views != 0 || v.State != 1 ||
		!v.CommentsEnabled || !v.DownloadEnabled || !v.WaitTranscoding || v.Sensitive {
		t.Errorf("PeerTube fields: uuid %q views %d state %d comments %v download %v wait %v nsfw %v",
			v.UUID, v.Views, v.State, v.CommentsEnabled, v.DownloadEnabled, v.WaitTranscoding, v.Sensitive)
	}
	if got := v.Hashtags(); !slices.Equal(got, []string{"sample", "testpattern"}) {
		t.Errorf("hashtags = %v", got)
	}
	if v.Category == nil || v.Category.Identifier != "15" || v.Category.Name != "Science & Technology" ||
		v.Licence == nil || v.Licence.Identifier != "1" || v.Language == nil || v.Language.Identifier != "en" {
		t.Errorf("category %+v licence %+v language %+v", v.Category, v.Licence, v.Language)
	}
	if v.Account() != "http://127.0.0.1:9001/accounts/root" || v.Channel() != "http://127.0.0.1:9001/video-channels/root_channel" {
		t.Errorf("account %q channel %q", v.Account(), v.Channel())
	}
	if len(v.AttributedTo) != 2 || v.AttributedTo[0].Type != TypePerson || v.AttributedTo[1].Type != TypeGroup {
		t.Errorf("attributedTo = %+v", v.AttributedTo)
	}
	if want := time.Date(2026, 11, 22, 7, 59, 47, 241e6, time.UTC); !v.Published.Equal(want) || !v.OriginallyPublishedAt.IsZero() {
		t.Errorf("published %v originallyPublishedAt %v", v.Published, v.OriginallyPublishedAt)
	}
	if v.AspectRatio != 1.3333 || v.LiveSaveReplay != nil || v.PermanentLive != nil || v.LatencyMode != nil || v.IsLiveBroadcast {
		t.Errorf("aspect %v live %v %v %v %v", v.AspectRatio, v.IsLiveBroadcast, v.LiveSaveReplay, v.PermanentLive, v.LatencyMode)
	}
	if v.Likes != id+"/likes" || v.Shares != id+"/announces" || v.Comments != id+"/comments" || v.HasParts != id+"/chapters" {
		t.Errorf("collections %q %q %q %q", v.Likes, v.Shares, v.Comments, v.HasParts)
	}
	if len(v.Icon) != 2 || v.Icon[0].Width != 280 || v.Icon[1].Height != 480 || v.Icon[0].MediaType != "image/jpeg" {
		t.Errorf("icons = %+v", v.Icon)
	}
	if len(v.Preview) != 1 || !slices.Equal(v.Preview[0].Rel, []string{"storyboard"}) ||
		len(v.Preview[0].URLs) != 1 || v.Preview[0].URLs[0].TileWidth != 192 || v.Preview[0].URLs[0].TileDuration != 1 {
		t.Errorf("storyboard = %+v", v.Preview)
	}

	// url[]: the watch page first, then the file with its metadata,
	// torrent and magnet, then the trackers.
	var media []string
	for _, l := range v.URL {
		media = append(media, l.MediaType+"|"+l.Name)
	}
	want := []string{"text/html|", "video/mp4|", "application/json|", "application/x-bittorrent|",
		"application/x-bittorrent;x-scheme-handler/magnet|", "|tracker-http", "|tracker-websocket"}
	if !slices.Equal(media, want) {
		t.Errorf("url[] = %v, want %v", media, want)
	}
	if v.WatchURL() != id {
		t.Errorf("watch URL %q", v.WatchURL())
	}
	if f := v.URL[1]; f.Size != 43859 || f.FPS != 25 || f.Height != 240 || f.Width != 320 {
		t.Errorf("file link = %+v", f)
	}
	if !slices.Equal(v.URL[2].Rel, []string{"metadata", "video/mp4"}) || !slices.Equal(v.URL[6].Rel, []string{"tracker", "websocket"}) {
		t.Errorf("rel[] = %v, %v", v.URL[2].Rel, v.URL[6].Rel)
	}
	if v.Extra != nil {
		t.Errorf("members not modelled: %v", v.Extra)
	}
}

// TestVideoV8Form reads the 8.x form (testdata/README.md): plain IRIs in
// attributedTo, no commentsEnabled, the short watch URL first.
func TestVideoV8Form(t *testing.T) {
	raw, err := os.ReadFile("testdata/peertube-v8-video.json")
	if err != nil {
		t.Fatal(err)
	}
	v := decodeVideo(t, raw)
	if v.Account() != "http://127.0.0.1:9001/accounts/root" || v.Channel() != "http://127.0.0.1:9001/video-channels/root_channel" {
		t.Errorf("account %q channel %q from plain IRIs", v.Account(), v.Channel())
	}
	for _, r := range v.AttributedTo {
		if r.Type != "" || r.Object != nil {
			t.Errorf("plain IRI read as %+v", r)
		}
	}
	if v.CommentsEnabled || v.CommentsPolicy != 1 || v.CanReply != "" {
		t.Errorf("comments: enabled %v policy %d canReply %q", v.CommentsEnabled, v.CommentsPolicy, v.CanReply)
	}
	if !v.Sensitive || v.Summary != "Flashing test pattern" || string(v.Schedules) != "[]" ||
		v.PlayerSettings != v.ID+"/player-settings" || v.UploadDate.IsZero() {
		t.Errorf("8.x members: nsfw %v %q schedules %s player %q upload %v",
			v.Sensitive, v.Summary, v.Schedules, v.PlayerSettings, v.UploadDate)
	}
	if n := len(v.Tag); n != 3 || v.Tag[2].Type != TypeSensitiveTag || v.Tag[2].Name != "violent" {
		t.Errorf("tags = %+v", v.Tag)
	}
	if !strings.HasSuffix(v.WatchURL(), "/w/6xrXCbgXqgwDm82recntFn") || v.URL[1].Href != v.ID {
		t.Errorf("url[0] %q url[1] %q", v.URL[0].Href, v.URL[1].Href)
	}
	if a := v.URL[2].Attachment; len(a) != 2 || a[0].Name != "ffprobe_codec_type" || a[0].Value != "video" || a[1].Value != "web-video" {
		t.Errorf("file attachment = %+v", a)
	}
	if c := v.SubtitleLanguage; len(c) != 1 || c[0].Identifier != "en" || len(c[0].URLs) != 2 || c[0].URLs[0].MediaType != "text/vtt" {
		t.Errorf("captions = %+v", c)
	}
	hls := hlsLink(t, v)
	if got := hls.Infohashes(); !slices.Equal(got, []string{"6a1f0b8c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f70"}) {
		t.Errorf("infohashes = %v", got)
	}
	if len(hls.Tag) != 6 || hls.Tag[1].Name != "sha256" || hls.Tag[2].Attachment[1].Value != "fragmented" {
		t.Errorf("HLS tag[] = %+v", hls.Tag)
	}
	if v.Extra != nil {
		t.Errorf("members not modelled: %v", v.Extra)
	}
	b, err := Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, raw) {
		t.Errorf("8.x video re-encoded differently:\n got %s\nwant %s", b, raw)
	}
}

func hlsLink(t *testing.T, v *Video) *Link {
	t.Helper()
	for i := range v.URL {
		if v.URL[i].MediaType == "application/x-mpegURL" {
			return &v.URL[i]
		}
	}
	t.Fatalf("no HLS link in %+v", v.URL)
	return nil
}

// TestBuiltVideo writes a video built in Go (as the outbox does) and
// reads it back: PeerTube's context and nulls, url[] in order with the
// watch page first, and the HLS playlist's Infohash tags.
func TestBuiltVideo(t *testing.T) {
	const id = "https://v.example/videos/watch/0b7e1c1e-8a36-4a0d-a2ad-1f0f2b1e9a10"
	file := func(mediaType, href string) Link {
		return Link{Type: TypeLink, MediaType: mediaType, Href: href, Height: 720, Width: 1280, Size: 1 << 20, FPS: 30,
			Attachment: []PropertyValue{{Type: TypePropertyValue, Name: "ffprobe_codec_type", Value: "video"}}}
	}
	v := &Video{
		To: []string{Public}, CC: []string{"https://v.example/accounts/ann/followers"},
		Type: TypeVideo, ID: id, Name: "Built", Duration: 42, UUID: "0b7e1c1e-8a36-4a0d-a2ad-1f0f2b1e9a10",
		Language: &Identifier{Identifier: "fr", Name: "French"}, State: 1, CommentsEnabled: true, DownloadEnabled: true,
		Published: time.Date(2026, 1, 2, 3, 4, 5, 6e6, time.UTC), Updated: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC),
		Tag:       []Link{{Type: TypeHashtag, Name: "go"}},
		MediaType: "text/markdown", Content: "A *built* video",
		URL: []Link{
			{Type: TypeLink, MediaType: "text/html", Href: id},
			file("video/mp4", "https://v.example/static/web-videos/a-720.mp4"),
			{Type: TypeLink, MediaType: "application/x-mpegURL", Href: "https://v.example/static/streaming-playlists/hls/u/master.m3u8",
				Tag: []Link{
					{Type: TypeInfohash, Name: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
					{Type: TypeInfohash, Name: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},
					{Type: TypeLink, Name: "sha256", MediaType: "application/json", Href: "https://v.example/static/streaming-playlists/hls/u/sha.json"},
					file("video/mp4", "https://v.example/static/streaming-playlists/hls/u/b-720-fragmented.mp4"),
				}},
			{Type: TypeLink, Name: "tracker-websocket", Rel: []string{"tracker", "websocket"}, Href: "wss://v.example:443/tracker/socket"},
		},
		AttributedTo: []Ref{{Type: TypePerson, ID: "https://v.example/accounts/ann"}, {Type: TypeGroup, ID: "https://v.example/video-channels/ann_channel"}},
	}
	b, err := Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{
		`{"@context":` + contextVideo + `,"to":["https://www.w3.org/ns/activitystreams#Public"],"cc":[`,
		`"type":"Video","id":"` + id + `","name":"Built","duration":"PT42S","uuid":`,
		`"language":{"identifier":"fr","name":"French"},"views":0,"sensitive":false,"waitTranscoding":false,"state":1,"commentsEnabled":true,"downloadEnabled":true,`,
		`"published":"2026-01-02T03:04:05.006Z","originallyPublishedAt":null,"updated":"2026-01-02T03:04:06.000Z",`,
		`"tag":[{"type":"Hashtag","name":"go"}],"mediaType":"text/markdown","content":"A *built* video","support":null,"subtitleLanguage":[],"icon":[],"aspectRatio":null,`,
		`"url":[{"type":"Link","mediaType":"text/html","href":"` + id + `"},{"type":"Link","mediaType":"video/mp4",`,
		`"height":720,"width":1280,"size":1048576,"fps":30,"attachment":[{"type":"PropertyValue","name":"ffprobe_codec_type","value":"video"}]}`,
		`"tag":[{"type":"Infohash","name":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},{"type":"Infohash","name":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},{"type":"Link","name":"sha256",`,
		`{"type":"Link","name":"tracker-websocket","rel":["tracker","websocket"],"href":"wss://v.example:443/tracker/socket"}]`,
		`"attributedTo":[{"type":"Person","id":"https://v.example/accounts/ann"},{"type":"Group","id":"https://v.example/video-channels/ann_channel"}],"isLiveBroadcast":false,"liveSaveReplay":null,"permanentLive":null,"latencyMode":null}`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("encoded video lacks %s\nin %s", want, s)
		}
	}
	back := decodeVideo(t, b)
	if back.Duration != 42 || back.WatchURL() != id || back.URL[0].MediaType != "text/html" {
		t.Errorf("read back: duration %d watch %q", back.Duration, back.WatchURL())
	}
	if got := hlsLink(t, back).Infohashes(); len(got) != 2 || got[1] != strings.Repeat("b", 40) {
		t.Errorf("infohashes read back = %v", got)
	}
	if back.Account() != "https://v.example/accounts/ann" || back.Channel() != "https://v.example/video-channels/ann_channel" {
		t.Errorf("attribution read back: %q %q", back.Account(), back.Channel())
	}
	again, err := Encode(back)
	if err != nil || !bytes.Equal(again, b) {
		t.Errorf("decoded video re-encodes differently (%v):\n%s\n%s", err, again, b)
	}
}

func TestDuration(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{in: "PT42S", want: 42},
		{in: "PT0S", want: 0},
		{in: "PT1H2M3S", want: 3723},
		{in: "P1DT1S", want: 86401},
		{in: "PT2.6S", want: 3},
		{in: "PT10M", want: 600},
		{in: "P1Y", wantErr: true},
		{in: "P1M", wantErr: true},
		{in: "PT", wantErr: true},
		{in: "P", wantErr: true},
		{in: "42", wantErr: true},
		{in: "PT-1S", wantErr: true},
		{in: "PT1S1H", want: 3601}, // order is not checked
		{in: "PTS", wantErr: true},
		{in: "PT1e400S", wantErr: true},
	} {
		got, err := parseDuration(tc.in)
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("parseDuration(%q) = %d, %v; want %d, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	if got := formatDuration(42); got != "PT42S" {
		t.Errorf("formatDuration(42) = %q", got)
	}
}
