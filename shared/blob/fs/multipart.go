package fs

import (
	"cmp"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// upload is uploads/<id>/upload.json.
type upload struct {
	Key          string    `json:"key"`
	ContentType  string    `json:"contentType,omitempty"`
	CacheControl string    `json:"cacheControl,omitempty"`
	Created      time.Time `json:"created"`
}

const uploadFile = "upload.json"

func (s *Store) uploadDir(id string) string { return filepath.Join(s.uploads, id) }

func (s *Store) partPath(id string, number int32) string {
	return filepath.Join(s.uploadDir(id), strconv.Itoa(int(number)))
}

// validUploadID reports whether id has the form CreateMultipart gives, which
// also keeps it from naming anything outside uploads/.
func validUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func checkPartNumber(n int32) error {
	if n < 1 || n > blob.MaxParts {
		return fmt.Errorf("part number %d outside 1..%d: %w", n, blob.MaxParts, blob.ErrInvalidPart)
	}
	return nil
}

// CreateMultipart implements blob.Store.
func (s *Store) CreateMultipart(ctx context.Context, key string, opts blob.PutOptions) (string, error) {
	if err := blob.CheckKey(key); err != nil {
		return "", fmt.Errorf("create multipart upload %q: %w", key, err)
	}
	id, err := s.createUpload(upload{Key: key, ContentType: opts.ContentType, CacheControl: opts.CacheControl, Created: s.now().UTC()})
	if err != nil {
		return "", fmt.Errorf("create multipart upload %s: %w", key, err)
	}
	return id, nil
}

// createUpload writes the upload's directory under tmp/ and renames it into
// uploads/, so an upload exists whole or not at all.
func (s *Store) createUpload(u upload) (string, error) {
	var raw [16]byte
	rand.Read(raw[:])
	id := hex.EncodeToString(raw[:])
	dir, err := os.MkdirTemp(s.tmp, "upload-*")
	if err != nil {
		return "", err
	}
	data, err := json.Marshal(u)
	if err == nil {
		err = writeFileSynced(filepath.Join(dir, uploadFile), data)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err == nil {
		err = renameSynced(dir, s.uploadDir(id))
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return id, nil
}

func writeFileSynced(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// loadUpload reads upload id of key; ErrNoSuchUpload when it does not exist
// or belongs to another key.
func (s *Store) loadUpload(key, id string) (upload, error) {
	if !validUploadID(id) {
		return upload{}, fmt.Errorf("upload %q: %w", id, blob.ErrNoSuchUpload)
	}
	data, err := os.ReadFile(filepath.Join(s.uploadDir(id), uploadFile))
	if errors.Is(err, os.ErrNotExist) {
		return upload{}, fmt.Errorf("upload %s: %w", id, blob.ErrNoSuchUpload)
	}
	if err != nil {
		return upload{}, err
	}
	var u upload
	if err := json.Unmarshal(data, &u); err != nil {
		return upload{}, fmt.Errorf("upload %s: %w", id, err)
	}
	if u.Key != key {
		return upload{}, fmt.Errorf("upload %s is for another key: %w", id, blob.ErrNoSuchUpload)
	}
	return u, nil
}

// UploadPart implements blob.Store.
func (s *Store) UploadPart(ctx context.Context, key, uploadID string, number int32, body io.Reader, size int64) (blob.Part, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Part{}, fmt.Errorf("upload part %d of %q: %w", number, key, err)
	}
	part, err := s.uploadPart(ctx, key, uploadID, number, body, size)
	if err != nil {
		return blob.Part{}, fmt.Errorf("upload part %d of %s: %w", number, key, err)
	}
	return part, nil
}

func (s *Store) uploadPart(ctx context.Context, key, id string, number int32, body io.Reader, size int64) (blob.Part, error) {
	if err := checkPartNumber(number); err != nil {
		return blob.Part{}, err
	}
	if _, err := s.loadUpload(key, id); err != nil {
		return blob.Part{}, err
	}
	tb, err := newTempBlob(s.tmp)
	if err != nil {
		return blob.Part{}, err
	}
	etag, err := tb.copyData(ctxReader{ctx, body}, size)
	if err != nil {
		tb.discard()
		return blob.Part{}, err
	}
	defer s.lockUpload(id)()
	// The upload may have ended while the body streamed.
	if _, err := s.loadUpload(key, id); err != nil {
		tb.discard()
		return blob.Part{}, err
	}
	if err := tb.commit(meta{Size: size, ETag: etag, Modified: s.now().UTC()}, s.partPath(id, number)); err != nil {
		return blob.Part{}, err
	}
	return blob.Part{Number: number, ETag: etag, Size: size}, nil
}

// ListParts implements blob.Store.
func (s *Store) ListParts(ctx context.Context, key, uploadID string) ([]blob.Part, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, fmt.Errorf("list parts of %q: %w", key, err)
	}
	parts, err := s.listParts(key, uploadID)
	if err != nil {
		return nil, fmt.Errorf("list parts of %s: %w", key, err)
	}
	return parts, nil
}

func (s *Store) listParts(key, id string) ([]blob.Part, error) {
	defer s.lockUpload(id)()
	if _, err := s.loadUpload(key, id); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(s.uploadDir(id))
	if err != nil {
		return nil, err
	}
	parts := []blob.Part{}
	for _, e := range entries {
		n, err := strconv.ParseInt(e.Name(), 10, 32)
		if err != nil || checkPartNumber(int32(n)) != nil {
			continue
		}
		m, err := readMeta(s.partPath(id, int32(n)))
		if err != nil {
			return nil, err
		}
		parts = append(parts, blob.Part{Number: int32(n), ETag: m.ETag, Size: m.Size})
	}
	slices.SortFunc(parts, func(a, b blob.Part) int { return cmp.Compare(a.Number, b.Number) })
	return parts, nil
}

// CompleteMultipart implements blob.Store. The object's ETag is S3's for a
// multipart object: the MD5 of the parts' MD5s, a dash and the part count.
func (s *Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []blob.Part) error {
	if err := blob.CheckKey(key); err != nil {
		return fmt.Errorf("complete multipart upload of %q: %w", key, err)
	}
	if err := s.complete(ctx, key, uploadID, parts); err != nil {
		return fmt.Errorf("complete multipart upload of %s: %w", key, err)
	}
	return nil
}

func (s *Store) complete(ctx context.Context, key, id string, parts []blob.Part) error {
	defer s.lockUpload(id)()
	u, err := s.loadUpload(key, id)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return fmt.Errorf("no parts: %w", blob.ErrInvalidPart)
	}
	sizes, etag, err := s.checkParts(id, parts)
	if err != nil {
		return err
	}
	tb, err := newTempBlob(s.tmp)
	if err != nil {
		return err
	}
	var total int64
	for i, p := range parts {
		if err := s.appendPart(ctx, tb, id, p.Number, sizes[i]); err != nil {
			tb.discard()
			return err
		}
		total += sizes[i]
	}
	m := meta{
		Size:         total,
		ContentType:  cmp.Or(u.ContentType, "application/octet-stream"),
		CacheControl: u.CacheControl,
		ETag:         etag,
		Modified:     s.now().UTC(),
	}
	if err := tb.commit(m, s.objectPath(key)); err != nil {
		return err
	}
	return s.removeUpload(id)
}

// checkParts checks parts against the stored ones as S3 does (InvalidPart,
// InvalidPartOrder, EntityTooSmall) and returns their sizes and the ETag of
// the joined object.
func (s *Store) checkParts(id string, parts []blob.Part) ([]int64, string, error) {
	sizes := make([]int64, len(parts))
	sums := md5.New()
	for i, p := range parts {
		if err := checkPartNumber(p.Number); err != nil {
			return nil, "", err
		}
		if i > 0 && p.Number <= parts[i-1].Number {
			return nil, "", fmt.Errorf("part %d after part %d: %w", p.Number, parts[i-1].Number, blob.ErrInvalidPart)
		}
		m, err := readMeta(s.partPath(id, p.Number))
		if errors.Is(err, os.ErrNotExist) {
			return nil, "", fmt.Errorf("part %d was not uploaded: %w", p.Number, blob.ErrInvalidPart)
		}
		if err != nil {
			return nil, "", err
		}
		if !strings.EqualFold(strings.Trim(p.ETag, `"`), m.ETag) {
			return nil, "", fmt.Errorf("part %d has ETag %s, not %s: %w", p.Number, m.ETag, p.ETag, blob.ErrInvalidPart)
		}
		if i < len(parts)-1 && m.Size < blob.MinPartSize {
			return nil, "", fmt.Errorf("part %d has %d bytes, under the minimum %d: %w", p.Number, m.Size, blob.MinPartSize, blob.ErrInvalidPart)
		}
		sum, err := hex.DecodeString(m.ETag)
		if err != nil {
			return nil, "", fmt.Errorf("part %d: %w", p.Number, errCorrupt)
		}
		sums.Write(sum)
		sizes[i] = m.Size
	}
	return sizes, fmt.Sprintf("%x-%d", sums.Sum(nil), len(parts)), nil
}

func (s *Store) appendPart(ctx context.Context, tb *tempBlob, id string, number int32, size int64) error {
	b, err := openBlob(s.partPath(id, number))
	if err != nil {
		return err
	}
	defer b.Close()
	if b.meta.Size != size {
		return fmt.Errorf("part %d changed during completion", number)
	}
	_, err = io.Copy(tb.f, ctxReader{ctx, b.section(0, size)})
	return err
}

// removeUpload moves the upload's directory out of uploads/ in one step,
// then deletes it.
func (s *Store) removeUpload(id string) error {
	gone := filepath.Join(s.tmp, "ended-"+id)
	if err := os.Rename(s.uploadDir(id), gone); err != nil {
		return err
	}
	if err := syncDir(s.uploads); err != nil {
		return err
	}
	return os.RemoveAll(gone)
}

// AbortMultipart implements blob.Store.
func (s *Store) AbortMultipart(ctx context.Context, key, uploadID string) error {
	if err := blob.CheckKey(key); err != nil {
		return fmt.Errorf("abort multipart upload of %q: %w", key, err)
	}
	unlock := s.lockUpload(uploadID)
	defer unlock()
	if _, err := s.loadUpload(key, uploadID); err != nil {
		return fmt.Errorf("abort multipart upload of %s: %w", key, err)
	}
	if err := s.removeUpload(uploadID); err != nil {
		return fmt.Errorf("abort multipart upload of %s: %w", key, err)
	}
	return nil
}
