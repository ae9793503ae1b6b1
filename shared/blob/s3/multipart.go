package s3

import (
	"cmp"
	"context"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/vidiverse/vidiverse/shared/blob"
)

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
	out, err := s.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket:       aws.String(s.bucket),
		Key:          aws.String(key),
		ContentType:  aws.String(cmp.Or(opts.ContentType, "application/octet-stream")),
		CacheControl: optional(opts.CacheControl),
	})
	if err != nil {
		return "", fmt.Errorf("create multipart upload %s: %w", key, mapError(err))
	}
	return aws.ToString(out.UploadId), nil
}

// UploadPart implements blob.Store.
func (s *Store) UploadPart(ctx context.Context, key, uploadID string, number int32, r io.Reader, size int64) (blob.Part, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Part{}, fmt.Errorf("upload part %d of %q: %w", number, key, err)
	}
	if err := checkPartNumber(number); err != nil {
		return blob.Part{}, fmt.Errorf("upload part of %s: %w", key, err)
	}
	rd, optFns, err := body(r, size)
	if err != nil {
		return blob.Part{}, fmt.Errorf("upload part %d of %s: %w", number, key, err)
	}
	out, err := s.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:        aws.String(s.bucket),
		Key:           aws.String(key),
		UploadId:      aws.String(uploadID),
		PartNumber:    aws.Int32(number),
		Body:          rd,
		ContentLength: aws.Int64(size),
	}, optFns...)
	if err != nil {
		return blob.Part{}, fmt.Errorf("upload part %d of %s: %w", number, key, mapError(err))
	}
	return blob.Part{Number: number, ETag: unquote(aws.ToString(out.ETag)), Size: size}, nil
}

// ListParts implements blob.Store, following S3's pages.
func (s *Store) ListParts(ctx context.Context, key, uploadID string) ([]blob.Part, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, fmt.Errorf("list parts of %q: %w", key, err)
	}
	parts := []blob.Part{}
	pages := s3.NewListPartsPaginator(s.client, &s3.ListPartsInput{
		Bucket:   aws.String(s.bucket),
		Key:      aws.String(key),
		UploadId: aws.String(uploadID),
	})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list parts of %s: %w", key, mapError(err))
		}
		for _, p := range out.Parts {
			parts = append(parts, blob.Part{
				Number: aws.ToInt32(p.PartNumber),
				ETag:   unquote(aws.ToString(p.ETag)),
				Size:   aws.ToInt64(p.Size),
			})
		}
	}
	return parts, nil
}

// CompleteMultipart implements blob.Store. It refuses an empty or unordered
// part list itself, as S3 would (MalformedXML, InvalidPartOrder).
func (s *Store) CompleteMultipart(ctx context.Context, key, uploadID string, parts []blob.Part) error {
	if err := blob.CheckKey(key); err != nil {
		return fmt.Errorf("complete multipart upload of %q: %w", key, err)
	}
	if len(parts) == 0 {
		return fmt.Errorf("complete multipart upload of %s: no parts: %w", key, blob.ErrInvalidPart)
	}
	completed := make([]types.CompletedPart, len(parts))
	for i, p := range parts {
		if err := checkPartNumber(p.Number); err != nil {
			return fmt.Errorf("complete multipart upload of %s: %w", key, err)
		}
		if i > 0 && p.Number <= parts[i-1].Number {
			return fmt.Errorf("complete multipart upload of %s: part %d after part %d: %w", key, p.Number, parts[i-1].Number, blob.ErrInvalidPart)
		}
		completed[i] = types.CompletedPart{PartNumber: aws.Int32(p.Number), ETag: aws.String(`"` + unquote(p.ETag) + `"`)}
	}
	_, err := s.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          aws.String(s.bucket),
		Key:             aws.String(key),
		UploadId:        aws.String(uploadID),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
	})
	if err != nil {
		return fmt.Errorf("complete multipart upload of %s: %w", key, mapError(err))
	}
	return nil
}

// AbortMultipart implements blob.Store.
func (s *Store) AbortMultipart(ctx context.Context, key, uploadID string) error {
	if err := blob.CheckKey(key); err != nil {
		return fmt.Errorf("abort multipart upload of %q: %w", key, err)
	}
	_, err := s.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{
		Bucket:   aws.String(s.bucket),
		Key:      aws.String(key),
		UploadId: aws.String(uploadID),
	})
	if err != nil {
		return fmt.Errorf("abort multipart upload of %s: %w", key, mapError(err))
	}
	return nil
}
