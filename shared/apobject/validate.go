package apobject

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vidiverse/vidiverse/shared/apvocab"
)

// ErrInvalid is wrapped by the errors of FromVideo and FromNote for an
// object PeerTube would refuse (or this server cannot keep).
var ErrInvalid = errors.New("invalid ActivityPub object")

// invalid is an error wrapping ErrInvalid for an object of that type and
// id, saying what is wrong.
func invalid(typ, id, format string, args ...any) error {
	return fmt.Errorf("%s %s: %s: %w", typ, id, fmt.Sprintf(format, args...), ErrInvalid)
}

// maxURLLength is PeerTube's CONSTRAINTS_FIELDS.ACTORS.URL max.
const maxURLLength = 2000

// isAPURL is PeerTube's isActivityPubUrlValid: an absolute http or https
// URL with a host, at most 2000 characters, without white space. (Unlike
// PeerTube, a host without a dot is accepted, as PeerTube does when it
// runs on localhost itself.)
func isAPURL(s string) bool {
	return isURLWith(s, "http", "https")
}

// isTrackerURL accepts the WebSocket trackers PeerTube publishes too.
func isTrackerURL(s string) bool {
	return isURLWith(s, "http", "https", "ws", "wss")
}

func isURLWith(s string, schemes ...string) bool {
	if s == "" || len(s) > maxURLLength || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Hostname() == "" {
		return false
	}
	for _, scheme := range schemes {
		if strings.EqualFold(u.Scheme, scheme) {
			return true
		}
	}
	return false
}

// sameHost reports whether two URLs have the same host (and port).
func sameHost(a, b string) bool {
	ha, hb := hostOf(a), hostOf(b)
	return ha != "" && strings.EqualFold(ha, hb)
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// runes is a string's length as PeerTube's validator counts it (code
// points).
func runes(s string) int { return utf8.RuneCountInString(s) }

// truncate cuts s to at most max code points, ending it with "..." when
// cut.
func truncate(s string, max int) string {
	if runes(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-3]) + "..."
}

// hasPublic reports whether an audience names the public collection.
func hasPublic(audience []string) bool {
	for _, a := range audience {
		if apvocab.IsPublic(a) {
			return true
		}
	}
	return false
}

// written are an object's members as its document writes them: for a
// decoded object, as received (apvocab re-encodes an unchanged value to its
// document), so that absent members can be told from empty ones.
func written(o apvocab.Object) (map[string]json.RawMessage, error) {
	b, err := apvocab.Encode(o)
	if err != nil {
		return nil, err
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// present reports whether a member is written and not null.
func present(m map[string]json.RawMessage, name string) bool {
	raw, ok := m[name]
	return ok && string(raw) != "null"
}

// isString reports whether a member is written as a JSON string.
func isString(m map[string]json.RawMessage, name string) (string, bool) {
	var s string
	if raw, ok := m[name]; !ok || len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// isNonNegativeInt is validator's isInt(String(value), {min: 0}) on a JSON
// number or string: a whole number, at least 0.
func isNonNegativeInt(raw json.RawMessage) bool {
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if json.Unmarshal(raw, &s) != nil {
			return false
		}
		s = strings.TrimPrefix(s, "+")
	}
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f >= 0 && !math.IsInf(f, 0) && f == math.Trunc(f)
}
