package torrentfile

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/anacrolix/torrent/bencode"
	"github.com/anacrolix/torrent/metainfo"
)

// Options is what a .torrent holds besides the file's bytes.
type Options struct {
	// Name is info.name: the name a client saves the file under. PeerTube
	// uses InfoName(video name, resolution, extension). Required.
	Name string
	// Trackers is the announce-list, tier by tier; announce is the first
	// tracker of the first tier. PeerTube: one tier per URL of TrackerURLs,
	// ws first.
	Trackers [][]string
	// WebSeeds is the url-list (BEP 19): URLs that serve the whole file
	// with Range support. Empty for a private video.
	WebSeeds []string
	// PieceLength in bytes, a power of two; 0 picks DefaultPieceLength.
	PieceLength int64
	// CreatedBy is "created by", omitted when empty. PeerTube: "PeerTube".
	CreatedBy string
	// CreationDate is "creation date"; the zero time means now.
	CreationDate time.Time
	// Comment is "comment", omitted when empty (PeerTube sets none).
	Comment string
}

// Torrent is a built .torrent file.
type Torrent struct {
	// Bytes is the bencoded .torrent file.
	Bytes []byte
	// InfoHash is the BitTorrent v1 infohash (SHA-1 of the bencoded info
	// dictionary), 40 lowercase hex digits.
	InfoHash string
	// PieceLength is the piece length used, in bytes.
	PieceLength int64
	// Length is the file's length in bytes.
	Length int64
}

// readChunk bounds each read from the source between two checks of the
// context.
const readChunk = 256 << 10

// info is the info dictionary of a single-file torrent, with the fields
// create-torrent writes and no others.
type info struct {
	Length      int64  `bencode:"length"`
	Name        string `bencode:"name"`
	PieceLength int64  `bencode:"piece length"`
	Pieces      []byte `bencode:"pieces"`
}

// file is the top-level dictionary as create-torrent writes it. url-list is
// written even when empty: PeerTube passes an empty list for private videos.
type file struct {
	Announce     string        `bencode:"announce,omitempty"`
	AnnounceList [][]string    `bencode:"announce-list,omitempty"`
	Comment      string        `bencode:"comment,omitempty"`
	CreatedBy    string        `bencode:"created by,omitempty"`
	CreationDate int64         `bencode:"creation date"`
	Encoding     string        `bencode:"encoding"`
	Info         bencode.Bytes `bencode:"info"`
	URLList      []string      `bencode:"url-list"`
}

// Build reads size bytes from r, once and in order, and returns the
// single-file .torrent of those bytes. It fails if r holds fewer or more
// bytes than size, and stops with ctx's error when ctx ends.
func Build(ctx context.Context, r io.Reader, size int64, o Options) (Torrent, error) {
	if err := o.validate(size); err != nil {
		return Torrent{}, fmt.Errorf("build torrent %q: %w", o.Name, err)
	}
	pieceLength := o.PieceLength
	if pieceLength == 0 {
		pieceLength = DefaultPieceLength(size)
	}
	pieces, err := hashPieces(ctx, r, size, pieceLength)
	if err != nil {
		return Torrent{}, fmt.Errorf("build torrent %q: %w", o.Name, err)
	}
	infoBytes, err := bencode.Marshal(info{Length: size, Name: o.Name, PieceLength: pieceLength, Pieces: pieces})
	if err != nil {
		return Torrent{}, fmt.Errorf("build torrent %q: encode info: %w", o.Name, err)
	}
	f := file{
		Comment:      o.Comment,
		CreatedBy:    o.CreatedBy,
		CreationDate: creationDate(o.CreationDate),
		Encoding:     "UTF-8",
		Info:         infoBytes,
		URLList:      o.WebSeeds,
	}
	if len(o.Trackers) > 0 {
		f.Announce = o.Trackers[0][0]
		f.AnnounceList = o.Trackers
	}
	b, err := bencode.Marshal(f)
	if err != nil {
		return Torrent{}, fmt.Errorf("build torrent %q: encode: %w", o.Name, err)
	}
	return Torrent{
		Bytes:       b,
		InfoHash:    metainfo.HashBytes(infoBytes).HexString(),
		PieceLength: pieceLength,
		Length:      size,
	}, nil
}

