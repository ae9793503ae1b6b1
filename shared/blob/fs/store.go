package fs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vidiverse/vidiverse/shared/blob"
)

// Options configure a Store.
type Options struct {
	// BaseURL is the public URL of the server that mounts Handler at
	// /local-blob/, e.g. "http://localhost:9000". Presigned URLs start with it.
	BaseURL string
	// Secret is the HMAC-SHA256 key of presigned URLs (at least 16 bytes).
	// Keep it across restarts so URLs handed out stay valid.
	Secret []byte
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// Store is a blob.Store on a local directory.
type Store struct {
	root    string
	objects string
	uploads string
	tmp     string
	baseURL string
	secret  []byte
	now     func() time.Time
	locks   [64]sync.Mutex // by upload id, see lockUpload
}

var _ blob.Store = (*Store)(nil)

const (
	objectSuffix = "~obj"
	defaultLimit = 1000
)

// New opens the store at root, creating its directories, and deletes the
// temp files a crash may have left.
func New(root string, opts Options) (*Store, error) {
	if len(opts.Secret) < 16 {
		return nil, fmt.Errorf("open blob store %s: secret has %d bytes, want at least 16", root, len(opts.Secret))
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if u, err := url.Parse(base); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("open blob store %s: base URL %q is not an http(s) URL", root, opts.BaseURL)
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open blob store %s: %w", root, err)
	}
	s := &Store{
		root:    root,
		objects: filepath.Join(root, "objects"),
		uploads: filepath.Join(root, "uploads"),
		tmp:     filepath.Join(root, "tmp"),
		baseURL: base,
		secret:  slices.Clone(opts.Secret),
		now:     opts.Now,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := os.RemoveAll(s.tmp); err != nil {
		return nil, fmt.Errorf("open blob store %s: clear temp files: %w", root, err)
	}
	for _, dir := range []string{s.objects, s.uploads, s.tmp} {
		if err := mkdirAllSynced(dir); err != nil {
			return nil, fmt.Errorf("open blob store %s: %w", root, err)
		}
	}
	return s, nil
}

func (s *Store) objectPath(key string) string {
	return filepath.Join(s.objects, filepath.FromSlash(key)+objectSuffix)
}

func infoOf(key string, m meta) blob.Info {
	return blob.Info{Key: key, Size: m.Size, ContentType: m.ContentType, ETag: m.ETag, LastModified: m.Modified}
}

// Put implements blob.Store.
func (s *Store) Put(ctx context.Context, key string, body io.Reader, size int64, opts blob.PutOptions) error {
	if err := blob.CheckKey(key); err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	if _, err := s.put(ctx, key, body, size, opts); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

func (s *Store) put(ctx context.Context, key string, body io.Reader, size int64, opts blob.PutOptions) (meta, error) {
	tb, err := newTempBlob(s.tmp)
	if err != nil {
		return meta{}, err
	}
	etag, err := tb.copyData(ctxReader{ctx, body}, size)
	if err != nil {
		tb.discard()
		return meta{}, err
	}
	m := meta{
		Size:         size,
		ContentType:  cmp.Or(opts.ContentType, "application/octet-stream"),
		CacheControl: opts.CacheControl,
		ETag:         etag,
		Modified:     s.now().UTC(),
	}
	return m, tb.commit(m, s.objectPath(key))
}

// ctxReader stops a copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// open opens an object file; ErrNotFound when absent.
func (s *Store) open(key string) (*blobFile, error) {
	b, err := openBlob(s.objectPath(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, blob.ErrNotFound
	}
	return b, err
}

// Get implements blob.Store.
func (s *Store) Get(ctx context.Context, key string, rng *blob.Range) (io.ReadCloser, blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, blob.Info{}, fmt.Errorf("get %q: %w", key, err)
	}
	b, err := s.open(key)
	if err != nil {
		return nil, blob.Info{}, fmt.Errorf("get %s: %w", key, err)
	}
	off, n, err := resolveRange(rng, b.meta.Size)
	if err != nil {
		b.Close()
		return nil, blob.Info{}, fmt.Errorf("get %s: %w", key, err)
	}
	return sectionCloser{b.section(off, n), b}, infoOf(key, b.meta), nil
}

type sectionCloser struct {
	*io.SectionReader
	io.Closer
}

// resolveRange turns rng into an offset and length within size bytes.
func resolveRange(rng *blob.Range, size int64) (off, n int64, err error) {
	if rng == nil {
		return 0, size, nil
	}
	if rng.Start < 0 || rng.Start >= size || (rng.End >= 0 && rng.End < rng.Start) {
		return 0, 0, fmt.Errorf("bytes %d-%d of %d: %w", rng.Start, rng.End, size, blob.ErrInvalidRange)
	}
	end := rng.End
	if end < 0 || end >= size {
		end = size - 1
	}
	return rng.Start, end - rng.Start + 1, nil
}

// Head implements blob.Store.
func (s *Store) Head(ctx context.Context, key string) (blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Info{}, fmt.Errorf("head %q: %w", key, err)
	}
	b, err := s.open(key)
	if err != nil {
		return blob.Info{}, fmt.Errorf("head %s: %w", key, err)
	}
	defer b.Close()
	return infoOf(key, b.meta), nil
}

// Delete implements blob.Store.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	if err := removeSynced(s.objectPath(key), s.objects); err != nil {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// List implements blob.Store. It walks the directory of the prefix, so its
// cost grows with the number of objects under it, not with the page.
func (s *Store) List(ctx context.Context, opts blob.ListOptions) (blob.ListPage, error) {
	if err := blob.CheckPrefix(opts.Prefix); err != nil {
		return blob.ListPage{}, fmt.Errorf("list %q: %w", opts.Prefix, err)
	}
	limit := opts.Limit
	if limit <= 0 || limit > defaultLimit {
		limit = defaultLimit
	}
	keys, err := s.matchingKeys(ctx, opts.Prefix, opts.After)
	if err != nil {
		return blob.ListPage{}, fmt.Errorf("list %q: %w", opts.Prefix, err)
	}
	slices.Sort(keys)
	var page blob.ListPage
	for _, key := range keys {
		if len(page.Objects) == limit {
			page.Next = page.Objects[limit-1].Key
			break
		}
		m, err := readMeta(s.objectPath(key))
		if errors.Is(err, os.ErrNotExist) {
			continue // deleted since the walk
		}
		if err != nil {
			return blob.ListPage{}, fmt.Errorf("list %q: %w", opts.Prefix, err)
		}
		page.Objects = append(page.Objects, infoOf(key, m))
	}
	return page, nil
}

// matchingKeys returns, unordered, the keys that start with prefix and sort
// after after.
func (s *Store) matchingKeys(ctx context.Context, prefix, after string) ([]string, error) {
	dirPart := prefix[:strings.LastIndex(prefix, "/")+1]
	start := filepath.Join(s.objects, filepath.FromSlash(dirPart))
	var keys []string
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil // no such prefix directory, or removed during the walk
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if path == start {
			return nil
		}
		rel, err := filepath.Rel(s.objects, path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if d.IsDir() {
			// Keys under name/ all share its first len(name)+1 bytes; skip
			// the directory when none can match or all sort before after.
			if !matchesPrefix(name+"/", prefix) || after >= name+"0" {
				return fs.SkipDir
			}
			return nil
		}
		key, ok := strings.CutSuffix(name, objectSuffix)
		if !ok || !strings.HasPrefix(key, prefix) || key <= after {
			return nil
		}
		keys = append(keys, key)
		return nil
	})
	return keys, err
}

// matchesPrefix reports whether a key starting with dir can start with
// prefix.
func matchesPrefix(dir, prefix string) bool {
	return strings.HasPrefix(dir, prefix) || strings.HasPrefix(prefix, dir)
}

// lockUpload serializes the steps of one upload that change its parts.
func (s *Store) lockUpload(id string) func() {
	h := fnv.New32a()
	h.Write([]byte(id))
	mu := &s.locks[h.Sum32()%uint32(len(s.locks))]
	mu.Lock()
	return mu.Unlock
}
