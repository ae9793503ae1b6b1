package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
	"github.com/vidiverse/vidiverse/shared/transcode"
)

// publishRendition publishes an encoded rendition: the MP4 web video and
// the HLS variant remuxed from it, each with its torrent and metadata.
func (p *Pipeline) publishRendition(ctx context.Context, v model.Video, name string, r transcode.Rendition, mp4 string, src transcode.Probe) error {
	probe, err := p.tools.Probe(ctx, mp4)
	if err != nil {
		return fmt.Errorf("probe rendition %s of video %d: %w", name, v.ID, err)
	}
	stem := mediakeys.NewName()
	web, err := p.newFile(ctx, probe, r, fmt.Sprintf("%s-%s.mp4", stem, name), fmt.Sprintf("%s-%s.torrent", stem, name))
	if err != nil {
		return err
	}
	if err := p.publishLocal(ctx, v, &web, mp4, mediakeys.WebVideo(web.Filename), ".mp4", probe.JSON); err != nil {
		return err
	}

	dir, done, err := p.workDir("hls")
	if err != nil {
		return err
	}
	defer done()
	playlist, fragmented := fmt.Sprintf("%s-%s.m3u8", stem, name), fmt.Sprintf("%s-%s-fragmented.mp4", stem, name)
	variant, err := p.tools.HLS(ctx, mp4, dir, playlist, fragmented)
	if err != nil {
		return fmt.Errorf("HLS of video %d at %s: %w", v.ID, name, err)
	}
	hls, err := p.newFile(ctx, probe, r, fragmented, fmt.Sprintf("%s-%s-hls.torrent", stem, name))
	if err != nil {
		return err
	}
	hls.Playlist, hls.Bandwidth, hls.Codecs = playlist, variant.Bandwidth, variant.Codecs
	fragPath := filepath.Join(dir, fragmented)
	fragProbe, err := p.tools.Probe(ctx, fragPath)
	if err != nil {
		return fmt.Errorf("probe HLS file of video %d at %s: %w", v.ID, name, err)
	}
	if err := p.publishLocal(ctx, v, &hls, fragPath, mediakeys.HLSFile(v.UUID, fragmented), ".mp4", fragProbe.JSON); err != nil {
		return err
	}
	playlistBytes, err := os.ReadFile(filepath.Join(dir, playlist))
	if err != nil {
		return err
	}
	if err := p.putBytes(ctx, mediakeys.HLSFile(v.UUID, playlist), playlistBytes, "application/vnd.apple.mpegurl"); err != nil {
		return err
	}
	frag, err := os.Open(fragPath)
	if err != nil {
		return err
	}
	hashes, err := transcode.SegmentsSHA256(playlistBytes, frag)
	frag.Close()
	if err != nil {
		return fmt.Errorf("hash segments of video %d at %s: %w", v.ID, name, err)
	}
	if err := p.putBytes(ctx, segmentsKey(v, fragmented), transcode.SegmentsSHA256JSON(map[string]map[string]string{fragmented: hashes}), "application/json"); err != nil {
		return err
	}

	lost := false
	if _, err := p.st.ModifyVideo(ctx, v.ID, func(x *model.Video) error {
		if lost = hasRendition(*x, name); lost {
			return nil // a concurrent delivery of the job published it first
		}
		x.Files = append(x.Files, web)
		sortFiles(x.Files)
		if x.HLS == nil {
			id, err := p.st.NewFileID(ctx)
			if err != nil {
				return err
			}
			x.HLS = &model.StreamingPlaylist{ID: id}
		}
		x.HLS.Files = append(x.HLS.Files, hls)
		sortFiles(x.HLS.Files)
		return nil
	}); err != nil {
		return err
	}
	if lost {
		p.discard(ctx, mediakeys.WebVideo(web.Filename), mediakeys.Torrent(web.TorrentFilename), web.MetadataKey,
			mediakeys.HLSFile(v.UUID, fragmented), mediakeys.HLSFile(v.UUID, playlist), mediakeys.Torrent(hls.TorrentFilename),
			hls.MetadataKey, segmentsKey(v, fragmented))
	}
	return p.renditionDone(ctx, v, name)
}

// discard deletes objects nothing refers to; a failure leaves garbage.
func (p *Pipeline) discard(ctx context.Context, keys ...string) {
	for _, k := range keys {
		if err := p.blobs.Delete(ctx, k); err != nil {
			p.log.WarnContext(ctx, "delete an unused file", "key", k, "err", err)
		}
	}
}

func (p *Pipeline) renditionDone(ctx context.Context, v model.Video, name string) error {
	left, err := p.st.RenditionDone(ctx, v.ID, name)
	if err != nil {
		return err
	}
	if left == 0 {
		return Enqueue(ctx, p.q, Job{Kind: KindFinalize, VideoID: v.ID, Chunk: -1})
	}
	return nil
}

