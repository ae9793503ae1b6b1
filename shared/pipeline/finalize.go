package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/transcode"
)

// finalize writes the master playlist and the segments' hashes, retires
// the original web video when transcoded files replace it, and publishes.
func (p *Pipeline) finalize(ctx context.Context, id int64) error {
	v, ok, err := p.video(ctx, id)
	if !ok {
		return err
	}
	if v.State == model.StatePublished {
		// A finalize that died after publishing left its clean-up undone:
		// finish it (work files and plan; a retired original it had not
		// deleted yet stays behind, unreferenced).
		if _, err := p.st.Plan(ctx, id); err == nil {
			p.cleanUp(ctx, v, nil)
		}
		return nil
	}
	if v.State != model.StateToTranscode {
		return nil
	}
	stem := mediakeys.NewName()
	master, segments := stem+"-master.m3u8", stem+"-segments-sha256.json"
	if v.HLS != nil && len(v.HLS.Files) > 0 {
		var variants []transcode.Variant
		hashes := map[string]map[string]string{}
		for _, f := range v.HLS.Files {
			variants = append(variants, transcode.Variant{PlaylistName: f.Playlist, FragmentedName: f.Filename,
				Bandwidth: f.Bandwidth, Width: f.Width, Height: f.Height, FPS: f.FPS, Codecs: f.Codecs})
			part, err := p.readSegments(ctx, v, f.Filename)
			if err != nil {
				return err
			}
			for k, h := range part {
				hashes[k] = h
			}
		}
		if err := p.putBytes(ctx, mediakeys.HLSFile(v.UUID, master), transcode.MasterPlaylist(variants), "application/vnd.apple.mpegurl"); err != nil {
			return err
		}
		if err := p.putBytes(ctx, mediakeys.HLSFile(v.UUID, segments), transcode.SegmentsSHA256JSON(hashes), "application/json"); err != nil {
			return err
		}
	}
	var retired []model.VideoFile
	lost := false
	v, err = p.st.ModifyVideo(ctx, id, func(x *model.Video) error {
		if lost = x.State != model.StateToTranscode; lost {
			return nil // a concurrent delivery published it first
		}
		if x.HLS != nil && len(x.HLS.Files) > 0 {
			x.HLS.PlaylistFilename, x.HLS.SegmentsSHA256Filename = master, segments
		}
		var kept []model.VideoFile
		retired = retired[:0]
		for _, f := range x.Files {
			if f.FromSource && len(x.Files) > 1 {
				retired = append(retired, f)
				continue
			}
			kept = append(kept, f)
		}
		x.Files = kept
		x.State, x.StateReason = model.StatePublished, ""
		return nil
	})
	if err != nil {
		return err
	}
	if lost {
		p.discard(ctx, mediakeys.HLSFile(v.UUID, master), mediakeys.HLSFile(v.UUID, segments))
		return nil
	}
	p.cleanUp(ctx, v, retired)
	if p.cfg.Published != nil {
		if err := p.cfg.Published(ctx, v); err != nil {
			p.log.ErrorContext(ctx, "federate published video", "video", v.UUID, "err", err)
		}
	}
	return nil
}

// readSegments reads a fragmented file's segment hashes saved by its
// publication.
func (p *Pipeline) readSegments(ctx context.Context, v model.Video, fragmented string) (map[string]map[string]string, error) {
	body, _, err := p.blobs.Get(ctx, segmentsKey(v, fragmented), nil)
	if err != nil {
		return nil, fmt.Errorf("read segment hashes of video %d for %s: %w", v.ID, fragmented, err)
	}
	defer body.Close()
	raw, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	var m map[string]map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("decode segment hashes of video %d for %s: %w", v.ID, fragmented, err)
	}
	return m, nil
}

// cleanUp deletes what the published video no longer needs: retired
// files, work files and the plan. Failures only leave garbage behind.
func (p *Pipeline) cleanUp(ctx context.Context, v model.Video, retired []model.VideoFile) {
	var keys []string
	for _, f := range retired {
		keys = append(keys, mediakeys.WebVideo(f.Filename), mediakeys.Torrent(f.TorrentFilename), f.MetadataKey)
	}
	for after := ""; ; {
		page, err := p.blobs.List(ctx, blob.ListOptions{Prefix: mediakeys.WorkFile(v.UUID, ""), After: after})
		if err != nil {
			p.log.WarnContext(ctx, "list work files", "video", v.ID, "err", err)
			break
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	for _, k := range keys {
		if err := p.blobs.Delete(ctx, k); err != nil {
			p.log.WarnContext(ctx, "delete a retired file", "key", k, "err", err)
		}
	}
	if err := p.st.DeletePlan(ctx, v.ID); err != nil {
		p.log.WarnContext(ctx, "delete plan", "video", v.ID, "err", err)
	}
}
