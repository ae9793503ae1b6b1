package embedded

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
)

// Finer-grained validation errors. Each matches queue.ErrInvalid with
// errors.Is; sqsserver maps them to the SQS error codes.
var (
	ErrEmptyBody         = fmt.Errorf("%w: empty body", queue.ErrInvalid)
	ErrInvalidCharacters = fmt.Errorf("%w: body has characters SQS does not allow", queue.ErrInvalid)
	ErrInvalidDelay      = fmt.Errorf("%w: delay out of range", queue.ErrInvalid)
	ErrInvalidAttribute  = fmt.Errorf("%w: bad message attribute", queue.ErrInvalid)
)

// MaxAttributes is SQS's limit on message attributes per message.
const MaxAttributes = queue.MaxAttributes

// Attribute is one message attribute with its SQS data type: "String",
// "Number" or "Binary", optionally followed by ".label".
type Attribute struct {
	DataType    string `json:"t"`
	StringValue string `json:"s,omitempty"`
	BinaryValue []byte `json:"b,omitempty"`
}

// Entry is a message with typed attributes, the form the SQS test server
// stores. A queue.Message converts to an Entry whose attributes are all of
// type "String".
type Entry struct {
	Body       string
	Delay      time.Duration
	Attributes map[string]Attribute
}

// EntryFromMessage converts a port message.
func EntryFromMessage(m queue.Message) Entry {
	e := Entry{Body: m.Body, Delay: m.Delay}
	if len(m.Attributes) > 0 {
		e.Attributes = make(map[string]Attribute, len(m.Attributes))
		for k, v := range m.Attributes {
			e.Attributes[k] = Attribute{DataType: "String", StringValue: v}
		}
	}
	return e
}

// Size is the message size SQS counts against MaxBodyBytes: the body plus,
// for each attribute, its name, data type and value.
func (e Entry) Size() int {
	n := len(e.Body)
	for name, a := range e.Attributes {
		n += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	return n
}

// Validate checks an entry against SQS's rules for standard queues.
func (e Entry) Validate() error {
	if e.Body == "" {
		return ErrEmptyBody
	}
	if n := e.Size(); n > queue.MaxBodyBytes {
		return fmt.Errorf("%w: %d bytes with attributes, limit %d", queue.ErrTooLarge, n, queue.MaxBodyBytes)
	}
	if e.Delay < 0 || e.Delay > queue.MaxDelay {
		return fmt.Errorf("%w: %s (0 to %s)", ErrInvalidDelay, e.Delay, queue.MaxDelay)
	}
	if len(e.Attributes) > MaxAttributes {
		return fmt.Errorf("%w: %d attributes, limit %d", ErrInvalidAttribute, len(e.Attributes), MaxAttributes)
	}
	for name, a := range e.Attributes {
		if err := validateAttribute(name, a); err != nil {
			return err
		}
	}
	if r, ok := InvalidCharacter(e.Body); ok {
		return fmt.Errorf("%w: %#x", ErrInvalidCharacters, r)
	}
	return nil
}

// InvalidCharacter reports the first character outside SQS's allowed set
// (see queue.InvalidCharacter).
func InvalidCharacter(s string) (rune, bool) { return queue.InvalidCharacter(s) }

func validateAttribute(name string, a Attribute) error {
	if err := validateAttributeName(name); err != nil {
		return err
	}
	base, _, _ := strings.Cut(a.DataType, ".")
	switch base {
	case "String":
		if a.StringValue == "" {
			return fmt.Errorf("%w: attribute %q must contain a non-empty value of type %q", ErrInvalidAttribute, name, a.DataType)
		}
	case "Number":
		if _, err := strconv.ParseFloat(a.StringValue, 64); err != nil {
			return fmt.Errorf("%w: attribute %q has an invalid number %q", ErrInvalidAttribute, name, a.StringValue)
		}
	case "Binary":
		if len(a.BinaryValue) == 0 {
			return fmt.Errorf("%w: attribute %q must contain a non-empty value of type %q", ErrInvalidAttribute, name, a.DataType)
		}
	default:
		return fmt.Errorf("%w: attribute %q has unknown data type %q", ErrInvalidAttribute, name, a.DataType)
	}
	if r, ok := InvalidCharacter(a.StringValue); ok {
		return fmt.Errorf("%w: attribute %q has character %#x", ErrInvalidAttribute, name, r)
	}
	return nil
}

// validateAttributeName applies SQS's naming rules (queue.ValidateAttributeName).
func validateAttributeName(name string) error {
	if err := queue.ValidateAttributeName(name); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidAttribute, err)
	}
	return nil
}
