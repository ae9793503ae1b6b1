package pipeline_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"image/jpeg"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/anacrolix/torrent/bencode"

	"github.com/vidiverse/vidiverse/shared/mediakeys"
	"github.com/vidiverse/vidiverse/shared/model"
	"github.com/vidiverse/vidiverse/shared/pipeline"
	"github.com/vidiverse/vidiverse/shared/store"
	"github.com/vidiverse/vidiverse/shared/torrentfile"
)

// published is what a published video is expected to have.
type published struct {
	// resolutions of the transcoded files, largest first.
	resolutions []int
	// original is the uploaded file's content.
	original []byte
}

// checkPublished verifies a published video from its stored record and
// the objects themselves, recomputing hashes independently, and returns
// the set of keys the video references.
func checkPublished(t *testing.T, h *harness, id int64, want published) model.Video {
	t.Helper()
	v := h.video(id)
	if v.State != model.StatePublished || v.StateReason != "" {
		t.Fatalf("video %d: state %d (%q), want published", id, v.State, v.StateReason)
	}
	var got []int
	for _, f := range v.Files {
		got = append(got, f.Resolution)
		if f.FromSource {
			t.Errorf("the original (%s) is still published beside the transcoded files", f.Filename)
		}
	}
	if !slices.Equal(got, want.resolutions) {
		t.Errorf("web video resolutions %v, want %v (largest first)", got, want.resolutions)
	}
	ids := map[int64]bool{}
	for _, f := range v.Files {
		checkFile(t, h, f, mediakeys.WebVideo(f.Filename), ids)
	}

	if v.HLS == nil {
		t.Fatalf("video %d has no HLS playlist", id)
	}
	got = got[:0]
	for _, f := range v.HLS.Files {
		got = append(got, f.Resolution)
		checkFile(t, h, f, mediakeys.HLSFile(v.UUID, f.Filename), ids)
	}
	if !slices.Equal(got, want.resolutions) {
		t.Errorf("HLS resolutions %v, want %v", got, want.resolutions)
	}
	checkMaster(t, h, v)
	checkSegments(t, h, v)

	for _, img := range []struct {
		key  string
		w, h int
	}{{mediakeys.Thumbnail(v.Thumbnail), 280, 157}, {mediakeys.Preview(v.Preview), 850, 480}} {
		if !strings.HasSuffix(img.key, ".jpg") {
			t.Errorf("image key %q", img.key)
			continue
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(h.object(img.key)))
		if err != nil {
			t.Errorf("%s is not a JPEG: %v", img.key, err)
		} else if cfg.Width != img.w || cfg.Height != img.h {
			t.Errorf("%s is %dx%d, want %dx%d", img.key, cfg.Width, cfg.Height, img.w, img.h)
		}
	}

	if want.original != nil && !bytes.Equal(h.object(v.Source.Key), want.original) {
		t.Errorf("the original at %s changed", v.Source.Key)
	}
	if !strings.HasPrefix(v.Source.Key, mediakeys.Originals) {
		t.Errorf("source key %q is not under originals/", v.Source.Key)
	}
	if left := h.keys(mediakeys.WorkFile(v.UUID, "")); len(left) > 0 {
		t.Errorf("work files left: %v", left)
	}
	if _, err := h.st.Plan(context.Background(), v.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("plan of a published video: err %v, want not found", err)
	}
	return v
}

// checkFile verifies a published file: its object, its torrent (infohash
// and pieces recomputed from the bytes, the web seed its public URL, which
// serves it) and its metadata.
func checkFile(t *testing.T, h *harness, f model.VideoFile, key string, ids map[int64]bool) {
	t.Helper()
	if ids[f.ID] {
		t.Errorf("file id %d used twice", f.ID)
	}
	ids[f.ID] = true
	data := h.object(key)
	if int64(len(data)) != f.Size {
		t.Errorf("%s has %d bytes, the record says %d", key, len(data), f.Size)
	}
	checkTorrent(t, h, mediakeys.Torrent(f.TorrentFilename), key, data, f.InfoHash)

	var meta struct {
		Streams []map[string]any `json:"streams"`
		Format  map[string]any   `json:"format"`
	}
	if f.MetadataKey == "" {
		t.Errorf("%s has no metadata", key)
	} else if err := json.Unmarshal(h.object(f.MetadataKey), &meta); err != nil || len(meta.Streams) == 0 || meta.Format == nil {
		t.Errorf("metadata %s of %s: %v, %d streams", f.MetadataKey, key, err, len(meta.Streams))
	}
}

