package apvocab

import (
	"bytes"
	"os"
	"testing"
)

// FuzzDecode: Decode never panics, and whatever it reads encodes to a
// document it reads back to the same encoding.
func FuzzDecode(f *testing.F) {
	for _, c := range captures(f) {
		f.Add(c.raw)
	}
	if v8, err := os.ReadFile("testdata/peertube-v8-video.json"); err == nil {
		f.Add(v8)
	}
	for _, s := range []string{
		`{}`, `{"type":"Note","to":"as:Public","tag":{"type":"Mention","href":"https://a/u"}}`,
		`{"type":"Flag","object":["https://a/1",{"type":"Video","id":"https://a/2"}]}`,
		`{"type":"OrderedCollectionPage","orderedItems":[{"id":"https://a/1","type":"Person"},"https://a/2"],"totalItems":-1}`,
		`{"type":"Video","duration":"P1DT2H","url":{"href":"https://a/v"},"icon":{"url":"https://a/i"},"attributedTo":"https://a/p"}`,
		`{"type":"Create","object":{"type":"Create","object":{"type":"Note","content":"x"}},"id":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, err := Decode(raw)
		if err != nil {
			return
		}
		b, err := Encode(o)
		if err != nil {
			t.Fatalf("encode a decoded %T: %v", o, err)
		}
		o2, err := Decode(b)
		if err != nil {
			t.Fatalf("decode the encoding: %v\ninput %s\nencoded %s", err, raw, b)
		}
		b2, err := Encode(o2)
		if err != nil || !bytes.Equal(b, b2) {
			t.Fatalf("encoding not stable (%v):\n%s\n%s", err, b, b2)
		}
		c, err := EncodeCanonical(o)
		if err != nil {
			t.Fatalf("canonical encoding of a decoded %T: %v", o, err)
		}
		if nesting(c) <= maxNesting {
			if _, err := Decode(c); err != nil {
				t.Fatalf("decode the canonical encoding: %v\ninput %s\nencoded %s", err, raw, c)
			}
		}
	})
}
