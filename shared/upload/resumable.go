package upload

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/videometa"
)

// Headers of the resumable protocol.
const (
	hdrUploadLength  = "X-Upload-Content-Length"
	hdrUploadType    = "X-Upload-Content-Type"
	hdrUploadExpires = "X-Upload-Expires"
)

// resumableInit starts (or finds again) a resumable upload session.
func (h *Handlers) resumableInit(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	errs := videometa.NewErrors("body")
	in, images, err := h.readInitBody(r, errs)
	if err != nil {
		return err
	}
	filename, _ := videometa.CheckFilename(errs, in)
	size, err := strconv.ParseInt(r.Header.Get(hdrUploadLength), 10, 64)
	if err != nil || size <= 0 {
		errs.AddIn("headers", strings.ToLower(hdrUploadLength), headerValue(r, hdrUploadLength), "Should specify the file length")
	}
	contentType, typed := headerOf(r, hdrUploadType)
	if !typed {
		errs.AddIn("headers", strings.ToLower(hdrUploadType), nil, "Should specify the file mimetype")
	}
	meta, err := videometa.New(in, errs)
	if p := errs.Problem(); p != nil {
		return p
	}
	if err != nil {
		return err
	}
	if err := h.d.CheckChannel(ctx, u, meta.ChannelID); err != nil {
		return err
	}
	if !h.types.accepts(contentType, filename) {
		return h.types.unsupported()
	}
	if err := h.d.CheckQuota(ctx, u, size); err != nil {
		return err
	}

	now := h.d.Now()
	lastModified := ""
	if v, ok := in["lastModified"]; ok && v != nil {
		lastModified = fmt.Sprint(v)
	}
	id := resumableID(u.ID, filename, size, contentType, lastModified, meta)
	s, err := h.d.Store.Upload(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	case s.Expired(now):
		// Start over: the old session's chunks are gone with it.
		if s.State == store.UploadReceiving {
			err = h.discard(ctx, s)
		} else {
			err = h.d.Store.DeleteUpload(ctx, id)
		}
		if err != nil {
			return err
		}
	default:
		return h.answerInit(w, r, s)
	}

	s = store.UploadSession{
		ID: id, Kind: store.UploadResumable, UserID: u.ID, Meta: meta, Filename: filename, Size: size,
		ContentType: contentType, SourceKey: newOriginalKey(), LastModified: lastModified,
		CreatedAt: now, ExpiresAt: now.Add(h.d.SessionLifetime),
	}
	for name, data := range map[string][]byte{imageThumbnail: images.Thumbnail, imagePreview: images.Preview} {
		if data == nil {
			continue
		}
		if err := h.d.Blobs.Put(ctx, imageKey(id, name), bytes.NewReader(data), int64(len(data)), blob.PutOptions{}); err != nil {
			return fmt.Errorf("stage %s of upload %s: %w", name, id, err)
		}
		s.Images = append(s.Images, name)
	}
	err = h.d.Store.CreateUpload(ctx, s)
	if errors.Is(err, store.ErrUploadExists) {
		// The same init, a moment earlier: answer that session.
		if s, err = h.d.Store.Upload(ctx, id); err != nil {
			return err
		}
		return h.answerInit(w, r, s)
	}
	if err != nil {
		return err
	}
	setSessionHeaders(w, r, s)
	w.WriteHeader(http.StatusCreated)
	return nil
}

// answerInit answers an init that found its session: 200 (node-uploadx
// answers 201 again while no byte is in), with the video once created.
func (h *Handlers) answerInit(w http.ResponseWriter, r *http.Request, s store.UploadSession) error {
	setSessionHeaders(w, r, s)
	switch {
	case s.State == store.UploadDone:
		return writeVideo(w, s.VideoID, s.VideoUUID)
	case s.Offset > 0:
		w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", s.Offset-1))
		w.WriteHeader(http.StatusOK)
	default:
		w.WriteHeader(http.StatusCreated)
	}
	return nil
}

func setSessionHeaders(w http.ResponseWriter, r *http.Request, s store.UploadSession) {
	q := url.Values{"upload_id": {s.ID}}
	w.Header().Set("Location", baseURL(r)+r.URL.Path+"?"+q.Encode())
	w.Header().Set(hdrUploadExpires, s.ExpiresAt.UTC().Format(isoMillis))
}

