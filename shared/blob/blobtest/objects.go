package blobtest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
)

func testRoundTrip(t *testing.T, s blob.Store) {
	ctx := t.Context()
	const key = "rt/video.mp4"
	data := genBytes(1, 64<<10)
	from := time.Now()
	put(t, s, key, data, blob.PutOptions{ContentType: "video/mp4", CacheControl: "public, max-age=60"})
	to := time.Now()

	info, err := s.Head(ctx, key)
	if err != nil {
		t.Fatalf("Head: %v", err)
	}
	checkInfo(t, "Head", info, key, data, "video/mp4", from, to)
	got, info := get(t, s, key, nil)
	if !bytes.Equal(got, data) {
		t.Errorf("Get: %d bytes that differ from the %d put", len(got), len(data))
	}
	checkInfo(t, "Get", info, key, data, "video/mp4", from, to)

	// Put replaces the object and its metadata.
	data2 := genBytes(2, 1000)
	from = time.Now()
	put(t, s, key, data2, blob.PutOptions{ContentType: "image/png"})
	to = time.Now()
	got, info = get(t, s, key, nil)
	if !bytes.Equal(got, data2) {
		t.Errorf("Get after replace: got %d bytes that differ from the %d put", len(got), len(data2))
	}
	checkInfo(t, "Get after replace", info, key, data2, "image/png", from, to)

	if err := s.Delete(ctx, key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err = s.Head(ctx, key)
	wantErr(t, "Head after Delete", err, blob.ErrNotFound)
	_, _, err = s.Get(ctx, key, nil)
	wantErr(t, "Get after Delete", err, blob.ErrNotFound)
}

func testEmptyObject(t *testing.T, s blob.Store) {
	const key = "empty/file"
	from := time.Now()
	put(t, s, key, nil, blob.PutOptions{ContentType: "text/plain"})
	to := time.Now()
	got, info := get(t, s, key, nil)
	if len(got) != 0 {
		t.Errorf("Get: %d bytes, want 0", len(got))
	}
	checkInfo(t, "Get", info, key, nil, "text/plain", from, to)
	_, _, err := s.Get(t.Context(), key, &blob.Range{Start: 0, End: -1})
	wantErr(t, "Get bytes=0- of an empty object", err, blob.ErrInvalidRange)
}

func testPutStreaming(t *testing.T, s blob.Store) {
	const key, size = "big/video.mp4", 6 << 20
	h := md5.New()
	if err := s.Put(t.Context(), key, io.TeeReader(gen(9, size), h), size, blob.PutOptions{ContentType: "video/mp4"}); err != nil {
		t.Fatalf("Put of %d streamed bytes: %v", size, err)
	}
	info := checkObject(t, s, key, digestOf(t, gen(9, size)))
	if want := hex.EncodeToString(h.Sum(nil)); info.ETag != want || info.ContentType != "video/mp4" {
		t.Errorf("Info %+v, want ETag %s and content type video/mp4", info, want)
	}
	mid := int64(5 << 20)
	got, _ := get(t, s, key, &blob.Range{Start: mid - 10, End: mid + 9})
	if want := genBytes(9, int(mid+10))[mid-10:]; !bytes.Equal(got, want) {
		t.Errorf("Get bytes %d-%d: %x, want %x", mid-10, mid+9, got, want)
	}
}

// checkWrongSize puts bodies one byte short and one byte long, over an
// existing object and under a new key, and checks that nothing changed.
func checkWrongSize(t *testing.T, s blob.Store, prefix string, size int64) {
	ctx := t.Context()
	keep, fresh := prefix+"keep", prefix+"new"
	old := genBytes(1, 100)
	put(t, s, keep, old, blob.PutOptions{ContentType: "text/plain"})
	for _, n := range []int64{size - 1, size + 1} {
		for _, key := range []string{keep, fresh} {
			err := s.Put(ctx, key, gen(uint64(n), n), size, blob.PutOptions{ContentType: "video/mp4"})
			if err == nil {
				t.Errorf("Put(%q) of %d bytes declared as %d: no error", key, n, size)
			}
		}
		got, info := get(t, s, keep, nil)
		if !bytes.Equal(got, old) || info.ContentType != "text/plain" {
			t.Errorf("after a failed Put of %d bytes the old object reads %d bytes of %q, want it unchanged", n, len(got), info.ContentType)
		}
		_, err := s.Head(ctx, fresh)
		wantErr(t, fmt.Sprintf("Head after a failed Put of %d bytes", n), err, blob.ErrNotFound)
	}
	page, err := s.List(ctx, blob.ListOptions{Prefix: prefix})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if keys := keysOf(page.Objects); !slices.Equal(keys, []string{keep}) {
		t.Errorf("List after failed Puts: %q, want only %q", keys, keep)
	}
}

func testPutWrongSize(t *testing.T, s blob.Store) {
	checkWrongSize(t, s, "ws/", 1000)
}

func testPutWrongSizeStreaming(t *testing.T, s blob.Store) {
	checkWrongSize(t, s, "wss/", 6<<20)
}

func testGetRange(t *testing.T, s blob.Store) {
	const key = "range/obj"
	data := genBytes(3, 1000)
	put(t, s, key, data, blob.PutOptions{ContentType: "application/octet-stream"})
	for _, c := range []struct {
		rng  blob.Range
		want []byte
	}{
		{blob.Range{Start: 10, End: 19}, data[10:20]},
		{blob.Range{Start: 0, End: 0}, data[:1]},
		{blob.Range{Start: 990, End: -1}, data[990:]},
		{blob.Range{Start: 999, End: 999}, data[999:]},
		{blob.Range{Start: 999, End: -1}, data[999:]},
		{blob.Range{Start: 995, End: 5000}, data[995:]},
		{blob.Range{Start: 0, End: -1}, data},
	} {
		got, info := get(t, s, key, &c.rng)
		if !bytes.Equal(got, c.want) {
			t.Errorf("Get %+v: %d bytes, want %d exact bytes", c.rng, len(got), len(c.want))
		}
		if info.Size != int64(len(data)) || info.ETag != md5Hex(data) || info.Key != key {
			t.Errorf("Get %+v: Info %+v, want the whole object's (size %d)", c.rng, info, len(data))
		}
	}
	for _, rng := range []blob.Range{{Start: 1000, End: -1}, {Start: 1000, End: 1000}, {Start: 5000, End: 6000}, {Start: -1, End: 5}, {Start: 20, End: 10}} {
		_, _, err := s.Get(t.Context(), key, &rng)
		wantErr(t, fmt.Sprintf("Get %+v of 1000 bytes", rng), err, blob.ErrInvalidRange)
	}
}

func testNotFound(t *testing.T, s blob.Store) {
	ctx := t.Context()
	_, _, err := s.Get(ctx, "missing/key", nil)
	wantErr(t, "Get", err, blob.ErrNotFound)
	_, _, err = s.Get(ctx, "missing/key", &blob.Range{Start: 0, End: 9})
	wantErr(t, "Get with a range", err, blob.ErrNotFound)
	_, err = s.Head(ctx, "missing/key")
	wantErr(t, "Head", err, blob.ErrNotFound)
	// A prefix of an existing key is not an object.
	put(t, s, "missing/dir/obj", []byte("x"), blob.PutOptions{})
	_, err = s.Head(ctx, "missing/dir")
	wantErr(t, "Head of a key's parent", err, blob.ErrNotFound)
	_, _, err = s.Get(ctx, "missing/dir", nil)
	wantErr(t, "Get of a key's parent", err, blob.ErrNotFound)
}

func testDeleteIdempotent(t *testing.T, s blob.Store) {
	ctx := t.Context()
	if err := s.Delete(ctx, "del/never"); err != nil {
		t.Errorf("Delete of a key never stored: %v", err)
	}
	put(t, s, "del/once", []byte("bytes"), blob.PutOptions{})
	for i := range 2 {
		if err := s.Delete(ctx, "del/once"); err != nil {
			t.Errorf("Delete #%d: %v", i+1, err)
		}
	}
	_, err := s.Head(ctx, "del/once")
	wantErr(t, "Head after Delete", err, blob.ErrNotFound)
}

var invalidKeys = []string{"", "/lead", "trail/", "a//b", "..", "a/../b", "./a", "a b", `a\b`, "a?b"}

func testInvalidKey(t *testing.T, s blob.Store) {
	ctx := t.Context()
	for _, k := range invalidKeys {
		err := s.Put(ctx, k, bytes.NewReader([]byte("x")), 1, blob.PutOptions{})
		wantErr(t, fmt.Sprintf("Put(%q)", k), err, blob.ErrInvalidKey)
		_, _, err = s.Get(ctx, k, nil)
		wantErr(t, fmt.Sprintf("Get(%q)", k), err, blob.ErrInvalidKey)
		_, err = s.Head(ctx, k)
		wantErr(t, fmt.Sprintf("Head(%q)", k), err, blob.ErrInvalidKey)
		err = s.Delete(ctx, k)
		wantErr(t, fmt.Sprintf("Delete(%q)", k), err, blob.ErrInvalidKey)
		_, err = s.CreateMultipart(ctx, k, blob.PutOptions{})
		wantErr(t, fmt.Sprintf("CreateMultipart(%q)", k), err, blob.ErrInvalidKey)
		_, err = s.UploadPart(ctx, k, "upload", 1, bytes.NewReader([]byte("x")), 1)
		wantErr(t, fmt.Sprintf("UploadPart(%q)", k), err, blob.ErrInvalidKey)
		_, err = s.ListParts(ctx, k, "upload")
		wantErr(t, fmt.Sprintf("ListParts(%q)", k), err, blob.ErrInvalidKey)
		err = s.CompleteMultipart(ctx, k, "upload", []blob.Part{{Number: 1, ETag: md5Hex([]byte("x"))}})
		wantErr(t, fmt.Sprintf("CompleteMultipart(%q)", k), err, blob.ErrInvalidKey)
		err = s.AbortMultipart(ctx, k, "upload")
		wantErr(t, fmt.Sprintf("AbortMultipart(%q)", k), err, blob.ErrInvalidKey)
		_, err = s.PresignGet(ctx, k, time.Minute)
		wantErr(t, fmt.Sprintf("PresignGet(%q)", k), err, blob.ErrInvalidKey)
		_, err = s.PresignPut(ctx, k, time.Minute)
		wantErr(t, fmt.Sprintf("PresignPut(%q)", k), err, blob.ErrInvalidKey)
		_, err = s.PresignUploadPart(ctx, k, "upload", 1, time.Minute)
		wantErr(t, fmt.Sprintf("PresignUploadPart(%q)", k), err, blob.ErrInvalidKey)
	}
	for _, p := range []string{"/lead", "../up", "a//", "a b"} {
		_, err := s.List(ctx, blob.ListOptions{Prefix: p})
		wantErr(t, fmt.Sprintf("List(Prefix %q)", p), err, blob.ErrInvalidKey)
	}
	page, err := s.List(ctx, blob.ListOptions{})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(page.Objects) != 0 {
		t.Errorf("List after refused Puts: %q, want nothing", keysOf(page.Objects))
	}
}

// testKeyUnderKey stores a key that is also the parent "directory" of other
// keys, as S3 allows.
func testKeyUnderKey(t *testing.T, s blob.Store) {
	ctx := t.Context()
	objs := map[string][]byte{"nest/a": []byte("parent"), "nest/a/b": []byte("child"), "nest/a-b": []byte("sibling")}
	put(t, s, "nest/a/b", objs["nest/a/b"], blob.PutOptions{})
	put(t, s, "nest/a", objs["nest/a"], blob.PutOptions{})
	put(t, s, "nest/a-b", objs["nest/a-b"], blob.PutOptions{})
	for k, want := range objs {
		if got, _ := get(t, s, k, nil); !bytes.Equal(got, want) {
			t.Errorf("Get(%q) = %q, want %q", k, got, want)
		}
	}
	checkList(t, s, blob.ListOptions{Prefix: "nest/"}, []string{"nest/a", "nest/a-b", "nest/a/b"})
	if err := s.Delete(ctx, "nest/a"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if got, _ := get(t, s, "nest/a/b", nil); !bytes.Equal(got, objs["nest/a/b"]) {
		t.Errorf("Get(nest/a/b) after deleting nest/a = %q", got)
	}
	checkList(t, s, blob.ListOptions{Prefix: "nest/"}, []string{"nest/a-b", "nest/a/b"})
}

func keysOf(objs []blob.Info) []string {
	keys := make([]string, len(objs))
	for i, o := range objs {
		keys[i] = o.Key
	}
	return keys
}

func checkList(t *testing.T, s blob.Store, opts blob.ListOptions, want []string) []blob.Info {
	t.Helper()
	page, err := s.List(t.Context(), opts)
	if err != nil {
		t.Fatalf("List(%+v): %v", opts, err)
	}
	if got := keysOf(page.Objects); !slices.Equal(got, want) {
		t.Errorf("List(%+v) = %q, want %q", opts, got, want)
	}
	if page.Next != "" {
		t.Errorf("List(%+v): Next %q on the last page", opts, page.Next)
	}
	return page.Objects
}

func testList(t *testing.T, s blob.Store) {
	data := map[string][]byte{}
	keys := []string{"l/c", "l/a", "l/b/x", "l/a-b", "l/b-y", "lx", "m/a"}
	for i, k := range keys {
		data[k] = genBytes(uint64(100+i), 10+i)
		put(t, s, k, data[k], blob.PutOptions{})
	}
	objs := checkList(t, s, blob.ListOptions{Prefix: "l/"}, []string{"l/a", "l/a-b", "l/b-y", "l/b/x", "l/c"})
	for _, o := range objs {
		if o.Size != int64(len(data[o.Key])) || o.ETag != md5Hex(data[o.Key]) {
			t.Errorf("List: %q has size %d etag %q, want %d %q", o.Key, o.Size, o.ETag, len(data[o.Key]), md5Hex(data[o.Key]))
		}
		if o.LastModified.IsZero() {
			t.Errorf("List: %q has no LastModified", o.Key)
		}
	}
	checkList(t, s, blob.ListOptions{Prefix: "l/b"}, []string{"l/b-y", "l/b/x"})
	checkList(t, s, blob.ListOptions{Prefix: "l"}, []string{"l/a", "l/a-b", "l/b-y", "l/b/x", "l/c", "lx"})
	checkList(t, s, blob.ListOptions{}, []string{"l/a", "l/a-b", "l/b-y", "l/b/x", "l/c", "lx", "m/a"})
	checkList(t, s, blob.ListOptions{Prefix: "l/", After: "l/a-b"}, []string{"l/b-y", "l/b/x", "l/c"})
	checkList(t, s, blob.ListOptions{Prefix: "l/", After: "l/b"}, []string{"l/b-y", "l/b/x", "l/c"})
	checkList(t, s, blob.ListOptions{Prefix: "zzz/"}, []string{})
	checkList(t, s, blob.ListOptions{Prefix: "l/c/"}, []string{})
}

func testListPaging(t *testing.T, s blob.Store) {
	want := []string{"p/0", "p/1", "p/2", "p/3", "p/4"}
	order := slices.Clone(want)
	rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for _, k := range order {
		put(t, s, k, []byte(k), blob.PutOptions{})
	}
	put(t, s, "q/0", []byte("q"), blob.PutOptions{})
	var seen []string
	after := ""
	pages := 0
	for {
		pages++
		if pages > len(want)+1 {
			t.Fatalf("List keeps paging: %d pages, seen %q", pages, seen)
		}
		page, err := s.List(t.Context(), blob.ListOptions{Prefix: "p/", After: after, Limit: 2})
		if err != nil {
			t.Fatalf("List page %d: %v", pages, err)
		}
		if len(page.Objects) > 2 {
			t.Errorf("List page %d: %d objects, over Limit 2", pages, len(page.Objects))
		}
		seen = append(seen, keysOf(page.Objects)...)
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if !slices.Equal(seen, want) {
		t.Errorf("paged List visited %q, want each of %q once in order", seen, want)
	}
	if pages != 3 {
		t.Errorf("paged List took %d pages, want 3 (2+2+1)", pages)
	}
}

func testConcurrentPuts(t *testing.T, s blob.Store) {
	const n, same = 16, 8
	var wg sync.WaitGroup
	errs := make(chan error, n+same)
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("conc/%02d", i)
			errs <- s.Put(t.Context(), key, gen(uint64(i), 64<<10), 64<<10, blob.PutOptions{ContentType: "application/octet-stream"})
		})
	}
	candidates := map[string]bool{}
	for i := range same {
		candidates[md5Hex(genBytes(uint64(1000+i), 256<<10))] = true
		wg.Go(func() {
			errs <- s.Put(t.Context(), "conc/same", gen(uint64(1000+i), 256<<10), 256<<10, blob.PutOptions{})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Put: %v", err)
		}
	}
	for i := range n {
		key := fmt.Sprintf("conc/%02d", i)
		got, info := get(t, s, key, nil)
		if !bytes.Equal(got, genBytes(uint64(i), 64<<10)) || info.ETag != md5Hex(got) {
			t.Errorf("Get(%q) after concurrent Puts: wrong bytes or ETag", key)
		}
	}
	rc, info, err := s.Get(t.Context(), "conc/same", nil)
	if err != nil {
		t.Fatalf("Get(conc/same): %v", err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatalf("read conc/same: %v", err)
	}
	if sum := md5Hex(got); !candidates[sum] || info.ETag != sum {
		t.Errorf("conc/same after racing Puts: %d bytes, md5 %s, ETag %s; want one writer's bytes whole", len(got), sum, info.ETag)
	}
}
