package apobject

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"reflect"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/apvocab"
	"github.com/vidiverse/vidiverse/shared/reftest"
)

// document is one ActivityStreams document captured from a real server.
type document struct {
	name string // path under reftest's data/
	raw  []byte
}

// documents lists every captured ActivityStreams document: ActivityPub
// GET answers, delivered activities, and the answers to signed fetches.
func documents(t testing.TB) []document {
	t.Helper()
	root := path.Join("..", "reftest", "data")
	var out []document
	err := fs.WalkDir(os.DirFS(root), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var body []byte
		switch {
		case strings.HasSuffix(name, ".request.http"):
			_, body, _ = bytes.Cut(reftest.Read(t, name), []byte("\r\n\r\n"))
		case strings.HasSuffix(name, ".exchange.json"):
			var ex struct{ Response struct{ Body string } }
			if err := json.Unmarshal(reftest.Read(t, name), &ex); err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			body = []byte(ex.Response.Body)
		case strings.HasSuffix(name, ".json"):
			body = reftest.Read(t, name)
		}
		if bytes.HasPrefix(body, []byte(`{"@context":`)) {
			out = append(out, document{name: name, raw: body})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatal("no captured documents")
	}
	return out
}

// found is an object found in a captured document, with where.
type found[T apvocab.Object] struct {
	where string
	obj   T
}

// objectsIn lists the objects of type T in every captured document: the
// document itself, an activity's object, a collection's items, at any
// depth.
func objectsIn[T apvocab.Object](t testing.TB) []found[T] {
	t.Helper()
	var out []found[T]
	for _, d := range documents(t) {
		o, err := apvocab.Decode(d.raw)
		if err != nil {
			t.Fatalf("%s: %v", d.name, err)
		}
		walk(o, d.name, func(where string, o apvocab.Object) {
			if v, ok := o.(T); ok {
				out = append(out, found[T]{where, v})
			}
		})
	}
	return out
}

func walk(o apvocab.Object, where string, visit func(string, apvocab.Object)) {
	if o == nil || reflect.ValueOf(o).IsNil() {
		return
	}
	visit(where, o)
	refs := func(name string, rs []apvocab.Ref) {
		for i, r := range rs {
			walk(r.Object, fmt.Sprintf("%s.%s[%d]", where, name, i), visit)
		}
	}
	switch v := o.(type) {
	case *apvocab.Activity:
		walk(v.Object.Object, where+".object", visit)
		refs("object", v.Objects)
	case *apvocab.Collection:
		refs("orderedItems", v.OrderedItems)
		refs("items", v.Items)
		walk(v.First.Object, where+".first", visit)
	}
}

// withoutMembers is a JSON document without some of its top-level
// members, as a generic value.
func withoutMembers(t testing.TB, raw []byte, names ...string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not a JSON object: %v: %.200s", err, raw)
	}
	for _, n := range names {
		delete(m, n)
	}
	return m
}

// jsonDiff describes how two JSON values differ ("" when equal).
func jsonDiff(got, want any) string {
	if reflect.DeepEqual(got, want) {
		return ""
	}
	g, _ := json.MarshalIndent(got, "", " ")
	w, _ := json.MarshalIndent(want, "", " ")
	gl, wl := strings.Split(string(g), "\n"), strings.Split(string(w), "\n")
	for i := range max(len(gl), len(wl)) {
		var a, b string
		if i < len(gl) {
			a = gl[i]
		}
		if i < len(wl) {
			b = wl[i]
		}
		if a != b {
			return fmt.Sprintf("line %d: got %s, want %s", i+1, strings.TrimSpace(a), strings.TrimSpace(b))
		}
	}
	return "differ"
}
