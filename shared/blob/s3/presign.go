package s3

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// PresignGet implements blob.Store.
func (s *Store) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := blob.CheckKey(key); err != nil {
		return "", fmt.Errorf("presign get %q: %w", key, err)
	}
	if err := checkTTL(ttl); err != nil {
		return "", fmt.Errorf("presign get %s: %w", key, err)
	}
	req, err := s.presign.PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(key),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign get %s: %w", key, err)
	}
	return req.URL, nil
}

// PresignPut implements blob.Store. The content type is not signed: the
// uploader's Content-Type header becomes the object's.
func (s *Store) PresignPut(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := blob.CheckKey(key); err != nil {
		return "", fmt.Errorf("presign put %q: %w", key, err)
	}
	if err := checkTTL(ttl); err != nil {
		return "", fmt.Errorf("presign put %s: %w", key, err)
	}
	req, err := s.presign.PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.bucket),
		Key:    aws.String(key),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign put %s: %w", key, err)
	}
	return req.URL, nil
}

// PresignUploadPart implements blob.Store.
func (s *Store) PresignUploadPart(ctx context.Context, key, uploadID string, number int32, ttl time.Duration) (string, error) {
	if err := blob.CheckKey(key); err != nil {
		return "", fmt.Errorf("presign part %d of %q: %w", number, key, err)
	}
	if err := checkPartNumber(number); err != nil {
		return "", fmt.Errorf("presign part of %s: %w", key, err)
	}
	if err := checkTTL(ttl); err != nil {
		return "", fmt.Errorf("presign part %d of %s: %w", number, key, err)
	}
	req, err := s.presign.PresignUploadPart(ctx, &s3.UploadPartInput{
		Bucket:     aws.String(s.bucket),
		Key:        aws.String(key),
		UploadId:   aws.String(uploadID),
		PartNumber: aws.Int32(number),
	}, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign part %d of %s: %w", number, key, err)
	}
	return req.URL, nil
}
