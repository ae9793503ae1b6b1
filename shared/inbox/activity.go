package inbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/queue"
)

// parse reads the signed body as an activity with an id and an actor,
// absolute http(s) URLs on the same host.
func parse(body []byte) (*apvocab.Activity, error) {
	bad := func(detail string, err error) error { return refuse(http.StatusBadRequest, detail, err) }
	if !utf8.Valid(body) {
		return nil, bad("Activity is not UTF-8", nil)
	}
	if !json.Valid(body) {
		return nil, bad("Activity is not JSON", nil)
	}
	act, err := apvocab.DecodeActivity(body)
	if err != nil {
		return nil, bad("Not an activity", err)
	}
	if act.ID == "" {
		return nil, bad("Activity has no id", nil)
	}
	if act.Actor == "" {
		return nil, bad("Activity has no actor", nil)
	}
	idHost, err := urlHost(act.ID)
	if err != nil {
		return nil, bad("Activity id is not a URL", err)
	}
	actorHost, err := urlHost(act.Actor)
	if err != nil {
		return nil, bad("Activity actor is not a URL", err)
	}
	if idHost != actorHost {
		return nil, bad("Activity id is not on its actor's host", fmt.Errorf("id %s, actor %s", act.ID, act.Actor))
	}
	return act, nil
}

// urlHost is the lower-cased host[:port] of an absolute http(s) URL of at
// most MaxURLBytes.
func urlHost(s string) (string, error) {
	if len(s) > MaxURLBytes {
		return "", fmt.Errorf("URL of %d bytes, limit %d", len(s), MaxURLBytes)
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" || u.User != nil {
		return "", fmt.Errorf("%q is not an absolute http(s) URL", s)
	}
	return strings.ToLower(u.Host), nil
}

// sameHost reports whether two URLs are absolute http(s) URLs on one host.
func sameHost(a, b string) bool {
	ha, err := urlHost(a)
	if err != nil {
		return false
	}
	hb, err := urlHost(b)
	return err == nil && ha == hb
}

// queueable compacts a recorded activity and escapes the characters SQS
// refuses (U+FFFE and U+FFFF: valid JSON, but not allowed in a message).
// The activity was checked to be valid UTF-8 JSON.
func queueable(raw []byte) (json.RawMessage, error) {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("compact activity: %w", err)
	}
	out := buf.Bytes()
	if r, bad := queue.InvalidCharacter(string(out)); bad {
		if r != 0xFFFE && r != 0xFFFF {
			return nil, fmt.Errorf("activity has character %#x", r)
		}
		// Outside strings JSON has only ASCII, so these are in strings.
		s := strings.NewReplacer("\uFFFE", `\ufffe`, "\uFFFF", `\uffff`).Replace(string(out))
		if r, bad := queue.InvalidCharacter(s); bad {
			return nil, fmt.Errorf("activity has character %#x", r)
		}
		out = []byte(s)
	}
	return out, nil
}

// encodeMessage writes m as a queue message body, refusing one that does
// not fit queue.MaxBodyBytes.
func encodeMessage(m Message) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keeps the activity's size: it is compacted, never escaped
	if err := enc.Encode(m); err != nil {
		return "", refuse(http.StatusBadRequest, "Activity cannot be queued", err)
	}
	body := strings.TrimSuffix(buf.String(), "\n")
	if len(body) > queue.MaxBodyBytes {
		return "", refuse(http.StatusRequestEntityTooLarge, "Activity too large to queue",
			fmt.Errorf("message of %d bytes, limit %d", len(body), queue.MaxBodyBytes))
	}
	if err := queue.Validate(queue.Message{Body: body}); err != nil {
		return "", refuse(http.StatusBadRequest, "Activity cannot be queued", err)
	}
	return body, nil
}
