package httpsig

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// digestHeader is the Digest value PeerTube, Mastodon and GoToSocial send
// and require: SHA-256=base64(sha256(body)).
func digestHeader(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// checkDigests checks every body digest the request carries against body:
// Digest (RFC 3230: "SHA-256=…, SHA-512=…") and Content-Digest (RFC 9530:
// "sha-256=:…:, sha-512=:…:"). Each header present must name at least one
// of SHA-256 and SHA-512, and every one of those it names must match;
// other algorithms are ignored. With required set, one of the two headers
// must be present.
func checkDigests(h http.Header, body []byte, required bool) error {
	d, hasD := headerValue(h, "digest")
	cd, hasCD := headerValue(h, "content-digest")
	if !hasD && !hasCD {
		if required {
			return fmt.Errorf("%w: no Digest header", ErrDigest)
		}
		return nil
	}
	var sums digestSums
	if hasD {
		if err := sums.check("Digest", d, body, func(v string) (string, bool) { return v, true }); err != nil {
			return err
		}
	}
	if hasCD {
		colons := func(v string) (string, bool) {
			if len(v) < 2 || v[0] != ':' || v[len(v)-1] != ':' {
				return "", false
			}
			return v[1 : len(v)-1], true
		}
		if err := sums.check("Content-Digest", cd, body, colons); err != nil {
			return err
		}
	}
	return nil
}

// digestSums computes each body hash once.
type digestSums struct {
	s256, s512 []byte
}

func (s *digestSums) sum(alg string, body []byte) []byte {
	switch alg {
	case "sha-256":
		if s.s256 == nil {
			x := sha256.Sum256(body)
			s.s256 = x[:]
		}
		return s.s256
	case "sha-512":
		if s.s512 == nil {
			x := sha512.Sum512(body)
			s.s512 = x[:]
		}
		return s.s512
	}
	return nil
}

func (s *digestSums) check(header, value string, body []byte, unwrap func(string) (string, bool)) error {
	known := 0
	for item := range strings.SplitSeq(value, ",") {
		alg, enc, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return fmt.Errorf("%w: %s item %q has no '='", ErrDigest, header, item)
		}
		want := s.sum(strings.ToLower(strings.TrimSpace(alg)), body)
		if want == nil {
			continue
		}
		known++
		enc, ok = unwrap(strings.TrimSpace(enc))
		if !ok {
			return fmt.Errorf("%w: %s value for %s is not a :base64: byte sequence", ErrDigest, header, alg)
		}
		got, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || !bytes.Equal(got, want) {
			return fmt.Errorf("%w: %s %s does not match the body", ErrDigest, header, alg)
		}
	}
	if known == 0 {
		return fmt.Errorf("%w: %s names neither SHA-256 nor SHA-512", ErrDigest, header)
	}
	return nil
}
