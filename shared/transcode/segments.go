package transcode

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// byteRange is one #EXT-X-BYTERANGE of a media playlist.
type byteRange struct{ offset, length int64 }

func (r byteRange) key() string {
	return strconv.FormatInt(r.offset, 10) + "-" + strconv.FormatInt(r.offset+r.length-1, 10)
}

// playlistRanges returns the segment byte ranges a media playlist lists, in
// order. As in PeerTube (server/core/lib/hls.ts getRangesFromPlaylist) only
// #EXT-X-BYTERANGE tags count: the init section named by EXT-X-MAP is not
// hashed. A range without "@offset" starts where the previous one ended.
func playlistRanges(playlist []byte) ([]byteRange, error) {
	var ranges []byteRange
	var next int64
	sc := bufio.NewScanner(bytes.NewReader(playlist))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		spec, ok := strings.CutPrefix(line, "#EXT-X-BYTERANGE:")
		if !ok {
			continue
		}
		lenText, offText, hasOffset := strings.Cut(spec, "@")
		length, err := strconv.ParseInt(lenText, 10, 64)
		if err != nil || length <= 0 {
			return nil, fmt.Errorf("bad byte range %q", line)
		}
		offset := next
		if hasOffset {
			if offset, err = strconv.ParseInt(offText, 10, 64); err != nil || offset < 0 {
				return nil, fmt.Errorf("bad byte range %q", line)
			}
		}
		ranges = append(ranges, byteRange{offset: offset, length: length})
		next = offset + length
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(ranges) == 0 {
		return nil, errors.New("playlist lists no byte ranges")
	}
	return ranges, nil
}

// SegmentsSHA256 hashes each segment of a single-file media playlist in the
// fragmented file it indexes: {"start-end": sha256 hex}, with inclusive
// byte offsets, as in PeerTube's segments-sha256 JSON.
func SegmentsSHA256(playlist []byte, fragmented io.ReaderAt) (map[string]string, error) {
	ranges, err := playlistRanges(playlist)
	if err != nil {
		return nil, fmt.Errorf("segments sha256: %w", err)
	}
	hashes := make(map[string]string, len(ranges))
	h := sha256.New()
	for _, r := range ranges {
		h.Reset()
		n, err := io.Copy(h, io.NewSectionReader(fragmented, r.offset, r.length))
		if err != nil {
			return nil, fmt.Errorf("segments sha256: read %s: %w", r.key(), err)
		}
		if n != r.length {
			return nil, fmt.Errorf("segments sha256: range %s is past the end of the file", r.key())
		}
		hashes[r.key()] = hex.EncodeToString(h.Sum(nil))
	}
	return hashes, nil
}

// SegmentsSHA256JSON writes the segments-sha256 file of a video:
// {fragmentedName: {"start-end": hash}}, compact, files by name and ranges
// by offset, ending with a newline as PeerTube's outputJSON does.
func SegmentsSHA256JSON(files map[string]map[string]string) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for i, name := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, name)
		b.WriteString(":{")
		ranges := make([]string, 0, len(files[name]))
		for r := range files[name] {
			ranges = append(ranges, r)
		}
		slices.SortFunc(ranges, compareRangeKeys)
		for j, r := range ranges {
			if j > 0 {
				b.WriteByte(',')
			}
			writeJSONString(&b, r)
			b.WriteByte(':')
			writeJSONString(&b, files[name][r])
		}
		b.WriteByte('}')
	}
	b.WriteString("}\n")
	return b.Bytes()
}

// compareRangeKeys orders "start-end" keys by start offset.
func compareRangeKeys(a, b string) int {
	sa, _, _ := strings.Cut(a, "-")
	sb, _, _ := strings.Cut(b, "-")
	na, errA := strconv.ParseInt(sa, 10, 64)
	nb, errB := strconv.ParseInt(sb, 10, 64)
	if errA != nil || errB != nil || na == nb {
		return strings.Compare(a, b)
	}
	if na < nb {
		return -1
	}
	return 1
}

// writeJSONString writes s as a JSON string the way JSON.stringify does
// (no HTML escaping).
func writeJSONString(b *bytes.Buffer, s string) {
	var tmp bytes.Buffer
	enc := json.NewEncoder(&tmp)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	b.Write(bytes.TrimSuffix(tmp.Bytes(), []byte("\n")))
}