// headerOf returns a header's value and whether it was sent at all.
func headerOf(r *http.Request, name string) (string, bool) {
	v, ok := r.Header[http.CanonicalHeaderKey(name)]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// headerValue is a header's value for invalid-params (nil when absent).
func headerValue(r *http.Request, name string) any {
	if v, ok := headerOf(r, name); ok {
		return v
	}
	return nil
}

// readInitBody reads an init body: a JSON object, or form fields (url-
// encoded, or multipart with thumbnailfile and previewfile).
func (h *Handlers) readInitBody(r *http.Request, errs *videometa.Errors) (videometa.Input, Images, error) {
	var images Images
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "", "application/json":
		raw, err := io.ReadAll(io.LimitReader(r.Body, maxFieldSize+1))
		if err != nil {
			return nil, images, problem.BadRequest("Malformed JSON body")
		}
		in, err := videometa.JSONInput(raw)
		return in, images, err
	case "application/x-www-form-urlencoded":
		r.Body = http.MaxBytesReader(nil, r.Body, maxFormSize)
		if err := r.ParseForm(); err != nil {
			return nil, images, problem.BadRequest("Malformed form body")
		}
		return videometa.FormInput(r.PostForm), images, nil
	case "multipart/form-data":
	default:
		return videometa.Input{}, images, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, images, problem.BadRequest("Malformed multipart body")
	}
	values := url.Values{}
	total := 0
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return videometa.FormInput(values), images, nil
		}
		if err != nil {
			return nil, images, problem.BadRequest("Malformed multipart body")
		}
		name := part.FormName()
		switch {
		case part.FileName() == "":
			val, err := io.ReadAll(io.LimitReader(part, maxFieldSize+1))
			total += len(val)
			if err != nil || len(val) > maxFieldSize || total > maxFormSize {
				return nil, images, problem.New(http.StatusRequestEntityTooLarge, "Form fields too large")
			}
			values.Add(name, string(val))
		case name == "thumbnailfile" || name == "previewfile":
			data, ok, err := readImage(part, part.Header.Get("Content-Type"), h.d.ImageMaxSize)
			if err != nil {
				return nil, images, problem.BadRequest("Malformed multipart body")
			}
			switch {
			case !ok:
				errs.Add(name, nil, imageMessage(name))
			case name == "thumbnailfile":
				images.Thumbnail = data
			default:
				images.Preview = data
			}
		default:
			if _, err := io.Copy(io.Discard, part); err != nil {
				return nil, images, problem.BadRequest("Malformed multipart body")
			}
		}
	}
}

// contentRange is a PUT's Content-Range: bytes [start, end) of a file of
// total bytes (-1: "*"), or a status query.
type contentRange struct {
	status     bool
	start, end int64
	total      int64
}

// parseContentRange reads "bytes a-b/total" and "bytes */total".
func parseContentRange(v string) (contentRange, bool) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !ok {
		return contentRange{}, false
	}
	rng, total, ok := strings.Cut(strings.TrimSpace(spec), "/")
	if !ok {
		return contentRange{}, false
	}
	cr := contentRange{total: -1}
	if total != "*" {
		n, err := strconv.ParseInt(total, 10, 64)
		if err != nil || n < 0 {
			return contentRange{}, false
		}
		cr.total = n
	}
	if rng == "*" {
		cr.status = true
		return cr, true
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return contentRange{}, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || last < start {
		return contentRange{}, false
	}
	cr.start, cr.end = start, last+1
	return cr, true
}

// chunkRange reads the range a PUT carries. No Content-Range is a status
// query when the body is empty, else the whole body from byte 0 (as
// node-uploadx reads it).
func chunkRange(r *http.Request, s store.UploadSession) (contentRange, error) {
	v := r.Header.Get("Content-Range")
	if v == "" {
		if r.ContentLength <= 0 {
			return contentRange{status: true, total: s.Size}, nil
		}
		return contentRange{start: 0, end: r.ContentLength, total: s.Size}, nil
	}
	cr, ok := parseContentRange(v)
	if !ok {
		return cr, problem.BadRequest("invalid or missing content-range header")
	}
	if cr.total >= 0 && cr.total != s.Size {
		return cr, problem.Conflict("", fmt.Sprintf("file conflict: Content-Range total %d is not the declared size %d", cr.total, s.Size))
	}
	if !cr.status && cr.end > s.Size {
		return cr, problem.Conflict("", fmt.Sprintf("file conflict: Content-Range ends past the declared size %d", s.Size))
	}
	if !cr.status && r.ContentLength >= 0 && r.ContentLength != cr.end-cr.start {
		return cr, problem.BadRequest(fmt.Sprintf("Content-Length %d is not the length of Content-Range %s", r.ContentLength, v))
	}
	return cr, nil
}

