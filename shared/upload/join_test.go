package upload

import (
	"bytes"
	"context"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/spf13/afero"

	"github.com/vidiverse/vidiverse/shared/blob"
	"github.com/vidiverse/vidiverse/shared/blob/fs"
	s3blob "github.com/vidiverse/vidiverse/shared/blob/s3"
)

// blobEngines are the blob engines Join runs on: the filesystem, and S3
// through gofakes3 on a loopback port.
var blobEngines = map[string]func(t *testing.T) blob.Store{
	"fs": func(t *testing.T) blob.Store {
		st, err := fs.New(t.TempDir(), fs.Options{BaseURL: "http://localhost", Secret: []byte("0123456789abcdef")})
		if err != nil {
			t.Fatal(err)
		}
		return st
	},
	"s3": func(t *testing.T) blob.Store {
		backend, err := s3afero.MultiBucket(afero.NewBasePathFs(afero.NewOsFs(), t.TempDir()))
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(gofakes3.New(backend).Server())
		t.Cleanup(srv.Close)
		client := s3.NewFromConfig(aws.Config{
			Region:                     "us-east-1",
			Credentials:                credentials.NewStaticCredentialsProvider("AKIDLOCAL", "local-secret", ""),
			RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
			ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
		}, func(o *s3.Options) {
			o.BaseEndpoint = aws.String(srv.URL)
			o.UsePathStyle = true
		})
		if _, err := client.CreateBucket(t.Context(), &s3.CreateBucketInput{Bucket: aws.String("media")}); err != nil {
			t.Fatal(err)
		}
		return s3blob.New(client, "media")
	},
}

func putChunkObject(t *testing.T, blobs blob.Store, prefix string, file []byte, start, end int64) {
	t.Helper()
	key := prefix + chunkKey("x", start, end)[len(ChunkPrefix("x")):]
	if err := blobs.Put(context.Background(), key, bytes.NewReader(file[start:end]), end-start, blob.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

func listKeys(t *testing.T, blobs blob.Store, prefix string) []string {
	t.Helper()
	page, err := blobs.List(context.Background(), blob.ListOptions{Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for _, o := range page.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

func TestJoin(t *testing.T) {
	for name, open := range blobEngines {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			blobs := open(t)
			const size = 11<<20 + 333
			file := randomBytes(size)
			prefix := ChunkPrefix(newID())
			// Uneven chunks, a duplicate of one range, a chunk overlapping
			// two others (what racing and replayed PUTs can leave).
			for _, r := range [][2]int64{
				{0, 3 << 20}, {3 << 20, 4 << 20}, {2 << 20, 4 << 20}, {4 << 20, 9<<20 + 1},
				{4 << 20, 9<<20 + 1}, {9<<20 + 1, size},
			} {
				putChunkObject(t, blobs, prefix, file, r[0], r[1])
			}
			dst := newOriginalKey()
			n, err := Join(ctx, blobs, prefix, dst)
			if err != nil || n != size {
				t.Fatalf("join: %d %v", n, err)
			}
			rc, info, err := blobs.Get(ctx, dst, nil)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if info.Size != size || sum(got) != sum(file) {
				t.Fatal("joined object differs from the file")
			}
			if keys := listKeys(t, blobs, prefix); len(keys) != 0 {
				t.Fatalf("chunks left: %v", keys)
			}
			// Twice is harmless, also when deleting the chunks was cut short.
			putChunkObject(t, blobs, prefix, file, 0, 3<<20)
			if n, err := Join(ctx, blobs, prefix, dst); err != nil || n != size {
				t.Fatalf("second join: %d %v", n, err)
			}
			if keys := listKeys(t, blobs, prefix); len(keys) != 0 {
				t.Fatalf("chunks left after the second join: %v", keys)
			}
		})
	}
}

func TestJoinRefusesIncompleteChunks(t *testing.T) {
	for name, open := range blobEngines {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			blobs := open(t)
			file := randomBytes(1 << 20)
			for _, tc := range []struct {
				name  string
				setup func(prefix string)
				want  string
			}{
				{"no chunks", func(string) {}, "no chunks"},
				{"gap", func(p string) {
					putChunkObject(t, blobs, p, file, 0, 1000)
					putChunkObject(t, blobs, p, file, 2000, 3000)
				}, "bytes 1000 to 2000 are missing"},
				{"not from the start", func(p string) { putChunkObject(t, blobs, p, file, 10, 3000) }, "bytes 0 to 10 are missing"},
				{"foreign object", func(p string) {
					putChunkObject(t, blobs, p, file, 0, 1000)
					_ = blobs.Put(ctx, p+"notes.txt", strings.NewReader("x"), 1, blob.PutOptions{})
				}, "is not a chunk"},
				{"wrong size", func(p string) {
					_ = blobs.Put(ctx, p+chunkKey("x", 0, 1000)[len(ChunkPrefix("x")):], bytes.NewReader(file[:999]), 999, blob.PutOptions{})
				}, "has 999 bytes, not 1000"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					prefix := ChunkPrefix(newID())
					tc.setup(prefix)
					before := listKeys(t, blobs, prefix)
					dst := newOriginalKey()
					if _, err := Join(ctx, blobs, prefix, dst); err == nil || !strings.Contains(err.Error(), tc.want) {
						t.Fatalf("err %v, want %q", err, tc.want)
					}
					if _, err := blobs.Head(ctx, dst); err == nil {
						t.Fatal("a failed join made the object")
					}
					if after := listKeys(t, blobs, prefix); len(after) != len(before) {
						t.Fatalf("a failed join deleted chunks: %v -> %v", before, after)
					}
				})
			}
		})
	}
}

func TestChunkKeys(t *testing.T) {
	k := chunkKey("0123456789abcdef0123456789abcdef", 4<<20, 8<<20)
	if k != "uploads/0123456789abcdef0123456789abcdef/00000000000004194304-00000000000008388608" || blob.CheckKey(k) != nil {
		t.Fatalf("key %s", k)
	}
	prefix := ChunkPrefix("0123456789abcdef0123456789abcdef")
	if s, e, ok := parseChunkKey(prefix, k); !ok || s != 4<<20 || e != 8<<20 {
		t.Fatalf("parse %d %d %v", s, e, ok)
	}
	for _, bad := range []string{prefix + "1-2", prefix + "00000000000000000002-00000000000000000001", "other/" + k[8:]} {
		if _, _, ok := parseChunkKey(prefix, bad); ok {
			t.Errorf("parsed %s", bad)
		}
	}
}
