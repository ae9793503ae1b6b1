package apobject

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
)

// TestFromVideoRefuses changes one thing at a time in the captured video
// 1, each making a video PeerTube refuses.
func TestFromVideoRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(m map[string]any)
		reason string
	}{
		"no uuid":                  {func(m map[string]any) { delete(m, "uuid") }, "uuid"},
		"bad uuid":                 {func(m map[string]any) { m["uuid"] = "2ce1bf7c-5070-4b7a-9eb8" }, "uuid"},
		"no id":                    {func(m map[string]any) { delete(m, "id") }, "id is not"},
		"ftp id":                   {func(m map[string]any) { m["id"] = "ftp://127.0.0.1/v" }, "id is not"},
		"relative id":              {func(m map[string]any) { m["id"] = "/videos/watch/x" }, "id is not"},
		"no name":                  {func(m map[string]any) { delete(m, "name") }, "name has"},
		"short name":               {func(m map[string]any) { m["name"] = "ab" }, "name has"},
		"long name":                {func(m map[string]any) { m["name"] = strings.Repeat("é", 121) }, "name has"},
		"no duration":              {func(m map[string]any) { delete(m, "duration") }, "duration"},
		"duration in minutes":      {func(m map[string]any) { m["duration"] = "PT10M" }, "duration"},
		"duration with days":       {func(m map[string]any) { m["duration"] = "P1DT1S" }, "duration"},
		"no views":                 {func(m map[string]any) { delete(m, "views") }, "views"},
		"null views":               {func(m map[string]any) { m["views"] = nil }, "views"},
		"negative views":           {func(m map[string]any) { m["views"] = -1 }, "views"},
		"fractional views":         {func(m map[string]any) { m["views"] = 1.5 }, "views"},
		"no published":             {func(m map[string]any) { delete(m, "published") }, "published"},
		"no updated":               {func(m map[string]any) { m["updated"] = nil }, "updated"},
		"person only":              {func(m map[string]any) { m["attributedTo"] = m["attributedTo"].([]any)[:1] }, "attributedTo"},
		"no attributedTo":          {func(m map[string]any) { delete(m, "attributedTo") }, "attributedTo"},
		"one plain IRI":            {func(m map[string]any) { m["attributedTo"] = instance1 + "/video-channels/root_channel" }, "attributedTo"},
		"group with a bad id":      {func(m map[string]any) { m["attributedTo"].([]any)[1].(map[string]any)["id"] = "root_channel" }, "attributedTo"},
		"category not a number":    {func(m map[string]any) { m["category"] = map[string]any{"identifier": "music", "name": "Music"} }, "category"},
		"negative category":        {func(m map[string]any) { m["category"] = map[string]any{"identifier": "-1"} }, "category"},
		"plain text description":   {func(m map[string]any) { m["mediaType"] = "text/plain" }, "media type"},
		"description of 2":         {func(m map[string]any) { m["content"] = "ab" }, "description"},
		"empty description":        {func(m map[string]any) { m["content"] = "" }, "description"},
		"no icon":                  {func(m map[string]any) { m["icon"] = []any{} }, "icon"},
		"icons of no image type":   {func(m map[string]any) { setIcons(m, "mediaType", "text/html") }, "icon"},
		"icons without URL":        {func(m map[string]any) { setIcons(m, "url", "thumb.jpg") }, "icon"},
		"not public nor unlisted":  {func(m map[string]any) { m["to"], m["cc"] = []any{instance1 + "/accounts/root/followers"}, []any{} }, "as:Public"},
		"no audience":              {func(m map[string]any) { delete(m, "to"); delete(m, "cc") }, "as:Public"},
		"magnet without info hash": {func(m map[string]any) { setMagnet(m, "magnet:?xs=http%3A%2F%2Fa%2Ft.torrent&dn=x") }, "info hash"},
		"magnet with a short hash": {func(m map[string]any) { setMagnet(m, "magnet:?xt=urn:btih:954b3ab96b2cb6c9") }, "info hash"},
		"magnet not hex":           {func(m map[string]any) { setMagnet(m, "magnet:?xt=urn:btih:"+strings.Repeat("z", 40)) }, "info hash"},
	} {
		doc := videoDoc(t, video1)
		tc.change(doc)
		_, err := FromVideo(decodeVideo(t, doc))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.reason) {
			t.Errorf("%s: error %v, want ErrInvalid for its %s", name, err, tc.reason)
		}
	}
	if _, err := FromVideo(nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil video: %v", err)
	}
	if _, err := FromVideo(&apvocab.Video{Type: apvocab.TypeNote}); !errors.Is(err, ErrInvalid) {
		t.Errorf("a Note: %v", err)
	}
}

