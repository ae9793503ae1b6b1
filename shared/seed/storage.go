package seed

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	g "github.com/anacrolix/generics"
	"github.com/anacrolix/torrent/metainfo"
	"github.com/anacrolix/torrent/storage"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// ErrReadOnly is what the storage answers to every write: the seed only
// serves files the pipeline published and hashed.
var ErrReadOnly = errors.New("seed storage is read-only")

// blobReadTimeout bounds one ranged read of a piece from blob storage.
const blobReadTimeout = 30 * time.Second

// blobStorage is a storage.ClientImpl over blob storage: each torrent is
// one object (a single-file torrent, as the pipeline makes them), every
// piece is complete, pieces are read with ranged reads through a shared
// cache of whole pieces, and writes are refused.
type blobStorage struct {
	blobs blob.Store
	cache *pieceCache
	// ctx ends when the seed closes, cancelling reads in flight.
	ctx context.Context

	mu   sync.Mutex
	keys map[metainfo.Hash]string // infohash → object key
}

var _ storage.ClientImpl = (*blobStorage)(nil)

func newBlobStorage(ctx context.Context, blobs blob.Store, cacheBytes int64) *blobStorage {
	return &blobStorage{blobs: blobs, cache: newPieceCache(cacheBytes), ctx: ctx, keys: map[metainfo.Hash]string{}}
}

// bind says which object holds the data of a torrent. OpenTorrent refuses
// torrents that are not bound.
func (s *blobStorage) bind(ih metainfo.Hash, key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[ih] = key
}

func (s *blobStorage) unbind(ih metainfo.Hash) {
	s.mu.Lock()
	delete(s.keys, ih)
	s.mu.Unlock()
	s.cache.dropTorrent(ih)
}

// OpenTorrent implements storage.ClientImpl.
func (s *blobStorage) OpenTorrent(_ context.Context, info *metainfo.Info, ih metainfo.Hash) (storage.TorrentImpl, error) {
	s.mu.Lock()
	key, ok := s.keys[ih]
	s.mu.Unlock()
	if !ok {
		return storage.TorrentImpl{}, fmt.Errorf("open torrent %s: no object bound to it", ih.HexString())
	}
	if len(info.Files) > 0 {
		return storage.TorrentImpl{}, fmt.Errorf("open torrent %s: multi-file torrents are not served", ih.HexString())
	}
	t := &blobTorrent{s: s, key: key, ih: ih}
	return storage.TorrentImpl{
		PieceWithHash: func(p metainfo.Piece, _ g.Option[[]byte]) storage.PieceImpl {
			return blobPiece{t: t, index: p.Index(), offset: p.Offset(), length: p.Length()}
		},
		Close: func() error { return nil },
	}, nil
}

// blobTorrent is the storage of one torrent.
type blobTorrent struct {
	s   *blobStorage
	key string
	ih  metainfo.Hash
}

// blobPiece is one piece of a torrent's object.
type blobPiece struct {
	t      *blobTorrent
	index  int
	offset int64
	length int64
}

var _ storage.PieceImpl = blobPiece{}

