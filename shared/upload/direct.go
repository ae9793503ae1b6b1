package upload

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/videometa"
)

// maxObjectSize is S3's largest object.
const maxObjectSize = 5 << 40

// maxPresignTTL is S3's longest presigned URL lifetime.
const maxPresignTTL = 7 * 24 * time.Hour

// directPart is one presigned part URL.
type directPart struct {
	PartNumber int32  `json:"partNumber"`
	URL        string `json:"url"`
}

// directStart is the answer to a direct upload's init.
type directStart struct {
	UploadID  string       `json:"uploadId"`
	PartSize  int64        `json:"partSize"`
	ExpiresAt string       `json:"expiresAt"`
	Parts     []directPart `json:"parts"`
}

// partSizeFor is the part size of a direct upload of size bytes: S3's
// minimum, or more (in whole MiB) so that it fits in MaxParts parts.
func partSizeFor(size int64) int64 {
	ps := int64(blob.MinPartSize)
	if need := (size + blob.MaxParts - 1) / blob.MaxParts; need > ps {
		ps = (need + 1<<20 - 1) >> 20 << 20
	}
	return ps
}

// directInit checks a direct upload as a resumable init is checked, starts
// its multipart upload and answers the presigned part URLs.
func (h *Handlers) directInit(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxFieldSize+1))
	if err != nil {
		return problem.BadRequest("Malformed JSON body")
	}
	in, err := videometa.JSONInput(raw)
	if err != nil {
		return err
	}
	errs := videometa.NewErrors("body")
	filename, _ := videometa.CheckFilename(errs, in)
	var size int64
	if n, ok := in["size"].(json.Number); ok {
		size, err = n.Int64()
	}
	if err != nil || size <= 0 {
		errs.Add("size", in["size"], "Should have the file size in bytes, a positive integer")
	}
	contentType, _ := in["contentType"].(string)
	if v, ok := in["contentType"]; ok && v != nil && contentType == "" {
		errs.Add("contentType", v, "Should have a MIME type")
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
	if contentType == "" {
		if types := extensionTypes[strings.ToLower(path.Ext(filename))]; len(types) > 0 {
			contentType = types[0]
		}
	}
	if size > maxObjectSize {
		return problem.New(http.StatusRequestEntityTooLarge, "This file is too large. It exceeds the maximum file size authorized.")
	}
	if err := h.d.CheckQuota(ctx, u, size); err != nil {
		return err
	}

	now := h.d.Now()
	key := newOriginalKey()
	mp, err := h.d.Blobs.CreateMultipart(ctx, key, blob.PutOptions{ContentType: contentType})
	if err != nil {
		return fmt.Errorf("start direct upload %s: %w", key, err)
	}
	s := store.UploadSession{
		ID: newID(), Kind: store.UploadDirect, UserID: u.ID, Meta: meta, Filename: filename, Size: size,
		ContentType: contentType, SourceKey: key, MultipartID: mp, CreatedAt: now, ExpiresAt: now.Add(h.d.SessionLifetime),
	}
	if err := h.d.Store.CreateUpload(ctx, s); err != nil {
		_ = h.d.Blobs.AbortMultipart(ctx, key, mp)
		return err
	}
	partSize := partSizeFor(size)
	ttl := min(h.d.SessionLifetime, maxPresignTTL)
	out := directStart{UploadID: s.ID, PartSize: partSize, ExpiresAt: s.ExpiresAt.UTC().Format(isoMillis)}
	for n := int32(1); int64(n-1)*partSize < size; n++ {
		url, err := h.d.Blobs.PresignUploadPart(ctx, key, mp, n, ttl)
		if err != nil {
			if derr := h.discard(ctx, s); derr != nil {
				h.d.Log.ErrorContext(ctx, "discard direct upload", "upload", s.ID, "err", derr)
			}
			return fmt.Errorf("presign part %d of %s: %w", n, key, err)
		}
		out.Parts = append(out.Parts, directPart{PartNumber: n, URL: url})
	}
	return writeJSON(w, http.StatusOK, out)
}

// uploadID is the {uploadId} of a direct upload's path.
func uploadID(r *http.Request) string {
	if v := r.PathValue("uploadId"); v != "" {
		return v
	}
	_, rest, ok := strings.Cut(r.URL.Path, "/upload-direct/")
	if !ok {
		return ""
	}
	rest = strings.TrimPrefix(rest, "complete/")
	id, _, _ := strings.Cut(rest, "/")
	return id
}

// completedPart is one part of a complete request.
type completedPart struct {
	PartNumber int32  `json:"partNumber"`
	ETag       string `json:"etag"`
}

