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

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/videometa"
)

// legacyForm is what a legacy upload's body held.
type legacyForm struct {
	values url.Values
	// file is the stored videofile (Key set) or zero when none came.
	file model.SourceFile
	// unsupported: a videofile came but is not a video type we take.
	unsupported bool
	images      Images
}

// legacy serves PeerTube's multipart upload. The file streams into the
// blob store while the body is read; everything is checked once the body
// has ended (fields may follow the file), and a refused upload deletes
// what was stored.
func (h *Handlers) legacy(w http.ResponseWriter, r *http.Request) error {
	u, err := h.user(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	errs := videometa.NewErrors("body")
	form, err := h.readLegacyForm(ctx, r, errs)
	if err != nil {
		return err
	}
	stored := form.file.Key != ""
	refuse := func(err error) error {
		if stored {
			if derr := h.d.Blobs.Delete(ctx, form.file.Key); derr != nil {
				h.d.Log.ErrorContext(ctx, "delete refused upload", "key", form.file.Key, "err", derr)
			}
		}
		return err
	}
	if !stored && !form.unsupported {
		errs.Add("videofile", nil, "Should have a file")
	}
	meta, err := videometa.New(videometa.FormInput(form.values), errs)
	if p := errs.Problem(); p != nil {
		return refuse(p)
	}
	if err != nil {
		return refuse(err)
	}
	if err := h.d.CheckChannel(ctx, u, meta.ChannelID); err != nil {
		return refuse(err)
	}
	if form.unsupported {
		return h.types.unsupported()
	}
	if err := h.d.CheckQuota(ctx, u, form.file.Size); err != nil {
		return refuse(err)
	}
	v, err := h.d.Create(ctx, u, meta, form.file, form.images)
	if err != nil {
		return refuse(err)
	}
	return writeVideo(w, v.ID, v.UUID)
}

// readLegacyForm reads the whole body: fields into values, the video into
// the blob store, images into memory. Image rejections go to errs.
func (h *Handlers) readLegacyForm(ctx context.Context, r *http.Request, errs *videometa.Errors) (legacyForm, error) {
	form := legacyForm{values: url.Values{}}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "multipart/form-data":
	case "application/x-www-form-urlencoded":
		// No file can come this way: the fields are still checked, as
		// PeerTube checks them before saying the file is missing.
		r.Body = http.MaxBytesReader(nil, r.Body, maxFormSize)
		if err := r.ParseForm(); err != nil {
			return form, problem.BadRequest("Malformed form body")
		}
		form.values = r.PostForm
		return form, nil
	default:
		return form, nil
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return form, problem.BadRequest("Malformed multipart body")
	}
	fieldBytes := 0
	fail := func(err error) (legacyForm, error) {
		if form.file.Key != "" {
			if derr := h.d.Blobs.Delete(ctx, form.file.Key); derr != nil {
				h.d.Log.ErrorContext(ctx, "delete partial upload", "key", form.file.Key, "err", derr)
			}
		}
		return legacyForm{}, err
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return form, nil
		}
		if err != nil {
			return fail(problem.BadRequest("Malformed multipart body"))
		}
		name := part.FormName()
		switch {
		case part.FileName() == "":
			val, err := io.ReadAll(io.LimitReader(part, maxFieldSize+1))
			if err != nil {
				return fail(problem.BadRequest("Malformed multipart body"))
			}
			fieldBytes += len(val)
			if len(val) > maxFieldSize || fieldBytes > maxFormSize {
				return fail(problem.New(http.StatusRequestEntityTooLarge, "Form fields too large"))
			}
			form.values.Add(name, string(val))
		case name == "videofile" && form.file.Key == "" && !form.unsupported:
			if !h.types.accepts(part.Header.Get("Content-Type"), part.FileName()) {
				form.unsupported = true
				if _, err := io.Copy(io.Discard, part); err != nil {
					return fail(problem.BadRequest("Malformed multipart body"))
				}
				continue
			}
			src, err := h.storeStream(ctx, part, part.Header.Get("Content-Type"))
			if err != nil {
				return fail(err)
			}
			src.Filename = part.FileName()
			form.file = src
		case name == "thumbnailfile" || name == "previewfile":
			data, ok, err := readImage(part, part.Header.Get("Content-Type"), h.d.ImageMaxSize)
			if err != nil {
				return fail(problem.BadRequest("Malformed multipart body"))
			}
			if !ok {
				errs.Add(name, nil, imageMessage(name))
				continue
			}
			if name == "thumbnailfile" {
				form.images.Thumbnail = data
			} else {
				form.images.Preview = data
			}
		default:
			// Another file, or a second videofile: read past it.
			if _, err := io.Copy(io.Discard, part); err != nil {
				return fail(problem.BadRequest("Malformed multipart body"))
			}
		}
	}
}

// storeStream streams body into a new original through a blob multipart
// upload, in parts of blob.MinPartSize held in memory one at a time. An
// empty body stores nothing (Key is ""). On any failure the multipart
// upload is aborted; a failure to read the body is a 400.
func (h *Handlers) storeStream(ctx context.Context, body io.Reader, contentType string) (model.SourceFile, error) {
	key := newOriginalKey()
	id, err := h.d.Blobs.CreateMultipart(ctx, key, blob.PutOptions{ContentType: contentType})
	if err != nil {
		return model.SourceFile{}, fmt.Errorf("start original %s: %w", key, err)
	}
	abort := func(err error) (model.SourceFile, error) {
		if aerr := h.d.Blobs.AbortMultipart(ctx, key, id); aerr != nil {
			h.d.Log.ErrorContext(ctx, "abort original", "key", key, "err", aerr)
		}
		return model.SourceFile{}, err
	}
	buf := make([]byte, blob.MinPartSize)
	var parts []blob.Part
	var size int64
	for {
		n, rerr := fill(body, buf)
		if n > 0 {
			if len(parts) == blob.MaxParts {
				return abort(problem.New(http.StatusRequestEntityTooLarge, "This file is too large."))
			}
			p, err := h.d.Blobs.UploadPart(ctx, key, id, int32(len(parts)+1), bytes.NewReader(buf[:n]), int64(n))
			if err != nil {
				return abort(fmt.Errorf("store part %d of %s: %w", len(parts)+1, key, err))
			}
			parts = append(parts, p)
			size += int64(n)
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return abort(problem.BadRequest("The upload was interrupted: " + errBodyCut.Error()))
		}
	}
	if size == 0 {
		return abort(nil)
	}
	if err := h.d.Blobs.CompleteMultipart(ctx, key, id, parts); err != nil {
		return abort(fmt.Errorf("complete original %s: %w", key, err))
	}
	return model.SourceFile{Key: key, Size: size}, nil
}

// fill reads into buf until it is full or r ends; err is io.EOF only when
// r ended cleanly (so a multipart part cut short is an error, not an end).
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := r.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