func checkTorrent(t *testing.T, h *harness, torrentKey, mediaKey string, data []byte, infoHash string) {
	t.Helper()
	if !strings.HasPrefix(torrentKey, mediakeys.Torrents) || !strings.HasSuffix(torrentKey, ".torrent") {
		t.Errorf("torrent key %q", torrentKey)
	}
	var tf struct {
		Info    bencode.Bytes `bencode:"info"`
		URLList []string      `bencode:"url-list"`
	}
	if err := bencode.Unmarshal(h.object(torrentKey), &tf); err != nil {
		t.Fatalf("decode %s: %v", torrentKey, err)
	}
	sum := sha1.Sum(tf.Info)
	if got := hex.EncodeToString(sum[:]); got != infoHash {
		t.Errorf("%s: infohash %s, the record says %s", torrentKey, got, infoHash)
	}
	var info struct {
		Length      int64  `bencode:"length"`
		PieceLength int64  `bencode:"piece length"`
		Pieces      []byte `bencode:"pieces"`
	}
	if err := bencode.Unmarshal(tf.Info, &info); err != nil {
		t.Fatalf("decode info of %s: %v", torrentKey, err)
	}
	if info.Length != int64(len(data)) || info.PieceLength != max(torrentfile.DefaultPieceLength(int64(len(data))), pipeline.MinPieceLength) {
		t.Fatalf("%s: length %d piece length %d, file has %d bytes", torrentKey, info.Length, info.PieceLength, len(data))
	}
	var pieces []byte
	for off := int64(0); off < int64(len(data)); off += info.PieceLength {
		s := sha1.Sum(data[off:min(off+info.PieceLength, int64(len(data)))])
		pieces = append(pieces, s[:]...)
	}
	if !bytes.Equal(pieces, info.Pieces) {
		t.Errorf("%s: piece hashes do not match the bytes of %s", torrentKey, mediaKey)
	}
	url := mediakeys.URL(h.base, mediaKey)
	if !slices.Equal(tf.URLList, []string{url}) {
		t.Errorf("%s: url-list %q, want [%s]", torrentKey, tf.URLList, url)
	} else if !bytes.Equal(h.fetch(url), data) {
		t.Errorf("the web seed %s does not serve the file", url)
	}
}

// checkMaster checks that the master playlist lists every rendition.
func checkMaster(t *testing.T, h *harness, v model.Video) {
	t.Helper()
	if v.HLS.PlaylistFilename == "" || !strings.HasSuffix(v.HLS.PlaylistFilename, "-master.m3u8") {
		t.Fatalf("master playlist name %q", v.HLS.PlaylistFilename)
	}
	master := string(h.object(mediakeys.HLSFile(v.UUID, v.HLS.PlaylistFilename)))
	lines := strings.Split(strings.TrimSpace(master), "\n")
	if len(lines) == 0 || lines[0] != "#EXTM3U" {
		t.Fatalf("master playlist:\n%s", master)
	}
	listed := map[string]string{}
	for i, l := range lines {
		if strings.HasPrefix(l, "#EXT-X-STREAM-INF:") && i+1 < len(lines) {
			listed[lines[i+1]] = l
		}
	}
	want := map[string]bool{}
	for _, f := range v.HLS.Files {
		want[f.Playlist] = true
		inf, ok := listed[f.Playlist]
		switch {
		case !ok:
			t.Errorf("master playlist does not list %s:\n%s", f.Playlist, master)
		case f.Height > 0 && !strings.Contains(inf, fmt.Sprintf("RESOLUTION=%dx%d", f.Width, f.Height)):
			t.Errorf("master playlist entry %q for a %dx%d file", inf, f.Width, f.Height)
		}
		if !h.exists(mediakeys.HLSFile(v.UUID, f.Playlist)) {
			t.Errorf("media playlist %s is missing", f.Playlist)
		}
	}
	for p := range listed {
		if !want[p] {
			t.Errorf("master playlist lists %s, which is no rendition of the video", p)
		}
	}
}