func (o Options) validate(size int64) error {
	switch {
	case o.Name == "":
		return errors.New("no name")
	case size < 0:
		return fmt.Errorf("negative size %d", size)
	case o.PieceLength < 0 || o.PieceLength&(o.PieceLength-1) != 0:
		return fmt.Errorf("piece length %d is not a power of two", o.PieceLength)
	}
	for i, tier := range o.Trackers {
		if len(tier) == 0 {
			return fmt.Errorf("tracker tier %d is empty", i)
		}
		for _, u := range tier {
			if u == "" {
				return fmt.Errorf("tracker tier %d has an empty URL", i)
			}
		}
	}
	for i, u := range o.WebSeeds {
		if u == "" {
			return fmt.Errorf("web seed %d is empty", i)
		}
	}
	return nil
}

// hashPieces returns the concatenated SHA-1 hashes of the pieces of the
// size bytes r holds.
func hashPieces(ctx context.Context, r io.Reader, size, pieceLength int64) ([]byte, error) {
	pieces := make([]byte, 0, (size+pieceLength-1)/pieceLength*sha1.Size)
	buf := make([]byte, min(readChunk, max(size, 1)))
	h := sha1.New()
	var done, inPiece int64
	for done < size {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("hash pieces after %d of %d bytes: %w", done, size, err)
		}
		want := min(int64(len(buf)), size-done, pieceLength-inPiece)
		n, err := io.ReadFull(r, buf[:want])
		h.Write(buf[:n])
		done += int64(n)
		inPiece += int64(n)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("read: source ended after %d of %d bytes: %w", done, size, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return nil, fmt.Errorf("read at %d of %d bytes: %w", done, size, err)
		}
		if inPiece == pieceLength || done == size {
			pieces = h.Sum(pieces)
			h.Reset()
			inPiece = 0
		}
	}
	var extra [1]byte
	switch n, err := io.ReadFull(r, extra[:]); {
	case n > 0:
		return nil, fmt.Errorf("read: source holds more than %d bytes", size)
	case err != nil && !errors.Is(err, io.EOF):
		return nil, fmt.Errorf("read past %d bytes: %w", size, err)
	}
	return pieces, nil
}

// creationDate is create-torrent's "creation date": the time in Unix
// seconds, rounded up from milliseconds.
func creationDate(t time.Time) int64 {
	if t.IsZero() {
		t = time.Now()
	}
	ms := t.UnixMilli()
	s := ms / 1000
	if ms > 0 && ms%1000 != 0 {
		s++
	}
	return s
}

// DefaultPieceLength is the piece length create-torrent 6.0 picks for a
// file of size bytes (npm piece-length 2.0.1, evaluated with JavaScript's
// number semantics): 2^round(log2(size/1024)), at least 16 KiB. So about
// 1024 pieces: 16 KiB up to 16 MiB, 32 KiB at 24 MiB, 1 MiB at 768 MiB,
// 4 MiB at 4 GiB. create-torrent 6.1 (2025) caps the result at 4 MiB,
// which changes files above 5.66 GiB; PeerTube 6.1 ships 6.0. As in
// JavaScript, the shift is 32-bit: from about 1.41 TiB the rule gives
// 16 KiB again.
func DefaultPieceLength(size int64) int64 {
	x := 1.0
	if size >= 1024 {
		x = float64(size) / 1024
	}
	// `1 << e | 0`: the shift count is ToUint32(e) & 31 and the result an
	// int32. e >= 0.5 here, so ToUint32 truncates.
	e := math.Log2(x) + 0.5
	shift := uint32(e) & 31
	v := int64(int32(uint32(1) << shift))
	return max(16384, v)
}
