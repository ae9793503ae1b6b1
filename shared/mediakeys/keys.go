package mediakeys

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// Public prefixes, served by the CDN.
const (
	WebVideos  = "static/web-videos/"
	HLS        = "static/streaming-playlists/hls/"
	Thumbnails = "lazy-static/thumbnails/"
	Previews   = "lazy-static/previews/"
	Torrents   = "lazy-static/torrents/"
)

// Private prefixes, never served by the CDN.
const (
	Originals = "originals/"
	Uploads   = "uploads/"
	Metadata  = "metadata/"
	Work      = "work/"
)

// WebVideo is the key of a web-video file.
func WebVideo(filename string) string { return WebVideos + filename }

// HLSFile is the key of a file of a video's HLS playlist.
func HLSFile(uuid, filename string) string { return HLS + uuid + "/" + filename }

// Thumbnail is the key of a thumbnail image.
func Thumbnail(filename string) string { return Thumbnails + filename }

// Preview is the key of a preview image.
func Preview(filename string) string { return Previews + filename }

// Torrent is the key of a .torrent file.
func Torrent(filename string) string { return Torrents + filename }

// FileMetadata is the key of a file's ffprobe JSON.
func FileMetadata(uuid string, fileID int64) string {
	return fmt.Sprintf("%s%s/%d.json", Metadata, uuid, fileID)
}

// WorkFile is the key of an intermediate file of a video's processing
// (encoded chunks awaiting their join).
func WorkFile(uuid, name string) string { return Work + uuid + "/" + name }

// IsPublic reports whether key is served by the CDN.
func IsPublic(key string) bool {
	return strings.HasPrefix(key, "static/") || strings.HasPrefix(key, "lazy-static/")
}

// URL is the public URL of a public key under the instance's origin.
func URL(publicURL, key string) string { return strings.TrimRight(publicURL, "/") + "/" + key }

// NewName returns a fresh random file name stem, as PeerTube names files:
// a random UUID, so a replaced file never collides with a cached one.
func NewName() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
