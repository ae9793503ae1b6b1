package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/table"
)

// Upload session kinds.
const (
	// UploadResumable is PeerTube's resumable protocol: chunks PUT to the
	// API, each stored as its own object, joined later.
	UploadResumable = "resumable"
	// UploadDirect is the browser's direct-to-blob path: parts PUT to
	// presigned URLs of one blob multipart upload.
	UploadDirect = "direct"
)

// Upload session states.
const (
	// UploadReceiving: bytes are still coming.
	UploadReceiving = "receiving"
	// UploadCompleting: every byte is in and one request is creating the
	// video; others wait.
	UploadCompleting = "completing"
	// UploadDone: the video exists; replays of the last request get it.
	UploadDone = "done"
)

// UploadGrace is how long an expired session stays in the table (for
// Sweep to clean up after it) before the table's TTL deletes it.
const UploadGrace = 7 * 24 * time.Hour

// UploadSession is one upload in progress (or just finished).
type UploadSession struct {
	ID     string
	Kind   string
	UserID int64
	Meta   model.VideoMeta
	// Filename, Size and ContentType are what the client declared.
	Filename    string
	Size        int64
	ContentType string
	// SourceKey is the blob key the original will have.
	SourceKey string
	// MultipartID is the blob multipart upload of a direct upload.
	MultipartID string
	// Images names the images staged with the session ("thumbnail",
	// "preview"); the upload package keeps their bytes in blobs.
	Images []string
	// LastModified is the client's file date, when it sent one (part of
	// what makes two inits the same upload).
	LastModified string

	// Offset is how many bytes are committed (resumable), Chunks how many
	// chunks committed them.
	Offset int64
	Chunks int64
	State  string
	// ClaimedAt is when the request creating the video claimed the session.
	ClaimedAt time.Time
	// VideoID and VideoUUID are the created video's, once State is done.
	VideoID   int64
	VideoUUID string

	CreatedAt time.Time
	// ExpiresAt moves forward with every committed chunk (a rolling
	// expiry, as node-uploadx's).
	ExpiresAt time.Time
}

// Expired reports whether the session has expired at now.
func (u UploadSession) Expired(now time.Time) bool { return !now.Before(u.ExpiresAt) }

// ErrUploadExists means a session with that id already exists.
var ErrUploadExists = errors.New("upload session exists")

// Attributes of upload session items: what changes while the upload runs
// sits beside the document, so conditions can read it.
const (
	attrUploadOffset    = "offset"
	attrUploadChunks    = "chunks"
	attrUploadState     = "state"
	attrUploadClaimed   = "claimed"
	attrUploadVideoID   = "videoId"
	attrUploadVideoUUID = "videoUuid"
	// attrExpires (tokens.go) holds ExpiresAt in Unix milliseconds.
)

const kindUploads = "UPLOADS"

func uploadKey(id string) table.Key { return table.Key{PK: "UPLOAD#" + id, SK: skItem} }

// expirySK orders sessions by expiry in the kind index, for Sweep.
func expirySK(t time.Time, id string) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000000Z") + "#" + id
}

// uploadDoc is the part of a session that does not change.
type uploadDoc struct {
	Kind         string          `json:"kind"`
	UserID       int64           `json:"userId"`
	Meta         model.VideoMeta `json:"meta"`
	Filename     string          `json:"filename"`
	Size         int64           `json:"size"`
	ContentType  string          `json:"contentType"`
	SourceKey    string          `json:"sourceKey"`
	MultipartID  string          `json:"multipartId,omitempty"`
	Images       []string        `json:"images,omitempty"`
	LastModified string          `json:"lastModified,omitempty"`
	CreatedAt    time.Time       `json:"createdAt"`
}

// expiryAttrs are the attributes that follow ExpiresAt.
func expiryAttrs(id string, expires time.Time) map[string]any {
	return map[string]any{
		attrExpires: expires.UnixMilli(),
		attrTTL:     expires.Add(UploadGrace).Unix(),
		attrGSI1SK:  expirySK(expires, id),
	}
}