// readParts reads {"parts":[{partNumber, etag}]}: every part of the upload,
// in order.
func readParts(r *http.Request, want int32) ([]completedPart, error) {
	bad := problem.InvalidField("body", "parts", nil,
		fmt.Sprintf("Should list the %d parts in order, each with its partNumber and etag", want))
	var body struct {
		Parts []completedPart `json:"parts"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 2<<20)).Decode(&body); err != nil {
		return nil, bad
	}
	if int32(len(body.Parts)) != want {
		return nil, bad
	}
	for i, p := range body.Parts {
		if p.PartNumber != int32(i+1) || strings.Trim(p.ETag, `"`) == "" {
			return nil, bad
		}
	}
	return body.Parts, nil
}

// directComplete joins a direct upload's parts and creates its video.
func (h *Handlers) directComplete(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	now := h.d.Now()
	s, err := h.session(ctx, uploadID(r), u, store.UploadDirect)
	if err != nil {
		return err
	}
	if s.Expired(now) {
		return h.expired(ctx, s)
	}
	if s.State == store.UploadDone {
		return answerState(w, s)
	}
	count := int32((s.Size + partSizeFor(s.Size) - 1) / partSizeFor(s.Size))
	given, err := readParts(r, count)
	if err != nil {
		return err
	}
	// The object exists when an earlier complete joined it but could not
	// create the video: then only the video is left to make.
	joined := false
	if info, err := h.d.Blobs.Head(ctx, s.SourceKey); err == nil {
		joined = info.Size == s.Size
	} else if !errors.Is(err, blob.ErrNotFound) {
		return fmt.Errorf("head %s: %w", s.SourceKey, err)
	}
	var parts []blob.Part
	if !joined {
		if parts, err = h.checkParts(ctx, s, given); err != nil {
			return err
		}
	}
	claimed, err := h.d.Store.ClaimUpload(ctx, s.ID, 0, now, claimTimeout)
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
	if !joined {
		if err := h.d.Blobs.CompleteMultipart(ctx, s.SourceKey, s.MultipartID, parts); err != nil {
			if errors.Is(err, blob.ErrInvalidPart) {
				// A part changed since it was checked: the client may fix it.
				if rerr := h.d.Store.ReleaseUpload(ctx, s.ID); rerr != nil {
					return rerr
				}
				return problem.BadRequest("A part changed while the upload was completed: complete it again")
			}
			return h.failClaimed(ctx, claimed, fmt.Errorf("complete %s: %w", s.SourceKey, err))
		}
		info, err := h.d.Blobs.Head(ctx, s.SourceKey)
		if err != nil {
			return h.failClaimed(ctx, claimed, fmt.Errorf("head %s: %w", s.SourceKey, err))
		}
		if info.Size != s.Size {
			return h.failClaimed(ctx, claimed, problem.BadRequest(fmt.Sprintf(
				"The uploaded file has %d bytes, not the declared %d: the upload is discarded", info.Size, s.Size)))
		}
	}
	return h.finish(ctx, w, u, claimed, model.SourceFile{Key: s.SourceKey, Filename: s.Filename, Size: s.Size})
}

// checkParts compares the client's parts with the stored ones: the same
// numbers and ETags, S3's part size rules, and the declared size in all.
// A mismatch is a 400 the client can fix by uploading again.
func (h *Handlers) checkParts(ctx context.Context, s store.UploadSession, given []completedPart) ([]blob.Part, error) {
	stored, err := h.d.Blobs.ListParts(ctx, s.SourceKey, s.MultipartID)
	if errors.Is(err, blob.ErrNoSuchUpload) {
		if derr := h.discard(ctx, s); derr != nil {
			return nil, derr
		}
		return nil, problem.New(http.StatusGone, "The upload was aborted: start it again")
	}
	if err != nil {
		return nil, fmt.Errorf("list parts of %s: %w", s.SourceKey, err)
	}
	byNumber := map[int32]blob.Part{}
	for _, p := range stored {
		byNumber[p.Number] = p
	}
	var total int64
	parts := make([]blob.Part, 0, len(given))
	for i, g := range given {
		p, ok := byNumber[g.PartNumber]
		if !ok || !strings.EqualFold(strings.Trim(p.ETag, `"`), strings.Trim(g.ETag, `"`)) {
			return nil, problem.BadRequest(fmt.Sprintf("Part %d was not uploaded, or not with ETag %s", g.PartNumber, g.ETag))
		}
		if i < len(given)-1 && p.Size != partSizeFor(s.Size) {
			return nil, problem.BadRequest(fmt.Sprintf("Part %d has %d bytes, not %d", g.PartNumber, p.Size, partSizeFor(s.Size)))
		}
		total += p.Size
		parts = append(parts, p)
	}
	if total != s.Size {
		return nil, problem.BadRequest(fmt.Sprintf("The parts hold %d bytes, not the declared %d", total, s.Size))
	}
	return parts, nil
}

// directAbort abandons a direct upload.
func (h *Handlers) directAbort(w http.ResponseWriter, r *http.Request) error {
	return h.cancel(w, r, uploadID(r), store.UploadDirect)
}
