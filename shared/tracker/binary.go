package tracker

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The WebSocket protocol carries 20-byte ids (info_hash, peer_id,
// to_peer_id) as JSON strings of 20 characters, one per byte (U+0000 to
// U+00FF): what JavaScript's Buffer 'binary' (latin1) encoding gives.
// Go holds those strings as UTF-8, so a byte of 0x80 or more is two bytes
// of the Go string; these convert between the two.

// binaryString encodes b as a string of one character per byte.
func binaryString(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) * 2)
	for _, c := range b {
		sb.WriteRune(rune(c))
	}
	return sb.String()
}

var errNotBinary = errors.New("not a 20-character binary string")

// decodeID decodes a JSON value that must be a string of exactly 20
// characters, each U+0000 to U+00FF.
func decodeID(raw json.RawMessage) ([20]byte, error) {
	var id [20]byte
	var s string
	if len(raw) == 0 || raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return id, errNotBinary
	}
	return idFromString(s)
}

// idFromString decodes a Go string of 20 characters U+0000 to U+00FF.
func idFromString(s string) ([20]byte, error) {
	var id [20]byte
	if utf8.RuneCountInString(s) != len(id) {
		return id, errNotBinary
	}
	i := 0
	for _, r := range s {
		if r > 0xFF {
			return id, errNotBinary
		}
		id[i] = byte(r)
		i++
	}
	return id, nil
}

// isTruthy reports whether a JSON value is truthy as JavaScript judges
// it: present and not null, false, 0 or "".
func isTruthy(raw json.RawMessage) bool {
	switch s := strings.TrimSpace(string(raw)); s {
	case "", "null", "false", `""`:
		return false
	default:
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f != 0
		}
		return true
	}
}

// leftIsZero reports whether an announce's left is 0 as JavaScript's
// Number(left) === 0 judges it (a missing left is NaN, so not 0; null, ""
// and "0" are 0).
func leftIsZero(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	switch {
	case s == "":
		return false
	case s == "null" || s == "false":
		return true
	case s[0] == '"':
		var str string
		if json.Unmarshal(raw, &str) != nil {
			return false
		}
		str = strings.TrimSpace(str)
		if str == "" {
			return true
		}
		f, err := strconv.ParseFloat(str, 64)
		return err == nil && f == 0
	default:
		f, err := strconv.ParseFloat(s, 64)
		return err == nil && f == 0
	}
}