// checkSegments recomputes the segments' hashes from each media playlist's
// byte ranges and the fragmented file.
func checkSegments(t *testing.T, h *harness, v model.Video) {
	t.Helper()
	name := v.HLS.SegmentsSHA256Filename
	if !strings.HasSuffix(name, "-segments-sha256.json") {
		t.Fatalf("segments file name %q", name)
	}
	var got map[string]map[string]string
	if err := json.Unmarshal(h.object(mediakeys.HLSFile(v.UUID, name)), &got); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	want := map[string]map[string]string{}
	for _, f := range v.HLS.Files {
		playlist := h.object(mediakeys.HLSFile(v.UUID, f.Playlist))
		if !bytes.Contains(playlist, []byte(`"`+f.Filename+`"`)) && !bytes.Contains(playlist, []byte("\n"+f.Filename+"\n")) {
			t.Errorf("media playlist %s does not name %s", f.Playlist, f.Filename)
		}
		frag := h.object(mediakeys.HLSFile(v.UUID, f.Filename))
		want[f.Filename] = hashRanges(t, playlist, frag)
	}
	if !slices.Equal(slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want))) {
		t.Fatalf("segments file lists %v, the playlist's files are %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	for file, hashes := range want {
		if !maps.Equal(got[file], hashes) {
			t.Errorf("segment hashes of %s:\n got %v\nwant %v", file, got[file], hashes)
		}
	}
}

// hashRanges hashes each EXT-X-BYTERANGE of a media playlist in frag.
func hashRanges(t *testing.T, playlist, frag []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	var next int64
	sc := bufio.NewScanner(bytes.NewReader(playlist))
	for sc.Scan() {
		spec, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "#EXT-X-BYTERANGE:")
		if !ok {
			continue
		}
		n, o, hasOff := strings.Cut(spec, "@")
		length, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			t.Fatalf("byte range %q", spec)
		}
		off := next
		if hasOff {
			if off, err = strconv.ParseInt(o, 10, 64); err != nil {
				t.Fatalf("byte range %q", spec)
			}
		}
		if off+length > int64(len(frag)) {
			t.Fatalf("byte range %q past the end (%d bytes)", spec, len(frag))
		}
		s := sha256.Sum256(frag[off : off+length])
		out[fmt.Sprintf("%d-%d", off, off+length-1)] = hex.EncodeToString(s[:])
		next = off + length
	}
	if len(out) == 0 {
		t.Fatalf("media playlist has no byte ranges:\n%s", playlist)
	}
	return out
}

// referenced is every public and metadata key a video points at.
func referenced(v model.Video) map[string]bool {
	keys := map[string]bool{}
	if v.Thumbnail != "" {
		keys[mediakeys.Thumbnail(v.Thumbnail)] = true
	}
	if v.Preview != "" {
		keys[mediakeys.Preview(v.Preview)] = true
	}
	add := func(f model.VideoFile, key string) {
		keys[key] = true
		keys[mediakeys.Torrent(f.TorrentFilename)] = true
		if f.MetadataKey != "" {
			keys[f.MetadataKey] = true
		}
	}
	for _, f := range v.Files {
		if f.Filename != "" {
			add(f, mediakeys.WebVideo(f.Filename))
		}
	}
	if v.HLS != nil {
		for _, f := range v.HLS.Files {
			add(f, mediakeys.HLSFile(v.UUID, f.Filename))
			keys[mediakeys.HLSFile(v.UUID, f.Playlist)] = true
		}
		if v.HLS.PlaylistFilename != "" {
			keys[mediakeys.HLSFile(v.UUID, v.HLS.PlaylistFilename)] = true
			keys[mediakeys.HLSFile(v.UUID, v.HLS.SegmentsSHA256Filename)] = true
		}
	}
	return keys
}

// checkNoOrphans checks that the blob store holds exactly what the videos
// reference under static/, lazy-static/ and metadata/, their originals
// under originals/, and nothing under work/ or uploads/.
func checkNoOrphans(t *testing.T, h *harness, videos ...model.Video) {
	t.Helper()
	want := map[string]bool{}
	originals := map[string]bool{}
	for _, v := range videos {
		maps.Copy(want, referenced(v))
		originals[v.Source.Key] = true
	}
	got := map[string]bool{}
	for _, p := range []string{"static/", "lazy-static/", mediakeys.Metadata} {
		for _, k := range h.keys(p) {
			got[k] = true
		}
	}
	for k := range got {
		if !want[k] {
			t.Errorf("orphan object %s", k)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("referenced object %s is missing", k)
		}
	}
	for _, k := range h.keys(mediakeys.Originals) {
		if !originals[k] {
			t.Errorf("orphan original %s", k)
		}
	}
	for _, p := range []string{mediakeys.Work, mediakeys.Uploads} {
		if left := h.keys(p); len(left) > 0 {
			t.Errorf("objects left under %s: %v", p, left)
		}
	}
}
