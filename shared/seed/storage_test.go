package seed

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	g "github.com/anacrolix/generics"
	"github.com/anacrolix/torrent/metainfo"
	"github.com/anacrolix/torrent/storage"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/blob/fs"
)

// countingBlobs counts the ranged reads that reach blob storage.
type countingBlobs struct {
	blob.Store
	gets   atomic.Int64
	ranges sync.Map // [start, end] → true
	// gate, when set, holds every read until it is closed.
	gate chan struct{}
}

func (c *countingBlobs) Get(ctx context.Context, key string, rng *blob.Range) (io.ReadCloser, blob.Info, error) {
	c.gets.Add(1)
	if c.gate != nil {
		<-c.gate
	}
	if rng != nil {
		c.ranges.Store([2]int64{rng.Start, rng.End}, true)
	}
	return c.Store.Get(ctx, key, rng)
}

// openStored stores size random bytes and opens them as a torrent of
// pieceLength pieces through blobStorage.
func openStored(t *testing.T, size int, pieceLength int64, cacheBytes int64) (*blobStorage, *countingBlobs, storage.TorrentImpl, *metainfo.Info, []byte) {
	t.Helper()
	fsb, err := fs.New(filepath.Join(t.TempDir(), "blobs"), fs.Options{BaseURL: "http://localhost", Secret: []byte("0123456789abcdef")})
	if err != nil {
		t.Fatal(err)
	}
	blobs := &countingBlobs{Store: fsb}
	data := make([]byte, size)
	_, _ = rand.Read(data)
	if err := blobs.Put(t.Context(), "static/web-videos/x.mp4", bytes.NewReader(data), int64(size), blob.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	info := &metainfo.Info{Name: "x.mp4", Length: int64(size), PieceLength: pieceLength}
	if err := info.GeneratePieces(func(metainfo.FileInfo) (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}); err != nil {
		t.Fatal(err)
	}
	st := newBlobStorage(t.Context(), blobs, cacheBytes)
	var ih metainfo.Hash
	ih[0] = 1
	if _, err := st.OpenTorrent(t.Context(), info, ih); err == nil {
		t.Fatal("opened a torrent with no object bound")
	}
	st.bind(ih, "static/web-videos/x.mp4")
	ti, err := st.OpenTorrent(t.Context(), info, ih)
	if err != nil {
		t.Fatal(err)
	}
	return st, blobs, ti, info, data
}

// TestStorageReadsPieces reads every piece in 16 KiB chunks, as peers
// request them: the bytes are the object's, each piece costs one ranged
// read of exactly its bytes, and the short last piece ends with io.EOF.
func TestStorageReadsPieces(t *testing.T) {
	const pl = 64 << 10
	st, blobs, ti, info, data := openStored(t, 5*pl+1000, pl, 1<<20)
	for i := range info.NumPieces() {
		piece := ti.PieceWithHash(info.Piece(i), noHash)
		if c := piece.Completion(); !c.Ok || !c.Complete {
			t.Fatalf("piece %d completion %+v", i, c)
		}
		mp := info.Piece(i)
		for off := int64(0); off < mp.Length(); off += 16 << 10 {
			b := make([]byte, min(16<<10, mp.Length()-off))
			n, err := piece.ReadAt(b, off)
			if err != nil || n != len(b) {
				t.Fatalf("piece %d at %d: %d, %v", i, off, n, err)
			}
			if start := mp.Offset() + off; !bytes.Equal(b, data[start:start+int64(n)]) {
				t.Fatalf("piece %d at %d: wrong bytes", i, off)
			}
		}
		if _, ok := blobs.ranges.Load([2]int64{mp.Offset(), mp.Offset() + mp.Length() - 1}); !ok {
			t.Errorf("piece %d was not read as one range", i)
		}
	}
	if got := blobs.gets.Load(); got != int64(info.NumPieces()) {
		t.Errorf("%d reads from blob storage for %d pieces", got, info.NumPieces())
	}
	last := ti.PieceWithHash(info.Piece(info.NumPieces()-1), noHash)
	b := make([]byte, 2000)
	if n, err := last.ReadAt(b, 0); n != 1000 || !errors.Is(err, io.EOF) {
		t.Errorf("read past the last piece: %d, %v", n, err)
	}
	if n, err := last.ReadAt(b, 1000); n != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("read at the end: %d, %v", n, err)
	}
	hits, misses, fetched, _ := st.cache.stats()
	if misses != int64(info.NumPieces()) || fetched != int64(len(data)) || hits == 0 {
		t.Errorf("cache hits %d misses %d fetched %d", hits, misses, fetched)
	}
}

