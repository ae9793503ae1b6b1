package pipeline

import (
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/transcode"
	"github.com/vidiverse/vidiverse/shared/upload"
)

// ingest makes an uploaded video watchable at once and plans the rest.
func (p *Pipeline) ingest(ctx context.Context, id int64) error {
	v, ok, err := p.video(ctx, id)
	if !ok || v.State != model.StateToTranscode {
		return err // deleted, failed or already published: nothing to do
	}
	if v.Source.ChunkPrefix != "" {
		size, err := upload.Join(ctx, p.blobs, v.Source.ChunkPrefix, v.Source.Key)
		if err != nil {
			return fmt.Errorf("join chunks of video %d: %w", id, err)
		}
		if v, err = p.st.ModifyVideo(ctx, id, func(x *model.Video) error {
			x.Source.ChunkPrefix, x.Source.Size = "", size
			return nil
		}); err != nil {
			return err
		}
	}
	if v.Source.Size == 0 {
		return &errFailed{reason: "The file is empty"}
	}
	src, err := p.sourceURL(ctx, v)
	if err != nil {
		return err
	}
	probe, err := p.tools.Probe(ctx, src)
	var bad *transcode.InputError
	if errors.As(err, &bad) {
		return &errFailed{reason: bad.Reason}
	}
	if err != nil {
		return fmt.Errorf("probe video %d: %w", id, err)
	}
	if !originalPublished(v) {
		if v, err = p.publishOriginal(ctx, v, probe); err != nil {
			return err
		}
	}
	if v.Thumbnail == "" || v.Preview == "" {
		if v, err = p.makeImages(ctx, v, src, probe); err != nil {
			return err
		}
	}
	return p.plan(ctx, v, probe)
}

// publishOriginal publishes the upload as it is, as a web video with its
// torrent, so clients can play (and PeerTube's CLI stops waiting) while
// transcoding goes on.
func (p *Pipeline) publishOriginal(ctx context.Context, v model.Video, probe transcode.Probe) (model.Video, error) {
	ext := strings.ToLower(path.Ext(v.Source.Filename))
	if ext == "" || len(ext) > 6 {
		ext = ".mp4"
	}
	body, info, err := p.blobs.Get(ctx, v.Source.Key, nil)
	if err != nil {
		return v, fmt.Errorf("read source of video %d: %w", v.ID, err)
	}
	defer body.Close()
	f := model.VideoFile{Resolution: resolutionOf(probe), Width: probe.Width, Height: probe.Height, FPS: probe.FPS,
		Size: info.Size, HasAudio: probe.HasAudio, HasVideo: probe.HasVideo, FromSource: true}
	if f.ID, err = p.st.NewFileID(ctx); err != nil {
		return v, err
	}
	name := mediakeys.NewName()
	f.Filename = fmt.Sprintf("%s-%d%s", name, f.Resolution, ext)
	f.TorrentFilename = fmt.Sprintf("%s-%d.torrent", name, f.Resolution)
	if err := p.publishFile(ctx, v, &f, body, info.Size, mediakeys.WebVideo(f.Filename), ext); err != nil {
		return v, err
	}
	if err := p.putMetadata(ctx, v, &f, probe.JSON); err != nil {
		return v, err
	}
	lost := false
	v, err = p.st.ModifyVideo(ctx, v.ID, func(x *model.Video) error {
		if lost = originalPublished(*x); !lost {
			// Replaces the upload's entry, keeping its id.
			if len(x.Files) == 1 && x.Files[0].FromSource {
				f.ID = x.Files[0].ID
			}
			x.Files = []model.VideoFile{f}
		}
		x.Duration = int64(probe.Duration + 0.5)
		if probe.Height > 0 {
			x.AspectRatio = float64(probe.Width) / float64(probe.Height)
		}
		return nil
	})
	if err == nil && lost {
		// A concurrent delivery of the ingest published it first.
		p.discard(ctx, mediakeys.WebVideo(f.Filename), mediakeys.Torrent(f.TorrentFilename), f.MetadataKey)
	}
	return v, err
}

