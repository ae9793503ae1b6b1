package videometa

import (
	"net/url"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
)

// Defaults of a new video when a field is absent, as PeerTube sets them
// (buildLocalVideoFromReq and buildCommentsPolicy with the default
// configuration): private, comments enabled, downloads enabled, not NSFW,
// published without waiting for transcoding.
const (
	DefaultPrivacy         = model.PrivacyPrivate
	DefaultCommentsPolicy  = model.CommentsEnabled
	DefaultDownloadEnabled = true
)

// Messages of the refusals that are not invalid-params.
const (
	MsgPasswordUnsupported = "Password-protected videos (privacy 5) are not supported by this instance"
	MsgScheduleUnsupported = "Scheduled privacy updates (scheduleUpdate) are not supported by this instance"
	msgScheduleMandatory   = `"scheduleUpdate.updateAt" parameter is mandatory`
)

// opt is a field that was given (set), possibly as null.
type opt[T any] struct {
	set bool
	v   T
}

func (o *opt[T]) put(v T) { o.set, o.v = true, v }

// fields are the checked fields of one request.
type fields struct {
	name                  opt[string]
	channelID             opt[int64]
	privacy               opt[int]
	category, licence     opt[*int]
	language              opt[string]
	description, support  opt[string]
	tags                  opt[[]string]
	nsfw                  opt[bool]
	waitTranscoding       opt[bool]
	downloadEnabled       opt[bool]
	commentsEnabled       opt[bool]
	commentsPolicy        opt[int] // 0 when given as null
	originallyPublishedAt opt[*time.Time]
	schedule              bool // a non-null scheduleUpdate was given
}

// Parse checks the fields of in that PeerTube's getCommonVideoEditAttributes
// and the upload or update validators check. With creating, name and
// channelId are required. It adds every rejection to errs.
func parse(in map[string]any, creating bool, errs *Errors) fields {
	var f fields
	has := func(name string) (any, bool) { v, ok := in[name]; return v, ok }

	if v, ok := has("name"); ok || creating {
		if s, isStr := v.(string); isStr {
			v = strings.TrimSpace(s)
		}
		if s, isStr := v.(string); isStr && Length(s) >= NameMin && Length(s) <= NameMax {
			f.name.put(s)
		} else {
			errs.Add("name", v, msgName)
		}
	}
	if v, ok := has("channelId"); ok || creating {
		if !ok {
			errs.Add("channelId", nil, msgInvalid)
		} else if id, ok := checkID(errs, "channelId", v); ok {
			f.channelID.put(id)
		}
	}
	if v, ok := has("privacy"); ok {
		if p, ok := checkPrivacy(errs, "privacy", v); ok {
			f.privacy.put(p)
		}
	}
	if v, ok := has("category"); ok {
		if c, ok := checkTableOrNull(errs, "category", v, taxonomy.CategoryLabel); ok {
			f.category.put(c)
		}
	}
	if v, ok := has("licence"); ok {
		if l, ok := checkTableOrNull(errs, "licence", v, taxonomy.LicenceLabel); ok {
			f.licence.put(l)
		}
	}
	if v, ok := has("language"); ok {
		// isVideoLanguageValid: null, or a string of 1 to 10 characters;
		// PeerTube does not check it against its language list.
		switch s := toValueOrNull(v).(type) {
		case nil:
			f.language.put("")
		case string:
			if Length(s) >= LanguageMin && Length(s) <= LanguageMax {
				f.language.put(s)
			} else {
				errs.Add("language", v, msgInvalid)
			}
		default:
			errs.Add("language", v, msgInvalid)
		}
	}
	if v, ok := has("description"); ok {
		if s, ok := checkTextOrNull(errs, "description", v, DescriptionMin, DescriptionMax); ok {
			f.description.put(s)
		}
	}
	if v, ok := has("support"); ok {
		if s, ok := checkTextOrNull(errs, "support", v, SupportMin, SupportMax); ok {
			f.support.put(s)
		}
	}
	if v, ok := has("tags"); ok {
		if t, ok := checkTags(errs, v); ok {
			f.tags.put(t)
		}
	}
	for _, b := range []struct {
		name, msg string
		dst       *opt[bool]
	}{
		{"nsfw", msgNSFW, &f.nsfw},
		{"waitTranscoding", msgWaitTranscoding, &f.waitTranscoding},
		{"downloadEnabled", msgDownload, &f.downloadEnabled},
		{"commentsEnabled", msgComments, &f.commentsEnabled},
		{"generateTranscription", msgTranscription, new(opt[bool])},
	} {
		if v, ok := has(b.name); ok {
			if val, ok := checkBool(errs, b.name, v, b.msg); ok {
				b.dst.put(val)
			}
		}
	}
	if v, ok := has("commentsPolicy"); ok {
		if p, ok := checkCommentsPolicy(errs, v); ok {
			f.commentsPolicy.put(p)
		}
	}
	if v, ok := has("originallyPublishedAt"); ok {
		if t, ok := checkDateOrNull(errs, "originallyPublishedAt", v); ok {
			f.originallyPublishedAt.put(t)
		}
	}
	if v, ok := has("videoPasswords"); ok {
		if _, isArr := v.([]any); !isArr {
			errs.Add("videoPasswords", v, msgPasswords)
		}
	}
	if v, ok := has("scheduleUpdate"); ok && toValueOrNull(v) != nil {
		f.schedule = true
		if obj, isObj := v.(map[string]any); isObj {
			if d, ok := obj["updateAt"]; ok {
				if s, isStr := d.(string); !isStr || !validISO8601(s) {
					errs.Add("scheduleUpdate.updateAt", d, msgScheduleDate)
				}
			}
			if p, ok := obj["privacy"]; ok {
				switch n, _ := toIntOrNull(p).whole(); n {
				case model.PrivacyPublic, model.PrivacyUnlisted, model.PrivacyInternal:
				default:
					errs.Add("scheduleUpdate.privacy", p, msgInvalid)
				}
			}
		}
	}
	return f
}

