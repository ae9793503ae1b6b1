package sqs

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vidiverse/vidiverse/shared/queue"
)

// maxAttributes is SQS's limit on message attributes per message.
const maxAttributes = 10

// size is the message size SQS counts: the body plus each attribute's
// name, data type ("String") and value.
func size(m queue.Message) int {
	n := len(m.Body)
	for k, v := range m.Attributes {
		n += len(k) + len("String") + len(v)
	}
	return n
}

// validate applies SQS's rules for a standard-queue message; the embedded
// engine applies the same ones (a test checks that they agree).
func validate(m queue.Message) error {
	if m.Body == "" {
		return fmt.Errorf("%w: empty body", queue.ErrInvalid)
	}
	if n := size(m); n > queue.MaxBodyBytes {
		return fmt.Errorf("%w: %d bytes with attributes, limit %d", queue.ErrTooLarge, n, queue.MaxBodyBytes)
	}
	if m.Delay < 0 || m.Delay > queue.MaxDelay {
		return fmt.Errorf("%w: delay %s out of range (0 to %s)", queue.ErrInvalid, m.Delay, queue.MaxDelay)
	}
	if len(m.Attributes) > maxAttributes {
		return fmt.Errorf("%w: %d attributes, limit %d", queue.ErrInvalid, len(m.Attributes), maxAttributes)
	}
	for k, v := range m.Attributes {
		if err := validateAttributeName(k); err != nil {
			return err
		}
		if v == "" {
			return fmt.Errorf("%w: attribute %q has an empty value", queue.ErrInvalid, k)
		}
		if r, ok := invalidCharacter(v); ok {
			return fmt.Errorf("%w: attribute %q has character %#x", queue.ErrInvalid, k, r)
		}
	}
	if r, ok := invalidCharacter(m.Body); ok {
		return fmt.Errorf("%w: body has character %#x, which SQS does not allow", queue.ErrInvalid, r)
	}
	return nil
}

// invalidCharacter reports the first character outside SQS's allowed set:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
func invalidCharacter(s string) (rune, bool) {
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

// validateAttributeName applies SQS's naming rules: 1 to 256 characters of
// A-Z a-z 0-9 _ - ., no leading, trailing or doubled period, and no "AWS."
// or "Amazon." prefix.
func validateAttributeName(name string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: attribute name %q %s", queue.ErrInvalid, name, why)
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
