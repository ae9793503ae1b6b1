package upload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
)

// user authenticates the request: PeerTube's 401 without a valid token.
func (h *Handlers) user(r *http.Request) (*model.User, error) {
	u, err := h.d.User(r)
	if err == nil && u == nil {
		err = problem.Unauthorized("Token is invalid")
	}
	return u, err
}

// session reads the session id of kind for u: 404 when there is none, 403
// when it is another user's.
func (h *Handlers) session(ctx context.Context, id string, u *model.User, kind string) (store.UploadSession, error) {
	if !validID(id) {
		return store.UploadSession{}, errNotFound()
	}
	s, err := h.d.Store.Upload(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.UploadSession{}, errNotFound()
	}
	if err != nil {
		return store.UploadSession{}, err
	}
	if s.Kind != kind {
		return store.UploadSession{}, errNotFound()
	}
	if s.UserID != u.ID {
		return store.UploadSession{}, errNotYours()
	}
	return s, nil
}

// expired discards a session found expired and answers 410. A finished
// session's bytes belong to its video, so only the session goes.
func (h *Handlers) expired(ctx context.Context, s store.UploadSession) error {
	var err error
	if s.State == store.UploadReceiving {
		err = h.discard(ctx, s)
	} else {
		err = h.d.Store.DeleteUpload(ctx, s.ID)
	}
	if err != nil {
		return err
	}
	return errExpired()
}

// discard deletes a session that will make no video, and its bytes.
func (h *Handlers) discard(ctx context.Context, s store.UploadSession) error {
	if err := deleteSessionBlobs(ctx, h.d.Blobs, s); err != nil {
		return err
	}
	return h.d.Store.DeleteUpload(ctx, s.ID)
}

// deleteSessionBlobs deletes the objects a session made that no video
// owns: chunks, staged images and a direct upload's multipart upload and
// object.
func deleteSessionBlobs(ctx context.Context, blobs blob.Store, s store.UploadSession) error {
	switch s.Kind {
	case store.UploadResumable:
		if err := deletePrefix(ctx, blobs, ChunkPrefix(s.ID)); err != nil {
			return err
		}
	case store.UploadDirect:
		if err := blobs.AbortMultipart(ctx, s.SourceKey, s.MultipartID); err != nil && !errors.Is(err, blob.ErrNoSuchUpload) {
			return fmt.Errorf("abort upload %s: %w", s.ID, err)
		}
		if err := blobs.Delete(ctx, s.SourceKey); err != nil {
			return fmt.Errorf("delete original of upload %s: %w", s.ID, err)
		}
	}
	return deleteImages(ctx, blobs, s)
}

func deleteImages(ctx context.Context, blobs blob.Store, s store.UploadSession) error {
	for _, img := range s.Images {
		if err := blobs.Delete(ctx, imageKey(s.ID, img)); err != nil {
			return fmt.Errorf("delete %s of upload %s: %w", img, s.ID, err)
		}
	}
	return nil
}

// deletePrefix deletes every object under prefix.
func deletePrefix(ctx context.Context, blobs blob.Store, prefix string) error {
	for {
		page, err := blobs.List(ctx, blob.ListOptions{Prefix: prefix})
		if err != nil {
			return fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range page.Objects {
			if err := blobs.Delete(ctx, o.Key); err != nil {
				return fmt.Errorf("delete %s: %w", o.Key, err)
			}
		}
		if page.Next == "" || len(page.Objects) == 0 {
			return nil
		}
	}
}

// resumableID is a resumable session's id: the same user sending the same
// file with the same metadata finds the same session (node-uploadx's
// fingerprint of an upload).
func resumableID(userID int64, filename string, size int64, contentType, lastModified string, meta model.VideoMeta) string {
	b, _ := json.Marshal(struct {
		User         int64
		Filename     string
		Size         int64
		ContentType  string
		LastModified string
		Meta         model.VideoMeta
	}{userID, filename, size, contentType, lastModified, meta})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16])
}

// loadImages reads a session's staged images.
func (h *Handlers) loadImages(ctx context.Context, s store.UploadSession) (Images, error) {
	var im Images
	for _, name := range s.Images {
		rc, _, err := h.d.Blobs.Get(ctx, imageKey(s.ID, name), nil)
		if errors.Is(err, blob.ErrNotFound) {
			continue
		}
		if err != nil {
			return Images{}, fmt.Errorf("read %s of upload %s: %w", name, s.ID, err)
		}
		data, err := io.ReadAll(io.LimitReader(rc, h.d.ImageMaxSize+1))
		rc.Close()
		if err != nil {
			return Images{}, fmt.Errorf("read %s of upload %s: %w", name, s.ID, err)
		}
		switch name {
		case imageThumbnail:
			im.Thumbnail = data
		case imagePreview:
			im.Preview = data
		}
	}
	return im, nil
}

// finish creates the video of a session claimed by this request and
// answers it. A refusal (a problem from CheckChannel or Create) discards
// the upload, as PeerTube does; any other failure gives the claim back so
// that the client's retry of its last request can try again.
func (h *Handlers) finish(ctx context.Context, w http.ResponseWriter, u *model.User, s store.UploadSession, src model.SourceFile) error {
	images, err := h.loadImages(ctx, s)
	if err != nil {
		return h.failClaimed(ctx, s, err)
	}
	if err := h.d.CheckChannel(ctx, u, s.Meta.ChannelID); err != nil {
		return h.failClaimed(ctx, s, err)
	}
	v, err := h.d.Create(ctx, u, s.Meta, src, images)
	if err != nil {
		return h.failClaimed(ctx, s, err)
	}
	if _, err := h.d.Store.FinishUpload(ctx, s.ID, v.ID, v.UUID); err != nil {
		// The video exists; a replay of the last request would not find
		// it through the session, but this answer has it.
		h.d.Log.ErrorContext(ctx, "record finished upload", "upload", s.ID, "video", v.ID, "err", err)
	}
	if err := deleteImages(ctx, h.d.Blobs, s); err != nil {
		h.d.Log.WarnContext(ctx, "delete staged images", "upload", s.ID, "err", err)
	}
	return writeVideo(w, v.ID, v.UUID)
}

func (h *Handlers) failClaimed(ctx context.Context, s store.UploadSession, err error) error {
	if problem.As(err) != nil {
		if derr := h.discard(ctx, s); derr != nil {
			h.d.Log.ErrorContext(ctx, "discard refused upload", "upload", s.ID, "err", derr)
		}
		return err
	}
	if rerr := h.d.Store.ReleaseUpload(ctx, s.ID); rerr != nil {
		h.d.Log.ErrorContext(ctx, "release upload", "upload", s.ID, "err", rerr)
	}
	return err
}

// answerState answers a request for a session that is past receiving:
// the video when done, 503 while another request creates it.
func answerState(w http.ResponseWriter, s store.UploadSession) error {
	if s.State == store.UploadDone {
		return writeVideo(w, s.VideoID, s.VideoUUID)
	}
	return errBusy()
}