// refusals are the checks PeerTube makes after invalid-params: a schedule
// needs its date, and (here) neither schedules nor passwords are supported.
func (f fields) refusals(in map[string]any) error {
	if f.schedule {
		if obj, _ := in["scheduleUpdate"].(map[string]any); obj == nil || obj["updateAt"] == nil {
			return problem.BadRequest(msgScheduleMandatory)
		}
		return problem.BadRequest(MsgScheduleUnsupported)
	}
	if f.privacy.set && f.privacy.v == taxonomy.PrivacyPasswordProtected {
		return problem.BadRequest(MsgPasswordUnsupported)
	}
	return nil
}

// apply sets the given fields on m.
func (f fields) apply(m *model.VideoMeta) {
	setIf(&m.Name, f.name)
	setIf(&m.ChannelID, f.channelID)
	setIf(&m.Privacy, f.privacy)
	setIf(&m.Category, f.category)
	setIf(&m.Licence, f.licence)
	setIf(&m.Language, f.language)
	setIf(&m.Description, f.description)
	setIf(&m.Support, f.support)
	setIf(&m.Tags, f.tags)
	setIf(&m.NSFW, f.nsfw)
	setIf(&m.WaitTranscoding, f.waitTranscoding)
	setIf(&m.DownloadEnabled, f.downloadEnabled)
	setIf(&m.OriginallyPublishedAt, f.originallyPublishedAt)
	if f.commentsPolicy.set || f.commentsEnabled.set {
		m.CommentsPolicy = f.commentsPolicyOf()
	}
}

