package apobject

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/reftest"
)

// videoDoc is a captured video document as a generic value, to change.
func videoDoc(t testing.TB, name string) map[string]any {
	t.Helper()
	return withoutMembers(t, reftest.Read(t, name))
}

// decodeVideo writes a generic document and reads it as apvocab does.
func decodeVideo(t testing.TB, doc map[string]any) *apvocab.Video {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	o, err := apvocab.Decode(b)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	v, ok := o.(*apvocab.Video)
	if !ok {
		t.Fatalf("decoded a %T", o)
	}
	return v
}

// TestFromVideoCapture reads the captured video 1 and gets back the video
// instance 1 holds, with the origin's URLs.
func TestFromVideoCapture(t *testing.T) {
	o, err := apvocab.Decode(reftest.Read(t, video1))
	if err != nil {
		t.Fatal(err)
	}
	rv, err := FromVideo(o.(*apvocab.Video))
	if err != nil {
		t.Fatal(err)
	}
	if rv.AccountURL != instance1+"/accounts/root" || rv.ChannelURL != instance1+"/video-channels/root_channel" {
		t.Errorf("attributed to %q, %q", rv.AccountURL, rv.ChannelURL)
	}
	got, want := rv.Video, capturedVideo1()
	const id = instance1 + "/videos/watch/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f"
	if got.Remote == nil || got.Remote.URL != id || got.Remote.Host != "127.0.0.1:9001" ||
		got.Remote.ThumbnailURL != instance1+"/lazy-static/thumbnails/"+want.Thumbnail ||
		got.Remote.PreviewURL != instance1+"/lazy-static/previews/"+want.Preview ||
		!slices.Equal(got.Remote.Trackers, trackersOf(t, instance1)) ||
		got.Remote.Likes != id+"/likes" || got.Remote.Dislikes != id+"/dislikes" ||
		got.Remote.Shares != id+"/announces" || got.Remote.Comments != id+"/comments" {
		t.Errorf("remote = %+v", got.Remote)
	}
	if got.ID != 0 || got.AccountID != 0 || got.ChannelID != 0 || got.Thumbnail != "" || got.Preview != "" || got.HLS != nil {
		t.Errorf("ids %d %d %d, images %q %q, HLS %v", got.ID, got.AccountID, got.ChannelID, got.Thumbnail, got.Preview, got.HLS)
	}
	if len(got.Files) != 1 {
		t.Fatalf("files = %+v", got.Files)
	}
	f, wf := got.Files[0], want.Files[0]
	if f.URL != instance1+"/static/web-videos/"+wf.Filename || f.Filename != wf.Filename ||
		f.TorrentURL != instance1+"/lazy-static/torrents/"+wf.TorrentFilename || f.InfoHash != wf.InfoHash ||
		f.MetadataURL != instance1+"/api/v1/videos/"+want.UUID+"/metadata/1" ||
		f.Resolution != 240 || f.Width != 320 || f.Height != 240 || f.FPS != 25 || f.Size != 43859 || !f.HasVideo || !f.HasAudio {
		t.Errorf("file = %+v", f)
	}
	want.ChannelID, want.AccountID, want.ID = 0, 0, 0
	want.CreatedAt = want.PublishedAt
	want.AspectRatio = 1.3333
	want.Thumbnail, want.Preview = "", ""
	got.Files, want.Files, got.Remote = nil, nil, nil
	if d := jsonDiff(toAny(t, got), toAny(t, want)); d != "" {
		t.Errorf("video read differs from instance 1's: %s", d)
	}
}

