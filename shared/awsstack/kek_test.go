package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestDecodeKEK(t *testing.T) {
	hexKEK := strings.Repeat("0f", 32)
	kek, err := decodeKEK(hexKEK + "\n")
	if err != nil || !bytes.Equal(kek, bytes.Repeat([]byte{0x0f}, 32)) {
		t.Fatalf("decode: %x %v", kek, err)
	}
	for _, bad := range []string{"", strings.Repeat("0f", 31), strings.Repeat("zz", 32), strings.Repeat("0f", 33)} {
		if _, err := decodeKEK(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
