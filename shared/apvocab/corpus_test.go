package apvocab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

// capture is one ActivityStreams document captured from a real server.
type capture struct {
	name string // path under reftest's data/, with "#response" for an answer
	raw  []byte
	// peertube is set for documents PeerTube 6.1 wrote (not GoToSocial's).
	peertube bool
}

// captures lists every captured ActivityStreams document: the ActivityPub
// GET answers, the bodies of the delivered activities and the answers to
// the recorded signed fetches.
func captures(t testing.TB) []capture {
	t.Helper()
	var out []capture
	dirs := []string{
		"peertube-6.1/instance1-activitypub",
		"peertube-6.1/instance2-remote-view",
		"peertube-6.1/instance1-deliveries-to-instance2",
		"peertube-6.1/instance1-deliveries-to-test-actor",
		"peertube-6.1/instance2-deliveries-to-instance1",
		"peertube-6.1/instance1-fetches-from-instance2",
		"peertube-6.1/instance2-fetches-from-instance1",
		"gotosocial-0.18/gotosocial-responses",
		"gotosocial-0.18/gotosocial-deliveries",
		"gotosocial-0.18/gotosocial-signed-fetches",
	}
	for _, dir := range dirs {
		entries, err := os.ReadDir(path.Join("..", "reftest", "data", dir))
		if err != nil {
			t.Fatalf("list %s: %v", dir, err)
		}
		for _, e := range entries {
			name := path.Join(dir, e.Name())
			pt := strings.HasPrefix(dir, "peertube-")
			switch {
			case strings.HasSuffix(name, ".request.http"):
				raw := reftest.Read(t, name)
				_, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
				if ok && len(body) > 0 {
					out = append(out, capture{name: name, raw: body, peertube: pt})
				}
			case strings.HasSuffix(name, ".exchange.json"):
				var ex struct {
					Method   string
					Response struct{ Body string }
				}
				if err := json.Unmarshal(reftest.Read(t, name), &ex); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				b := []byte(ex.Response.Body)
				if ex.Method == "GET" && isActivityStreams(b) {
					// GoToSocial's fetches were answered by PeerTube.
					out = append(out, capture{name: name + "#response", raw: b, peertube: true})
				}
			case strings.HasSuffix(name, ".json") && strings.HasPrefix(e.Name(), "ap-"):
				b := reftest.Read(t, name)
				out = append(out, capture{name: name, raw: b, peertube: pt && isActivityStreams(b)})
			}
		}
	}
	slices.SortFunc(out, func(a, b capture) int { return strings.Compare(a.name, b.name) })
	return out
}

func isActivityStreams(b []byte) bool {
	return bytes.HasPrefix(b, []byte(`{"@context":`))
}

// jsonEqual reports whether two documents hold the same JSON values.
func jsonEqual(t testing.TB, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("not JSON: %v: %.200s", err, a)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("not JSON: %v: %.200s", err, b)
	}
	return reflect.DeepEqual(va, vb)
}

// forget turns a decoded value into one built in Go: no memory of its
// document and no @context, so Encode writes PeerTube's form and context.
func forget(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			forget(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			forget(v.Index(i))
		}
	case reflect.Struct:
		if v.CanAddr() {
			if s, ok := v.Addr().Interface().(structured); ok {
				*s.source() = nil
			}
		}
		if f := v.FieldByName("Context"); f.IsValid() && f.CanSet() {
			f.SetZero()
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				forget(v.Field(i))
			}
		}
	}
}

func TestCapturesRoundTripByteForByte(t *testing.T) {
	all := captures(t)
	if len(all) < 100 {
		t.Fatalf("only %d captured documents found", len(all))
	}
	kinds := map[string]int{}
	for _, c := range all {
		o, err := Decode(c.raw)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		kinds[fmt.Sprintf("%T", o)]++
		b, err := Encode(o)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !bytes.Equal(b, c.raw) {
			t.Errorf("%s: re-encoded document differs\n got %s\nwant %s", c.name, b, c.raw)
			continue
		}
		again, err := Decode(b)
		if err != nil {
			t.Errorf("%s: decode the re-encoded document: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(again, o) {
			t.Errorf("%s: decode, encode, decode gives other values", c.name)
		}
	}
	// Every modelled type is exercised by the captures.
	for _, k := range []string{"*apvocab.Actor", "*apvocab.Video", "*apvocab.Note", "*apvocab.Activity", "*apvocab.Collection", "*apvocab.Unknown"} {
		if kinds[k] == 0 {
			t.Errorf("no captured document decodes to %s (%v)", k, kinds)
		}
	}
	t.Logf("%d documents: %v", len(all), kinds)
}

// TestPeerTubeDocumentsAsBuiltInGo checks the encoder against PeerTube
// itself: every document PeerTube 6.1 wrote, decoded and then stripped of
// what decoding remembers (member order, forms, its @context), encodes to
// exactly PeerTube's bytes.
func TestPeerTubeDocumentsAsBuiltInGo(t *testing.T) {
	n := 0
	for _, c := range captures(t) {
		if !c.peertube {
			continue
		}
		o, err := Decode(c.raw)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, ok := o.(*Unknown); ok {
			continue
		}
		canonical, err := EncodeCanonical(o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		forget(reflect.ValueOf(o))
		fresh, err := Encode(o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !jsonEqual(t, fresh, c.raw) {
			t.Errorf("%s: not the same JSON as PeerTube's\n got %s\nwant %s", c.name, fresh, c.raw)
		} else if !bytes.Equal(fresh, c.raw) {
			t.Errorf("%s: same JSON as PeerTube's, other bytes\n got %s\nwant %s", c.name, fresh, c.raw)
		}
		if !bytes.Equal(canonical, c.raw) {
			t.Errorf("%s: EncodeCanonical differs from PeerTube's\n got %s\nwant %s", c.name, canonical, c.raw)
		}
		n++
	}
	if n < 80 {
		t.Errorf("only %d PeerTube documents compared", n)
	}
	t.Logf("%d PeerTube documents encoded byte for byte", n)
}

// TestGoToSocialDocumentsCanonical: GoToSocial's documents, written in
// PeerTube's form, hold the same values.
func TestGoToSocialDocumentsCanonical(t *testing.T) {
	for _, c := range captures(t) {
		if c.peertube {
			continue
		}
		o, err := Decode(c.raw)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b, err := EncodeCanonical(o)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		again, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		b2, err := EncodeCanonical(again)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !bytes.Equal(b, b2) {
			t.Errorf("%s: canonical form not stable\n%s\n%s", c.name, b, b2)
		}
	}
}
