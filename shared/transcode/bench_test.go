package transcode

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
)

// The two benchmarks encode the same 10 s 720p input to the same 360p
// rendition: in one pass, and as 4 s chunks encoded in parallel plus the
// audio, then joined. On one machine the chunked path mostly measures the
// overhead of splitting; its gain comes from running chunks on many.

func benchInput(b *testing.B) (Tools, Probe, Rendition, string) {
	f := media(b)
	tools := testTools()
	p, err := tools.Probe(context.Background(), f.clip720)
	if err != nil {
		b.Fatal(err)
	}
	return tools, p, renditionFor(b, p, 360), f.clip720
}

func BenchmarkEncodeWhole(b *testing.B) {
	tools, _, r, input := benchInput(b)
	dir := b.TempDir()
	for i := 0; b.Loop(); i++ {
		if err := tools.EncodeWhole(context.Background(), input, filepath.Join(dir, "whole-"+strconv.Itoa(i)+".mp4"), r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChunked(b *testing.B) {
	tools, p, r, input := benchInput(b)
	for b.Loop() {
		if _, err := encodeChunked(context.Background(), tools, p, input, b.TempDir(), r, 4); err != nil {
			b.Fatal(err)
		}
	}
}