// ReadAt reads from the piece's bytes, fetching the whole piece into the
// cache on a miss.
func (p blobPiece) ReadAt(b []byte, off int64) (int, error) {
	if off < 0 || off >= p.length {
		return 0, io.EOF
	}
	data, err := p.t.s.cache.get(pieceID{p.t.ih, p.index}, p.fetch)
	if err != nil {
		return 0, err
	}
	n := copy(b, data[off:])
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// fetch reads the piece from blob storage with one ranged read.
func (p blobPiece) fetch() ([]byte, error) {
	ctx, cancel := context.WithTimeout(p.t.s.ctx, blobReadTimeout)
	defer cancel()
	rc, _, err := p.t.s.blobs.Get(ctx, p.t.key, &blob.Range{Start: p.offset, End: p.offset + p.length - 1})
	if err != nil {
		return nil, fmt.Errorf("read piece %d of %s: %w", p.index, p.t.key, err)
	}
	defer rc.Close()
	data := make([]byte, p.length)
	if _, err := io.ReadFull(rc, data); err != nil {
		return nil, fmt.Errorf("read piece %d of %s: %w", p.index, p.t.key, err)
	}
	return data, nil
}

// WriteAt refuses: the seed never downloads.
func (p blobPiece) WriteAt([]byte, int64) (int, error) { return 0, ErrReadOnly }

// MarkComplete accepts: every piece is complete already.
func (p blobPiece) MarkComplete() error { return nil }

// MarkNotComplete refuses: the pipeline hashed the object when it stored it.
func (p blobPiece) MarkNotComplete() error { return ErrReadOnly }

// Completion reports the piece complete.
func (p blobPiece) Completion() storage.Completion {
	return storage.Completion{Ok: true, Complete: true}
}

// pieceID names a piece across torrents.
type pieceID struct {
	ih    metainfo.Hash
	index int
}

// pieceCache holds whole pieces, least recently used first out, up to a
// number of bytes (always at least one piece). Concurrent misses of one
// piece share one fetch.
type pieceCache struct {
	limit int64

	mu       sync.Mutex
	size     int64
	lru      *list.List // of *cacheEntry, most recent at the front
	entries  map[pieceID]*list.Element
	inflight map[pieceID]*fetchCall

	hits, misses, bytesFetched atomic.Int64
}

type cacheEntry struct {
	id   pieceID
	data []byte
}

type fetchCall struct {
	done chan struct{}
	data []byte
	err  error
}

func newPieceCache(limit int64) *pieceCache {
	return &pieceCache{limit: limit, lru: list.New(), entries: map[pieceID]*list.Element{}, inflight: map[pieceID]*fetchCall{}}
}

// get returns the piece's bytes, calling fetch on a miss.
func (c *pieceCache) get(id pieceID, fetch func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if e, ok := c.entries[id]; ok {
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		c.hits.Add(1)
		return e.Value.(*cacheEntry).data, nil
	}
	if call, ok := c.inflight[id]; ok {
		c.mu.Unlock()
		<-call.done
		c.hits.Add(1)
		return call.data, call.err
	}
	call := &fetchCall{done: make(chan struct{})}
	c.inflight[id] = call
	c.mu.Unlock()
	c.misses.Add(1)

	call.data, call.err = fetch()
	c.mu.Lock()
	delete(c.inflight, id)
	if call.err == nil {
		c.bytesFetched.Add(int64(len(call.data)))
		c.add(id, call.data)
	}
	c.mu.Unlock()
	close(call.done)
	return call.data, call.err
}

// add stores a piece and evicts the least recently used ones over the
// limit. c.mu is held.
func (c *pieceCache) add(id pieceID, data []byte) {
	if _, ok := c.entries[id]; ok {
		return
	}
	c.entries[id] = c.lru.PushFront(&cacheEntry{id: id, data: data})
	c.size += int64(len(data))
	for c.size > c.limit && c.lru.Len() > 1 {
		c.remove(c.lru.Back())
	}
}

func (c *pieceCache) remove(e *list.Element) {
	ent := c.lru.Remove(e).(*cacheEntry)
	delete(c.entries, ent.id)
	c.size -= int64(len(ent.data))
}

// dropTorrent forgets the pieces of a torrent.
func (c *pieceCache) dropTorrent(ih metainfo.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, e := range c.entries {
		if id.ih == ih {
			c.remove(e)
		}
	}
}

// stats returns the cache's counters and its current size in bytes.
func (c *pieceCache) stats() (hits, misses, fetched, size int64) {
	c.mu.Lock()
	size = c.size
	c.mu.Unlock()
	return c.hits.Load(), c.misses.Load(), c.bytesFetched.Load(), size
}
