package upload

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/vidiverse/vidiverse/shared/problem"
)

// DefaultVideoExtensions are the extensions accepted when Deps names none:
// the instance's default list (serverconfig.DefaultSettings), PeerTube's
// with transcoding and additional extensions enabled.
var DefaultVideoExtensions = []string{
	".mp4", ".webm", ".ogv", ".mkv", ".mov", ".m4v", ".avi", ".wmv", ".flv",
	".3gp", ".mts", ".m2ts", ".mpg", ".mpeg", ".mxf", ".nut",
}

// extensionTypes maps a video extension to the MIME types PeerTube accepts
// for it (MIMETYPES.VIDEO.MIMETYPE_EXT with additional extensions).
var extensionTypes = map[string][]string{
	".mp4":  {"video/mp4"},
	".webm": {"video/webm"},
	".ogv":  {"video/ogg"},
	".ogg":  {"video/ogg"},
	".mkv":  {"video/x-matroska"},
	".mov":  {"video/quicktime", "video/mov"},
	".qt":   {"video/quicktime"},
	".mqv":  {"video/quicktime"},
	".m4v":  {"video/x-m4v", "video/m4v"},
	".flv":  {"video/x-flv"},
	".f4v":  {"video/x-f4v"},
	".wmv":  {"video/x-ms-wmv"},
	".avi":  {"video/x-msvideo", "video/avi"},
	".3gp":  {"video/3gpp"},
	".3g2":  {"video/3gpp2"},
	".nut":  {"application/x-nut"},
	".mts":  {"video/mp2t"},
	".m2ts": {"video/m2ts"},
	".mpv":  {"video/mpv"},
	".m2v":  {"video/mpeg2"},
	".mpeg": {"video/mpeg"},
	".mpg":  {"video/mpeg"},
	".mxf":  {"application/mxf"},
}

// videoTypes is what the instance accepts: extensions and their MIME types.
type videoTypes struct {
	exts  map[string]bool
	mimes map[string]bool
	list  string // ".mp4, .webm, …" for messages
}

func newVideoTypes(exts []string) videoTypes {
	if len(exts) == 0 {
		exts = DefaultVideoExtensions
	}
	t := videoTypes{exts: map[string]bool{}, mimes: map[string]bool{}, list: strings.Join(exts, ", ")}
	for _, e := range exts {
		e = strings.ToLower(e)
		t.exts[e] = true
		for _, m := range extensionTypes[e] {
			t.mimes[m] = true
		}
	}
	return t
}

// accepts reports whether a file of this MIME type and name is a video the
// instance takes: a MIME type of an accepted extension, or a generic one
// (application/octet-stream, none) with an accepted extension. Whether the
// bytes are really a video is for the ingest job's ffprobe to say.
func (t videoTypes) accepts(contentType, filename string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	if t.mimes[mt] {
		return true
	}
	generic := mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream"
	return generic && t.exts[strings.ToLower(path.Ext(filename))]
}

// unsupported is PeerTube's 415 for a file of another type.
func (t videoTypes) unsupported() *problem.Error {
	return problem.New(http.StatusUnsupportedMediaType,
		"This file is not supported. Please, make sure it is of the following type: "+t.list)
}

// Video images (thumbnailfile, previewfile): the types and size the
// instance advertises (CONSTRAINTS_FIELDS.VIDEOS.IMAGE).
const (
	DefaultImageMaxSize = 4 << 20
	imageExtensions     = ".png, .jpg, .jpeg, .webp"
)

var imageTypes = map[string]bool{"image/png": true, "image/jpg": true, "image/jpeg": true, "image/webp": true}

// imageMessage is PeerTube's rejection of a thumbnail or preview file.
func imageMessage(field string) string {
	what := map[string]string{"thumbnailfile": "thumbnail", "previewfile": "preview"}[field]
	return "This " + what + " file is not supported or too large. Please, make sure it is of the following type: " + imageExtensions
}

// readImage reads an image part of at most max bytes; ok is false when it
// is not an accepted image type or is larger. err is a read failure.
func readImage(r io.Reader, contentType string, max int64) (data []byte, ok bool, err error) {
	mt, _, perr := mime.ParseMediaType(contentType)
	data, err = io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, false, err
	}
	if perr != nil || !imageTypes[mt] || int64(len(data)) > max || len(data) == 0 {
		// Drain the rest of an oversized part.
		_, err = io.Copy(io.Discard, r)
		return nil, false, err
	}
	return data, true, nil
}

// errBodyCut is a request body that ended early or failed to read.
var errBodyCut = errors.New("request body cut short")

// bodyReader wraps a request body and remembers whether reading it failed,
// so a storage error can be told apart from a client that went away.
type bodyReader struct {
	r   io.Reader
	n   int64
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}