// segmentsKey is where the segment hashes of one fragmented file wait for
// the finalize job: named for the file, so the hashes always describe the
// file the video records.
func segmentsKey(v model.Video, fragmented string) string {
	return mediakeys.WorkFile(v.UUID, fragmented+"-segments-sha256.json")
}

// sortFiles orders files largest resolution first, as PeerTube lists them.
func sortFiles(fs []model.VideoFile) {
	slices.SortStableFunc(fs, func(a, b model.VideoFile) int { return b.Resolution - a.Resolution })
}

// newFile describes a file about to be published.
func (p *Pipeline) newFile(ctx context.Context, probe transcode.Probe, r transcode.Rendition, filename, torrent string) (model.VideoFile, error) {
	id, err := p.st.NewFileID(ctx)
	if err != nil {
		return model.VideoFile{}, err
	}
	return model.VideoFile{ID: id, Resolution: r.Resolution, Width: probe.Width, Height: probe.Height, FPS: probe.FPS,
		Filename: filename, TorrentFilename: torrent, HasAudio: probe.HasAudio, HasVideo: probe.HasVideo}, nil
}

// publishLocal publishes a local file with its torrent and metadata.
func (p *Pipeline) publishLocal(ctx context.Context, v model.Video, f *model.VideoFile, path, key, ext string, metadata []byte) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return err
	}
	f.Size = st.Size()
	if err := p.publishFile(ctx, v, f, fh, st.Size(), key, ext); err != nil {
		return err
	}
	return p.putMetadata(ctx, v, f, metadata)
}

// publishFile stores a media file at its public key and its torrent
// beside, hashing the bytes for the torrent as they stream to storage.
func (p *Pipeline) publishFile(ctx context.Context, v model.Video, f *model.VideoFile, body io.Reader, size int64, key, ext string) error {
	ws, httpTracker, err := torrentfile.TrackerURLs(p.cfg.PublicURL)
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	put := make(chan error, 1)
	go func() {
		err := p.blobs.Put(ctx, key, pr, size, blob.PutOptions{ContentType: contentType(ext)})
		pr.CloseWithError(err) // unblocks the writer if the store gave up
		put <- err
	}()
	t, err := torrentfile.Build(ctx, io.TeeReader(body, pw), size, torrentfile.Options{
		Name:        torrentfile.InfoName(v.Name, f.Resolution, ext),
		Trackers:    [][]string{{ws}, {httpTracker}},
		WebSeeds:    []string{mediakeys.URL(p.cfg.PublicURL, key)},
		CreatedBy:   "Vidiverse",
		PieceLength: pieceLength(size),
	})
	pw.CloseWithError(err)
	if perr := <-put; perr != nil {
		return fmt.Errorf("store %s: %w", key, perr)
	}
	if err != nil {
		return fmt.Errorf("torrent of %s: %w", key, err)
	}
	f.InfoHash = t.InfoHash
	return p.putBytes(ctx, mediakeys.Torrent(f.TorrentFilename), t.Bytes, "application/x-bittorrent")
}

func contentType(ext string) string {
	switch ext {
	case ".mp4", ".m4v", ".mov":
		return "video/mp4"
	case ".webm":
		return "video/webm"
	case ".m4a":
		return "audio/mp4"
	}
	return "application/octet-stream"
}

func (p *Pipeline) putMetadata(ctx context.Context, v model.Video, f *model.VideoFile, metadata []byte) error {
	f.MetadataKey = mediakeys.FileMetadata(v.UUID, f.ID)
	return p.putBytes(ctx, f.MetadataKey, metadata, "application/json")
}

func (p *Pipeline) putBytes(ctx context.Context, key string, b []byte, ct string) error {
	if err := p.blobs.Put(ctx, key, bytes.NewReader(b), int64(len(b)), blob.PutOptions{ContentType: ct}); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

func (p *Pipeline) putFile(ctx context.Context, key, path, ct string) error {
	fh, err := os.Open(path)
	if err != nil {
		return err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return err
	}
	if err := p.blobs.Put(ctx, key, fh, st.Size(), blob.PutOptions{ContentType: ct}); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	return nil
}

func (p *Pipeline) getFile(ctx context.Context, key, path string) error {
	body, _, err := p.blobs.Get(ctx, key, nil)
	if err != nil {
		return fmt.Errorf("read %s: %w", key, err)
	}
	defer body.Close()
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(fh, body); err != nil {
		fh.Close()
		return fmt.Errorf("read %s: %w", key, err)
	}
	return fh.Close()
}

// MinPieceLength is the smallest piece of the torrents the pipeline makes.
// PeerTube's rule (torrentfile.DefaultPieceLength, about 1,024 pieces)
// gives small files 16 KiB pieces, and a WebTorrent player fetches one
// piece per web-seed request: behind a CDN's per-request latency that is
// slower than the video plays. 256 KiB pieces (the size P2P was measured
// with here) cut those requests sixteenfold for small files; large files
// keep PeerTube's larger pieces.
const MinPieceLength = 256 << 10

func pieceLength(size int64) int64 {
	return max(torrentfile.DefaultPieceLength(size), MinPieceLength)
}
