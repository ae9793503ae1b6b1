package torrentfile

import "strings"

// MagnetOptions are the fields of a video file's magnet URI.
type MagnetOptions struct {
	// TorrentURL is xs, the URL of the .torrent file.
	TorrentURL string
	// InfoHash is xt's hash: 40 hex digits, written as given.
	InfoHash string
	// Name is dn: PeerTube uses the video's name (not the info name).
	Name string
	// Trackers are the tr values, in order. PeerTube: the video's
	// trackerUrls.
	Trackers []string
	// WebSeeds are the ws values, in order. PeerTube: the file URL (none for
	// a private video), then the file URLs of its redundancies.
	WebSeeds []string
}

// Magnet returns the magnet URI PeerTube publishes (REST magnetUri and the
// ActivityPub magnet Link) for these fields:
//
//	magnet:?xs=…&xt=urn:btih:…&dn=…&tr=…&tr=…&ws=…
//
// in that order. xs, tr and ws are percent-encoded as by JavaScript's
// encodeURIComponent, dn likewise with "%20" turned into "+". Empty fields
// are left out.
func Magnet(m MagnetOptions) string {
	var b strings.Builder
	b.WriteString("magnet:?")
	first := true
	add := func(key, value string) {
		if !first {
			b.WriteByte('&')
		}
		first = false
		b.WriteString(key)
		b.WriteByte('=')
		b.WriteString(value)
	}
	if m.TorrentURL != "" {
		add("xs", encodeURIComponent(m.TorrentURL))
	}
	if m.InfoHash != "" {
		add("xt", "urn:btih:"+m.InfoHash)
	}
	if m.Name != "" {
		add("dn", strings.ReplaceAll(encodeURIComponent(m.Name), "%20", "+"))
	}
	for _, tr := range m.Trackers {
		add("tr", encodeURIComponent(tr))
	}
	for _, ws := range m.WebSeeds {
		add("ws", encodeURIComponent(ws))
	}
	return b.String()
}

// encodeURIComponent percent-encodes every byte of s's UTF-8 form except
// the letters, digits and - _ . ! ~ * ' ( ), with upper-case hex digits, as
// JavaScript's encodeURIComponent does for valid UTF-8.
func encodeURIComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if uriUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func uriUnreserved(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-_.!~*'()", c) >= 0
}