func uploadItem(u UploadSession) (table.Item, error) {
	doc := uploadDoc{Kind: u.Kind, UserID: u.UserID, Meta: u.Meta, Filename: u.Filename, Size: u.Size,
		ContentType: u.ContentType, SourceKey: u.SourceKey, MultipartID: u.MultipartID, Images: u.Images,
		LastModified: u.LastModified, CreatedAt: u.CreatedAt}
	it, err := docItem(uploadKey(u.ID), "upload", doc, 1)
	if err != nil {
		return nil, err
	}
	it[attrUploadOffset] = u.Offset
	it[attrUploadChunks] = u.Chunks
	it[attrUploadState] = u.State
	it[attrGSI1PK] = kindUploads
	for k, v := range expiryAttrs(u.ID, u.ExpiresAt) {
		it[k] = v
	}
	return it, nil
}

func decodeUpload(it table.Item) (UploadSession, error) {
	var d uploadDoc
	if _, err := decodeDoc(it, &d); err != nil {
		return UploadSession{}, err
	}
	u := UploadSession{
		ID: it.Key().PK[len("UPLOAD#"):], Kind: d.Kind, UserID: d.UserID, Meta: d.Meta, Filename: d.Filename,
		Size: d.Size, ContentType: d.ContentType, SourceKey: d.SourceKey, MultipartID: d.MultipartID,
		Images: d.Images, LastModified: d.LastModified, CreatedAt: d.CreatedAt.UTC(),
		Offset: it.Int(attrUploadOffset), Chunks: it.Int(attrUploadChunks), State: it.String(attrUploadState),
		VideoID: it.Int(attrUploadVideoID), VideoUUID: it.String(attrUploadVideoUUID),
		ExpiresAt: time.UnixMilli(it.Int(attrExpires)).UTC(),
	}
	if ms := it.Int(attrUploadClaimed); ms != 0 {
		u.ClaimedAt = time.UnixMilli(ms).UTC()
	}
	return u, nil
}

// CreateUpload stores a new session, in state UploadReceiving unless u
// says otherwise. ErrUploadExists when its id is taken (even by an expired
// session: delete that one first).
func (s *Store) CreateUpload(ctx context.Context, u UploadSession) error {
	if u.State == "" {
		u.State = UploadReceiving
	}
	it, err := uploadItem(u)
	if err != nil {
		return err
	}
	// A session past its ExpiresAt stays in the table for UploadGrace and
	// still takes its id until deleted.
	err = s.t.Put(ctx, it, table.ItemNotExists())
	if errors.Is(err, table.ErrConditionFailed) {
		return fmt.Errorf("create upload %s: %w", u.ID, ErrUploadExists)
	}
	if err != nil {
		return fmt.Errorf("create upload %s: %w", u.ID, err)
	}
	return nil
}

// Upload reads a session, expired or not (check Expired). ErrNotFound
// when absent.
func (s *Store) Upload(ctx context.Context, id string) (UploadSession, error) {
	it, err := s.t.Get(ctx, uploadKey(id))
	if err != nil {
		return UploadSession{}, fmt.Errorf("get upload %s: %w", id, notFound(err))
	}
	return decodeUpload(it)
}

// AdvanceUpload commits the bytes from..to of a receiving session and
// moves its expiry to expires. It happens only while the committed offset
// is still from and the session has not expired at now; otherwise it
// fails with ErrStale (re-read the session: another request got there
// first), so concurrent or replayed chunks never move the offset twice.
func (s *Store) AdvanceUpload(ctx context.Context, id string, from, to int64, now, expires time.Time) (UploadSession, error) {
	set := expiryAttrs(id, expires)
	set[attrUploadOffset] = to
	it, err := s.t.Update(ctx, uploadKey(id),
		table.Update{Set: set, Add: map[string]int64{attrUploadChunks: 1}},
		table.AttrEquals(attrUploadState, UploadReceiving),
		table.AttrEquals(attrUploadOffset, from),
		table.Cond{Attr: attrExpires, Op: table.OpGreater, Value: now.UnixMilli()})
	if errors.Is(err, table.ErrConditionFailed) {
		return UploadSession{}, fmt.Errorf("advance upload %s from %d: %w", id, from, ErrStale)
	}
	if err != nil {
		return UploadSession{}, fmt.Errorf("advance upload %s from %d: %w", id, from, err)
	}
	return decodeUpload(it)
}

