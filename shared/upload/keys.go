package upload

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Blob key layout of uploads.
const (
	originalsPrefix = "originals/"
	uploadsPrefix   = "uploads/"
)

// newID returns 128 random bits as 32 hex digits: session ids and original
// keys.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validID reports whether id has the form of a session id (32 hex digits),
// which also keeps it safe inside blob keys.
func validID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// newOriginalKey is where an uploaded original is kept.
func newOriginalKey() string { return originalsPrefix + newID() }

// ChunkPrefix is the blob prefix of a resumable session's chunks (the
// SourceFile.ChunkPrefix of its video).
func ChunkPrefix(sessionID string) string { return uploadsPrefix + sessionID + "/" }

// chunkKey names the object holding bytes [start, end) of a session.
func chunkKey(sessionID string, start, end int64) string {
	return fmt.Sprintf("%s%020d-%020d", ChunkPrefix(sessionID), start, end)
}

// parseChunkKey reads the range of a chunk object's key under prefix.
func parseChunkKey(prefix, key string) (start, end int64, ok bool) {
	name, found := strings.CutPrefix(key, prefix)
	if !found || len(name) != 41 || name[20] != '-' {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(name[:20], 10, 64)
	end, err2 := strconv.ParseInt(name[21:], 10, 64)
	if err1 != nil || err2 != nil || start < 0 || end <= start {
		return 0, 0, false
	}
	return start, end, true
}

// Images staged with a resumable init.
const (
	imageThumbnail = "thumbnail"
	imagePreview   = "preview"
)

// imageKey is where a staged image waits for its video.
func imageKey(sessionID, image string) string { return uploadsPrefix + sessionID + "." + image }
