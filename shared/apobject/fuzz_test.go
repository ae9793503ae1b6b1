package apobject

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/model"
)

// seeds are the captured documents, the 8.x form of a captured video and a
// few odd videos.
func seeds(f *testing.F) {
	for _, d := range documents(f) {
		f.Add(d.raw)
	}
	b, err := json.Marshal(v8Form(f, video1))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	for _, s := range []string{
		`{"type":"Video"}`,
		`{"type":"Video","id":"http://a/v","uuid":"2ce1bf7c-5070-4b7a-9eb8-f67516a5038f","name":"abc","duration":"PT1S","views":"0",` +
			`"published":"2020-01-01T00:00:00Z","updated":"2020-01-01T00:00:00Z","to":"as:Public","attributedTo":["http://a/p","http://a/c"],` +
			`"icon":{"type":"Image","url":"http://a/i.png","mediaType":"image/png","width":1,"height":1},` +
			`"url":[{"type":"Link","mediaType":"video/mp4","href":"http://a/f.mp4","height":-5},{"mediaType":"application/x-bittorrent;x-scheme-handler/magnet","href":"magnet:?xt=urn:btih:%zz","height":0},` +
			`{"mediaType":"application/x-mpegURL","href":"http://a/m.m3u8","tag":[{"type":"Link","mediaType":"audio/mp4","href":"http://a/h.mp4"}]}]}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzFromVideo: reading any document and then its Video objects never
// panics; a refusal wraps ErrInvalid, and an accepted video is public or
// unlisted, names its channel and keeps its origin's id.
func FuzzFromVideo(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, err := apvocab.Decode(raw)
		if err != nil {
			return
		}
		walk(o, "", func(_ string, o apvocab.Object) {
			v, ok := o.(*apvocab.Video)
			if !ok {
				return
			}
			rv, err := FromVideo(v)
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error not wrapping ErrInvalid: %v", err)
				}
				return
			}
			got := rv.Video
			if got.Remote == nil || got.Remote.URL != v.ID || !isAPURL(rv.ChannelURL) || !uuidRE.MatchString(got.UUID) ||
				(got.Privacy != model.PrivacyPublic && got.Privacy != model.PrivacyUnlisted) {
				t.Fatalf("accepted %+v", rv)
			}
			for _, f := range got.Files {
				if !isAPURL(f.URL) || (f.InfoHash != "" && len(f.InfoHash) != 40) {
					t.Fatalf("accepted file %+v", f)
				}
			}
		})
	})
}

// FuzzFromNote: reading any document and then its Notes never panics; a
// refusal wraps ErrInvalid, and an accepted comment has its URLs and text.
func FuzzFromNote(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, err := apvocab.Decode(raw)
		if err != nil {
			return
		}
		walk(o, "", func(_ string, o apvocab.Object) {
			n, ok := o.(*apvocab.Note)
			if !ok {
				return
			}
			c, err := FromNote(n)
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error not wrapping ErrInvalid: %v", err)
				}
				return
			}
			if !isAPURL(c.URL) || !isAPURL(c.InReplyTo) || !sameHost(c.URL, c.AttributedTo) || c.Text == "" || c.Published.IsZero() {
				t.Fatalf("accepted %+v", c)
			}
		})
	})
}
