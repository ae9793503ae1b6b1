package tracker

import (
	"encoding/json"
	"testing"
)

// Every byte value goes through Go's JSON and back as one character.
func TestBinaryStringRoundTrip(t *testing.T) {
	for start := 0; start < 256; start += 20 {
		var id [20]byte
		for i := range id {
			id[i] = byte(start + i)
		}
		raw, err := json.Marshal(binaryString(id[:]))
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeID(raw)
		if err != nil || got != id {
			t.Fatalf("bytes %d..: %s decoded to %v, %v", start, raw, got, err)
		}
	}
	// What JSON.stringify writes for bytes 0xEC-0xFF: raw characters.
	got, err := decodeID(json.RawMessage(`"ìíîïðñòóôõö÷øùúûüýþÿ"`))
	if err != nil || got[0] != 0xEC || got[19] != 0xFF {
		t.Fatalf("decoded %v, %v", got, err)
	}
}

func TestLeftIsZero(t *testing.T) {
	for raw, want := range map[string]bool{
		``: false, `0`: true, `0.0`: true, `1`: false, `null`: true, `""`: true, `"0"`: true, `" 0 "`: true,
		`"12"`: false, `"x"`: false, `false`: true, `true`: false, `{}`: false,
	} {
		if got := leftIsZero(json.RawMessage(raw)); got != want {
			t.Errorf("left %s: %v, want %v", raw, got, want)
		}
	}
}