// commentsPolicyOf is PeerTube's buildCommentsPolicy: commentsPolicy when
// given, else the deprecated commentsEnabled, else the default.
func (f fields) commentsPolicyOf() int {
	switch {
	case f.commentsPolicy.set && f.commentsPolicy.v != 0:
		return f.commentsPolicy.v
	case f.commentsEnabled.set && f.commentsEnabled.v:
		return model.CommentsEnabled
	case f.commentsEnabled.set:
		return model.CommentsDisabled
	default:
		return DefaultCommentsPolicy
	}
}

func setIf[T any](dst *T, o opt[T]) {
	if o.set {
		*dst = o.v
	}
}

// build checks in and applies it to base.
func build(base model.VideoMeta, in map[string]any, creating bool) (model.VideoMeta, error) {
	errs := NewErrors("body")
	f := parse(in, creating, errs)
	if p := errs.Problem(); p != nil {
		return model.VideoMeta{}, p
	}
	if err := f.refusals(in); err != nil {
		return model.VideoMeta{}, err
	}
	f.apply(&base)
	return base, nil
}

// newMeta is a new video's metadata before the request's fields apply.
func newMeta() model.VideoMeta {
	return model.VideoMeta{
		Privacy:         DefaultPrivacy,
		Tags:            []string{},
		CommentsPolicy:  DefaultCommentsPolicy,
		DownloadEnabled: DefaultDownloadEnabled,
	}
}

// FromForm reads a new video's metadata from form values (the legacy
// multipart upload). Errors are *problem.Error (400).
func FromForm(v url.Values) (model.VideoMeta, error) {
	return build(newMeta(), formInput(v), true)
}

// FromJSON reads a new video's metadata from a JSON object (the resumable
// upload's init body). Errors are *problem.Error (400, or 413 for a body
// over 1 MiB).
func FromJSON(raw []byte) (model.VideoMeta, error) {
	in, err := jsonInput(raw)
	if err != nil {
		return model.VideoMeta{}, err
	}
	return build(newMeta(), in, true)
}

// PatchFromForm returns old with the fields given in v changed (PUT
// /videos/{id} as multipart or url-encoded form).
func PatchFromForm(old model.VideoMeta, v url.Values) (model.VideoMeta, error) {
	return build(cloneMeta(old), formInput(v), false)
}

// PatchFromJSON returns old with the fields given in a JSON object changed.
func PatchFromJSON(old model.VideoMeta, raw []byte) (model.VideoMeta, error) {
	in, err := jsonInput(raw)
	if err != nil {
		return model.VideoMeta{}, err
	}
	return build(cloneMeta(old), in, false)
}

// Input is a request body decoded for validation, for callers that check
// more fields than the metadata (the resumable upload's filename).
type Input map[string]any

// FormInput decodes form values as FromForm does.
func FormInput(v url.Values) Input { return Input(formInput(v)) }

// JSONInput decodes a JSON object as FromJSON does.
func JSONInput(raw []byte) (Input, error) {
	in, err := jsonInput(raw)
	return Input(in), err
}

// New checks a new video's metadata in in, adding rejections to errs
// (which the caller may already hold other fields' rejections in). When
// errs is still empty afterwards, it also makes PeerTube's later checks
// (password, schedule) and returns their refusal as err.
func New(in Input, errs *Errors) (model.VideoMeta, error) {
	f := parse(in, true, errs)
	if !errs.Empty() {
		return model.VideoMeta{}, nil
	}
	if err := f.refusals(in); err != nil {
		return model.VideoMeta{}, err
	}
	m := newMeta()
	f.apply(&m)
	return m, nil
}

func cloneMeta(m model.VideoMeta) model.VideoMeta {
	c := m
	if m.Tags != nil {
		c.Tags = append([]string(nil), m.Tags...)
	}
	if m.Category != nil {
		v := *m.Category
		c.Category = &v
	}
	if m.Licence != nil {
		v := *m.Licence
		c.Licence = &v
	}
	if m.OriginallyPublishedAt != nil {
		v := *m.OriginallyPublishedAt
		c.OriginallyPublishedAt = &v
	}
	return c
}
