package videometa

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
)

func ptr[T any](v T) *T { return &v }

// The fields peertube-cli 1.0.3 sends for `peertube upload -f clip.mp4 -n
// "Test pattern clip" -c 15 -l 1 -L en -t testpattern,sample -d ... -s ...`:
// every value a string, tags as tags[i].
func TestFromFormAsPeerTubeCLISendsIt(t *testing.T) {
	v := url.Values{
		"name": {"Test pattern clip"}, "privacy": {"1"}, "nsfw": {"false"}, "downloadEnabled": {"true"},
		"waitTranscoding": {"true"}, "channelId": {"3"}, "category": {"15"}, "licence": {"1"},
		"language": {"en"}, "support": {"Support me"}, "description": {"A **test** pattern"},
		"tags[0]": {"testpattern"}, "tags[1]": {"sample"},
	}
	got, err := FromForm(v)
	if err != nil {
		t.Fatal(err)
	}
	want := model.VideoMeta{
		Name: "Test pattern clip", ChannelID: 3, Privacy: 1, Category: ptr(15), Licence: ptr(1), Language: "en",
		Description: "A **test** pattern", Support: "Support me", Tags: []string{"testpattern", "sample"},
		CommentsPolicy: model.CommentsEnabled, DownloadEnabled: true, WaitTranscoding: true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func TestDefaultsOfANewVideo(t *testing.T) {
	got, err := FromJSON([]byte(`{"name":"  Just a name  ","channelId":7}`))
	if err != nil {
		t.Fatal(err)
	}
	want := model.VideoMeta{
		Name: "Just a name", ChannelID: 7, Privacy: model.PrivacyPrivate, Tags: []string{},
		CommentsPolicy: model.CommentsEnabled, DownloadEnabled: true,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

// base is a valid body that each case below changes.
func base() map[string]string { return map[string]string{"name": "Valid name", "channelId": "1"} }

func TestCoercionsAsPeerTube(t *testing.T) {
	for _, tc := range []struct {
		name  string
		form  map[string]string // added to base()
		json  string            // instead of form when set
		check func(m model.VideoMeta) bool
	}{
		{"nsfw any other string is true", map[string]string{"nsfw": "yes"}, "", func(m model.VideoMeta) bool { return m.NSFW }},
		{"nsfw 0 is false", map[string]string{"nsfw": "0"}, "", func(m model.VideoMeta) bool { return !m.NSFW }},
		{"nsfw FALSE is false", map[string]string{"nsfw": "FALSE"}, "", func(m model.VideoMeta) bool { return !m.NSFW }},
		{"nsfw JSON 1 is true", nil, `{"name":"Valid name","channelId":1,"nsfw":1}`, func(m model.VideoMeta) bool { return m.NSFW }},
		{"nsfw JSON true", nil, `{"name":"Valid name","channelId":1,"nsfw":true}`, func(m model.VideoMeta) bool { return m.NSFW }},
		{"channelId parseInt", map[string]string{"channelId": "12abc"}, "", func(m model.VideoMeta) bool { return m.ChannelID == 12 }},
		{"channelId JSON string", nil, `{"name":"Valid name","channelId":"12"}`, func(m model.VideoMeta) bool { return m.ChannelID == 12 }},
		{"channelId JSON 12.0", nil, `{"name":"Valid name","channelId":12.0}`, func(m model.VideoMeta) bool { return m.ChannelID == 12 }},
		{"privacy parseInt", map[string]string{"privacy": "2.9"}, "", func(m model.VideoMeta) bool { return m.Privacy == 2 }},
		{"category null string clears", map[string]string{"category": "null"}, "", func(m model.VideoMeta) bool { return m.Category == nil }},
		{"category JSON null", nil, `{"name":"Valid name","channelId":1,"category":null}`, func(m model.VideoMeta) bool { return m.Category == nil }},
		{"licence 7", map[string]string{"licence": "7"}, "", func(m model.VideoMeta) bool { return m.Licence != nil && *m.Licence == 7 }},
		{"language not in the list is kept", map[string]string{"language": "xx-yy"}, "", func(m model.VideoMeta) bool { return m.Language == "xx-yy" }},
		{"language null", map[string]string{"language": "null"}, "", func(m model.VideoMeta) bool { return m.Language == "" }},
		{"description null", nil, `{"name":"Valid name","channelId":1,"description":null}`, func(m model.VideoMeta) bool { return m.Description == "" }},
		{"commentsEnabled false", map[string]string{"commentsEnabled": "false"}, "", func(m model.VideoMeta) bool { return m.CommentsPolicy == model.CommentsDisabled }},
		{"commentsEnabled true", map[string]string{"commentsEnabled": "true"}, "", func(m model.VideoMeta) bool { return m.CommentsPolicy == model.CommentsEnabled }},
		{"commentsPolicy wins", map[string]string{"commentsPolicy": "3", "commentsEnabled": "true"}, "", func(m model.VideoMeta) bool { return m.CommentsPolicy == model.CommentsRequiresApproval }},
		{"commentsPolicy null falls back", nil, `{"name":"Valid name","channelId":1,"commentsPolicy":null,"commentsEnabled":false}`, func(m model.VideoMeta) bool { return m.CommentsPolicy == model.CommentsDisabled }},
		{"commentsPolicy JSON 2", nil, `{"name":"Valid name","channelId":1,"commentsPolicy":2}`, func(m model.VideoMeta) bool { return m.CommentsPolicy == model.CommentsDisabled }},
		{"downloadEnabled false", map[string]string{"downloadEnabled": "false"}, "", func(m model.VideoMeta) bool { return !m.DownloadEnabled }},
		{"waitTranscoding true", map[string]string{"waitTranscoding": "true"}, "", func(m model.VideoMeta) bool { return m.WaitTranscoding }},
		{"tags null", nil, `{"name":"Valid name","channelId":1,"tags":null}`, func(m model.VideoMeta) bool { return len(m.Tags) == 0 && m.Tags != nil }},
		{"five tags", nil, `{"name":"Valid name","channelId":1,"tags":["aa","bb","cc","dd","ee"]}`, func(m model.VideoMeta) bool { return len(m.Tags) == 5 }},
		{"a single tags value", map[string]string{"tags": "solo"}, "", func(m model.VideoMeta) bool { return reflect.DeepEqual(m.Tags, []string{"solo"}) }},
		{"tags[] form", map[string]string{"tags[]": "solo"}, "", func(m model.VideoMeta) bool { return reflect.DeepEqual(m.Tags, []string{"solo"}) }},
		{"tags by index, not key order", map[string]string{"tags[10]": "last", "tags[2]": "first"}, "", func(m model.VideoMeta) bool {
			return reflect.DeepEqual(m.Tags, []string{"first", "last"})
		}},
		{"originallyPublishedAt", map[string]string{"originallyPublishedAt": "2019-05-06T07:08:09.5+02:00"}, "", func(m model.VideoMeta) bool {
			return m.OriginallyPublishedAt != nil && m.OriginallyPublishedAt.Equal(time.Date(2019, 5, 6, 5, 8, 9, 5e8, time.UTC))
		}},
		{"originallyPublishedAt null", map[string]string{"originallyPublishedAt": "null"}, "", func(m model.VideoMeta) bool { return m.OriginallyPublishedAt == nil }},
		{"name of 120 emoji", map[string]string{"name": strings.Repeat("😀", 120)}, "", func(m model.VideoMeta) bool { return Length(m.Name) == 120 }},
		{"variation selectors do not count", map[string]string{"name": "ab\u2764\ufe0f"}, "", func(m model.VideoMeta) bool { return m.Name == "ab\u2764\ufe0f" }},
		{"unknown fields are ignored", map[string]string{"originalName": "x.mp4", "lastModified": "123", "pluginData[a]": "b"}, "", func(m model.VideoMeta) bool { return m.Name == "Valid name" }},
		{"videoPasswords ignored without privacy 5", map[string]string{"videoPasswords[0]": "secret"}, "", func(m model.VideoMeta) bool { return m.Privacy == model.PrivacyPrivate }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m model.VideoMeta
			var err error
			if tc.json != "" {
				m, err = FromJSON([]byte(tc.json))
			} else {
				v := url.Values{}
				for k, x := range base() {
					v.Set(k, x)
				}
				for k, x := range tc.form {
					v.Set(k, x)
				}
				m, err = FromForm(v)
			}
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if !tc.check(m) {
				t.Fatalf("unexpected result %+v", m)
			}
		})
	}
}

func TestRejectedFields(t *testing.T) {
	for _, tc := range []struct {
		name      string
		form      map[string]string // replaces base() keys; "" value deletes
		json      string
		field     string
		msg       string
		wantValue any
	}{
		{"name missing", map[string]string{"name": "-"}, "", "name", msgName, nil},
		{"name too short after trim", map[string]string{"name": "  ab  "}, "", "name", msgName, "ab"},
		{"name too long", map[string]string{"name": strings.Repeat("a", 121)}, "", "name", msgName, strings.Repeat("a", 121)},
		{"name a number", nil, `{"name":123,"channelId":1}`, "name", msgName, nil},
		{"channelId missing", map[string]string{"channelId": "-"}, "", "channelId", msgInvalid, nil},
		{"channelId not a number", map[string]string{"channelId": "abc"}, "", "channelId", msgInvalid, "abc"},
		{"channelId JSON 1.5", nil, `{"name":"Valid name","channelId":1.5}`, "channelId", msgInvalid, nil},
		{"channelId JSON null", nil, `{"name":"Valid name","channelId":null}`, "channelId", msgInvalid, nil},
		{"privacy 0", map[string]string{"privacy": "0"}, "", "privacy", msgInvalid, "0"},
		{"privacy 6", map[string]string{"privacy": "6"}, "", "privacy", msgInvalid, "6"},
		{"privacy null", map[string]string{"privacy": "null"}, "", "privacy", msgInvalid, "null"},
		{"privacy empty", map[string]string{"privacy": "x"}, "", "privacy", msgInvalid, "x"},
		{"category unknown", map[string]string{"category": "19"}, "", "category", msgInvalid, "19"},
		{"category empty", map[string]string{"category": "e"}, "", "category", msgInvalid, "e"},
		{"category JSON 1.5", nil, `{"name":"Valid name","channelId":1,"category":1.5}`, "category", msgInvalid, nil},
		{"licence unknown", map[string]string{"licence": "8"}, "", "licence", msgInvalid, "8"},
		{"language too long", map[string]string{"language": "abcdefghijk"}, "", "language", msgInvalid, "abcdefghijk"},
		{"language empty", nil, `{"name":"Valid name","channelId":1,"language":""}`, "language", msgInvalid, ""},
		{"language a number", nil, `{"name":"Valid name","channelId":1,"language":5}`, "language", msgInvalid, nil},
		{"description too short", map[string]string{"description": "ab"}, "", "description", msgInvalid, "ab"},
		{"description too long", map[string]string{"description": strings.Repeat("d", 10001)}, "", "description", msgInvalid, strings.Repeat("d", 10001)},
		{"description a number", nil, `{"name":"Valid name","channelId":1,"description":5}`, "description", "Expected a string but received a Number", nil},
		{"support too short", map[string]string{"support": "ab"}, "", "support", msgInvalid, "ab"},
		{"support too long", map[string]string{"support": strings.Repeat("s", 1001)}, "", "support", msgInvalid, strings.Repeat("s", 1001)},
		{"six tags", nil, `{"name":"Valid name","channelId":1,"tags":["aa","bb","cc","dd","ee","ff"]}`, "tags", msgTags, nil},
		{"tag too short", map[string]string{"tags[0]": "ok", "tags[1]": "a"}, "", "tags", msgTags, nil},
		{"tag too long", map[string]string{"tags[0]": strings.Repeat("t", 31)}, "", "tags", msgTags, nil},
		{"tags a JSON string", nil, `{"name":"Valid name","channelId":1,"tags":"solo"}`, "tags", msgTags, "solo"},
		{"tag a number", nil, `{"name":"Valid name","channelId":1,"tags":["aa",5]}`, "tags", msgTags, nil},
		{"nsfw null", map[string]string{"nsfw": "null"}, "", "nsfw", msgNSFW, "null"},
		{"waitTranscoding null", nil, `{"name":"Valid name","channelId":1,"waitTranscoding":null}`, "waitTranscoding", msgWaitTranscoding, nil},
		{"downloadEnabled null", map[string]string{"downloadEnabled": "null"}, "", "downloadEnabled", msgDownload, "null"},
		{"commentsEnabled null", map[string]string{"commentsEnabled": "null"}, "", "commentsEnabled", msgComments, "null"},
		{"commentsPolicy 4", map[string]string{"commentsPolicy": "4"}, "", "commentsPolicy", msgInvalid, "4"},
		{"commentsPolicy 01", map[string]string{"commentsPolicy": "01"}, "", "commentsPolicy", msgInvalid, "01"},
		{"commentsPolicy true", nil, `{"name":"Valid name","channelId":1,"commentsPolicy":true}`, "commentsPolicy", msgInvalid, true},
		{"generateTranscription null", map[string]string{"generateTranscription": "null"}, "", "generateTranscription", msgTranscription, "null"},
		{"originallyPublishedAt not a date", map[string]string{"originallyPublishedAt": "yesterday"}, "", "originallyPublishedAt", msgInvalid, "yesterday"},
		{"originallyPublishedAt month 13", map[string]string{"originallyPublishedAt": "2020-13-01"}, "", "originallyPublishedAt", msgInvalid, "2020-13-01"},
		{"videoPasswords not an array", nil, `{"name":"Valid name","channelId":1,"videoPasswords":"x"}`, "videoPasswords", msgPasswords, "x"},
		{"schedule date", nil, `{"name":"Valid name","channelId":1,"scheduleUpdate":{"updateAt":"soon"}}`, "scheduleUpdate.updateAt", msgScheduleDate, "soon"},
		{"schedule privacy", nil, `{"name":"Valid name","channelId":1,"scheduleUpdate":{"updateAt":"2030-01-01","privacy":3}}`, "scheduleUpdate.privacy", msgInvalid, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.json != "" {
				_, err = FromJSON([]byte(tc.json))
			} else {
				v := url.Values{}
				b := base()
				for k, x := range tc.form {
					b[k] = x
				}
				for k, x := range b {
					if x != "-" {
						v.Set(k, x)
					}
				}
				_, err = FromForm(v)
			}
			p := problem.As(err)
			if p == nil || p.Status != 400 {
				t.Fatalf("want a 400 problem, got %v", err)
			}
			ip, ok := p.InvalidParams[tc.field]
			if !ok || len(p.InvalidParams) != 1 {
				t.Fatalf("invalid-params %+v, want only %s", p.InvalidParams, tc.field)
			}
			if ip.Msg != tc.msg || ip.Location != "body" || ip.Path != tc.field || ip.Type != "field" {
				t.Fatalf("param %+v, want msg %q", ip, tc.msg)
			}
			if tc.wantValue != nil && !reflect.DeepEqual(ip.Value, tc.wantValue) {
				t.Fatalf("value %#v, want %#v", ip.Value, tc.wantValue)
			}
			if p.Detail != "Incorrect request parameters: "+tc.field {
				t.Fatalf("detail %q", p.Detail)
			}
		})
	}
}

func TestEveryBadFieldIsReportedAtOnce(t *testing.T) {
	_, err := FromJSON([]byte(`{"category":99,"nsfw":null,"tags":["x"]}`))
	p := problem.As(err)
	if p == nil {
		t.Fatalf("want a problem, got %v", err)
	}
	want := "Incorrect request parameters: category, channelId, name, nsfw, tags"
	if p.Detail != want || len(p.InvalidParams) != 5 {
		t.Fatalf("detail %q (%d params), want %q", p.Detail, len(p.InvalidParams), want)
	}
}

func TestRefusalsAfterValidation(t *testing.T) {
	for _, tc := range []struct{ name, body, want string }{
		{"password privacy", `{"name":"Valid name","channelId":1,"privacy":5,"videoPasswords":["abc"]}`, MsgPasswordUnsupported},
		{"schedule", `{"name":"Valid name","channelId":1,"scheduleUpdate":{"updateAt":"2030-01-01T00:00:00Z","privacy":1}}`, MsgScheduleUnsupported},
		{"schedule without date", `{"name":"Valid name","channelId":1,"scheduleUpdate":{"privacy":1}}`, msgScheduleMandatory},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := FromJSON([]byte(tc.body))
			p := problem.As(err)
			if p == nil || p.Status != 400 || p.Detail != tc.want || p.InvalidParams != nil {
				t.Fatalf("got %+v", p)
			}
		})
	}
	// Invalid fields come first, as in PeerTube.
	_, err := FromJSON([]byte(`{"name":"x","channelId":1,"privacy":5}`))
	if p := problem.As(err); p == nil || p.InvalidParams["name"].Msg != msgName {
		t.Fatalf("got %v", err)
	}
	// A null schedule is no schedule.
	if _, err := FromJSON([]byte(`{"name":"Valid name","channelId":1,"scheduleUpdate":null}`)); err != nil {
		t.Fatal(err)
	}
}