// originalPublished reports whether the upload is published as a file
// (an upload not yet published is listed without a file name).
func originalPublished(v model.Video) bool {
	return slices.ContainsFunc(v.Files, func(f model.VideoFile) bool { return f.Filename != "" })
}

// makeImages makes the thumbnail and the preview the uploader did not send.
func (p *Pipeline) makeImages(ctx context.Context, v model.Video, src string, probe transcode.Probe) (model.Video, error) {
	dir, done, err := p.workDir("images")
	if err != nil {
		return v, err
	}
	defer done()
	at := probe.Duration / 2
	var thumb, preview string
	if v.Thumbnail == "" {
		path := filepath.Join(dir, "thumbnail.jpg")
		if err := p.tools.Thumbnail(ctx, src, at, path); err != nil {
			return v, fmt.Errorf("thumbnail of video %d: %w", v.ID, err)
		}
		thumb = mediakeys.NewName() + ".jpg"
		if err := p.putFile(ctx, mediakeys.Thumbnail(thumb), path, "image/jpeg"); err != nil {
			return v, err
		}
	}
	if v.Preview == "" {
		path := filepath.Join(dir, "preview.jpg")
		if err := p.tools.Preview(ctx, src, at, path); err != nil {
			return v, fmt.Errorf("preview of video %d: %w", v.ID, err)
		}
		preview = mediakeys.NewName() + ".jpg"
		if err := p.putFile(ctx, mediakeys.Preview(preview), path, "image/jpeg"); err != nil {
			return v, err
		}
	}
	var unused []string
	v, err = p.st.ModifyVideo(ctx, v.ID, func(x *model.Video) error {
		unused = unused[:0]
		if x.Thumbnail == "" && thumb != "" {
			x.Thumbnail = thumb
		} else if thumb != "" {
			unused = append(unused, mediakeys.Thumbnail(thumb)) // a concurrent delivery's came first
		}
		if x.Preview == "" && preview != "" {
			x.Preview = preview
		} else if preview != "" {
			unused = append(unused, mediakeys.Preview(preview))
		}
		return nil
	})
	if err == nil {
		p.discard(ctx, unused...)
	}
	return v, err
}

// plan decides the renditions and queues their encodes. A redelivered
// ingest finds the plan already stored and queues the same jobs again
// (their outputs are idempotent), derived from the stored plan so the
// jobs and the plan's counters always agree.
func (p *Pipeline) plan(ctx context.Context, v model.Video, probe transcode.Probe) error {
	want := store.Plan{Renditions: map[string]int{}, ChunkSeconds: p.cfg.ChunkSeconds}
	for _, r := range transcode.Ladder(probe, p.cfg.Resolutions) {
		n := 1
		if !r.AudioOnly && probe.Duration > 2*p.cfg.ChunkSeconds {
			n = len(transcode.PlanChunks(probe.Duration, p.cfg.ChunkSeconds))
		}
		want.Renditions[strconv.Itoa(r.Resolution)] = n
	}
	if len(want.Renditions) == 0 {
		return Enqueue(ctx, p.q, Job{Kind: KindFinalize, VideoID: v.ID, Chunk: -1})
	}
	pl, err := p.st.SavePlan(ctx, v.ID, want)
	if err != nil {
		return err
	}
	var jobs []Job
	for name, n := range pl.Renditions {
		if n == 1 {
			jobs = append(jobs, Job{Kind: KindEncode, VideoID: v.ID, Rendition: name, Chunk: -1})
			continue
		}
		for _, c := range transcode.PlanChunks(probe.Duration, pl.ChunkSeconds) {
			jobs = append(jobs, Job{Kind: KindEncode, VideoID: v.ID, Rendition: name, Chunk: c.Index, Start: c.Start, Duration: c.Duration, Last: c.Last})
		}
	}
	return Enqueue(ctx, p.q, jobs...)
}

// resolutionOf is PeerTube's resolution id of a picture: its smaller side
// (0 for audio only).
func resolutionOf(p transcode.Probe) int {
	if !p.HasVideo {
		return transcode.AudioResolution
	}
	return min(p.Width, p.Height)
}
