package httpsig

import (
	"encoding/base64"
	"strings"
)

// maxHeaderLen bounds the Signature header value this package parses. Real
// ones are under 1 KiB (an RSA-8192 signature is 1,368 base64 characters).
const maxHeaderLen = 8 << 10

// sigParams are the parameters of one draft-cavage Signature header.
type sigParams struct {
	keyID      string
	algorithm  string // "" when the parameter is absent
	headers    []string
	signature  []byte
	created    string // raw value of created=, "" when absent
	expires    string // raw value of expires=, "" when absent
	hasHeaders bool
	headersPos int // byte offset of the headers value, for errors
}

// parseSignatureHeader parses a Signature header value, or the credentials
// of an "Authorization: Signature …" header: comma-separated name=value
// pairs, values quoted ("…", with backslash escapes) or bare tokens (as
// draft-cavage-12 writes created= and expires=). An optional leading
// "Signature " scheme is skipped, as PeerTube does. Parameter names are
// matched case-insensitively, a duplicated parameter makes the whole header
// malformed (draft-cavage-12 §2.2), unknown parameters are ignored.
func parseSignatureHeader(v string) (*sigParams, error) {
	if len(v) > maxHeaderLen {
		return nil, malformed(maxHeaderLen, "header longer than %d bytes", maxHeaderLen)
	}
	pos := skipOWS(v, 0)
	if len(v)-pos > len("signature") && strings.EqualFold(v[pos:pos+len("signature")], "signature") &&
		(v[pos+len("signature")] == ' ' || v[pos+len("signature")] == '\t') {
		pos = skipOWS(v, pos+len("signature"))
	}
	values := map[string]string{}
	at := map[string]int{}
	for {
		start := pos
		for pos < len(v) && isTchar(v[pos]) {
			pos++
		}
		if pos == start {
			return nil, malformed(pos, "expected a parameter name")
		}
		name := strings.ToLower(v[start:pos])
		pos = skipOWS(v, pos)
		if pos >= len(v) || v[pos] != '=' {
			return nil, malformed(pos, "expected '=' after %q", name)
		}
		pos = skipOWS(v, pos+1)
		valuePos := pos
		var value string
		var err error
		if pos < len(v) && v[pos] == '"' {
			value, pos, err = parseQuoted(v, pos)
			if err != nil {
				return nil, err
			}
		} else {
			for pos < len(v) && isTchar(v[pos]) {
				pos++
			}
			if pos == valuePos {
				return nil, malformed(pos, "expected a value for %q", name)
			}
			value = v[valuePos:pos]
		}
		if _, dup := values[name]; dup {
			return nil, malformed(start, "duplicate parameter %q", name)
		}
		values[name] = value
		at[name] = valuePos
		pos = skipOWS(v, pos)
		if pos == len(v) {
			break
		}
		if v[pos] != ',' {
			return nil, malformed(pos, "expected ',' between parameters")
		}
		pos = skipOWS(v, pos+1)
		if pos == len(v) {
			return nil, malformed(pos, "trailing ','")
		}
	}
	return newSigParams(v, values, at)
}

func newSigParams(v string, values map[string]string, at map[string]int) (*sigParams, error) {
	p := &sigParams{keyID: values["keyid"], algorithm: values["algorithm"]}
	if p.keyID == "" {
		return nil, malformed(posOr(at, "keyid", len(v)), "missing or empty keyId")
	}
	sig, ok := values["signature"]
	if !ok || sig == "" {
		return nil, malformed(posOr(at, "signature", len(v)), "missing or empty signature")
	}
	raw, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(sig); err != nil {
			return nil, malformed(at["signature"], "signature is not base64")
		}
	}
	p.signature = raw
	if h, ok := values["headers"]; ok {
		p.hasHeaders = true
		p.headersPos = at["headers"]
		p.headers = strings.Fields(strings.ToLower(h))
		if len(p.headers) == 0 {
			return nil, malformed(at["headers"], "empty headers list")
		}
	} else {
		// draft-cavage before -11 and Mastodon: an absent list means "date".
		p.headers = []string{"date"}
	}
	for _, name := range []string{"created", "expires"} {
		raw, ok := values[name]
		if !ok {
			continue
		}
		if !isUnixTime(raw) {
			return nil, malformed(at[name], "%s is not a Unix time", name)
		}
		if name == "created" {
			p.created = raw
		} else {
			p.expires = raw
		}
	}
	return p, nil
}

// formatSignatureHeader writes p the way PeerTube and Mastodon do:
// keyId="…",algorithm="…",headers="…",signature="…", with created= and
// expires= (bare integers, as draft-cavage-12) when set.
func formatSignatureHeader(p *sigParams) string {
	var b strings.Builder
	b.WriteString(`keyId="`)
	b.WriteString(quote(p.keyID))
	b.WriteString(`"`)
	if p.algorithm != "" {
		b.WriteString(`,algorithm="`)
		b.WriteString(quote(p.algorithm))
		b.WriteString(`"`)
	}
	if p.created != "" {
		b.WriteString(",created=")
		b.WriteString(p.created)
	}
	if p.expires != "" {
		b.WriteString(",expires=")
		b.WriteString(p.expires)
	}
	b.WriteString(`,headers="`)
	b.WriteString(quote(strings.Join(p.headers, " ")))
	b.WriteString(`",signature="`)
	b.WriteString(base64.StdEncoding.EncodeToString(p.signature))
	b.WriteString(`"`)
	return b.String()
}

func quote(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return r.Replace(s)
}

// parseQuoted reads the quoted-string starting at v[pos] == '"' and returns
// its unescaped content and the position after the closing quote.
func parseQuoted(v string, pos int) (string, int, error) {
	start := pos
	pos++
	var b strings.Builder
	for pos < len(v) {
		c := v[pos]
		switch {
		case c == '"':
			return b.String(), pos + 1, nil
		case c == '\\':
			if pos+1 >= len(v) {
				return "", pos, malformed(pos, "unterminated escape")
			}
			pos++
			c = v[pos]
			if (c < 0x20 && c != '\t') || c == 0x7f {
				return "", pos, malformed(pos, "control character in quoted value")
			}
			b.WriteByte(c)
		case (c < 0x20 && c != '\t') || c == 0x7f:
			return "", pos, malformed(pos, "control character in quoted value")
		default:
			b.WriteByte(c)
		}
		pos++
	}
	return "", pos, malformed(start, "unterminated quoted value")
}

func skipOWS(v string, pos int) int {
	for pos < len(v) && (v[pos] == ' ' || v[pos] == '\t') {
		pos++
	}
	return pos
}

func posOr(at map[string]int, name string, def int) int {
	if p, ok := at[name]; ok {
		return p
	}
	return def
}

// isTchar reports whether c may appear in an RFC 9110 token.
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

// isUnixTime accepts digits with an optional fraction ("1402170695",
// "1402170699.5"), at most 18 integer digits.
func isUnixTime(s string) bool {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 18 || hasFrac && frac == "" {
		return false
	}
	for _, part := range []string{whole, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}
