package upload

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/store"
)

// Sweep deletes the sessions that expired before now and what they left:
// a receiving session's chunks, staged images and (direct) multipart
// upload and object. A finished session's bytes belong to its video, and a
// session expired while a request was creating its video may have one, so
// only those sessions themselves go. It returns how many sessions it
// deleted; a failure on one session does not stop the others (the first
// error is returned).
func Sweep(ctx context.Context, st *store.Store, blobs blob.Store, now time.Time) (int, error) {
	expired, err := st.ExpiredUploads(ctx, now)
	if err != nil {
		return 0, fmt.Errorf("sweep uploads: %w", err)
	}
	swept := 0
	var first error
	for _, listed := range expired {
		// The index may lag: act on the session as it is now.
		s, err := st.Upload(ctx, listed.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err == nil && !s.Expired(now) {
			continue
		}
		if err == nil {
			err = sweepOne(ctx, st, blobs, s)
		}
		switch {
		case errors.Is(err, store.ErrStale):
			// Renewed meanwhile.
		case err != nil:
			if first == nil {
				first = fmt.Errorf("sweep upload %s: %w", listed.ID, err)
			}
		default:
			swept++
		}
	}
	return swept, first
}

func sweepOne(ctx context.Context, st *store.Store, blobs blob.Store, s store.UploadSession) error {
	var err error
	if s.State == store.UploadReceiving {
		err = deleteSessionBlobs(ctx, blobs, s)
	} else {
		err = deleteImages(ctx, blobs, s)
	}
	if err != nil {
		return err
	}
	return st.DeleteExpiredUpload(ctx, s.ID, s.ExpiresAt)
}
