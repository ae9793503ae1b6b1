package api

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/vidiverse/vidiverse/shared/problem"
)

// Field rules, as PeerTube's validators and CONSTRAINTS_FIELDS set them.
// Local account and channel names share one rule (PeerTube's
// isUserUsernameValid, also used for channel names).
var actorNameRe = regexp.MustCompile(`^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$`)

const (
	usernameMax       = 50
	passwordMin       = 6
	passwordMax       = 255
	displayNameMax    = 120
	descriptionMin    = 3
	descriptionMax    = 1000
	channelNameMax    = 50
	channelDisplayMax = 120
	supportMin        = 3
	supportMax        = 1000
	emailMax          = 400
	blockedReasonMin  = 3
	blockedReasonMax  = 250
	videoLanguagesMax = 500
)

// fieldErrors collects validation failures of one location.
type fieldErrors struct {
	location string
	fields   map[string]problem.FieldError
}

func newFieldErrors(location string) *fieldErrors {
	return &fieldErrors{location: location, fields: map[string]problem.FieldError{}}
}

func (f *fieldErrors) add(field string, value any, msg string) {
	if _, dup := f.fields[field]; !dup {
		f.fields[field] = problem.FieldError{Value: value, Msg: msg}
	}
}

// err returns the 400 problem, or nil when every field passed.
func (f *fieldErrors) err() error {
	if len(f.fields) == 0 {
		return nil
	}
	return problem.InvalidFields(f.location, f.fields)
}

func runeLen(s string) int { return utf8.RuneCountInString(s) }

func validUsername(s string) bool {
	return runeLen(s) >= 1 && runeLen(s) <= usernameMax && actorNameRe.MatchString(s)
}

func validPassword(s string) bool { return runeLen(s) >= passwordMin && runeLen(s) <= passwordMax }

func validEmail(s string) bool {
	if s == "" || len(s) > emailMax || strings.ContainsAny(s, " \t\r\n<>") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func validDisplayName(s string) bool { return runeLen(s) >= 1 && runeLen(s) <= displayNameMax }

func validDescription(s string) bool {
	return runeLen(s) >= descriptionMin && runeLen(s) <= descriptionMax
}

func validChannelName(s string) bool {
	return runeLen(s) >= 1 && runeLen(s) <= channelNameMax && actorNameRe.MatchString(s)
}

func validChannelDisplayName(s string) bool {
	return runeLen(s) >= 1 && runeLen(s) <= channelDisplayMax
}

func validSupport(s string) bool { return runeLen(s) >= supportMin && runeLen(s) <= supportMax }

func validQuota(n int64) bool { return n >= -1 }
