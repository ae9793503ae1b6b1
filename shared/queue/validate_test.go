package queue_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/queue"
	"github.com/vidiverse/vidiverse/shared/queue/embedded"
)

// kind reduces a validation result to what the port promises.
func kind(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, queue.ErrTooLarge):
		return "too large"
	case errors.Is(err, queue.ErrInvalid):
		return "invalid"
	}
	return "other: " + err.Error()
}

// TestValidationMatchesEmbedded checks the port's rules and that the
// embedded engine's typed entries (what the SQS test server stores) accept
// and reject the same messages for the same reasons.
func TestValidationMatchesEmbedded(t *testing.T) {
	many := map[string]string{}
	for _, k := range strings.Split("a b c d e f g h i j k", " ") {
		many[k] = "v"
	}
	cases := []struct {
		name string
		m    queue.Message
		want string
	}{
		{"plain", queue.Message{Body: "hello"}, "ok"},
		{"empty", queue.Message{}, "invalid"},
		{"exact limit", queue.Message{Body: strings.Repeat("x", queue.MaxBodyBytes)}, "ok"},
		{"one over", queue.Message{Body: strings.Repeat("x", queue.MaxBodyBytes+1)}, "too large"},
		{"attributes over", queue.Message{Body: strings.Repeat("x", queue.MaxBodyBytes-7), Attributes: map[string]string{"k": "v"}}, "too large"},
		{"attributes at limit", queue.Message{Body: strings.Repeat("x", queue.MaxBodyBytes-8), Attributes: map[string]string{"k": "v"}}, "ok"},
		{"max delay", queue.Message{Body: "x", Delay: queue.MaxDelay}, "ok"},
		{"long delay", queue.Message{Body: "x", Delay: queue.MaxDelay + time.Nanosecond}, "invalid"},
		{"negative delay", queue.Message{Body: "x", Delay: -1}, "invalid"},
		{"control character", queue.Message{Body: "\x1f"}, "invalid"},
		{"surrogate-free astral", queue.Message{Body: "🎬"}, "ok"},
		{"noncharacter", queue.Message{Body: "\uFFFE"}, "invalid"},
		{"bad utf-8", queue.Message{Body: "\xc3"}, "invalid"},
		{"eleven attributes", queue.Message{Body: "x", Attributes: many}, "invalid"},
		{"reserved prefix", queue.Message{Body: "x", Attributes: map[string]string{"amazon.x": "v"}}, "invalid"},
		{"leading period", queue.Message{Body: "x", Attributes: map[string]string{".x": "v"}}, "invalid"},
		{"double period", queue.Message{Body: "x", Attributes: map[string]string{"a..b": "v"}}, "invalid"},
		{"dotted name", queue.Message{Body: "x", Attributes: map[string]string{"a.b-c_d": "v"}}, "ok"},
		{"empty value", queue.Message{Body: "x", Attributes: map[string]string{"k": ""}}, "invalid"},
		{"control in value", queue.Message{Body: "x", Attributes: map[string]string{"k": "\x00"}}, "invalid"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := kind(queue.Validate(c.m))
			emb := kind(embedded.EntryFromMessage(c.m).Validate())
			if got != c.want || emb != c.want {
				t.Errorf("queue.Validate: %s, embedded: %s, want %s", got, emb, c.want)
			}
		})
	}
}
