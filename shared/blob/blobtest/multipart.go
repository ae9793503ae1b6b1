package blobtest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// partSpec is a part's number and the stream (seed, size) of its bytes.
type partSpec struct {
	number int32
	seed   uint64
	size   int64
}

// uploadPart streams a part and checks the returned Part, whose ETag must
// be the unquoted hex MD5 of its bytes.
func uploadPart(t *testing.T, s blob.Store, key, id string, p partSpec) blob.Part {
	t.Helper()
	h := md5.New()
	part, err := s.UploadPart(t.Context(), key, id, p.number, io.TeeReader(gen(p.seed, p.size), h), p.size)
	if err != nil {
		t.Fatalf("UploadPart %d (%d bytes): %v", p.number, p.size, err)
	}
	want := blob.Part{Number: p.number, ETag: hex.EncodeToString(h.Sum(nil)), Size: p.size}
	if part != want {
		t.Errorf("UploadPart %d: %+v, want %+v", p.number, part, want)
	}
	return part
}

// partsDigest is the digest of the parts' bytes joined in the order given.
func partsDigest(t *testing.T, parts ...partSpec) digest {
	rs := make([]io.Reader, len(parts))
	for i, p := range parts {
		rs[i] = gen(p.seed, p.size)
	}
	return digestOf(t, io.MultiReader(rs...))
}

// checkObject compares the object's bytes with want without holding them.
func checkObject(t *testing.T, s blob.Store, key string, want digest) blob.Info {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key, nil)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	if got := digestOf(t, rc); got != want {
		t.Errorf("Get(%q): %d bytes (sha256 %x), want %d bytes (sha256 %x)", key, got.n, got.sum, want.n, want.sum)
	}
	if info.Size != want.n {
		t.Errorf("Get(%q): Info.Size %d, want %d", key, info.Size, want.n)
	}
	return info
}

func testMultipart(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "mp/video.mp4"
	id, err := s.CreateMultipart(ctx, key, blob.PutOptions{ContentType: "video/mp4", CacheControl: "public, max-age=60"})
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	if id == "" {
		t.Fatal("CreateMultipart returned an empty upload id")
	}
	p1 := partSpec{1, 11, blob.MinPartSize}
	p2old := partSpec{2, 20, blob.MinPartSize}
	p2 := partSpec{2, 12, blob.MinPartSize}
	p3 := partSpec{3, 13, 1234}
	// Out of order, and part 2 twice: the second upload replaces the first.
	uploadPart(t, s, key, id, p3)
	uploadPart(t, s, key, id, p2old)
	uploadPart(t, s, key, id, p1)
	want2 := uploadPart(t, s, key, id, p2)

	parts, err := s.ListParts(ctx, key, id)
	if err != nil {
		t.Fatalf("ListParts: %v", err)
	}
	if len(parts) != 3 {
		t.Fatalf("ListParts: %+v, want 3 parts", parts)
	}
	for i, p := range parts {
		if p.Number != int32(i+1) {
			t.Errorf("ListParts[%d].Number = %d, want %d", i, p.Number, i+1)
		}
	}
	if parts[1] != want2 {
		t.Errorf("ListParts part 2 = %+v, want the re-uploaded %+v", parts[1], want2)
	}
	if parts[0].Size != p1.size || parts[2].Size != p3.size {
		t.Errorf("ListParts sizes %d, %d, want %d, %d", parts[0].Size, parts[2].Size, p1.size, p3.size)
	}
	if _, err := s.Head(ctx, key); err == nil {
		t.Error("Head before CompleteMultipart: the object is already visible")
	}

	if err := s.CompleteMultipart(ctx, key, id, parts); err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	info := checkObject(t, s, key, partsDigest(t, p1, p2, p3))
	if info.ContentType != "video/mp4" || info.ETag == "" {
		t.Errorf("Info after CompleteMultipart: %+v, want content type video/mp4 and an ETag", info)
	}

	_, err = s.ListParts(ctx, key, id)
	wantErr(t, "ListParts after Complete", err, blob.ErrNoSuchUpload)
	err = s.CompleteMultipart(ctx, key, id, parts)
	wantErr(t, "CompleteMultipart twice", err, blob.ErrNoSuchUpload)
}

func testMultipartSinglePart(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "mp1/small"
	id, err := s.CreateMultipart(ctx, key, blob.PutOptions{})
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	// The last part may be smaller than MinPartSize, so may a sole part.
	p := partSpec{1, 5, 100}
	part := uploadPart(t, s, key, id, p)
	if err := s.CompleteMultipart(ctx, key, id, []blob.Part{part}); err != nil {
		t.Fatalf("CompleteMultipart: %v", err)
	}
	checkObject(t, s, key, partsDigest(t, p))
}

