package torrentfile

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// P2PMediaLoaderPeerVersion is the p2p-media-loader peer protocol version
// PeerTube 6.1 hashes into HLS swarm infohashes (and reports as
// p2pMediaLoaderPeerVersion).
const P2PMediaLoaderPeerVersion = 2

// HLSInfoHashes returns the infohashes of the p2p-media-loader swarms of an
// HLS master playlist with the given number of variants (one per
// resolution file), in variant order: the SHA-1, in lowercase hex, of
// "2" + playlistURL + "+V" + i. PeerTube 6.1 computes them from the master
// playlist URL it publishes (playlistUrl).
func HLSInfoHashes(playlistURL string, variants int) []string {
	hashes := make([]string, 0, max(variants, 0))
	for i := range variants {
		sum := sha1.Sum([]byte(strconv.Itoa(P2PMediaLoaderPeerVersion) + playlistURL + "+V" + strconv.Itoa(i)))
		hashes = append(hashes, hex.EncodeToString(sum[:]))
	}
	return hashes
}

// TrackerURLs returns an instance's tracker URLs from its public URL
// (scheme and host; any path is ignored), as PeerTube 6.1 writes them in
// .torrent files, REST trackerUrls and ActivityPub tracker links:
//
//   - wsURL: ws://HOSTNAME:PORT/tracker/socket, or wss:// for https, always
//     with the port, even the default one (wss://host:443/tracker/socket);
//   - httpURL: the public URL without a default port, plus /tracker/announce.
func TrackerURLs(publicURL string) (wsURL, httpURL string, err error) {
	u, err := url.Parse(publicURL)
	if err != nil {
		return "", "", fmt.Errorf("tracker URLs of %q: %w", publicURL, err)
	}
	scheme := strings.ToLower(u.Scheme)
	wsScheme, defaultPort := "ws", "80"
	switch scheme {
	case "http":
	case "https":
		wsScheme, defaultPort = "wss", "443"
	default:
		return "", "", fmt.Errorf("tracker URLs of %q: scheme is not http or https", publicURL)
	}
	hostname := strings.ToLower(u.Hostname())
	if hostname == "" {
		return "", "", fmt.Errorf("tracker URLs of %q: no host", publicURL)
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	}
	host := hostname
	if strings.Contains(hostname, ":") {
		host = "[" + hostname + "]"
	}
	if port != defaultPort {
		host = net.JoinHostPort(hostname, port)
	}
	wsURL = wsScheme + "://" + net.JoinHostPort(hostname, port) + "/tracker/socket"
	httpURL = scheme + "://" + host + "/tracker/announce"
	return wsURL, httpURL, nil
}

// InfoName is the info name PeerTube gives a file's torrent: the video
// name with each of / \ ? % * : | " < > replaced by "-", a space, the
// resolution, "p" and the extension with its dot: "Test pattern clip
// 240p.mp4".
func InfoName(videoName string, resolution int, ext string) string {
	clean := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\?%*:|"<>`, r) {
			return '-'
		}
		return r
	}, videoName)
	return clean + " " + strconv.Itoa(resolution) + "p" + ext
}

// FileName is the name PeerTube stores a file's .torrent under (and serves
// at /lazy-static/torrents/ and /download/torrents/): "UUID-RES.torrent" for
// a web video file, "UUID-RES-hls.torrent" for an HLS file, where UUID is
// a fresh UUID each time the torrent is made (not the video's).
func FileName(uuid string, resolution int, hls bool) string {
	if hls {
		return uuid + "-" + strconv.Itoa(resolution) + "-hls.torrent"
	}
	return uuid + "-" + strconv.Itoa(resolution) + ".torrent"
}
