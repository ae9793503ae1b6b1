package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/logging"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/pipeline"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/transcode"
	"github.com/vidiverse/vidiverse/shared/upload"
	"github.com/vidiverse/vidiverse/shared/videometa"
)

// checkChannel verifies that a user may publish into a channel.
func (a *API) checkChannel(ctx context.Context, u *model.User, channelID int64) error {
	ch, err := a.st.Channel(ctx, channelID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && ch.AccountID != u.AccountID) {
		return problem.InvalidField("body", "channelId", channelID, "Unknown video channel for this account.")
	}
	return err
}

// quotaUsed is what a user's videos take against the quotas: PeerTube
// counts the largest file of each video, and the daily quota the videos
// of the last 24 hours.
func (a *API) quotaUsed(ctx context.Context, u *model.User) (total, daily int64, err error) {
	vs, err := a.st.AccountVideos(ctx, u.AccountID)
	if err != nil {
		return 0, 0, err
	}
	dayAgo := a.now().Add(-24 * time.Hour)
	for _, v := range vs {
		size := filesSize(v)
		total += size
		if v.CreatedAt.After(dayAgo) {
			daily += size
		}
	}
	return total, daily, nil
}

// checkQuota refuses an upload of size bytes that would exceed the user's
// quotas with PeerTube's 413 and the bytes that would still fit.
func (a *API) checkQuota(ctx context.Context, u *model.User, size int64) error {
	if u.VideoQuota < 0 && u.VideoQuotaDaily < 0 {
		return nil
	}
	total, daily, err := a.quotaUsed(ctx, u)
	if err != nil {
		return err
	}
	left := int64(-1)
	if u.VideoQuota >= 0 {
		left = u.VideoQuota - total
	}
	if u.VideoQuotaDaily >= 0 && (left < 0 || u.VideoQuotaDaily-daily < left) {
		left = u.VideoQuotaDaily - daily
	}
	if left >= 0 && size > left {
		return problem.Coded(http.StatusRequestEntityTooLarge, "quota_reached",
			"The user video quota is exceeded with this video.").
			WithHeader("X-File-Maximum-Size", strconv.FormatInt(max(left, 0), 10))
	}
	return nil
}

// requireUser is the authenticated user, or PeerTube's 401.
func (a *API) requireUser(r *http.Request) (*model.User, error) {
	u, _, err := a.authenticate(r)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, problem.Unauthorized("Token is invalid")
	}
	logging.SetActor(r.Context(), u.Username)
	return u, nil
}

// createUploaded creates a video from an upload, with the thumbnail and
// preview the uploader sent (the pipeline makes those not sent).
func (a *API) createUploaded(ctx context.Context, u *model.User, meta model.VideoMeta, src model.SourceFile, images upload.Images) (model.Video, error) {
	if err := a.checkReadable(ctx, src); err != nil {
		return model.Video{}, err
	}
	var thumb, preview string
	for _, img := range []struct {
		data []byte
		name *string
		key  func(string) string
	}{{images.Thumbnail, &thumb, mediakeys.Thumbnail}, {images.Preview, &preview, mediakeys.Preview}} {
		if len(img.data) == 0 {
			continue
		}
		*img.name = mediakeys.NewName() + ".jpg"
		if err := a.blobs.Put(ctx, img.key(*img.name), bytes.NewReader(img.data), int64(len(img.data)),
			blob.PutOptions{ContentType: "image/jpeg"}); err != nil {
			return model.Video{}, err
		}
	}
	return a.createVideo(ctx, u, meta, src, thumb, preview)
}

// checkReadable refuses, as PeerTube does, an upload ffprobe cannot read,
// when this function has ffprobe (the pipeline marks such a video as
// failed otherwise). A resumable upload still in chunks is checked by the
// pipeline.
func (a *API) checkReadable(ctx context.Context, src model.SourceFile) error {
	if a.probe == nil || src.ChunkPrefix != "" {
		return nil
	}
	url, err := a.blobs.PresignGet(ctx, src.Key, 10*time.Minute)
	if err != nil {
		return err
	}
	err = a.probe(ctx, url)
	var bad *transcode.InputError
	if errors.As(err, &bad) {
		return problem.New(http.StatusUnprocessableEntity, "Video file unreadable.")
	}
	return err
}

