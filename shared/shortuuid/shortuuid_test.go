package shortuuid

import (
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
)

func TestCapturedPair(t *testing.T) {
	// Video 1 of the PeerTube 6.1 capture (shared/reference/peertube-6.1).
	const uuid, short = "2ce1bf7c-5070-4b7a-9eb8-f67516a5038f", "6xrXCbgXqgwDm82recntFn"
	if got := FromUUID(uuid); got != short {
		t.Fatalf("FromUUID(%s) = %s, want %s", uuid, got, short)
	}
	if got := FromUUID(strings.ToUpper(strings.ReplaceAll(uuid, "-", ""))); got != short {
		t.Fatalf("FromUUID of the undashed upper-case form = %s", got)
	}
	if got, ok := ToUUID(short); !ok || got != uuid {
		t.Fatalf("ToUUID(%s) = %s %v, want %s", short, got, ok, uuid)
	}
}

func TestPaddingAndEdges(t *testing.T) {
	for _, tc := range []struct{ uuid, short string }{
		{"00000000-0000-0000-0000-000000000000", strings.Repeat("1", Length)},
		{"00000000-0000-0000-0000-000000000001", strings.Repeat("1", Length-1) + "2"},
		{"00000000-0000-0000-0000-00000000003a", strings.Repeat("1", Length-2) + "21"}, // 58
		// 2^128-1, worked out separately (Python: repeated divmod by 58).
		{"ffffffff-ffff-ffff-ffff-ffffffffffff", "xBuEXKpA6iqZQK5Kf2TnkV"},
	} {
		if got := FromUUID(tc.uuid); got != tc.short {
			t.Errorf("FromUUID(%s) = %s, want %s", tc.uuid, got, tc.short)
		}
		if got, ok := ToUUID(tc.short); !ok || got != tc.uuid {
			t.Errorf("ToUUID(%s) = %s %v, want %s", tc.short, got, ok, tc.uuid)
		}
	}
}

func TestRejects(t *testing.T) {
	for _, s := range []string{"", "6xrXCbgXqgwDm82recntF", "6xrXCbgXqgwDm82recntFnn", "0xrXCbgXqgwDm82recntFn",
		"lxrXCbgXqgwDm82recntFn", "6xrXCbgXqgwDm82recnt-n", "zzzzzzzzzzzzzzzzzzzzzz", "xBuEXKpA6iqZQK5Kf2TnkW"} {
		if u, ok := ToUUID(s); ok {
			t.Errorf("ToUUID(%q) = %s, want rejection", s, u)
		}
	}
	for _, u := range []string{"", "2ce1bf7c-5070-4b7a-9eb8-f67516a5038", "2ce1bf7c-5070-4b7a-9eb8-f67516a5038g"} {
		if s := FromUUID(u); s != "" {
			t.Errorf("FromUUID(%q) = %s, want \"\"", u, s)
		}
	}
}

func TestRoundTripRandom(t *testing.T) {
	for i := 0; i < 500; i++ {
		var b [16]byte
		rand.Read(b[:])
		u := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
		s := FromUUID(u)
		if len(s) != Length {
			t.Fatalf("FromUUID(%s) = %q: length %d", u, s, len(s))
		}
		if back, ok := ToUUID(s); !ok || back != u {
			t.Fatalf("round trip %s -> %s -> %s %v", u, s, back, ok)
		}
	}
}
