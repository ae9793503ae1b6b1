package blob

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckKey(t *testing.T) {
	valid := []string{"a", "videos/abc.mp4", "hls/0a-_/720/seg-001.m4s", ".hidden", "a..b", strings.Repeat("k", MaxKeyLen)}
	for _, k := range valid {
		if err := CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q) = %v, want nil", k, err)
		}
	}
	invalid := []string{"", "/a", "a/", "a//b", "..", "a/../b", "./a", "a/.", "a b", `a\b`, "a?b", "é", "a\x00b", strings.Repeat("k", MaxKeyLen+1)}
	for _, k := range invalid {
		if err := CheckKey(k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("CheckKey(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
}

func TestCheckPrefix(t *testing.T) {
	valid := []string{"", "a", "a/", "videos/ab", "a/..", "a/."}
	for _, p := range valid {
		if err := CheckPrefix(p); err != nil {
			t.Errorf("CheckPrefix(%q) = %v, want nil", p, err)
		}
	}
	invalid := []string{"/", "/a", "a//", "../a", "a/../", "a b", `a\`}
	for _, p := range invalid {
		if err := CheckPrefix(p); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("CheckPrefix(%q) = %v, want ErrInvalidKey", p, err)
		}
	}
}