// ClaimUpload moves a receiving session whose committed offset is offset
// to UploadCompleting, so that one request creates the video. A claim
// older than stale is taken over (its request died). ErrStale when the
// session is in another state, at another offset, expired or claimed
// recently.
func (s *Store) ClaimUpload(ctx context.Context, id string, offset int64, now time.Time, stale time.Duration) (UploadSession, error) {
	set := map[string]any{attrUploadState: UploadCompleting, attrUploadClaimed: now.UnixMilli()}
	live := table.Cond{Attr: attrExpires, Op: table.OpGreater, Value: now.UnixMilli()}
	it, err := s.t.Update(ctx, uploadKey(id), table.Update{Set: set},
		table.AttrEquals(attrUploadState, UploadReceiving), table.AttrEquals(attrUploadOffset, offset), live)
	if errors.Is(err, table.ErrConditionFailed) {
		it, err = s.t.Update(ctx, uploadKey(id), table.Update{Set: set},
			table.AttrEquals(attrUploadState, UploadCompleting), table.AttrEquals(attrUploadOffset, offset), live,
			table.Cond{Attr: attrUploadClaimed, Op: table.OpLess, Value: now.Add(-stale).UnixMilli()})
	}
	if errors.Is(err, table.ErrConditionFailed) {
		return UploadSession{}, fmt.Errorf("claim upload %s: %w", id, ErrStale)
	}
	if err != nil {
		return UploadSession{}, fmt.Errorf("claim upload %s: %w", id, err)
	}
	return decodeUpload(it)
}

// ReleaseUpload gives a claimed session back (its video could not be
// created, and the client may retry).
func (s *Store) ReleaseUpload(ctx context.Context, id string) error {
	_, err := s.t.Update(ctx, uploadKey(id),
		table.Update{Set: map[string]any{attrUploadState: UploadReceiving}, Remove: []string{attrUploadClaimed}},
		table.AttrEquals(attrUploadState, UploadCompleting))
	if errors.Is(err, table.ErrConditionFailed) {
		err = ErrStale
	}
	if err != nil {
		return fmt.Errorf("release upload %s: %w", id, err)
	}
	return nil
}

// FinishUpload records the video a claimed session created.
func (s *Store) FinishUpload(ctx context.Context, id string, videoID int64, videoUUID string) (UploadSession, error) {
	it, err := s.t.Update(ctx, uploadKey(id), table.Update{Set: map[string]any{
		attrUploadState: UploadDone, attrUploadVideoID: videoID, attrUploadVideoUUID: videoUUID,
	}}, table.AttrEquals(attrUploadState, UploadCompleting))
	if errors.Is(err, table.ErrConditionFailed) {
		return UploadSession{}, fmt.Errorf("finish upload %s: %w", id, ErrStale)
	}
	if err != nil {
		return UploadSession{}, fmt.Errorf("finish upload %s: %w", id, err)
	}
	return decodeUpload(it)
}

// DeleteUpload deletes a session; deleting an absent one is not an error.
func (s *Store) DeleteUpload(ctx context.Context, id string) error {
	if err := s.t.Delete(ctx, uploadKey(id)); err != nil {
		return fmt.Errorf("delete upload %s: %w", id, err)
	}
	return nil
}

// DeleteExpiredUpload deletes a session only if its expiry is still
// expires (it was not renewed since it was read); ErrStale otherwise.
func (s *Store) DeleteExpiredUpload(ctx context.Context, id string, expires time.Time) error {
	err := s.t.Delete(ctx, uploadKey(id), table.AttrEquals(attrExpires, expires.UnixMilli()))
	if errors.Is(err, table.ErrConditionFailed) {
		err = ErrStale
	}
	if err != nil {
		return fmt.Errorf("delete expired upload %s: %w", id, err)
	}
	return nil
}

// ExpiredUploads lists the sessions that expired before before, oldest
// first, from the kind index (eventually consistent: re-read one before
// acting on it).
func (s *Store) ExpiredUploads(ctx context.Context, before time.Time) ([]UploadSession, error) {
	items, err := s.queryAll(ctx, table.Query{Index: IndexByKind, PK: kindUploads,
		SKOp: table.SKLess, SK: expirySK(before, "")})
	if err != nil {
		return nil, fmt.Errorf("list expired uploads: %w", err)
	}
	return decodeAll(items, decodeUpload)
}