func toAny(t testing.TB, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFromVideoEveryCapture reads every captured Video object: each is
// valid, public, attributed to root and root_channel, and keeps its
// name, hashtags, description, view count and files.
func TestFromVideoEveryCapture(t *testing.T) {
	all := objectsIn[*apvocab.Video](t)
	if len(all) < 18 {
		t.Fatalf("only %d captured videos", len(all))
	}
	for _, f := range all {
		rv, err := FromVideo(f.obj)
		if err != nil {
			t.Errorf("%s: %v", f.where, err)
			continue
		}
		v := rv.Video
		if v.Privacy != model.PrivacyPublic || v.Name != f.obj.Name || v.UUID != f.obj.UUID || v.Views != f.obj.Views ||
			v.Description != f.obj.Content || !slices.Equal(v.Tags, f.obj.Hashtags()) || v.Duration != f.obj.Duration ||
			rv.AccountURL != f.obj.Account() || rv.ChannelURL != f.obj.Channel() || v.Remote.URL != f.obj.ID {
			t.Errorf("%s: read as %+v", f.where, rv)
		}
		if len(v.Files) != 1 || v.Files[0].URL != f.obj.URL[1].Href || v.Files[0].InfoHash == "" {
			t.Errorf("%s: files %+v", f.where, v.Files)
		}
	}
}

// v8Form is the 8.x form of a captured video (docs/peertube-compat.md
// §3.2): attributedTo as plain IRIs, the short watch URL first and the
// video URL second in url[], commentsEnabled replaced by commentsPolicy
// and canReply, a sensitive video with a summary and a SensitiveTag, file
// attachments, and an HLS playlist with a fragmented file.
func v8Form(t testing.TB, name string) map[string]any {
	t.Helper()
	doc := videoDoc(t, name)
	var by []string
	for _, a := range doc["attributedTo"].([]any) {
		by = append(by, a.(map[string]any)["id"].(string))
	}
	doc["attributedTo"] = by
	delete(doc, "commentsEnabled")
	doc["commentsPolicy"], doc["canReply"] = 3, apvocab.Public
	doc["sensitive"], doc["summary"] = true, "Flashing"
	doc["tag"] = append(doc["tag"].([]any), map[string]any{"type": "SensitiveTag", "name": "violent"})
	id := doc["id"].(string)
	host := id[:strings.Index(id, "/videos/")]
	links := doc["url"].([]any)
	links[1].(map[string]any)["attachment"] = []any{
		map[string]any{"type": "PropertyValue", "name": "ffprobe_codec_type", "value": "video"},
		map[string]any{"type": "PropertyValue", "name": "peertube_format_flag", "value": "web-video"},
	}
	hlsDir := host + "/static/streaming-playlists/hls/" + doc["uuid"].(string) + "/"
	hls := map[string]any{
		"type": "Link", "mediaType": "application/x-mpegURL", "href": hlsDir + "p-master.m3u8",
		"tag": []any{
			map[string]any{"type": "Infohash", "name": strings.Repeat("c", 40)},
			map[string]any{"type": "Link", "name": "sha256", "mediaType": "application/json", "href": hlsDir + "p-segments-sha256.json"},
			map[string]any{"type": "Link", "mediaType": "video/mp4", "href": hlsDir + "f-240-fragmented.mp4",
				"height": 240, "width": 320, "size": 51210, "fps": 25},
			map[string]any{"type": "Link", "mediaType": "application/x-bittorrent;x-scheme-handler/magnet", "height": 240,
				"href": "magnet:?xs=" + url.QueryEscape(host+"/lazy-static/torrents/t-240-hls.torrent") + "&xt=urn:btih:" + strings.Repeat("D", 40)},
		},
	}
	short := map[string]any{"type": "Link", "mediaType": "text/html", "href": host + "/w/6xrXCbgXqgwDm82recntFn"}
	n := len(links)
	out := append([]any{short}, links[:n-2]...)
	doc["url"] = append(append(out, hls), links[n-2:]...)
	return doc
}

// TestFromVideoV8Form reads a video in PeerTube 8's form.
func TestFromVideoV8Form(t *testing.T) {
	rv, err := FromVideo(decodeVideo(t, v8Form(t, video1)))
	if err != nil {
		t.Fatal(err)
	}
	v := rv.Video
	if rv.AccountURL != instance1+"/accounts/root" || rv.ChannelURL != instance1+"/video-channels/root_channel" {
		t.Errorf("attributed to %q, %q", rv.AccountURL, rv.ChannelURL)
	}
	if v.CommentsPolicy != model.CommentsRequiresApproval || !v.NSFW || !slices.Equal(v.Tags, []string{"sample", "testpattern"}) {
		t.Errorf("comments %d nsfw %v tags %v", v.CommentsPolicy, v.NSFW, v.Tags)
	}
	if len(v.Files) != 1 || !v.Files[0].HasVideo || v.Files[0].HasAudio {
		t.Errorf("web video %+v: the attachment says video only", v.Files)
	}
	hlsDir := instance1 + "/static/streaming-playlists/hls/2ce1bf7c-5070-4b7a-9eb8-f67516a5038f/"
	if v.HLS == nil || v.HLS.PlaylistURL != hlsDir+"p-master.m3u8" || v.HLS.PlaylistFilename != "p-master.m3u8" ||
		v.HLS.SegmentsSHA256URL != hlsDir+"p-segments-sha256.json" || v.HLS.SegmentsSHA256Filename != "p-segments-sha256.json" {
		t.Fatalf("HLS = %+v", v.HLS)
	}
	f := v.HLS.Files
	if len(f) != 1 || f[0].URL != hlsDir+"f-240-fragmented.mp4" || f[0].Size != 51210 || !f[0].HasVideo || !f[0].HasAudio ||
		f[0].InfoHash != strings.Repeat("d", 40) || f[0].TorrentURL != instance1+"/lazy-static/torrents/t-240-hls.torrent" {
		t.Errorf("HLS files = %+v", f)
	}
}

// TestFromVideoRoundTrip formats a local video, reads the document back as
// a remote one, and finds the video again.
func TestFromVideoRoundTrip(t *testing.T) {
	const pub = "https://videos.example"
	v := capturedVideo1()
	v.Privacy = model.PrivacyUnlisted
	v.CommentsPolicy = model.CommentsDisabled
	v.DownloadEnabled, v.NSFW, v.Support, v.Views = false, true, "Tips welcome", 42
	v.Files = append(v.Files, model.VideoFile{ID: 2, Resolution: 480, Width: 640, Height: 480, FPS: 30, Size: 9,
		Filename: "w-480.webm", TorrentFilename: "t-480.torrent", InfoHash: strings.Repeat("e", 40)})
	v.HLS = &model.StreamingPlaylist{PlaylistFilename: "m.m3u8", SegmentsSHA256Filename: "s.json",
		Files: []model.VideoFile{{ID: 3, Resolution: 480, Width: 640, Height: 480, FPS: 30, Size: 8, Filename: "h-480-fragmented.mp4"}}}
	acc, ch := model.Account{Name: "ann"}, model.Channel{Name: "ann_channel"}
	o, err := apvocab.Decode(encode(t, Video(pub, v, acc, ch, trackersOf(t, pub))))
	if err != nil {
		t.Fatal(err)
	}
	rv, err := FromVideo(o.(*apvocab.Video))
	if err != nil {
		t.Fatal(err)
	}
	got := rv.Video
	if rv.AccountURL != pub+"/accounts/ann" || rv.ChannelURL != pub+"/video-channels/ann_channel" {
		t.Errorf("attributed to %q, %q", rv.AccountURL, rv.ChannelURL)
	}
	if got.Privacy != model.PrivacyUnlisted || got.CommentsPolicy != model.CommentsDisabled || got.DownloadEnabled ||
		!got.NSFW || got.Support != "Tips welcome" || got.Views != 42 || got.Name != v.Name || got.Description != v.Description ||
		*got.Category != 15 || *got.Licence != 1 || got.Language != "en" || !got.PublishedAt.Equal(v.PublishedAt) ||
		!got.UpdatedAt.Equal(v.UpdatedAt) || got.Duration != 3 || !slices.Equal(got.Tags, v.Tags) {
		t.Errorf("read back %+v", got)
	}
	var files []string
	for _, f := range got.Files {
		files = append(files, f.URL+" "+f.TorrentURL+" "+f.InfoHash+" "+f.MetadataURL)
	}
	web := pub + "/static/web-videos/"
	want := []string{
		web + "w-480.webm " + pub + "/lazy-static/torrents/t-480.torrent " + strings.Repeat("e", 40) + " " + pub + "/api/v1/videos/" + v.UUID + "/metadata/2",
		web + v.Files[0].Filename + " " + pub + "/lazy-static/torrents/" + v.Files[0].TorrentFilename + " " + v.Files[0].InfoHash + " " + pub + "/api/v1/videos/" + v.UUID + "/metadata/1",
	}
	if !slices.Equal(files, want) {
		t.Errorf("files\n  %s\nwant\n  %s", strings.Join(files, "\n  "), strings.Join(want, "\n  "))
	}
	if got.HLS == nil || len(got.HLS.Files) != 1 || got.HLS.Files[0].Resolution != 480 || got.HLS.Files[0].TorrentURL != "" ||
		got.HLS.SegmentsSHA256Filename != "s.json" {
		t.Errorf("HLS = %+v", got.HLS)
	}
	if !slices.Equal(got.Remote.Trackers, trackersOf(t, pub)) || got.Remote.PreviewURL != pub+"/lazy-static/previews/"+v.Preview {
		t.Errorf("remote = %+v", got.Remote)
	}
}