// createVideo stores an uploaded video and queues its processing. If the
// job cannot be queued the video is removed again, so an upload either
// leads to a processed video or fails visibly.
func (a *API) createVideo(ctx context.Context, u *model.User, meta model.VideoMeta, src model.SourceFile, thumb, preview string) (model.Video, error) {
	// The upload is listed at once as the video's first file, not yet
	// published (no URL, no torrent): PeerTube's CLI polls files[0] until
	// its torrent appears and fails if there is no files[0].
	fileID, err := a.st.NewFileID(ctx)
	if err != nil {
		return model.Video{}, err
	}
	v, err := a.st.CreateVideo(ctx, model.Video{
		UUID: mediakeys.NewName(), AccountID: u.AccountID, VideoMeta: meta,
		State: model.StateToTranscode, Source: src, Thumbnail: thumb, Preview: preview,
		Files: []model.VideoFile{{ID: fileID, FromSource: true, Size: src.Size}},
	})
	if errors.Is(err, store.ErrNotFound) {
		return v, problem.InvalidField("body", "channelId", meta.ChannelID, "Unknown video channel for this account.")
	}
	if err != nil {
		return v, err
	}
	a.invalidate()
	job := pipeline.Job{Kind: pipeline.KindIngest, VideoID: v.ID, Chunk: -1}
	var qerr error
	for attempt := 0; attempt < 3; attempt++ {
		if qerr = pipeline.Enqueue(ctx, a.transcode, job); qerr == nil {
			return v, nil
		}
	}
	if err := a.st.DeleteVideo(ctx, v); err != nil {
		a.log.ErrorContext(ctx, "remove a video whose processing could not be queued", "video", v.ID, "err", err)
	}
	return v, fmt.Errorf("queue ingest of video %d: %w", v.ID, qerr)
}

// putVideo answers PUT /api/v1/videos/{id} (multipart form or JSON).
func (a *API) putVideo(w http.ResponseWriter, r *http.Request) error {
	v, err := a.ownedVideo(r, "putVideo")
	if err != nil {
		return err
	}
	var meta model.VideoMeta
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	r.Body = http.MaxBytesReader(w, r.Body, 8<<20)
	switch ct {
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return problem.BadRequest("Malformed form body")
		}
		meta, err = videometa.PatchFromForm(v.VideoMeta, r.PostForm)
	case "multipart/form-data":
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return problem.BadRequest("Malformed multipart body")
		}
		meta, err = videometa.PatchFromForm(v.VideoMeta, r.MultipartForm.Value)
	case "application/json", "":
		raw, rerr := io.ReadAll(r.Body)
		if rerr != nil {
			return problem.New(http.StatusRequestEntityTooLarge, "Request body too large")
		}
		meta, err = videometa.PatchFromJSON(v.VideoMeta, raw)
	default:
		return problem.New(http.StatusUnsupportedMediaType, "Unsupported content type "+ct)
	}
	if err != nil {
		return err
	}
	if meta.ChannelID != v.ChannelID {
		return problem.BadRequest("Moving a video to another channel is not supported yet")
	}
	updated, err := a.st.ModifyVideo(r.Context(), v.ID, func(x *model.Video) error {
		x.VideoMeta = meta
		return nil
	})
	if err != nil {
		return err
	}
	a.invalidate()
	if a.outbox != nil {
		if err := a.outbox.VideoChanged(r.Context(), v, updated); err != nil {
			a.log.ErrorContext(r.Context(), "federate video update", "video", v.UUID, "err", err)
		}
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// downloadVideo answers /download/videos/{uuid}-{res}.{ext} and the HLS
// equivalent with a redirect to the file on the CDN.
func (a *API) downloadVideo(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	dot := strings.LastIndexByte(file, '.')
	dash := strings.LastIndexByte(strings.TrimSuffix(file[:max(dot, 0)], "-fragmented"), '-')
	if dot < 0 || dash < 36 {
		return problem.NotFound("File not found")
	}
	uuid := file[:dash]
	res, err := strconv.Atoi(strings.TrimSuffix(file[dash+1:dot], "-fragmented"))
	if !uuidRe.MatchString(uuid) || err != nil {
		return problem.NotFound("File not found")
	}
	u, err := a.optionalUser(r)
	if err != nil {
		return err
	}
	v, err := a.st.VideoByUUID(r.Context(), uuid)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !canSee(u, v)) {
		return problem.NotFound("File not found")
	}
	if err != nil {
		return err
	}
	if !v.DownloadEnabled && !ownsVideo(u, v) && !isModerator(u) {
		return problem.Forbidden("Video download is disabled")
	}
	hls := strings.Contains(r.URL.Path, "/streaming-playlists/")
	files := v.Files
	if hls {
		files = nil
		if v.HLS != nil {
			files = v.HLS.Files
		}
	}
	for _, f := range files {
		if f.Resolution == res {
			key := mediakeys.WebVideo(f.Filename)
			if hls {
				key = mediakeys.HLSFile(v.UUID, f.Filename)
			}
			http.Redirect(w, r, mediakeys.URL(a.cfg.PublicURL, key), http.StatusFound)
			return nil
		}
	}
	return problem.NotFound("File not found")
}

// downloadTorrent answers /download/torrents/{file}.
func (a *API) downloadTorrent(w http.ResponseWriter, r *http.Request) error {
	file := r.PathValue("file")
	if !strings.HasSuffix(file, ".torrent") || strings.ContainsAny(file, "/\\") {
		return problem.NotFound("Torrent not found")
	}
	http.Redirect(w, r, mediakeys.URL(a.cfg.PublicURL, mediakeys.Torrent(file)), http.StatusFound)
	return nil
}
