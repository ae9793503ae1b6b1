package queue

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxAttributes is SQS's limit on message attributes per message.
const MaxAttributes = 10

// Size is the message size SQS counts against MaxBodyBytes: the body plus
// each attribute's name, data type ("String") and value.
func Size(m Message) int {
	n := len(m.Body)
	for k, v := range m.Attributes {
		n += len(k) + len("String") + len(v)
	}
	return n
}

// Validate applies SQS's rules for a standard-queue message. Every engine
// checks messages with it, so all refuse the same messages the same way.
func Validate(m Message) error {
	if m.Body == "" {
		return fmt.Errorf("%w: empty body", ErrInvalid)
	}
	if n := Size(m); n > MaxBodyBytes {
		return fmt.Errorf("%w: %d bytes with attributes, limit %d", ErrTooLarge, n, MaxBodyBytes)
	}
	if m.Delay < 0 || m.Delay > MaxDelay {
		return fmt.Errorf("%w: delay %s out of range (0 to %s)", ErrInvalid, m.Delay, MaxDelay)
	}
	if len(m.Attributes) > MaxAttributes {
		return fmt.Errorf("%w: %d attributes, limit %d", ErrInvalid, len(m.Attributes), MaxAttributes)
	}
	for k, v := range m.Attributes {
		if err := ValidateAttributeName(k); err != nil {
			return err
		}
		if v == "" {
			return fmt.Errorf("%w: attribute %q has an empty value", ErrInvalid, k)
		}
		if r, ok := InvalidCharacter(v); ok {
			return fmt.Errorf("%w: attribute %q has character %#x", ErrInvalid, k, r)
		}
	}
	if r, ok := InvalidCharacter(m.Body); ok {
		return fmt.Errorf("%w: body has character %#x, which SQS does not allow", ErrInvalid, r)
	}
	return nil
}

// InvalidCharacter reports the first character outside SQS's allowed set:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func InvalidCharacter(s string) (rune, bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return r, true
		}
		i += n
		switch {
		case r == 0x9, r == 0xA, r == 0xD:
		case r >= 0x20 && r <= 0xD7FF:
		case r >= 0xE000 && r <= 0xFFFD:
		case r >= 0x10000 && r <= 0x10FFFF:
		default:
			return r, true
		}
	}
	return 0, false
}

// ValidateAttributeName applies SQS's naming rules: 1 to 256 characters of
// A-Z a-z 0-9 _ - ., no leading, trailing or doubled period, and no "AWS."
// or "Amazon." prefix.
func ValidateAttributeName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: attribute name %q %s", ErrInvalid, name, why)
	}
	if name == "" || len(name) > 256 {
		return bad("must be 1 to 256 characters")
	}
	for _, r := range name {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.'
		if !ok {
			return bad("has a character other than A-Z a-z 0-9 _ - .")
		}
	}
	if strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") || strings.Contains(name, "..") {
		return bad("has a leading, trailing or doubled period")
	}
	lower := strings.ToLower(name)
	if strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return bad("uses a reserved prefix")
	}
	return nil
}
