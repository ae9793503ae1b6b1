package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"regexp"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/problem"
	"github.com/vidiverse/vidiverse/shared/shortuuid"
	"github.com/vidiverse/vidiverse/shared/store"
)

var uuidRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// findVideo resolves a video id parameter: a number, a UUID or a short
// UUID. It answers PeerTube's 400 for a malformed id and 404 for none.
func (a *API) findVideo(ctx context.Context, r *http.Request, param, operation string) (model.Video, error) {
	raw := r.PathValue(param)
	bad := problem.InvalidField("params", param, raw, "Should have a valid video id (id, short UUID or UUID)").WithDocs(operation)
	var v model.Video
	var err error
	switch {
	case raw == "":
		return v, bad
	case uuidRe.MatchString(raw):
		v, err = a.st.VideoByUUID(ctx, raw)
	default:
		if id, perr := strconv.ParseInt(raw, 10, 64); perr == nil {
			if id < 1 {
				return v, bad
			}
			v, err = a.st.Video(ctx, id)
		} else if u, ok := shortuuid.ToUUID(raw); ok {
			v, err = a.st.VideoByUUID(ctx, u)
		} else {
			return v, bad
		}
	}
	if errors.Is(err, store.ErrNotFound) {
		return v, problem.NotFound("Video not found").WithDocs(operation)
	}
	return v, err
}

// visibleVideo resolves a video the requester may see.
func (a *API) visibleVideo(r *http.Request, param, operation string) (model.Video, *model.User, error) {
	u, err := a.optionalUser(r)
	if err != nil {
		return model.Video{}, nil, err
	}
	v, err := a.findVideo(r.Context(), r, param, operation)
	if err != nil {
		return v, u, err
	}
	if !canSee(u, v) {
		if u == nil && (v.Privacy != model.PrivacyPublic && v.Privacy != model.PrivacyUnlisted) {
			return v, u, problem.Unauthorized("Cannot get this video: authentication required")
		}
		return v, u, problem.Forbidden("Cannot get this video regarding its privacy or state")
	}
	return v, u, nil
}

// ownedVideo resolves a video its owner or a moderator changes.
func (a *API) ownedVideo(r *http.Request, operation string) (model.Video, error) {
	u := currentUser(r)
	v, err := a.findVideo(r.Context(), r, "id", operation)
	if err != nil {
		return v, err
	}
	if !ownsVideo(u, v) && !isModerator(u) {
		return v, problem.Forbidden("Cannot manage a video of another user.")
	}
	return v, nil
}

// getVideo answers GET /api/v1/videos/{id}.
func (a *API) getVideo(w http.ResponseWriter, r *http.Request) error {
	v, _, err := a.visibleVideo(r, "id", "getVideo")
	if err != nil {
		return err
	}
	acc, ch, err := newOwners(a).of(r.Context(), v)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, a.videoDetailsJSON(v, acc, ch))
}

// getVideoDescription answers GET /api/v1/videos/{id}/description.
func (a *API) getVideoDescription(w http.ResponseWriter, r *http.Request) error {
	v, _, err := a.visibleVideo(r, "id", "getVideoDesc")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]*string{"description": nullable(v.Description)})
}

// getFileMetadata answers GET /api/v1/videos/{id}/metadata/{fileId}: the
// file's ffprobe output.
func (a *API) getFileMetadata(w http.ResponseWriter, r *http.Request) error {
	v, _, err := a.visibleVideo(r, "id", "getVideoFileMetadata")
	if err != nil {
		return err
	}
	raw := r.PathValue("fileId")
	fileID, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || fileID < 1 {
		return problem.InvalidField("params", "videoFileId", raw, "Should have a valid video file id")
	}
	var key string
	for _, f := range allFiles(v) {
		if f.ID == fileID {
			key = f.MetadataKey
		}
	}
	if key == "" {
		return problem.NotFound("Video file metadata not found")
	}
	body, _, err := a.blobs.Get(r.Context(), key, nil)
	if err != nil {
		return err
	}
	defer body.Close()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = io.Copy(w, body)
	return err
}

func allFiles(v model.Video) []model.VideoFile {
	fs := append([]model.VideoFile{}, v.Files...)
	if v.HLS != nil {
		fs = append(fs, v.HLS.Files...)
	}
	return fs
}

