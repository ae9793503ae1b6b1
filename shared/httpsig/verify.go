package httpsig

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxSkew is the clock skew Verify allows when VerifyOptions.MaxSkew
// is zero: 30 minutes either way, PeerTube's value
// (ACTIVITY_PUB.HTTP_SIGNATURE.CLOCK_SKEW = 1800 s). Mastodon accepts a Date
// up to 12 hours old (and 1 hour ahead) because it once queued signed
// requests; every server this project federates with (PeerTube, Mastodon,
// GoToSocial) signs at send time and re-signs each retry, so a fresh Date
// is the norm, and a shorter window shortens how long a captured request
// can be replayed.
const DefaultMaxSkew = 30 * time.Minute

// MinKeyBits and MaxKeyBits bound the RSA keys Verify accepts. PeerTube's
// test configuration uses 1024-bit keys (production ones are 2048);
// the upper bound keeps a hostile actor's key from costing much CPU.
const (
	MinKeyBits = 1024
	MaxKeyBits = 8192
)

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// Now is the time the request is checked at; zero means time.Now().
	Now time.Time
	// MaxSkew is how far Date or (created) may be from Now, either way;
	// zero means DefaultMaxSkew.
	MaxSkew time.Duration
	// PublicKey resolves a keyId to an RSA public key: the caller parses it
	// (ParseKeyID), fetches the actor or key document (or webfinger for an
	// acct: keyId) and reads publicKeyPem (ParsePublicKeyPEM). It returns
	// ErrKeyNotFound, wrapped or not, when there is no such key. Verify
	// calls it with the request's context, only once the request has
	// passed every check that needs no key.
	PublicKey func(ctx context.Context, keyID string) (*rsa.PublicKey, error)
	// RequireDigest makes a covered, matching digest mandatory whatever the
	// method. POSTs always need one.
	RequireDigest bool
	// PublicHost is the instance's public host[:port] (the host of
	// PUBLIC_URL). The signer signed the Host header it sent, so Verify
	// first checks "host" against the Host the request arrived with; behind
	// a proxy that rewrites Host (API Gateway, a load balancer) that is an
	// internal name, so a signature that verifies with PublicHost instead
	// is accepted too. Forwarded headers (X-Forwarded-Host) are not
	// trusted: anyone can send them.
	PublicHost string
}

// Verified describes a signature that verified.
type Verified struct {
	KeyID     string   // the keyId parameter, as sent
	Algorithm string   // the algorithm parameter as sent ("" when absent)
	Headers   []string // the covered names, lower case, in signed order
	// Host is the host value that verified: the received Host, or
	// VerifyOptions.PublicHost.
	Host string
	// RequestTarget is the (request-target) value that verified, e.g.
	// "post /inbox"; for PeerTube's signed GETs with a query string it is
	// the path without the query.
	RequestTarget string
}

// Verify checks the draft-cavage HTTP signature of an inbound request whose
// body (already read, and bounded by the caller) is body. It reads the
// Signature header, or else an "Authorization: Signature …" header, and
// checks, in this order, with no key needed until the last two steps:
//
//  1. the header parses (ErrMalformed) and the algorithm is rsa-sha256,
//     rsa-sha512, hs2019 or absent (ErrAlgorithm);
//  2. the signature covers (request-target), host, and date or (created);
//     for a POST, or with RequireDigest, also digest or content-digest
//     (ErrNotCovered);
//  3. Date and created= are within MaxSkew of Now, expires= has not passed
//     (ErrExpired);
//  4. every Digest / Content-Digest header matches body, and one is present
//     when a digest is required (ErrDigest);
//  5. every covered header is present (ErrMissingHeader);
//  6. PublicKey resolves the keyId (ErrKeyNotFound);
//  7. the signature verifies (ErrBadSignature) against the request-target
//     with its query and, when there is a query, without it (PeerTube 6.1
//     signs GETs over the path alone), and against the received Host and
//     PublicHost.
//
// Verify does not check that the key's owner is the activity's actor: the
// caller does, once the key document is known.
func Verify(req *http.Request, body []byte, opts VerifyOptions) (*Verified, error) {
	v, err := verify(req, body, opts)
	if err != nil {
		return nil, fmt.Errorf("verify http signature: %w", err)
	}
	return v, nil
}

