package blob

import (
	"fmt"
	"strings"
)

// MaxKeyLen is the longest key engines accept, in bytes (S3's limit).
const MaxKeyLen = 1024

// CheckKey reports whether key is a valid object key: 1..MaxKeyLen bytes of
// [A-Za-z0-9._/-], slash-separated segments that are neither empty nor "." or
// "..". So no leading or trailing slash and no "//". The error wraps
// ErrInvalidKey.
func CheckKey(key string) error {
	if key == "" {
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	}
	if err := checkChars(key); err != nil {
		return err
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch seg {
		case "":
			return fmt.Errorf("%w: %q has an empty segment", ErrInvalidKey, key)
		case ".", "..":
			return fmt.Errorf("%w: %q has a %q segment", ErrInvalidKey, key, seg)
		}
	}
	return nil
}

// CheckPrefix reports whether prefix can start a valid key: empty, or made of
// key characters with no leading slash, no "//" and no "." or ".." segment
// before its last slash. The error wraps ErrInvalidKey.
func CheckPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := checkChars(prefix); err != nil {
		return err
	}
	segs := strings.Split(prefix, "/")
	for i, seg := range segs {
		last := i == len(segs)-1
		switch {
		case seg == "" && !last:
			return fmt.Errorf("%w: prefix %q has an empty segment", ErrInvalidKey, prefix)
		case (seg == "." || seg == "..") && !last:
			return fmt.Errorf("%w: prefix %q has a %q segment", ErrInvalidKey, prefix, seg)
		}
	}
	return nil
}

func checkChars(s string) error {
	if len(s) > MaxKeyLen {
		return fmt.Errorf("%w: %d bytes, over %d", ErrInvalidKey, len(s), MaxKeyLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == '/' || c == '-'
		if !ok {
			return fmt.Errorf("%w: %q has byte %q at %d", ErrInvalidKey, s, c, i)
		}
	}
	return nil
}
