package upload

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
)

// Images are the optional pictures an upload carries (thumbnailfile and
// previewfile): PNG, JPEG or WebP bytes as sent, nil when absent.
type Images struct {
	Thumbnail []byte
	Preview   []byte
}

// Deps is what the handlers need; the API supplies it.
type Deps struct {
	Store *store.Store
	Blobs blob.Store
	// User authenticates a request; it returns PeerTube's 401 problem when
	// the request has no valid token.
	User func(*http.Request) (*model.User, error)
	// CheckChannel says whether u may upload to the channel (403 or 400
	// problems as PeerTube's).
	CheckChannel func(ctx context.Context, u *model.User, channelID int64) error
	// CheckQuota says whether u may add size bytes (a 413 problem with
	// X-File-Maximum-Size when not).
	CheckQuota func(ctx context.Context, u *model.User, size int64) error
	// Create creates the video and queues its processing. A *problem.Error
	// it returns is answered as is (and the upload discarded).
	Create func(ctx context.Context, u *model.User, meta model.VideoMeta, src model.SourceFile, images Images) (model.Video, error)

	// MaxChunkSize caps a resumable PUT's bytes (default 4 MiB: Lambda takes
	// at most 6 MiB of event, and API Gateway's HTTP API hands it a binary
	// body base64-encoded, a third larger, so a 5 MiB chunk does not fit).
	MaxChunkSize int64
	// SessionLifetime is how long a session lives after its last chunk
	// (default 24 h).
	SessionLifetime time.Duration
	// VideoExtensions are the accepted file extensions (default
	// DefaultVideoExtensions); ImageMaxSize caps thumbnails and previews
	// (default DefaultImageMaxSize).
	VideoExtensions []string
	ImageMaxSize    int64
	// Now reads the clock (default time.Now).
	Now func() time.Time
	Log *slog.Logger
}

// Defaults of Deps.
const (
	DefaultMaxChunkSize    = 4 << 20
	DefaultSessionLifetime = 24 * time.Hour
	// claimTimeout is how long a request creating a video holds its
	// session before another may take over (its request must have died).
	claimTimeout = 15 * time.Minute
	// maxFieldSize caps one form field and maxFormSize all of them.
	maxFieldSize = 1 << 20
	maxFormSize  = 4 << 20
)

// Handlers serves the upload routes.
type Handlers struct {
	d     Deps
	types videoTypes
}

// New returns the handlers over d, with defaults filled in.
func New(d Deps) *Handlers {
	if d.MaxChunkSize <= 0 {
		d.MaxChunkSize = DefaultMaxChunkSize
	}
	if d.SessionLifetime <= 0 {
		d.SessionLifetime = DefaultSessionLifetime
	}
	if d.ImageMaxSize <= 0 {
		d.ImageMaxSize = DefaultImageMaxSize
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Handlers{d: d, types: newVideoTypes(d.VideoExtensions)}
}

// Route is one endpoint, with its pattern in http.ServeMux syntax.
type Route struct {
	Pattern string
	Handler http.Handler
}

// Routes lists every upload endpoint. The direct upload's {uploadId} is
// read with PathValue, or from the path when the router does not set it.
func (h *Handlers) Routes() []Route {
	return []Route{
		{"POST /api/v1/videos/upload", h.Legacy()},
		{"POST /api/v1/videos/upload-resumable", h.ResumableInit()},
		{"PUT /api/v1/videos/upload-resumable", h.ResumableChunk()},
		{"DELETE /api/v1/videos/upload-resumable", h.ResumableCancel()},
		{"POST /api/v1/videos/upload-direct", h.DirectInit()},
		{"POST /api/v1/videos/upload-direct/complete/{uploadId}", h.DirectComplete()},
		{"DELETE /api/v1/videos/upload-direct/{uploadId}", h.DirectAbort()},
	}
}

// Legacy serves POST /api/v1/videos/upload.
func (h *Handlers) Legacy() http.Handler { return h.handle(h.legacy) }

// ResumableInit serves POST /api/v1/videos/upload-resumable.
func (h *Handlers) ResumableInit() http.Handler { return h.handle(h.resumableInit) }

// ResumableChunk serves PUT /api/v1/videos/upload-resumable?upload_id=.
func (h *Handlers) ResumableChunk() http.Handler { return h.handle(h.resumableChunk) }

// ResumableCancel serves DELETE /api/v1/videos/upload-resumable?upload_id=.
func (h *Handlers) ResumableCancel() http.Handler { return h.handle(h.resumableCancel) }

// DirectInit serves POST /api/v1/videos/upload-direct.
func (h *Handlers) DirectInit() http.Handler { return h.handle(h.directInit) }

// DirectComplete serves POST /api/v1/videos/upload-direct/complete/{uploadId}.
func (h *Handlers) DirectComplete() http.Handler { return h.handle(h.directComplete) }

// DirectAbort serves DELETE /api/v1/videos/upload-direct/{uploadId}.
func (h *Handlers) DirectAbort() http.Handler { return h.handle(h.directAbort) }
