package httpsig

import (
	"net/url"
	"strings"
)

// KeyRef is a keyId taken apart. The forms met in the fediverse:
//
//   - PeerTube: the bare actor URL, "https://h/accounts/root" (its actor
//     document's publicKey.id is "…#main-key", but it signs with the bare
//     URL): URL is the actor, Fragment is empty;
//   - Mastodon (and most others): "https://h/users/a#main-key": URL is the
//     actor, Fragment "main-key";
//   - GoToSocial: "https://h/users/a/main-key", a path of its own that
//     serves a reduced actor stub (publicKey with owner, no inbox): URL is
//     that key document; the actor is publicKey.owner (LikelyActor guesses
//     it without fetching);
//   - "acct:user@host": resolved through webfinger; Acct is "user@host".
//
// A keyId that is none of these (not an absolute http(s) URL with a host,
// nor a well-formed acct:) gives the zero KeyRef.
type KeyRef struct {
	URL      string // keyId up to '#', byte for byte: the document to fetch
	Fragment string // after '#', "" when none
	Acct     string // "user@host" for an acct: keyId
}

// ParseKeyID takes a keyId apart; see KeyRef.
func ParseKeyID(keyID string) KeyRef {
	if rest, ok := cutPrefixFold(keyID, "acct:"); ok {
		rest = strings.TrimPrefix(rest, "@")
		user, host, ok := strings.Cut(rest, "@")
		if !ok || user == "" || host == "" || strings.ContainsAny(host, "@/?# ") || strings.ContainsAny(user, "/?# ") {
			return KeyRef{}
		}
		return KeyRef{Acct: rest}
	}
	u, err := url.Parse(keyID)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" {
		return KeyRef{}
	}
	base, frag, _ := strings.Cut(keyID, "#")
	return KeyRef{URL: base, Fragment: frag}
}

// LikelyActor is the actor URL the keyId most probably belongs to: URL
// without a GoToSocial-style trailing "/main-key" segment. It is a hint for
// a cheap comparison with an activity's actor or a cache look-up; the
// authority is the key document's owner.
func (k KeyRef) LikelyActor() string {
	if k.URL == "" {
		return ""
	}
	if k.Fragment == "" {
		if actor, ok := strings.CutSuffix(k.URL, "/main-key"); ok && strings.Count(actor, "/") > 2 {
			return actor
		}
	}
	return k.URL
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}