func testMultipartWrongETag(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "mpe/obj"
	id, err := s.CreateMultipart(ctx, key, blob.PutOptions{})
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	p1, p2 := partSpec{1, 31, blob.MinPartSize}, partSpec{2, 32, 10}
	part1 := uploadPart(t, s, key, id, p1)
	part2 := uploadPart(t, s, key, id, p2)

	wrong := part1
	wrong.ETag = md5Hex([]byte("other bytes"))
	for _, c := range []struct {
		what  string
		parts []blob.Part
	}{
		{"a wrong ETag", []blob.Part{wrong, part2}},
		{"a part never uploaded", []blob.Part{part1, part2, {Number: 3, ETag: part2.ETag}}},
		{"parts out of order", []blob.Part{part2, part1}},
		{"no parts", nil},
	} {
		err := s.CompleteMultipart(ctx, key, id, c.parts)
		wantErr(t, "CompleteMultipart with "+c.what, err, blob.ErrInvalidPart)
		if _, err := s.Head(ctx, key); err == nil {
			t.Errorf("after CompleteMultipart with %s the object is visible", c.what)
		}
	}
	// A failed Complete leaves the upload open.
	if err := s.CompleteMultipart(ctx, key, id, []blob.Part{part1, part2}); err != nil {
		t.Fatalf("CompleteMultipart after failed attempts: %v", err)
	}
	checkObject(t, s, key, partsDigest(t, p1, p2))
}

func testMultipartAbort(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "mpa/obj"
	id, err := s.CreateMultipart(ctx, key, blob.PutOptions{})
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	part := uploadPart(t, s, key, id, partSpec{1, 41, 100})

	// An upload belongs to its key.
	_, err = s.UploadPart(ctx, "mpa/other", id, 2, bytes.NewReader([]byte("x")), 1)
	wantErr(t, "UploadPart under another key", err, blob.ErrNoSuchUpload)
	_, err = s.ListParts(ctx, "mpa/other", id)
	wantErr(t, "ListParts under another key", err, blob.ErrNoSuchUpload)

	if err := s.AbortMultipart(ctx, key, id); err != nil {
		t.Fatalf("AbortMultipart: %v", err)
	}
	_, err = s.UploadPart(ctx, key, id, 2, bytes.NewReader([]byte("x")), 1)
	wantErr(t, "UploadPart after Abort", err, blob.ErrNoSuchUpload)
	err = s.CompleteMultipart(ctx, key, id, []blob.Part{part})
	wantErr(t, "CompleteMultipart after Abort", err, blob.ErrNoSuchUpload)
	_, err = s.ListParts(ctx, key, id)
	wantErr(t, "ListParts after Abort", err, blob.ErrNoSuchUpload)
	_, err = s.Head(ctx, key)
	wantErr(t, "Head after Abort", err, blob.ErrNotFound)

	for _, bad := range []string{"no-such-upload", "0123456789abcdef0123456789abcdef", "../../etc"} {
		_, err = s.UploadPart(ctx, key, bad, 1, bytes.NewReader([]byte("x")), 1)
		wantErr(t, fmt.Sprintf("UploadPart to upload %q", bad), err, blob.ErrNoSuchUpload)
		err = s.CompleteMultipart(ctx, key, bad, []blob.Part{part})
		wantErr(t, fmt.Sprintf("CompleteMultipart of upload %q", bad), err, blob.ErrNoSuchUpload)
	}
}

func testMultipartPartTooSmall(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "mps/obj"
	id, err := s.CreateMultipart(ctx, key, blob.PutOptions{})
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	// Part 1 is not the last, so it must be at least MinPartSize.
	part1 := uploadPart(t, s, key, id, partSpec{1, 51, blob.MinPartSize - 1})
	part2 := uploadPart(t, s, key, id, partSpec{2, 52, 10})
	err = s.CompleteMultipart(ctx, key, id, []blob.Part{part1, part2})
	wantErr(t, "CompleteMultipart with a small first part", err, blob.ErrInvalidPart)
	if _, err := s.Head(ctx, key); err == nil {
		t.Error("the object is visible after a refused CompleteMultipart")
	}
}

func testMultipartPartNumber(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "mpn/obj"
	id, err := s.CreateMultipart(ctx, key, blob.PutOptions{})
	if err != nil {
		t.Fatalf("CreateMultipart: %v", err)
	}
	for _, n := range []int32{0, -1, blob.MaxParts + 1} {
		_, err := s.UploadPart(ctx, key, id, n, bytes.NewReader([]byte("x")), 1)
		wantErr(t, fmt.Sprintf("UploadPart number %d", n), err, blob.ErrInvalidPart)
		_, err = s.PresignUploadPart(ctx, key, id, n, time.Minute)
		wantErr(t, fmt.Sprintf("PresignUploadPart number %d", n), err, blob.ErrInvalidPart)
	}
	p := partSpec{blob.MaxParts, 61, 7}
	part := uploadPart(t, s, key, id, p)
	if err := s.CompleteMultipart(ctx, key, id, []blob.Part{part}); err != nil {
		t.Fatalf("CompleteMultipart of part %d: %v", blob.MaxParts, err)
	}
	checkObject(t, s, key, partsDigest(t, p))
}