func setIcons(m map[string]any, key, value string) {
	for _, i := range m["icon"].([]any) {
		i.(map[string]any)[key] = value
	}
}

func setMagnet(m map[string]any, href string) {
	for _, l := range m["url"].([]any) {
		if l := l.(map[string]any); l["mediaType"] == mediaMagnet {
			l["href"] = href
		}
	}
}

// TestFromVideoDefaults changes one thing at a time in the captured video
// 1, each a video PeerTube takes with a default or without the member.
func TestFromVideoDefaults(t *testing.T) {
	for name, tc := range map[string]struct {
		change func(m map[string]any)
		check  func(rv RemoteVideo) bool
	}{
		"no downloadEnabled": {func(m map[string]any) { delete(m, "downloadEnabled") },
			func(rv RemoteVideo) bool { return rv.Video.DownloadEnabled }},
		"downloads disabled": {func(m map[string]any) { m["downloadEnabled"] = false },
			func(rv RemoteVideo) bool { return !rv.Video.DownloadEnabled }},
		"comments disabled (6.1)": {func(m map[string]any) { m["commentsEnabled"] = false },
			func(rv RemoteVideo) bool { return rv.Video.CommentsPolicy == model.CommentsDisabled }},
		"no comment flag at all": {func(m map[string]any) { delete(m, "commentsEnabled") },
			func(rv RemoteVideo) bool { return rv.Video.CommentsPolicy == model.CommentsDisabled }},
		"unknown comments policy": {func(m map[string]any) { m["commentsPolicy"] = 7 },
			func(rv RemoteVideo) bool { return rv.Video.CommentsPolicy == model.CommentsDisabled }},
		"policy over the flag": {func(m map[string]any) { m["commentsPolicy"] = 3 },
			func(rv RemoteVideo) bool { return rv.Video.CommentsPolicy == model.CommentsRequiresApproval }},
		"unknown state": {func(m map[string]any) { m["state"] = 99 },
			func(rv RemoteVideo) bool { return rv.Video.State == model.StatePublished }},
		"state to transcode": {func(m map[string]any) { m["state"] = 2 },
			func(rv RemoteVideo) bool { return rv.Video.State == model.StateToTranscode }},
		"SPDX licence": {func(m map[string]any) { m["licence"] = map[string]any{"identifier": "CC-BY-SA-4.0"} },
			func(rv RemoteVideo) bool { return rv.Video.Licence != nil && *rv.Video.Licence == 2 }},
		"unknown licence": {func(m map[string]any) { m["licence"] = map[string]any{"identifier": "GPL-3.0"} },
			func(rv RemoteVideo) bool { return rv.Video.Licence == nil }},
		"no category": {func(m map[string]any) { delete(m, "category"); m["language"] = nil },
			func(rv RemoteVideo) bool { return rv.Video.Category == nil && rv.Video.Language == "" }},
		"tags of bad length": {func(m map[string]any) {
			m["tag"] = []any{map[string]any{"type": "Hashtag", "name": "a"}, map[string]any{"type": "Hashtag", "name": strings.Repeat("b", 31)},
				map[string]any{"type": "Hashtag", "name": "ok"}, map[string]any{"type": "Mention", "name": "@x"}}
		}, func(rv RemoteVideo) bool { return slices.Equal(rv.Video.Tags, []string{"ok"}) }},
		"unlisted": {func(m map[string]any) { m["to"], m["cc"] = []any{}, []any{"as:Public"} },
			func(rv RemoteVideo) bool { return rv.Video.Privacy == model.PrivacyUnlisted }},
		"to as one string": {func(m map[string]any) { m["to"] = apvocab.Public },
			func(rv RemoteVideo) bool { return rv.Video.Privacy == model.PrivacyPublic }},
		"HTML description, cut": {func(m map[string]any) { m["mediaType"] = "text/html"; m["content"] = strings.Repeat("<p>", 4000) },
			func(rv RemoteVideo) bool {
				d := rv.Video.Description
				return runes(d) == descriptionMax && strings.HasSuffix(d, "...")
			}},
		"no description": {func(m map[string]any) { m["content"] = nil; delete(m, "mediaType") },
			func(rv RemoteVideo) bool { return rv.Video.Description == "" }},
		"small icons only": {func(m map[string]any) {
			m["icon"] = []any{
				map[string]any{"type": "Image", "url": "http://a.example/120.png", "mediaType": "image/png", "width": 120, "height": 90},
				map[string]any{"type": "Image", "url": "http://a.example/100.png", "mediaType": "image/png", "width": 100, "height": 75},
				map[string]any{"type": "Image", "url": "http://a.example/dup.png", "mediaType": "image/png", "width": 100, "height": 75},
			}
		}, func(rv RemoteVideo) bool {
			return rv.Video.Remote.ThumbnailURL == "http://a.example/100.png" && rv.Video.Remote.PreviewURL == ""
		}},
		"three icons": {func(m map[string]any) {
			m["icon"] = append(m["icon"].([]any),
				map[string]any{"type": "Image", "url": "http://a.example/1920.jpg", "mediaType": "image/jpeg", "width": 1920, "height": 1080},
				map[string]any{"type": "Image", "url": "http://a.example/160.jpg", "mediaType": "image/jpeg", "width": 160, "height": 90})
		}, func(rv RemoteVideo) bool {
			return rv.Video.Remote.ThumbnailURL == "http://a.example/160.jpg" && rv.Video.Remote.PreviewURL == "http://a.example/1920.jpg"
		}},
		"a file link with an ftp URL": {func(m map[string]any) { m["url"].([]any)[1].(map[string]any)["href"] = "ftp://a.example/f.mp4" },
			func(rv RemoteVideo) bool { return len(rv.Video.Files) == 0 }},
		"a file of another media type": {func(m map[string]any) { m["url"].([]any)[1].(map[string]any)["mediaType"] = "video/x-flv" },
			func(rv RemoteVideo) bool { return len(rv.Video.Files) == 0 }},
		"a base32 info hash": {func(m map[string]any) { setMagnet(m, "magnet:?xt=urn:btih:"+strings.Repeat("A", 32)) },
			func(rv RemoteVideo) bool {
				return rv.Video.Files[0].InfoHash == "0000000000000000000000000000000000000000" &&
					rv.Video.Files[0].TorrentURL == instance1+"/lazy-static/torrents/3c9410cf-bf3d-439b-b59f-0f33fdcca927-240.torrent"
			}},
		"no trackers": {func(m map[string]any) { u := m["url"].([]any); m["url"] = u[:len(u)-2] },
			func(rv RemoteVideo) bool { return len(rv.Video.Remote.Trackers) == 0 }},
		"a typed Group listed first": {func(m map[string]any) { a := m["attributedTo"].([]any); a[0], a[1] = a[1], a[0] },
			func(rv RemoteVideo) bool {
				return rv.ChannelURL == instance1+"/video-channels/root_channel" && rv.AccountURL == instance1+"/accounts/root"
			}},
		"a stub of another type ignored": {func(m map[string]any) {
			m["attributedTo"] = append(m["attributedTo"].([]any), map[string]any{"type": "Service", "id": "http://a.example/s"})
		}, func(rv RemoteVideo) bool { return rv.ChannelURL == instance1+"/video-channels/root_channel" }},
		"views as a string": {func(m map[string]any) { m["views"] = "12" },
			func(rv RemoteVideo) bool { return rv.Video.Views == 12 }},
		"original publication": {func(m map[string]any) { m["originallyPublishedAt"] = "2019-05-06T07:08:09.000Z" },
			func(rv RemoteVideo) bool {
				o := rv.Video.OriginallyPublishedAt
				return o != nil && o.Year() == 2019 && o.Second() == 9
			}},
	} {
		doc := videoDoc(t, video1)
		tc.change(doc)
		rv, err := FromVideo(decodeVideo(t, doc))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !tc.check(rv) {
			t.Errorf("%s: read as %+v (remote %+v)", name, rv.Video, rv.Video.Remote)
		}
	}
}
