package fs_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/vidiverse/vidiverse/shared/blob"
)

const benchSize = 4 << 20

func BenchmarkPut4MiB(b *testing.B) {
	s := open(b, b.TempDir(), nil)
	data := bytes.Repeat([]byte("vidiverse"), benchSize/9+1)[:benchSize]
	b.SetBytes(benchSize)
	for b.Loop() {
		if err := s.Put(b.Context(), "bench/put", bytes.NewReader(data), benchSize, blob.PutOptions{ContentType: "video/mp4"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGet4MiB(b *testing.B) {
	s := open(b, b.TempDir(), nil)
	data := bytes.Repeat([]byte("vidiverse"), benchSize/9+1)[:benchSize]
	if err := s.Put(b.Context(), "bench/get", bytes.NewReader(data), benchSize, blob.PutOptions{ContentType: "video/mp4"}); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 256<<10)
	b.SetBytes(benchSize)
	for b.Loop() {
		rc, _, err := s.Get(b.Context(), "bench/get", nil)
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.CopyBuffer(io.Discard, rc, buf)
		rc.Close()
		if err != nil || n != benchSize {
			b.Fatalf("read %d bytes: %v", n, err)
		}
	}
}