// noHash is what the client passes when it has no piece hash to give.
var noHash = g.None[[]byte]()

// TestStorageRefusesWrites: the seed never stores what peers send.
func TestStorageRefusesWrites(t *testing.T) {
	_, _, ti, info, _ := openStored(t, 100<<10, 32<<10, 1<<20)
	p := ti.PieceWithHash(info.Piece(0), noHash)
	if n, err := p.WriteAt([]byte("x"), 0); n != 0 || !errors.Is(err, ErrReadOnly) {
		t.Errorf("WriteAt: %d, %v", n, err)
	}
	if err := p.MarkNotComplete(); !errors.Is(err, ErrReadOnly) {
		t.Errorf("MarkNotComplete: %v", err)
	}
	if c := p.Completion(); !c.Ok || !c.Complete {
		t.Errorf("completion after refused writes: %+v", c)
	}
}

// TestCacheBoundAndSharedFetch: the cache stays within its bound, and
// concurrent readers of one missing piece wait for one fetch.
func TestCacheBoundAndSharedFetch(t *testing.T) {
	const pl = 32 << 10
	st, blobs, ti, info, data := openStored(t, 10*pl, pl, 3*pl)
	blobs.gate = make(chan struct{})
	var wg sync.WaitGroup
	var started sync.WaitGroup
	for range 16 {
		started.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Done()
			b := make([]byte, 1024)
			if _, err := ti.PieceWithHash(info.Piece(4), noHash).ReadAt(b, 512); err != nil || !bytes.Equal(b, data[4*pl+512:4*pl+512+1024]) {
				t.Errorf("concurrent read: %v", err)
			}
		}()
	}
	started.Wait()
	for blobs.gets.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // the others reach the cache meanwhile
	close(blobs.gate)
	wg.Wait()
	blobs.gate = nil
	if hits, misses, _, _ := st.cache.stats(); misses != 1 || hits != 15 {
		t.Errorf("16 concurrent reads of one piece: %d misses, %d hits", misses, hits)
	}
	if got := blobs.gets.Load(); got != 1 {
		t.Errorf("%d fetches for one piece read 16 times at once", got)
	}
	for i := range info.NumPieces() {
		if _, err := ti.PieceWithHash(info.Piece(i), noHash).ReadAt(make([]byte, 10), 0); err != nil {
			t.Fatal(err)
		}
		if _, _, _, size := st.cache.stats(); size > 3*pl {
			t.Fatalf("cache holds %d bytes, bound %d", size, 3*pl)
		}
	}
	// The oldest pieces were evicted: reading piece 0 again fetches it.
	before := blobs.gets.Load()
	if _, err := ti.PieceWithHash(info.Piece(0), noHash).ReadAt(make([]byte, 10), 0); err != nil {
		t.Fatal(err)
	}
	if blobs.gets.Load() != before+1 {
		t.Error("an evicted piece was served without a fetch")
	}
	// A dropped torrent's pieces leave the cache.
	st.unbind(metainfo.Hash{1})
	if _, _, _, size := st.cache.stats(); size != 0 {
		t.Errorf("cache holds %d bytes after its only torrent was dropped", size)
	}
}
