package videometa

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/taxonomy"
)

// Limits, as PeerTube's CONSTRAINTS_FIELDS.VIDEOS and VIDEO_SOURCE.
const (
	NameMin, NameMax               = 3, 120
	LanguageMin, LanguageMax       = 1, 10
	DescriptionMin, DescriptionMax = 3, 10000
	SupportMin, SupportMax         = 3, 1000
	TagsMax                        = 5
	TagMin, TagMax                 = 2, 30
	FilenameMin, FilenameMax       = 1, 1000
)

// Messages PeerTube's validators give.
const (
	msgInvalid         = "Invalid value"
	msgName            = "Should have a video name between 3 and 120 characters long"
	msgTags            = "Should have an array of up to 5 tags between 2 and 30 characters each"
	msgNSFW            = "Should have a valid nsfw boolean"
	msgWaitTranscoding = "Should have a valid waitTranscoding boolean"
	msgDownload        = "Should have downloadEnabled boolean"
	msgComments        = "Should have commentsEnabled boolean"
	msgTranscription   = "Should have a valid generateTranscription boolean"
	msgPasswords       = "Video passwords should be an array."
	msgScheduleDate    = "Should have a schedule update date that conforms to ISO 8601"
)

// Errors is a set of rejected fields, each in a location ("body" unless
// added with AddIn).
type Errors struct {
	location  string
	fields    map[string]problem.FieldError
	locations map[string]string
}

// NewErrors returns an empty set whose fields are in location ("body").
func NewErrors(location string) *Errors {
	return &Errors{location: location, fields: map[string]problem.FieldError{}, locations: map[string]string{}}
}

// Add rejects a field; the first rejection of a field is the one kept, as
// express-validator reports it.
func (e *Errors) Add(field string, value any, msg string) { e.AddIn(e.location, field, value, msg) }

// AddIn rejects a field of another location (a request header, as
// "headers").
func (e *Errors) AddIn(location, field string, value any, msg string) {
	if _, dup := e.fields[field]; !dup {
		e.fields[field] = problem.FieldError{Value: value, Msg: msg}
		e.locations[field] = location
	}
}

// Empty reports whether no field was rejected.
func (e *Errors) Empty() bool { return len(e.fields) == 0 }

// Problem returns the 400 with invalid-params, or nil when no field was
// rejected.
func (e *Errors) Problem() *problem.Error {
	if e.Empty() {
		return nil
	}
	p := problem.InvalidFields(e.location, e.fields)
	for field, loc := range e.locations {
		ip := p.InvalidParams[field]
		ip.Location = loc
		p.InvalidParams[field] = ip
	}
	return p
}

// Length is validator's isLength count: code points, not counting the
// variation selectors U+FE0E and U+FE0F.
func Length(s string) int {
	return utf8.RuneCountInString(s) - strings.Count(s, "\ufe0e") - strings.Count(s, "\ufe0f")
}

// stringLength checks validator's isLength(v, {min, max}); like validator it
// refuses a value that is not a string with its TypeError message.
func stringLength(v any, min, max int) (ok bool, msg string) {
	s, isStr := v.(string)
	if !isStr {
		return false, "Expected a string but received a " + jsTypeName(v)
	}
	n := Length(s)
	return n >= min && n <= max, msgInvalid
}

// jsTypeName is input.constructor.name, or "null" for null.
func jsTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case json.Number, float64:
		return "Number"
	case bool:
		return "Boolean"
	case []any:
		return "Array"
	default:
		return "Object"
	}
}

// CheckFilename is PeerTube's isVideoSourceFilenameValid (the resumable
// upload's `filename`): a string of 1 to 1000 characters.
func CheckFilename(errs *Errors, in map[string]any) (string, bool) {
	v, present := in["filename"]
	if !present || v == nil {
		errs.Add("filename", nil, msgInvalid)
		return "", false
	}
	if ok, msg := stringLength(v, FilenameMin, FilenameMax); !ok {
		errs.Add("filename", v, msg)
		return "", false
	}
	return v.(string), true
}