func TestMalformedJSON(t *testing.T) {
	for _, body := range []string{`{`, `[1]`, `"x"`, `{"name":"Valid name"} {}`} {
		_, err := FromJSON([]byte(body))
		if p := problem.As(err); p == nil || p.Status != 400 || p.InvalidParams != nil {
			t.Errorf("%s: got %v", body, err)
		}
	}
	_, err := FromJSON([]byte(`{"name":"` + strings.Repeat("a", maxJSON) + `"}`))
	if p := problem.As(err); p == nil || p.Status != 413 {
		t.Errorf("oversized body: got %v", err)
	}
	// An empty body is an empty object: the required fields are missing.
	_, err = FromJSON(nil)
	if p := problem.As(err); p == nil || len(p.InvalidParams) != 2 {
		t.Errorf("empty body: got %v", err)
	}
}

func TestPatchChangesOnlyGivenFields(t *testing.T) {
	published := time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC)
	old := model.VideoMeta{
		Name: "Old name", ChannelID: 4, Privacy: 1, Category: ptr(3), Licence: ptr(2), Language: "fr",
		Description: "Old description", Support: "Old support", Tags: []string{"one", "two"}, NSFW: true,
		CommentsPolicy: model.CommentsRequiresApproval, DownloadEnabled: false, WaitTranscoding: true,
		OriginallyPublishedAt: &published,
	}
	t.Run("nothing given", func(t *testing.T) {
		got, err := PatchFromJSON(old, []byte(`{}`))
		if err != nil || !reflect.DeepEqual(got, old) {
			t.Fatalf("%+v %v", got, err)
		}
	})
	t.Run("form fields", func(t *testing.T) {
		got, err := PatchFromForm(old, url.Values{"name": {"New name"}, "category": {"null"}, "tags[0]": {"three"},
			"commentsEnabled": {"true"}, "nsfw": {"false"}})
		if err != nil {
			t.Fatal(err)
		}
		want := old
		want.Name, want.Category, want.Tags, want.CommentsPolicy, want.NSFW = "New name", nil, []string{"three"}, model.CommentsEnabled, false
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got  %+v\nwant %+v", got, want)
		}
	})
	t.Run("nulls clear", func(t *testing.T) {
		got, err := PatchFromJSON(old, []byte(`{"description":null,"support":null,"language":null,"licence":null,"tags":null,"originallyPublishedAt":null,"channelId":"9"}`))
		if err != nil {
			t.Fatal(err)
		}
		if got.Description != "" || got.Support != "" || got.Language != "" || got.Licence != nil || len(got.Tags) != 0 ||
			got.OriginallyPublishedAt != nil || got.ChannelID != 9 || got.Name != old.Name || got.Privacy != old.Privacy {
			t.Fatalf("got %+v", got)
		}
	})
	t.Run("invalid given field", func(t *testing.T) {
		_, err := PatchFromJSON(old, []byte(`{"name":"ab","privacy":9}`))
		p := problem.As(err)
		if p == nil || len(p.InvalidParams) != 2 {
			t.Fatalf("got %v", err)
		}
		_, err = PatchFromForm(old, url.Values{"channelId": {"null"}})
		if p := problem.As(err); p == nil || p.InvalidParams["channelId"].Msg != msgInvalid {
			t.Fatalf("null channelId: got %v", err)
		}
		_, err = PatchFromJSON(old, []byte(`{"privacy":5}`))
		if p := problem.As(err); p == nil || p.Detail != MsgPasswordUnsupported {
			t.Fatalf("privacy 5: got %v", err)
		}
	})
	t.Run("old is not aliased", func(t *testing.T) {
		got, err := PatchFromJSON(old, []byte(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		got.Tags[0], *got.Category = "changed", 99
		if old.Tags[0] != "one" || *old.Category != 3 {
			t.Fatal("the patch shares memory with old")
		}
	})
}

func TestNewWithCallerErrors(t *testing.T) {
	in := FormInput(url.Values{"name": {"Valid name"}, "channelId": {"1"}})
	errs := NewErrors("body")
	if _, ok := CheckFilename(errs, in); ok {
		t.Fatal("missing filename accepted")
	}
	if _, err := New(in, errs); err != nil {
		t.Fatal(err)
	}
	if p := errs.Problem(); p == nil || len(p.InvalidParams) != 1 || p.InvalidParams["filename"].Msg != msgInvalid {
		t.Fatalf("got %+v", p)
	}
	in, err := JSONInput([]byte(`{"name":"Valid name","channelId":1,"filename":"clip.mp4"}`))
	if err != nil {
		t.Fatal(err)
	}
	errs = NewErrors("body")
	if name, ok := CheckFilename(errs, in); !ok || name != "clip.mp4" {
		t.Fatalf("filename %q %v", name, ok)
	}
	m, err := New(in, errs)
	if err != nil || !errs.Empty() || m.Name != "Valid name" {
		t.Fatalf("%+v %v %+v", m, err, errs.Problem())
	}
	errs = NewErrors("body")
	in, _ = JSONInput([]byte(`{"filename":5}`))
	if _, ok := CheckFilename(errs, in); ok || errs.Problem().InvalidParams["filename"].Msg != "Expected a string but received a Number" {
		t.Fatalf("numeric filename: %+v", errs.Problem())
	}
	errs = NewErrors("body")
	in, _ = JSONInput([]byte(`{"filename":"` + strings.Repeat("f", FilenameMax+1) + `"}`))
	if _, ok := CheckFilename(errs, in); ok {
		t.Fatal("overlong filename accepted")
	}
}

func TestErrorsInSeveralLocations(t *testing.T) {
	errs := NewErrors("body")
	errs.Add("name", "x", msgName)
	errs.AddIn("headers", "x-upload-content-length", nil, "Should specify the file length")
	errs.Add("name", "y", "second rejection is ignored")
	p := errs.Problem()
	if p.Detail != "Incorrect request parameters: name, x-upload-content-length" ||
		p.InvalidParams["name"].Location != "body" || p.InvalidParams["name"].Msg != msgName ||
		p.InvalidParams["x-upload-content-length"].Location != "headers" {
		t.Fatalf("got %+v", p)
	}
}
