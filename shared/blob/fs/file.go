package fs

import (
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// meta is the trailer of an object or part file.
type meta struct {
	Size         int64     `json:"size"`
	ContentType  string    `json:"contentType,omitempty"`
	CacheControl string    `json:"cacheControl,omitempty"`
	ETag         string    `json:"etag"`
	Modified     time.Time `json:"modified"`
}

// The footer is the trailer's length (uint32, big endian) and this magic.
const (
	footerMagic = "VBO1"
	footerLen   = 8
	maxTrailer  = 64 << 10
)

var (
	errSize    = errors.New("body size differs from the declared size")
	errCorrupt = errors.New("corrupt object file")
)

// blobFile is an open object or part file.
type blobFile struct {
	f    *os.File
	meta meta
}

// openBlob opens the file at path and reads its trailer. A missing file is an
// error satisfying errors.Is(err, os.ErrNotExist).
func openBlob(path string) (*blobFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	m, err := readTrailer(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &blobFile{f: f, meta: m}, nil
}

func readTrailer(f *os.File) (meta, error) {
	st, err := f.Stat()
	if err != nil {
		return meta{}, err
	}
	if !st.Mode().IsRegular() || st.Size() < footerLen {
		return meta{}, errCorrupt
	}
	var foot [footerLen]byte
	if _, err := f.ReadAt(foot[:], st.Size()-footerLen); err != nil {
		return meta{}, err
	}
	n := int64(binary.BigEndian.Uint32(foot[:4]))
	if string(foot[4:]) != footerMagic || n > maxTrailer || n > st.Size()-footerLen {
		return meta{}, errCorrupt
	}
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, st.Size()-footerLen-n); err != nil {
		return meta{}, err
	}
	var m meta
	if err := json.Unmarshal(buf, &m); err != nil {
		return meta{}, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	if m.Size != st.Size()-footerLen-n {
		return meta{}, errCorrupt
	}
	return m, nil
}

// section reads n bytes of the object's data from off.
func (b *blobFile) section(off, n int64) *io.SectionReader {
	return io.NewSectionReader(b.f, off, n)
}

func (b *blobFile) Close() error { return b.f.Close() }

// readMeta reads the trailer of the file at path.
func readMeta(path string) (meta, error) {
	b, err := openBlob(path)
	if err != nil {
		return meta{}, err
	}
	defer b.Close()
	return b.meta, nil
}

// tempBlob is an object or part file being written under tmp/.
type tempBlob struct {
	f *os.File
}

func newTempBlob(tmpDir string) (*tempBlob, error) {
	f, err := os.CreateTemp(tmpDir, "blob-*")
	if err != nil {
		return nil, err
	}
	return &tempBlob{f: f}, nil
}

// copyData copies exactly size bytes from r into the file and returns their
// hex MD5; a reader holding fewer or more bytes is an error wrapping errSize.
func (tb *tempBlob) copyData(r io.Reader, size int64) (string, error) {
	if size < 0 {
		return "", fmt.Errorf("negative size %d: %w", size, errSize)
	}
	h := md5.New()
	n, err := io.Copy(io.MultiWriter(tb.f, h), io.LimitReader(r, size))
	if err != nil {
		return "", err
	}
	if n < size {
		return "", fmt.Errorf("body ended after %d of %d bytes: %w", n, size, errSize)
	}
	var one [1]byte
	switch m, err := io.ReadFull(r, one[:]); {
	case m > 0:
		return "", fmt.Errorf("body is longer than %d bytes: %w", size, errSize)
	case err != io.EOF:
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// commit writes the trailer, syncs the file and renames it to path, creating
// and syncing the directories on the way. On error the temp file is gone.
func (tb *tempBlob) commit(m meta, path string) error {
	if err := tb.finish(m); err != nil {
		tb.discard()
		return err
	}
	if err := renameSynced(tb.f.Name(), path); err != nil {
		os.Remove(tb.f.Name())
		return err
	}
	return nil
}

func (tb *tempBlob) finish(m meta) error {
	trailer, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var foot [footerLen]byte
	binary.BigEndian.PutUint32(foot[:4], uint32(len(trailer)))
	copy(foot[4:], footerMagic)
	if _, err := tb.f.Write(append(trailer, foot[:]...)); err != nil {
		return err
	}
	if err := tb.f.Sync(); err != nil {
		return err
	}
	return tb.f.Close()
}

// discard closes and removes the temp file.
func (tb *tempBlob) discard() {
	tb.f.Close()
	os.Remove(tb.f.Name())
}

// renameSynced renames from to to and syncs to's directory, creating missing
// directories first. A concurrent Delete may prune a directory it just
// created; it then tries again.
func renameSynced(from, to string) error {
	dir := filepath.Dir(to)
	var err error
	for range 5 {
		if err = mkdirAllSynced(dir); err == nil {
			if err = os.Rename(from, to); err == nil {
				return syncDir(dir)
			}
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if _, serr := os.Stat(from); serr != nil {
			return err
		}
	}
	return err
}

// mkdirAllSynced creates dir and its missing parents, syncing each parent
// after it gains an entry, so the new directories survive a crash.
func mkdirAllSynced(dir string) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s is not a directory", dir)
		}
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirAllSynced(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return err
	}
	return syncDir(parent)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// removeSynced removes path (absent is fine) and syncs its directory, then
// removes the directories it leaves empty up to, not including, stop.
func removeSynced(path, stop string) error {
	if err := os.Remove(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	dir := filepath.Dir(path)
	if err := syncDir(dir); err != nil {
		return err
	}
	for dir != stop && len(dir) > len(stop) {
		if os.Remove(dir) != nil {
			break // not empty, or gone already
		}
		dir = filepath.Dir(dir)
	}
	return nil
}
