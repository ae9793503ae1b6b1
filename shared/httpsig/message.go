package httpsig

import (
	"fmt"
	"net/http"
	"net/textproto"
	"strings"
)

// Names of the pseudo-headers a signature may cover.
const (
	RequestTarget = "(request-target)"
	Created       = "(created)"
	Expires       = "(expires)"
)

// components supplies the value of each name in a headers list.
type components struct {
	header  http.Header
	host    string // the Host value ("host" is not in http.Header on the server side)
	target  string // the (request-target) value: lower-case method, space, request URI
	created string // created= parameter
	expires string // expires= parameter
}

// signingString builds the string that is signed (draft-cavage-12 §2.3):
// one "name: value" line per name, in the order of the headers list,
// joined by "\n", names lower-case, values trimmed.
func signingString(names []string, c *components) (string, error) {
	var b strings.Builder
	for i, name := range names {
		v, err := c.value(name)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(v)
	}
	return b.String(), nil
}

func (c *components) value(name string) (string, error) {
	switch name {
	case RequestTarget:
		return c.target, nil
	case Created:
		if c.created == "" {
			return "", fmt.Errorf("%w: (created) is signed but the created parameter is absent", ErrMalformed)
		}
		return c.created, nil
	case Expires:
		if c.expires == "" {
			return "", fmt.Errorf("%w: (expires) is signed but the expires parameter is absent", ErrMalformed)
		}
		return c.expires, nil
	case "host":
		if c.host == "" {
			return "", fmt.Errorf("%w: host", ErrMissingHeader)
		}
		return c.host, nil
	}
	v, ok := headerValue(c.header, name)
	if !ok {
		return "", fmt.Errorf("%w: %s", ErrMissingHeader, name)
	}
	return v, nil
}

// headerValue returns every value of the named header, trimmed and joined
// with ", " in the order received (draft-cavage-12 §2.3), and whether the
// header is present at all.
func headerValue(h http.Header, name string) (string, bool) {
	vals := h[textproto.CanonicalMIMEHeaderKey(name)]
	if len(vals) == 0 {
		// Names Go does not canonicalise (odd characters) keep their case.
		for k, v := range h {
			if strings.EqualFold(k, name) {
				vals = v
				break
			}
		}
	}
	if len(vals) == 0 {
		return "", false
	}
	if len(vals) == 1 {
		return strings.TrimSpace(vals[0]), true
	}
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = strings.TrimSpace(v)
	}
	return strings.Join(parts, ", "), true
}

// validName reports whether a headers-list entry is a known pseudo-header
// or a header field name.
func validName(name string) bool {
	switch name {
	case RequestTarget, Created, Expires:
		return true
	}
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTchar(name[i]) {
			return false
		}
	}
	return true
}
