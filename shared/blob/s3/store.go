package s3

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// Store is a blob.Store on one S3 bucket.
type Store struct {
	client  *s3.Client
	presign *s3.PresignClient
	bucket  string
}

var _ blob.Store = (*Store)(nil)

// bufferLimit is the largest body sent from memory: read whole first, its
// length is checked before anything is sent, and the SDK can sign it and
// retry it. Larger bodies stream through an exactReader.
const bufferLimit = 1 << 20

const defaultLimit = 1000

// New returns a Store on bucket. The client's settings (region, endpoint,
// path style, checksum modes, retries) are used as they are.
func New(client *s3.Client, bucket string) *Store {
	return &Store{client: client, presign: s3.NewPresignClient(client), bucket: bucket}
}

// body prepares a request body of size bytes from r: a checked in-memory
// copy when small, else a stream that fails rather than send a wrong length,
// with the request options that streaming needs (an unsigned payload, as the
// SDK cannot hash a stream it cannot rewind).
func body(r io.Reader, size int64) (io.Reader, []func(*s3.Options), error) {
	if size < 0 {
		return nil, nil, fmt.Errorf("negative size %d: %w", size, errSize)
	}
	if size <= bufferLimit {
		buf := make([]byte, size)
		if err := readExact(r, buf); err != nil {
			return nil, nil, err
		}
		return bytes.NewReader(buf), nil, nil
	}
	return newExactReader(r, size), []func(*s3.Options){
		s3.WithAPIOptions(v4.SwapComputePayloadSHA256ForUnsignedPayloadMiddleware),
	}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// Put implements blob.Store.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, opts blob.PutOptions) error {
	if err := blob.CheckKey(key); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	rd, optFns, err := body(r, size)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	_, err = s.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		Body:          rd,
		ContentLength: aws.Int64(size),
		ContentType:   aws.String(cmp.Or(opts.ContentType, "application/octet-stream")),
		CacheControl:  optional(opts.CacheControl),
	}, optFns...)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, mapError(err))
	}
	return nil
}

// Get implements blob.Store.
func (s *Store) Get(ctx context.Context, key string, rng *blob.Range) (io.ReadCloser, blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, blob.Info{}, fmt.Errorf("get %q: %w", key, err)
	}
	in := &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)}
	if rng != nil {
		if rng.Start < 0 || (rng.End >= 0 && rng.End < rng.Start) {
			return nil, blob.Info{}, fmt.Errorf("get %s: bytes %d-%d: %w", key, rng.Start, rng.End, blob.ErrInvalidRange)
		}
		spec := fmt.Sprintf("bytes=%d-", rng.Start)
		if rng.End >= 0 {
			spec += strconv.FormatInt(rng.End, 10)
		}
		in.Range = aws.String(spec)
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		return nil, blob.Info{}, fmt.Errorf("get %s: %w", key, mapError(err))
	}
	size := aws.ToInt64(out.ContentLength)
	if rng != nil {
		total, err := totalFromContentRange(aws.ToString(out.ContentRange))
		if err != nil {
			out.Body.Close()
			return nil, blob.Info{}, fmt.Errorf("get %s: %w", key, err)
		}
		size = total
	}
	return out.Body, blob.Info{
		Key:          key,
		Size:         size,
		ContentType:  aws.ToString(out.ContentType),
		ETag:         unquote(aws.ToString(out.ETag)),
		LastModified: aws.ToTime(out.LastModified),
	}, nil
}

// totalFromContentRange reads the object size from "bytes 0-9/1000".
func totalFromContentRange(cr string) (int64, error) {
	_, total, ok := strings.Cut(cr, "/")
	n, err := strconv.ParseInt(total, 10, 64)
	if !ok || err != nil {
		return 0, fmt.Errorf("unexpected Content-Range %q", cr)
	}
	return n, nil
}

func unquote(etag string) string { return strings.Trim(etag, `"`) }

// Head implements blob.Store.
func (s *Store) Head(ctx context.Context, key string) (blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Info{}, fmt.Errorf("head %q: %w", key, err)
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil {
		return blob.Info{}, fmt.Errorf("head %s: %w", key, mapError(err))
	}
	return blob.Info{
		Key:          key,
		Size:         aws.ToInt64(out.ContentLength),
		ContentType:  aws.ToString(out.ContentType),
		ETag:         unquote(aws.ToString(out.ETag)),
		LastModified: aws.ToTime(out.LastModified),
	}, nil
}

// Delete implements blob.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	if err != nil && !errors.Is(mapError(err), blob.ErrNotFound) {
		return fmt.Errorf("delete %s: %w", key, mapError(err))
	}
	return nil
}

// List implements blob.Store with ListObjectsV2 (StartAfter, MaxKeys). It
// also sorts, filters and caps the page itself: a no-op against S3, and it
// keeps paging exact against servers that ignore start-after and max-keys.
func (s *Store) List(ctx context.Context, opts blob.ListOptions) (blob.ListPage, error) {
	if err := blob.CheckPrefix(opts.Prefix); err != nil {
		return blob.ListPage{}, fmt.Errorf("list %q: %w", opts.Prefix, err)
	}
	limit := opts.Limit
	if limit <= 0 || limit > defaultLimit {
		limit = defaultLimit
	}
	out, err := s.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket:     aws.String(s.bucket),
		Prefix:     optional(opts.Prefix),
		StartAfter: optional(opts.After),
		MaxKeys:    aws.Int32(int32(limit)),
	})
	if err != nil {
		return blob.ListPage{}, fmt.Errorf("list %q: %w", opts.Prefix, mapError(err))
	}
	objs := slices.DeleteFunc(slices.Clone(out.Contents), func(o types.Object) bool {
		k := aws.ToString(o.Key)
		return k <= opts.After || !strings.HasPrefix(k, opts.Prefix)
	})
	slices.SortFunc(objs, func(a, b types.Object) int { return strings.Compare(aws.ToString(a.Key), aws.ToString(b.Key)) })
	more := aws.ToBool(out.IsTruncated)
	if len(objs) > limit {
		objs, more = objs[:limit], true
	}
	var page blob.ListPage
	for _, o := range objs {
		page.Objects = append(page.Objects, blob.Info{
			Key:          aws.ToString(o.Key),
			Size:         aws.ToInt64(o.Size),
			ETag:         unquote(aws.ToString(o.ETag)),
			LastModified: aws.ToTime(o.LastModified),
		})
	}
	if more && len(page.Objects) > 0 {
		page.Next = page.Objects[len(page.Objects)-1].Key
	}
	return page, nil
}

// checkTTL keeps presigned lifetimes within S3's limits.
func checkTTL(ttl time.Duration) error {
	if ttl < time.Second || ttl > 7*24*time.Hour {
		return fmt.Errorf("lifetime %v outside 1s..168h", ttl)
	}
	return nil
}
