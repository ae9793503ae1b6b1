package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/transcode"
)

// rendition finds a rendition of the plan by name, from the source's probe.
func (p *Pipeline) rendition(ctx context.Context, v model.Video, name string) (transcode.Rendition, transcode.Probe, string, error) {
	src, err := p.sourceURL(ctx, v)
	if err != nil {
		return transcode.Rendition{}, transcode.Probe{}, "", err
	}
	probe, err := p.tools.Probe(ctx, src)
	if err != nil {
		return transcode.Rendition{}, probe, src, fmt.Errorf("probe video %d: %w", v.ID, err)
	}
	for _, r := range transcode.Ladder(probe, p.cfg.Resolutions) {
		if strconv.Itoa(r.Resolution) == name {
			return r, probe, src, nil
		}
	}
	return transcode.Rendition{}, probe, src, fmt.Errorf("video %d has no rendition %s", v.ID, name)
}

func chunkKey(v model.Video, rendition string, index int) string {
	return mediakeys.WorkFile(v.UUID, fmt.Sprintf("%s-chunk-%06d.mp4", rendition, index))
}

// encode encodes a rendition whole, or one chunk of it.
func (p *Pipeline) encode(ctx context.Context, j Job) error {
	v, ok, err := p.video(ctx, j.VideoID)
	if !ok || v.State != model.StateToTranscode {
		return err
	}
	if hasRendition(v, j.Rendition) {
		// A redelivery after publication: a whole encode only reports its
		// rendition done again (in case it died before); a chunk's
		// rendition was assembled from the chunks already.
		if j.Chunk < 0 {
			return p.renditionDone(ctx, v, j.Rendition)
		}
		return nil
	}
	r, probe, src, err := p.rendition(ctx, v, j.Rendition)
	if err != nil {
		return err
	}
	dir, done, err := p.workDir("encode")
	if err != nil {
		return err
	}
	defer done()
	out := filepath.Join(dir, "out.mp4")
	if j.Chunk < 0 {
		if err := p.tools.EncodeWhole(ctx, src, out, r); err != nil {
			return fmt.Errorf("encode video %d at %s: %w", v.ID, j.Rendition, err)
		}
		return p.publishRendition(ctx, v, j.Rendition, r, out, probe)
	}
	c := transcode.Chunk{Index: j.Chunk, Start: j.Start, Duration: j.Duration, Last: j.Last}
	if err := p.tools.EncodeVideoChunk(ctx, src, out, r, c); err != nil {
		return fmt.Errorf("encode chunk %d of video %d at %s: %w", j.Chunk, v.ID, j.Rendition, err)
	}
	if err := p.putFile(ctx, chunkKey(v, j.Rendition, j.Chunk), out, "video/mp4"); err != nil {
		return err
	}
	left, err := p.st.ChunkDone(ctx, v.ID, j.Rendition, j.Chunk)
	if err != nil {
		return err
	}
	if left == 0 {
		return Enqueue(ctx, p.q, Job{Kind: KindAssemble, VideoID: v.ID, Rendition: j.Rendition, Chunk: -1})
	}
	return nil
}

// assemble joins a rendition's chunks with its audio and publishes it.
func (p *Pipeline) assemble(ctx context.Context, j Job) error {
	v, ok, err := p.video(ctx, j.VideoID)
	if !ok || v.State != model.StateToTranscode {
		return err
	}
	if published := hasRendition(v, j.Rendition); published {
		return p.renditionDone(ctx, v, j.Rendition) // a redelivery after publication
	}
	r, probe, src, err := p.rendition(ctx, v, j.Rendition)
	if err != nil {
		return err
	}
	pl, err := p.st.Plan(ctx, v.ID)
	if err != nil {
		return err
	}
	dir, done, err := p.workDir("assemble")
	if err != nil {
		return err
	}
	defer done()
	chunks := make([]string, pl.Renditions[j.Rendition])
	for i := range chunks {
		chunks[i] = filepath.Join(dir, fmt.Sprintf("chunk-%06d.mp4", i))
		if err := p.getFile(ctx, chunkKey(v, j.Rendition, i), chunks[i]); err != nil {
			return err
		}
	}
	audio := ""
	if probe.HasAudio {
		audio = filepath.Join(dir, "audio.m4a")
		if err := p.tools.EncodeAudio(ctx, src, audio, r); err != nil {
			return fmt.Errorf("encode audio of video %d: %w", v.ID, err)
		}
	}
	out := filepath.Join(dir, "out.mp4")
	if err := p.tools.Join(ctx, chunks, audio, out); err != nil {
		return fmt.Errorf("join chunks of video %d at %s: %w", v.ID, j.Rendition, err)
	}
	for _, c := range chunks {
		_ = os.Remove(c)
	}
	if err := p.publishRendition(ctx, v, j.Rendition, r, out, probe); err != nil {
		return err
	}
	for i := range chunks {
		if err := p.blobs.Delete(ctx, chunkKey(v, j.Rendition, i)); err != nil {
			p.log.WarnContext(ctx, "delete an encoded chunk", "video", v.ID, "err", err)
		}
	}
	return nil
}

// hasRendition reports whether a transcoded rendition is published.
func hasRendition(v model.Video, name string) bool {
	for _, f := range v.Files {
		if !f.FromSource && strconv.Itoa(f.Resolution) == name {
			return true
		}
	}
	return false
}