// deleteVideo answers DELETE /api/v1/videos/{id}: the video, then its
// media (a failure there leaves orphans to sweep, never a video without
// files).
func (a *API) deleteVideo(w http.ResponseWriter, r *http.Request) error {
	v, err := a.ownedVideo(r, "delVideo")
	if err != nil {
		return err
	}
	del := a.st.DeleteVideo
	if v.Remote != nil {
		del = a.st.DeleteRemoteVideo
	}
	if err := del(r.Context(), v); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	a.invalidate()
	if a.outbox != nil {
		if err := a.outbox.VideoDeleted(r.Context(), v); err != nil {
			a.log.ErrorContext(r.Context(), "federate video deletion", "video", v.UUID, "err", err)
		}
	}
	for _, key := range mediaKeys(v) {
		if key == "" {
			continue
		}
		if err := a.blobs.Delete(r.Context(), key); err != nil {
			a.log.WarnContext(r.Context(), "delete media of a deleted video", "key", key, "err", err)
		}
	}
	if err := a.st.DeletePlan(r.Context(), v.ID); err != nil {
		a.log.WarnContext(r.Context(), "delete plan of a deleted video", "video", v.ID, "err", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// mediaKeys lists every blob a video has.
func mediaKeys(v model.Video) []string {
	keys := []string{v.Source.Key}
	if v.Thumbnail != "" {
		keys = append(keys, mediakeys.Thumbnail(v.Thumbnail))
	}
	if v.Preview != "" {
		keys = append(keys, mediakeys.Preview(v.Preview))
	}
	for _, f := range v.Files {
		keys = append(keys, mediakeys.WebVideo(f.Filename))
	}
	if v.HLS != nil {
		keys = append(keys, mediakeys.HLSFile(v.UUID, v.HLS.PlaylistFilename), mediakeys.HLSFile(v.UUID, v.HLS.SegmentsSHA256Filename))
		for _, f := range v.HLS.Files {
			keys = append(keys, mediakeys.HLSFile(v.UUID, f.Filename), mediakeys.HLSFile(v.UUID, f.Playlist))
		}
	}
	for _, f := range allFiles(v) {
		if f.TorrentFilename != "" {
			keys = append(keys, mediakeys.Torrent(f.TorrentFilename))
		}
		if f.MetadataKey != "" {
			keys = append(keys, f.MetadataKey)
		}
	}
	return keys
}

type viewBody struct {
	CurrentTime optInt    `json:"currentTime"`
	ViewEvent   optString `json:"viewEvent"`
	SessionID   optString `json:"sessionId"`
}

// postVideoView answers POST /api/v1/videos/{id}/views, counting the view
// as PeerTube does (see store.RecordView).
func (a *API) postVideoView(w http.ResponseWriter, r *http.Request) error {
	v, u, err := a.visibleVideo(r, "id", "addView")
	if err != nil {
		return err
	}
	var b viewBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	if !b.CurrentTime.Set || b.CurrentTime.V < 0 {
		return problem.InvalidField("body", "currentTime", b.CurrentTime.V, "Should have correct current time")
	}
	if b.ViewEvent.Set && b.ViewEvent.V != "seek" {
		return problem.InvalidField("body", "viewEvent", b.ViewEvent.V, "Should have correct view event")
	}
	if _, err := a.st.RecordView(r.Context(), v.ID, viewerID(r, u, b.SessionID.V), float64(b.CurrentTime.V)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type rateBody struct {
	Rating optString `json:"rating"`
}

// putVideoRate answers PUT /api/v1/videos/{id}/rate.
func (a *API) putVideoRate(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	var b rateBody
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	switch b.Rating.V {
	case "like", "dislike", "none":
	default:
		return problem.InvalidField("body", "rating", b.Rating.V, "Should have a valid rate type")
	}
	v, _, err := a.visibleVideo(r, "id", "putVideoRate")
	if err != nil {
		return err
	}
	old, err := a.st.Rating(r.Context(), v.ID, u.AccountID)
	if err != nil {
		return err
	}
	if err := a.st.Rate(r.Context(), v.ID, u.AccountID, b.Rating.V); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return problem.NotFound("Video not found")
		}
		return err
	}
	a.invalidate()
	if a.outbox != nil && v.Remote != nil {
		acc, err := a.st.Account(r.Context(), u.AccountID)
		if err == nil {
			err = a.outbox.Rated(r.Context(), v, acc, old, b.Rating.V)
		}
		if err != nil {
			a.log.ErrorContext(r.Context(), "federate rating", "video", v.UUID, "err", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getMyRating answers GET /api/v1/users/me/videos/{videoId}/rating.
func (a *API) getMyRating(w http.ResponseWriter, r *http.Request) error {
	u := currentUser(r)
	v, err := a.findVideo(r.Context(), r, "videoId", "getUserVideoRating")
	if err != nil {
		return err
	}
	rating, err := a.st.Rating(r.Context(), v.ID, u.AccountID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"videoId": v.ID, "rating": rating})
}

// viewerID identifies a viewer for view counting without storing who they
// are: a hash of the account, or of the address and browser (and the
// player's session id when it sends one).
func viewerID(r *http.Request, u *model.User, session string) string {
	var who string
	if u != nil {
		who = "account:" + strconv.FormatInt(u.AccountID, 10)
	} else {
		who = "anon:" + clientIP(r) + "\n" + r.UserAgent() + "\n" + session
	}
	sum := sha256.Sum256([]byte(who))
	return hex.EncodeToString(sum[:12])
}
