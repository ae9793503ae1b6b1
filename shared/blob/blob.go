package blob

import (
	"context"
	"errors"
	"io"
	"time"
)

// Info describes a stored object.
type Info struct {
	Key          string
	Size         int64
	ContentType  string
	ETag         string
	LastModified time.Time
}

// Range selects bytes Start..End of an object, both inclusive, as in an HTTP
// Range header. End < 0 means "to the end of the object".
type Range struct {
	Start int64
	End   int64
}

// PutOptions are the metadata stored with an object.
type PutOptions struct {
	ContentType  string
	CacheControl string
}

// Part is one uploaded part of a multipart upload.
type Part struct {
	Number int32
	ETag   string
	Size   int64
}

// ListPage is one page of a listing, in key order.
type ListPage struct {
	Objects []Info
	// Next continues the listing (pass as ListOptions.After); "" at the end.
	Next string
}

// ListOptions select a page of a listing.
type ListOptions struct {
	Prefix string
	// After lists keys strictly greater than After (a ListPage.Next).
	After string
	// Limit caps the page (0: engine default, at most 1000).
	Limit int
}

// Limits shared by every engine (S3's).
const (
	MinPartSize = 5 << 20 // every part but the last
	MaxParts    = 10000
)

// Store is the port for media objects and other large bytes. Engines:
// shared/blob/s3 (Amazon S3) and shared/blob/fs (the local filesystem).
// Both pass the conformance suite in shared/blob/blobtest.
//
// Keys are slash-separated paths without a leading slash, made of
// [A-Za-z0-9._/-] characters; engines refuse other keys with ErrInvalidKey
// (which also stops path traversal on the filesystem engine).
type Store interface {
	// Put stores size bytes from body under key, replacing any object. A
	// reader of a different length is an error and stores nothing.
	Put(ctx context.Context, key string, body io.Reader, size int64, opts PutOptions) error
	// Get opens an object, or the range rng of it when rng is not nil. The
	// returned Info describes the whole object. ErrNotFound when absent;
	// ErrInvalidRange when rng starts at or past the end.
	Get(ctx context.Context, key string, rng *Range) (io.ReadCloser, Info, error)
	// Head describes an object without reading it.
	Head(ctx context.Context, key string) (Info, error)
	// Delete removes an object; deleting an absent key is not an error.
	Delete(ctx context.Context, key string) error
	// List lists objects under a prefix.
	List(ctx context.Context, opts ListOptions) (ListPage, error)

	// CreateMultipart starts a multipart upload and returns its id.
	CreateMultipart(ctx context.Context, key string, opts PutOptions) (string, error)
	// UploadPart stores part number (1..MaxParts) of an upload; uploading a
	// number again replaces that part.
	UploadPart(ctx context.Context, key, uploadID string, number int32, body io.Reader, size int64) (Part, error)
	// ListParts returns the parts uploaded so far, by number.
	ListParts(ctx context.Context, key, uploadID string) ([]Part, error)
	// CompleteMultipart joins the given parts, in order, into the object.
	// ErrNoSuchUpload when the upload is unknown, completed or aborted.
	CompleteMultipart(ctx context.Context, key, uploadID string, parts []Part) error
	// AbortMultipart discards an upload and its parts.
	AbortMultipart(ctx context.Context, key, uploadID string) error

	// PresignGet returns a URL that reads the object with a plain HTTP GET
	// (Range allowed) until ttl passes.
	PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error)
	// PresignPut returns a URL that stores the object with a plain HTTP PUT
	// until ttl passes.
	PresignPut(ctx context.Context, key string, ttl time.Duration) (string, error)
	// PresignUploadPart returns a URL that stores one part of a multipart
	// upload with a plain HTTP PUT; the response's ETag header is the part's.
	PresignUploadPart(ctx context.Context, key, uploadID string, number int32, ttl time.Duration) (string, error)
}

// Errors engines return (wrapped with the operation).
var (
	ErrNotFound     = errors.New("object not found")
	ErrInvalidKey   = errors.New("invalid object key")
	ErrInvalidRange = errors.New("range not satisfiable")
	ErrNoSuchUpload = errors.New("no such multipart upload")
	ErrInvalidPart  = errors.New("invalid multipart part")
)
