package s3

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// errorCodes maps S3 error codes to the port's errors.
var errorCodes = map[string]error{
	"NoSuchKey":        blob.ErrNotFound,
	"NotFound":         blob.ErrNotFound, // HeadObject's 404 has no body, so no code of its own
	"InvalidRange":     blob.ErrInvalidRange,
	"NoSuchUpload":     blob.ErrNoSuchUpload,
	"InvalidPart":      blob.ErrInvalidPart,
	"InvalidPartOrder": blob.ErrInvalidPart,
	"EntityTooSmall":   blob.ErrInvalidPart,
}

// mapError makes err also match the port error for its S3 code, if any.
func mapError(err error) error {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		if target, ok := errorCodes[ae.ErrorCode()]; ok {
			return fmt.Errorf("%w: %w", target, err)
		}
	}
	return err
}