// inTable reports whether a table has the id key (VIDEO_CATEGORIES[value]
// !== undefined in PeerTube).
func inTable(label func(int) (string, bool), key string) (int, bool) {
	var id int
	if _, err := fmt.Sscanf(key, "%d", &id); err != nil || fmt.Sprint(id) != key {
		return 0, false
	}
	_, ok := label(id)
	return id, ok
}

// checkInt runs toIntOrNull and a table lookup that allows null (category,
// licence). It returns nil for null.
func checkTableOrNull(errs *Errors, field string, v any, label func(int) (string, bool)) (*int, bool) {
	iv := toIntOrNull(v)
	if iv.null {
		return nil, true
	}
	id, ok := inTable(label, iv.key())
	if !ok {
		errs.Add(field, v, msgInvalid)
		return nil, false
	}
	return &id, true
}

// checkBool runs toBooleanOrNull then isBooleanValid (null is refused).
func checkBool(errs *Errors, field string, v any, msg string) (bool, bool) {
	b := toBooleanOrNull(v)
	if b.null {
		errs.Add(field, v, msg)
		return false, false
	}
	return b.b, true
}

// checkTextOrNull runs toValueOrNull then a length check that allows null
// (description, support). It returns "" for null.
func checkTextOrNull(errs *Errors, field string, v any, min, max int) (string, bool) {
	v = toValueOrNull(v)
	if v == nil {
		return "", true
	}
	if ok, msg := stringLength(v, min, max); !ok {
		errs.Add(field, v, msg)
		return "", false
	}
	return v.(string), true
}

// checkTags is areVideoTagsValid after toValueOrNull: null, or an array of
// at most 5 strings of 2 to 30 characters.
func checkTags(errs *Errors, v any) ([]string, bool) {
	v = toValueOrNull(v)
	if v == nil {
		return []string{}, true
	}
	arr, ok := v.([]any)
	if !ok || len(arr) > TagsMax {
		errs.Add("tags", v, msgTags)
		return nil, false
	}
	tags := make([]string, 0, len(arr))
	for _, t := range arr {
		s, isStr := t.(string)
		if !isStr || Length(s) < TagMin || Length(s) > TagMax {
			errs.Add("tags", v, msgTags)
			return nil, false
		}
		tags = append(tags, s)
	}
	return tags, true
}

// checkDateOrNull is isVideoOriginallyPublishedAtValid after
// toValueOrNull: null or an ISO 8601 date.
func checkDateOrNull(errs *Errors, field string, v any) (*time.Time, bool) {
	v = toValueOrNull(v)
	if v == nil {
		return nil, true
	}
	s, isStr := v.(string)
	if !isStr {
		errs.Add(field, v, "Expected a string but received a "+jsTypeName(v))
		return nil, false
	}
	t, ok := ParseISO8601(s)
	if !ok {
		errs.Add(field, v, msgInvalid)
		return nil, false
	}
	return &t, true
}

// checkPrivacy runs toIntOrNull then isVideoPrivacyValid (1 to 5; null is
// refused).
func checkPrivacy(errs *Errors, field string, v any) (int, bool) {
	iv := toIntOrNull(v)
	id, ok := inTable(taxonomy.PrivacyLabel, iv.key())
	if iv.null || !ok {
		errs.Add(field, v, msgInvalid)
		return 0, false
	}
	return id, true
}

// checkCommentsPolicy is isVideoCommentsPolicyValid, which has no
// sanitizer: null (returned as 0) or a key of VIDEO_COMMENTS_POLICY.
func checkCommentsPolicy(errs *Errors, v any) (int, bool) {
	if v == nil {
		return 0, true
	}
	switch v.(type) {
	case string, json.Number:
	default:
		errs.Add("commentsPolicy", v, msgInvalid)
		return 0, false
	}
	id, ok := inTable(taxonomy.CommentsPolicyLabel, jsString(v))
	if !ok {
		errs.Add("commentsPolicy", v, msgInvalid)
		return 0, false
	}
	return id, true
}

// checkID runs toIntOrNull then isIdValid (a whole number; null refused).
func checkID(errs *Errors, field string, v any) (int64, bool) {
	n, ok := toIntOrNull(v).whole()
	if !ok {
		errs.Add(field, v, msgInvalid)
		return 0, false
	}
	return n, true
}
