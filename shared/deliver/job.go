package deliver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/vidiverse/vidiverse/shared/model"
)

// ContentType is the Content-Type of every delivery, as PeerTube sends it.
const ContentType = "application/activity+json"

// ErrInvalid is a job that cannot be delivered as it stands (a malformed
// activity, no signer, no destination, a bad inbox URL).
var ErrInvalid = errors.New("invalid delivery job")

// Job is the JSON body of one deliver-queue message.
type Job struct {
	// Activity is the activity to POST, sent byte for byte (a JSON object).
	Activity json.RawMessage `json:"activity"`
	// Signer is the keyring name of the signing actor ("account:NAME",
	// "channel:NAME"; the instance actor is "account:peertube").
	Signer string `json:"signer"`
	// KeyID is the signature's keyId: the signer's bare actor URL, as
	// PeerTube signs.
	KeyID string `json:"keyId"`
	// Inbox, when set, is the one inbox to POST to.
	Inbox string `json:"inbox,omitempty"`
	// Followers and Inboxes, set instead of Inbox, make a fan-out job: the
	// activity goes to the accepted followers of these local actors and to
	// these extra inboxes, once per distinct inbox.
	Followers []model.ActorRef `json:"followers,omitempty"`
	Inboxes   []string         `json:"inboxes,omitempty"`
	// Attempt counts the tries that failed so far.
	Attempt int `json:"attempt,omitempty"`
}

// FanOut reports whether the job is a fan-out job rather than a single
// delivery.
func (j Job) FanOut() bool { return j.Inbox == "" }

// jobMeta is a Job without its activity, for encoding.
type jobMeta struct {
	Signer    string           `json:"signer"`
	KeyID     string           `json:"keyId"`
	Inbox     string           `json:"inbox,omitempty"`
	Followers []model.ActorRef `json:"followers,omitempty"`
	Inboxes   []string         `json:"inboxes,omitempty"`
	Attempt   int              `json:"attempt,omitempty"`
}

// encode writes the job as a message body. encoding/json would compact
// and HTML-escape a RawMessage, so the activity is spliced in as given.
func (j Job) encode() (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	meta := jobMeta{Signer: j.Signer, KeyID: j.KeyID, Inbox: j.Inbox, Followers: j.Followers, Inboxes: j.Inboxes, Attempt: j.Attempt}
	if err := enc.Encode(meta); err != nil {
		return "", fmt.Errorf("encode delivery job: %w", err)
	}
	rest := bytes.TrimSpace(b.Bytes()) // {"signer":…}
	var out strings.Builder
	out.Grow(len(`{"activity":,`) + len(j.Activity) + len(rest))
	out.WriteString(`{"activity":`)
	out.Write(j.Activity)
	if len(rest) > 2 {
		out.WriteByte(',')
		out.Write(rest[1:])
	} else {
		out.WriteByte('}')
	}
	return out.String(), nil
}

// decode reads and checks a message body.
func decode(body string) (Job, error) {
	var j Job
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		return Job{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	// Unmarshal has checked that the activity is valid JSON.
	if err := j.validate(false); err != nil {
		return Job{}, err
	}
	return j, nil
}

// validate checks what every job needs, the activity's JSON syntax too
// when checkSyntax. The extra inboxes of a fan-out job are checked one by
// one when it is expanded: one bad URL from a remote actor document must
// not sink the others.
func (j Job) validate(checkSyntax bool) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	if len(j.Activity) == 0 || j.Activity[0] != '{' || checkSyntax && !json.Valid(j.Activity) {
		return bad("the activity is not a JSON object")
	}
	if j.Signer == "" {
		return bad("no signer")
	}
	if err := checkKeyID(j.KeyID); err != nil {
		return bad("%v", err)
	}
	if j.Attempt < 0 {
		return bad("attempt %d", j.Attempt)
	}
	switch {
	case j.Inbox != "" && (len(j.Followers) > 0 || len(j.Inboxes) > 0):
		return bad("both an inbox and a fan-out")
	case j.Inbox == "" && len(j.Followers) == 0 && len(j.Inboxes) == 0:
		return bad("no inbox, followers or inboxes")
	case j.Inbox != "":
		if _, err := parseInbox(j.Inbox); err != nil {
			return bad("%v", err)
		}
	}
	for _, f := range j.Followers {
		if f.Kind != model.KindAccount && f.Kind != model.KindChannel || f.ID <= 0 {
			return bad("followers of %q %d", f.Kind, f.ID)
		}
	}
	return nil
}

// checkKeyID accepts an absolute http(s) URL that can be written in a
// quoted signature parameter.
func checkKeyID(keyID string) error {
	if keyID == "" {
		return errors.New("no keyId")
	}
	if strings.ContainsAny(keyID, "\"\\") {
		return fmt.Errorf("keyId %q cannot be quoted", keyID)
	}
	u, err := url.Parse(keyID)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("keyId %q is not an actor URL", keyID)
	}
	return nil
}

// parseInbox parses an inbox URL and puts it in canonical form (scheme
// and host in lower case, no default port, no fragment), so that one
// inbox written two ways is delivered to once.
func parseInbox(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("inbox %q: %w", raw, err)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.User != nil || u.Opaque != "" {
		return nil, fmt.Errorf("inbox %q is not an http(s) URL", raw)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == defaultPort(u.Scheme) {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	if port != "" {
		u.Host += ":" + port
	}
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	return u, nil
}

func defaultPort(scheme string) string {
	if scheme == "https" {
		return "443"
	}
	return "80"
}

// origin is a canonical URL's scheme://host:port, the port always
// written, for comparing origins.
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = defaultPort(u.Scheme)
	}
	return u.Scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}
