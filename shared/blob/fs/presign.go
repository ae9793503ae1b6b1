package fs

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// PathPrefix is where the local server mounts Handler.
const PathPrefix = "/local-blob/"

// Query parameters of presigned URLs.
const (
	qUploadID   = "uploadId"
	qPartNumber = "partNumber"
	qExpires    = "expires"
	qSignature  = "signature"
)

// maxTTL is S3's longest presigned URL lifetime.
const maxTTL = 7 * 24 * time.Hour

// PresignGet implements blob.Store.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	u, err := s.presign("GET", key, "", 0, ttl)
	if err != nil {
		return "", fmt.Errorf("presign get %q: %w", key, err)
	}
	return u, nil
}

// PresignPut implements blob.Store.
func (s *Store) PresignPut(ctx context.Context, key string, ttl time.Duration) (string, error) {
	u, err := s.presign("PUT", key, "", 0, ttl)
	if err != nil {
		return "", fmt.Errorf("presign put %q: %w", key, err)
	}
	return u, nil
}

// PresignUploadPart implements blob.Store. Whether the upload exists is
// checked when the URL is used, as with S3.
func (s *Store) PresignUploadPart(ctx context.Context, key, uploadID string, number int32, ttl time.Duration) (string, error) {
	if err := checkPartNumber(number); err != nil {
		return "", fmt.Errorf("presign part %d of %q: %w", number, key, err)
	}
	u, err := s.presign("PUT", key, uploadID, number, ttl)
	if err != nil {
		return "", fmt.Errorf("presign part %d of %q: %w", number, key, err)
	}
	return u, nil
}

func (s *Store) presign(method, key, uploadID string, number int32, ttl time.Duration) (string, error) {
	if err := blob.CheckKey(key); err != nil {
		return "", err
	}
	if ttl < time.Second || ttl > maxTTL {
		return "", fmt.Errorf("lifetime %v outside 1s..%v", ttl, maxTTL)
	}
	// Round the expiry up to a whole second: the URL lives at least ttl.
	end := s.now().Add(ttl)
	expires := end.Unix()
	if end.Nanosecond() > 0 {
		expires++
	}
	q := make([]string, 0, 4)
	if uploadID != "" {
		q = append(q, qUploadID+"="+url.QueryEscape(uploadID), qPartNumber+"="+strconv.Itoa(int(number)))
	}
	q = append(q,
		qExpires+"="+strconv.FormatInt(expires, 10),
		qSignature+"="+s.sign(method, key, uploadID, number, expires))
	return s.baseURL + PathPrefix + key + "?" + strings.Join(q, "&"), nil
}

// sign is the hex HMAC-SHA256 of what a presigned URL allows.
func (s *Store) sign(method, key, uploadID string, number int32, expires int64) string {
	mac := hmac.New(sha256.New, s.secret)
	fmt.Fprintf(mac, "vidiverse-blob-v1\n%s\n%s\n%s\n%d\n%d", method, key, uploadID, number, expires)
	return hex.EncodeToString(mac.Sum(nil))
}

// grant is what a checked presigned URL allows.
type grant struct {
	key      string
	uploadID string
	number   int32
}

// verify checks a presigned request for method at key with query q.
func (s *Store) verify(method, key string, q url.Values) (grant, error) {
	g := grant{key: key, uploadID: q.Get(qUploadID)}
	if g.uploadID != "" || q.Has(qPartNumber) {
		n, err := strconv.ParseInt(q.Get(qPartNumber), 10, 32)
		if err != nil {
			return grant{}, fmt.Errorf("bad %s", qPartNumber)
		}
		g.number = int32(n)
	}
	expires, err := strconv.ParseInt(q.Get(qExpires), 10, 64)
	if err != nil {
		return grant{}, fmt.Errorf("bad or missing %s", qExpires)
	}
	want := s.sign(method, key, g.uploadID, g.number, expires)
	if !hmac.Equal([]byte(want), []byte(q.Get(qSignature))) {
		return grant{}, fmt.Errorf("signature does not match")
	}
	if !s.now().Before(time.Unix(expires, 0)) {
		return grant{}, fmt.Errorf("URL expired at %s", time.Unix(expires, 0).UTC().Format(time.RFC3339))
	}
	return g, nil
}