func verify(req *http.Request, body []byte, opts VerifyOptions) (*Verified, error) {
	raw, err := signatureValue(req.Header)
	if err != nil {
		return nil, err
	}
	p, err := parseSignatureHeader(raw)
	if err != nil {
		return nil, err
	}
	alg, err := lookupAlgorithm(p.algorithm)
	if err != nil {
		return nil, err
	}
	covered := make(map[string]bool, len(p.headers))
	for _, name := range p.headers {
		if !validName(name) {
			return nil, malformed(p.headersPos, "%q is not a header name", name)
		}
		if (name == Created || name == Expires) && !alg.pseudo {
			return nil, fmt.Errorf("%w: %s may not sign %s", ErrAlgorithm, alg.name, name)
		}
		covered[name] = true
	}
	digestRequired := opts.RequireDigest || req.Method == http.MethodPost
	if err := checkCoverage(covered, digestRequired); err != nil {
		return nil, err
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	skew := opts.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if err := checkTimes(req.Header, p, covered["date"], now, skew); err != nil {
		return nil, err
	}
	if err := checkDigests(req.Header, body, digestRequired); err != nil {
		return nil, err
	}
	cands, err := candidates(req, p, opts.PublicHost)
	if err != nil {
		return nil, err
	}
	key, err := resolveKey(req.Context(), opts.PublicKey, p.keyID)
	if err != nil {
		return nil, err
	}
	if len(p.signature) != key.Size() {
		return nil, fmt.Errorf("%w: %d-byte signature for a %d-bit key", ErrBadSignature, len(p.signature), key.N.BitLen())
	}
	for _, c := range cands {
		if alg.verifies(key, c.msg, p.signature) {
			return &Verified{
				KeyID:         p.keyID,
				Algorithm:     p.algorithm,
				Headers:       p.headers,
				Host:          c.host,
				RequestTarget: c.target,
			}, nil
		}
	}
	return nil, fmt.Errorf("%w (keyId %s)", ErrBadSignature, p.keyID)
}

// signatureValue returns the Signature header, or the credentials of an
// Authorization header with the Signature scheme.
func signatureValue(h http.Header) (string, error) {
	if vals := h.Values("Signature"); len(vals) > 0 {
		if len(vals) > 1 {
			return "", malformed(0, "%d Signature headers", len(vals))
		}
		return vals[0], nil
	}
	for _, a := range h.Values("Authorization") {
		scheme, rest, ok := strings.Cut(strings.TrimSpace(a), " ")
		if ok && strings.EqualFold(scheme, "Signature") {
			return rest, nil
		}
	}
	return "", ErrNoSignature
}

func checkCoverage(covered map[string]bool, digestRequired bool) error {
	var missing []string
	if !covered[RequestTarget] {
		missing = append(missing, RequestTarget)
	}
	if !covered["host"] {
		missing = append(missing, "host")
	}
	if !covered["date"] && !covered[Created] {
		missing = append(missing, "date or (created)")
	}
	if digestRequired && !covered["digest"] && !covered["content-digest"] {
		missing = append(missing, "digest")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %s", ErrNotCovered, strings.Join(missing, ", "))
	}
	return nil
}

// checkTimes checks the signed Date (when covered: an unsigned Date proves
// nothing) and the created and expires parameters (whenever present).
func checkTimes(h http.Header, p *sigParams, dateCovered bool, now time.Time, skew time.Duration) error {
	if dateCovered {
		v, ok := headerValue(h, "date")
		if !ok {
			return fmt.Errorf("%w: date", ErrMissingHeader)
		}
		t, err := http.ParseTime(v)
		if err != nil {
			return fmt.Errorf("%w: Date %q is not an HTTP date", ErrMalformed, v)
		}
		if err := inWindow("Date", t, now, skew); err != nil {
			return err
		}
	}
	if p.created != "" {
		if err := inWindow("created", unixTime(p.created), now, skew); err != nil {
			return err
		}
	}
	if p.expires != "" {
		if t := unixTime(p.expires); now.After(t) {
			return fmt.Errorf("%w: expired at %s, now %s", ErrExpired, t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
		}
	}
	return nil
}

func inWindow(what string, t, now time.Time, skew time.Duration) error {
	if d := now.Sub(t); d > skew {
		return fmt.Errorf("%w: %s %s is %s old (max %s)", ErrExpired, what, t.UTC().Format(time.RFC3339), d.Round(time.Second), skew)
	}
	if d := t.Sub(now); d > skew {
		return fmt.Errorf("%w: %s %s is %s in the future (max %s)", ErrExpired, what, t.UTC().Format(time.RFC3339), d.Round(time.Second), skew)
	}
	return nil
}

// unixTime converts a value isUnixTime accepted.
func unixTime(s string) time.Time {
	whole, frac, _ := strings.Cut(s, ".")
	sec, _ := strconv.ParseInt(whole, 10, 64)
	var nsec int64
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		n, _ := strconv.ParseInt(frac, 10, 64)
		for i := len(frac); i < 9; i++ {
			n *= 10
		}
		nsec = n
	}
	return time.Unix(sec, nsec)
}

// candidate is one signing string the signer may have signed.
type candidate struct {
	msg, host, target string
}

// candidates builds the signing strings to try: request-target with and
// without its query, host as received and as PublicHost; duplicates once.
func candidates(req *http.Request, p *sigParams, publicHost string) ([]candidate, error) {
	received := req.Host
	if received == "" {
		received = req.Header.Get("Host")
	}
	if received == "" && req.URL != nil {
		received = req.URL.Host
	}
	hosts := []string{received}
	if publicHost != "" && !strings.EqualFold(publicHost, received) {
		hosts = append(hosts, publicHost)
	}
	var out []candidate
	seen := map[string]bool{}
	for _, target := range inboundTargets(req) {
		for _, host := range hosts {
			if host == "" && len(hosts) > 1 {
				continue
			}
			c := &components{header: req.Header, host: host, target: target, created: p.created, expires: p.expires}
			msg, err := signingString(p.headers, c)
			if err != nil {
				return nil, err
			}
			if !seen[msg] {
				seen[msg] = true
				out = append(out, candidate{msg: msg, host: host, target: target})
			}
		}
	}
	return out, nil
}

// inboundTargets returns the (request-target) values of a received request:
// the request URI exactly as received (req.RequestURI), then, when it has a
// query, the path alone.
func inboundTargets(req *http.Request) []string {
	uri := req.RequestURI
	if !strings.HasPrefix(uri, "/") && req.URL != nil {
		// Built in-process (no RequestURI) or absolute-form: use the URL.
		uri = req.URL.RequestURI()
	}
	m := req.Method
	if m == "" {
		m = http.MethodGet
	}
	m = strings.ToLower(m)
	targets := []string{m + " " + uri}
	if path, _, ok := strings.Cut(uri, "?"); ok {
		targets = append(targets, m+" "+path)
	}
	return targets
}

func resolveKey(ctx context.Context, resolve func(context.Context, string) (*rsa.PublicKey, error), keyID string) (*rsa.PublicKey, error) {
	if resolve == nil {
		return nil, errors.New("no PublicKey resolver configured")
	}
	key, err := resolve(ctx, keyID)
	if err != nil {
		return nil, fmt.Errorf("resolve key %s: %w", keyID, err)
	}
	if key == nil || key.N == nil {
		return nil, fmt.Errorf("%w: %s", ErrKeyNotFound, keyID)
	}
	if bits := key.N.BitLen(); bits < MinKeyBits || bits > MaxKeyBits {
		return nil, fmt.Errorf("%w: key %s has %d bits", ErrBadSignature, keyID, bits)
	}
	return key, nil
}
