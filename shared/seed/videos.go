package seed

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/anacrolix/torrent/metainfo"

	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
)

// maxTorrentBytes bounds a .torrent read from blob storage (a 20 GB file
// in 16 KiB pieces would need 25 MB of hashes; the pipeline's piece
// lengths keep them near 20 KB).
const maxTorrentBytes = 32 << 20

// wantedFile is a published file the seed should serve.
type wantedFile struct {
	video      string // UUID
	infoHash   metainfo.Hash
	torrentKey string
	dataKey    string
	hls        bool
	published  time.Time // the video's
}

// published lists the files of the store's published local videos, by
// infohash: the web videos and the HLS fragmented files. With
// Config.MaxTorrents, only that many: web videos before HLS files, each
// the most recently published videos' first.
func (s *Seed) published(ctx context.Context) (map[metainfo.Hash]wantedFile, error) {
	videos, err := s.cfg.Store.Videos(ctx)
	if err != nil {
		return nil, fmt.Errorf("list published files: %w", err)
	}
	var files []wantedFile
	for _, v := range videos {
		if v.Remote != nil || v.State != model.StatePublished {
			continue
		}
		for _, f := range v.Files {
			files = s.appendWanted(files, v, f, mediakeys.WebVideo(f.Filename), false)
		}
		if v.HLS != nil {
			for _, f := range v.HLS.Files {
				files = s.appendWanted(files, v, f, mediakeys.HLSFile(v.UUID, f.Filename), true)
			}
		}
	}
	if n := s.cfg.MaxTorrents; n > 0 && len(files) > n {
		sort.SliceStable(files, func(i, j int) bool {
			if files[i].hls != files[j].hls {
				return !files[i].hls
			}
			return files[i].published.After(files[j].published)
		})
		files = files[:n]
	}
	want := make(map[metainfo.Hash]wantedFile, len(files))
	for _, f := range files {
		want[f.infoHash] = f
	}
	return want, nil
}

func (s *Seed) appendWanted(files []wantedFile, v model.Video, f model.VideoFile, dataKey string, hls bool) []wantedFile {
	if f.TorrentFilename == "" || f.Filename == "" {
		return files
	}
	var ih metainfo.Hash
	if err := ih.FromHexString(f.InfoHash); err != nil {
		s.log.Warn("file without a valid infohash", "video", v.UUID, "file", f.Filename, "infohash", f.InfoHash)
		return files
	}
	return append(files, wantedFile{video: v.UUID, infoHash: ih, torrentKey: mediakeys.Torrent(f.TorrentFilename),
		dataKey: dataKey, hls: hls, published: v.PublishedAt})
}

// readTorrent reads and parses a .torrent file from blob storage.
func (s *Seed) readTorrent(ctx context.Context, key string) (*metainfo.MetaInfo, error) {
	rc, info, err := s.cfg.Blobs.Get(ctx, key, nil)
	if err != nil {
		return nil, fmt.Errorf("read torrent %s: %w", key, err)
	}
	defer rc.Close()
	if info.Size > maxTorrentBytes {
		return nil, fmt.Errorf("read torrent %s: %d bytes, over %d", key, info.Size, maxTorrentBytes)
	}
	b, err := io.ReadAll(io.LimitReader(rc, maxTorrentBytes))
	if err != nil {
		return nil, fmt.Errorf("read torrent %s: %w", key, err)
	}
	mi, err := metainfo.Load(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse torrent %s: %w", key, err)
	}
	return mi, nil
}