// resumableChunk stores one chunk and commits it, or answers a status
// query.
func (h *Handlers) resumableChunk(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := h.d.Now()
	s, err := h.session(ctx, r.URL.Query().Get("upload_id"), u, store.UploadResumable)
	if err != nil {
		return err
	}
	if s.Expired(now) {
		return h.expired(ctx, s)
	}
	cr, err := chunkRange(r, s)
	if err != nil {
		return err
	}
	if cr.status || s.State != store.UploadReceiving {
		return h.progress(ctx, w, u, s)
	}
	n := cr.end - cr.start
	if n > h.d.MaxChunkSize {
		return problem.New(http.StatusRequestEntityTooLarge, fmt.Sprintf(
			"request entity too large: a chunk may have at most %d bytes (client.videos.resumableUpload.maxChunkSize)", h.d.MaxChunkSize))
	}
	body := &bodyReader{r: r.Body}
	switch {
	case cr.start > s.Offset:
		_, _ = io.CopyN(io.Discard, body, n)
		return conflict(w, s)
	case cr.end <= s.Offset:
		// Already committed: a replay, harmless.
		_, _ = io.CopyN(io.Discard, body, n)
		return h.progress(ctx, w, u, s)
	}
	// Store only the bytes past the committed offset.
	if _, err := io.CopyN(io.Discard, body, s.Offset-cr.start); err != nil {
		return errCut()
	}
	key := chunkKey(s.ID, s.Offset, cr.end)
	if err := h.d.Blobs.Put(ctx, key, body, cr.end-s.Offset, blob.PutOptions{ContentType: "application/octet-stream"}); err != nil {
		switch {
		case body.err != nil || body.n < n:
			return errCut()
		case body.n > n:
			return errLong()
		}
		return fmt.Errorf("store chunk %s: %w", key, err)
	}
	var one [1]byte
	if extra, _ := body.Read(one[:]); extra > 0 {
		if err := h.d.Blobs.Delete(ctx, key); err != nil {
			return fmt.Errorf("delete chunk %s: %w", key, err)
		}
		return errLong()
	}
	next, err := h.d.Store.AdvanceUpload(ctx, s.ID, s.Offset, cr.end, now, now.Add(h.d.SessionLifetime))
	if errors.Is(err, store.ErrStale) {
		// Another request moved the session first (the same chunk sent
		// twice at once, or a session that just expired).
		if next, err = h.d.Store.Upload(ctx, s.ID); err != nil {
			return err
		}
		if next.Expired(now) {
			return h.expired(ctx, next)
		}
		if next.State == store.UploadReceiving && next.Offset < cr.end {
			return conflict(w, next)
		}
	} else if err != nil {
		return err
	}
	return h.progress(ctx, w, u, next)
}

// progress answers where a session stands: 308 with Range while bytes are
// missing, and once all are in, the video (created now by the request
// that claims the session).
func (h *Handlers) progress(ctx context.Context, w http.ResponseWriter, u *model.User, s store.UploadSession) error {
	if s.State == store.UploadDone {
		return answerState(w, s)
	}
	if s.Offset < s.Size {
		if s.Offset > 0 {
			w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", s.Offset-1))
		}
		w.Header().Set(hdrUploadExpires, s.ExpiresAt.UTC().Format(isoMillis))
		w.WriteHeader(http.StatusPermanentRedirect)
		return nil
	}
	claimed, err := h.d.Store.ClaimUpload(ctx, s.ID, s.Size, h.d.Now(), claimTimeout)
	if errors.Is(err, store.ErrStale) {
		cur, err := h.d.Store.Upload(ctx, s.ID)
		if err != nil {
			return err
		}
		return answerState(w, cur)
	}
	if err != nil {
		return err
	}
	return h.finish(ctx, w, u, claimed, model.SourceFile{
		Key: s.SourceKey, Filename: s.Filename, Size: s.Size, ChunkPrefix: ChunkPrefix(s.ID),
	})
}

// conflict is node-uploadx's 409 for a chunk that does not continue the
// upload, with where it stands.
func conflict(w http.ResponseWriter, s store.UploadSession) error {
	if s.Offset > 0 {
		w.Header().Set("Range", fmt.Sprintf("bytes=0-%d", s.Offset-1))
	}
	return problem.Conflict("", fmt.Sprintf("file conflict: the upload has %d bytes; send the chunk that starts there", s.Offset))
}

// resumableCancel deletes a session: with its bytes before the video
// exists, alone after (PeerTube's clients send it after the last chunk).
func (h *Handlers) resumableCancel(w http.ResponseWriter, r *http.Request) error {
	return h.cancel(w, r, r.URL.Query().Get("upload_id"), store.UploadResumable)
}

// cancel ends a user's upload session of a kind: its data is discarded,
// unless a video already owns it (then only the session goes).
func (h *Handlers) cancel(w http.ResponseWriter, r *http.Request, id string, kind string) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	s, err := h.session(ctx, id, u, kind)
	if err != nil {
		return err
	}
	switch s.State {
	case store.UploadCompleting:
		return errBusy()
	case store.UploadDone:
		err = h.d.Store.DeleteUpload(ctx, s.ID)
	default:
		err = h.discard(ctx, s)
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
