package upload

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// chunk is one stored chunk object: bytes [start, end) of the file.
type chunk struct {
	key        string
	start, end int64
}

// Join assembles the chunks under prefix (a resumable upload's
// SourceFile.ChunkPrefix) into the object dstKey and returns its size. It
// streams them in order into a blob multipart upload with parts of at
// least blob.MinPartSize, checks that they cover the file from byte 0
// without a gap and that the object has their total size, and then deletes
// them. Chunks may overlap (a chunk committed twice by racing requests):
// each byte is read from one chunk that holds it. Running it again after
// it succeeded (even partly, while deleting the chunks) returns the
// object's size and deletes what is left.
func Join(ctx context.Context, blobs blob.Store, prefix, dstKey string) (int64, error) {
	if info, err := blobs.Head(ctx, dstKey); err == nil {
		// Joined already: the object appears only once whole.
		if err := deletePrefix(ctx, blobs, prefix); err != nil {
			return 0, fmt.Errorf("join %s: %w", dstKey, err)
		}
		return info.Size, nil
	} else if !errors.Is(err, blob.ErrNotFound) {
		return 0, fmt.Errorf("join %s: %w", dstKey, err)
	}
	chunks, err := listChunks(ctx, blobs, prefix)
	if err != nil {
		return 0, fmt.Errorf("join %s: %w", dstKey, err)
	}
	plan, total, err := cover(chunks)
	if err != nil {
		return 0, fmt.Errorf("join %s from %s: %w", dstKey, prefix, err)
	}
	if err := assemble(ctx, blobs, plan, total, dstKey); err != nil {
		return 0, fmt.Errorf("join %s: %w", dstKey, err)
	}
	if err := deletePrefix(ctx, blobs, prefix); err != nil {
		return 0, fmt.Errorf("join %s: %w", dstKey, err)
	}
	return total, nil
}

// listChunks lists the chunk objects under prefix and checks that each
// holds as many bytes as its key says.
func listChunks(ctx context.Context, blobs blob.Store, prefix string) ([]chunk, error) {
	var chunks []chunk
	after := ""
	for {
		page, err := blobs.List(ctx, blob.ListOptions{Prefix: prefix, After: after})
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range page.Objects {
			start, end, ok := parseChunkKey(prefix, o.Key)
			if !ok {
				return nil, fmt.Errorf("%s is not a chunk", o.Key)
			}
			if o.Size != end-start {
				return nil, fmt.Errorf("chunk %s has %d bytes, not %d", o.Key, o.Size, end-start)
			}
			chunks = append(chunks, chunk{key: o.Key, start: start, end: end})
		}
		if page.Next == "" {
			return chunks, nil
		}
		after = page.Next
	}
}

// span is a piece of the file read from one chunk: bytes [from, to).
type span struct {
	c        chunk
	from, to int64
}

// cover picks, from byte 0 on, the chunk reaching furthest among those
// holding the next byte (a greedy interval cover), until no chunk holds it;
// a chunk starting later means a gap.
func cover(chunks []chunk) ([]span, int64, error) {
	if len(chunks) == 0 {
		return nil, 0, errors.New("no chunks")
	}
	slices.SortFunc(chunks, func(a, b chunk) int { return cmp.Compare(a.start, b.start) })
	var plan []span
	var at int64
	best := -1 // the chunk reaching furthest among those starting at or before at
	for i := 0; ; {
		for ; i < len(chunks) && chunks[i].start <= at; i++ {
			if best < 0 || chunks[i].end > chunks[best].end {
				best = i
			}
		}
		if best < 0 || chunks[best].end <= at {
			if i < len(chunks) {
				return nil, 0, fmt.Errorf("bytes %d to %d are missing", at, chunks[i].start)
			}
			return plan, at, nil
		}
		c := chunks[best]
		plan = append(plan, span{c: c, from: at, to: c.end})
		at = c.end
	}
}

// assemble streams the spans into dstKey.
func assemble(ctx context.Context, blobs blob.Store, plan []span, total int64, dstKey string) error {
	id, err := blobs.CreateMultipart(ctx, dstKey, blob.PutOptions{ContentType: "application/octet-stream"})
	if err != nil {
		return err
	}
	src := &spanReader{ctx: ctx, blobs: blobs, plan: plan}
	defer src.Close()
	partSize := partSizeFor(total)
	var parts []blob.Part
	for done := int64(0); done < total; {
		n := min(partSize, total-done)
		p, err := blobs.UploadPart(ctx, dstKey, id, int32(len(parts)+1), io.LimitReader(src, n), n)
		if err != nil {
			_ = blobs.AbortMultipart(ctx, dstKey, id)
			return fmt.Errorf("part %d: %w", len(parts)+1, err)
		}
		parts = append(parts, p)
		done += n
	}
	if err := blobs.CompleteMultipart(ctx, dstKey, id, parts); err != nil {
		_ = blobs.AbortMultipart(ctx, dstKey, id)
		return err
	}
	info, err := blobs.Head(ctx, dstKey)
	if err != nil {
		return err
	}
	if info.Size != total {
		_ = blobs.Delete(ctx, dstKey)
		return fmt.Errorf("joined object has %d bytes, not %d", info.Size, total)
	}
	return nil
}

// spanReader reads the spans one after another, opening each chunk (the
// range of it that the span needs) only when it is reached.
type spanReader struct {
	ctx   context.Context
	blobs blob.Store
	plan  []span
	cur   io.ReadCloser
	left  int64
}

func (r *spanReader) Read(p []byte) (int, error) {
	for r.cur == nil || r.left == 0 {
		if r.cur != nil {
			r.cur.Close()
			r.cur = nil
		}
		if len(r.plan) == 0 {
			return 0, io.EOF
		}
		s := r.plan[0]
		r.plan = r.plan[1:]
		rc, _, err := r.blobs.Get(r.ctx, s.c.key, &blob.Range{Start: s.from - s.c.start, End: s.to - s.c.start - 1})
		if err != nil {
			return 0, fmt.Errorf("read %s: %w", s.c.key, err)
		}
		r.cur, r.left = rc, s.to-s.from
	}
	n, err := r.cur.Read(p[:min(int64(len(p)), r.left)])
	r.left -= int64(n)
	if errors.Is(err, io.EOF) {
		if r.left > 0 {
			return n, fmt.Errorf("chunk ended %d bytes early: %w", r.left, io.ErrUnexpectedEOF)
		}
		err = nil
	}
	return n, err
}

func (r *spanReader) Close() error {
	if r.cur != nil {
		return r.cur.Close()
	}
	return nil
}
