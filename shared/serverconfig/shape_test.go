package serverconfig

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"
)

// node is a decoded JSON value that keeps object member order.
type node struct {
	kind   string // object, array, string, number, boolean, null
	keys   []string
	fields map[string]*node
	elems  []*node
	num    json.Number
}

// parseOrdered decodes one JSON document into a node tree.
func parseOrdered(raw []byte) (*node, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := parseValue(dec)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the document")
	}
	return n, nil
}

func parseValue(dec *json.Decoder) (*node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &node{kind: "object", fields: map[string]*node{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				child, err := parseValue(dec)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", k, err)
				}
				if _, dup := n.fields[k]; dup {
					return nil, fmt.Errorf("duplicate key %q", k)
				}
				n.keys = append(n.keys, k)
				n.fields[k] = child
			}
			_, err := dec.Token() // '}'
			return n, err
		case '[':
			n := &node{kind: "array"}
			for dec.More() {
				child, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, child)
			}
			_, err := dec.Token() // ']'
			return n, err
		}
		return nil, fmt.Errorf("unexpected delimiter %v", v)
	case string:
		return &node{kind: "string"}, nil
	case json.Number:
		return &node{kind: "number", num: v}, nil
	case bool:
		return &node{kind: "boolean"}, nil
	case nil:
		return &node{kind: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// shapeDiff lists every difference of shape between got and want: a key
// present on one side only, a JSON type that differs, or (when checkOrder)
// object members in another order. Array elements are compared with the
// reference's elements when both arrays are non-empty. Paths listed in
// allowed are not compared at all.
func shapeDiff(path string, got, want *node, checkOrder bool, allowed map[string]string) []string {
	if _, ok := allowed[path]; ok {
		return nil
	}
	if got.kind != want.kind {
		return []string{fmt.Sprintf("%s: type %s, reference has %s", label(path), got.kind, want.kind)}
	}
	var diffs []string
	switch got.kind {
	case "object":
		for _, k := range want.keys {
			p := join(path, k)
			if _, ok := allowed[p]; ok {
				continue
			}
			g, ok := got.fields[k]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: missing", p))
				continue
			}
			diffs = append(diffs, shapeDiff(p, g, want.fields[k], checkOrder, allowed)...)
		}
		for _, k := range got.keys {
			p := join(path, k)
			if _, ok := allowed[p]; ok {
				continue
			}
			if _, ok := want.fields[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s: not in the reference", p))
			}
		}
		if checkOrder && len(diffs) == 0 && !slices.Equal(got.keys, want.keys) {
			diffs = append(diffs, fmt.Sprintf("%s: key order %v, reference has %v", label(path), got.keys, want.keys))
		}
	case "array":
		if len(got.elems) > 0 && len(want.elems) > 0 {
			for i, g := range got.elems {
				w := want.elems[min(i, len(want.elems)-1)]
				diffs = append(diffs, shapeDiff(fmt.Sprintf("%s[%d]", path, i), g, w, checkOrder, allowed)...)
			}
		}
	}
	return diffs
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func label(path string) string {
	if path == "" {
		return "(root)"
	}
	return path
}

// knownShapeDifferences lists paths where our documents may differ in shape
// from PeerTube 6.1's, each with the reason. It is empty: both documents
// match the capture key for key.
var knownShapeDifferences = map[string]string{}

func TestShapeComparatorFindsDifferences(t *testing.T) {
	want := mustParse(t, `{"a":{"b":1,"c":[{"d":"x"}]},"e":null,"f":true}`)
	cases := map[string]string{
		`{"a":{"b":1,"c":[{"d":"x"}]},"e":null,"f":true}`:        "",
		`{"a":{"b":"1","c":[{"d":"x"}]},"e":null,"f":true}`:      "a.b: type string, reference has number",
		`{"a":{"b":1,"c":[{"d":"x"}]},"f":true}`:                 "e: missing",
		`{"a":{"b":1,"c":[{"d":"x"}]},"e":null,"f":true,"g":1}`:  "g: not in the reference",
		`{"a":{"b":1,"c":[{"d":1}]},"e":null,"f":true}`:          "a.c[0].d: type number, reference has string",
		`{"a":{"b":1,"c":[]},"e":null,"f":true}`:                 "",
		`{"a":{"c":[{"d":"x"}],"b":1},"e":null,"f":true}`:        "a: key order [c b], reference has [b c]",
		`{"a":{"b":1,"c":{"d":"x"}},"e":null,"f":true}`:          "a.c: type object, reference has array",
		`{"a":{"b":1,"c":[{"d":"x"}]},"e":{"x":1},"f":true}`:     "e: type object, reference has null",
		`{"a":{"b":1,"c":[{"d":"x"}]},"e":null,"f":true,"h":{}}`: "h: not in the reference",
		`{"a":{"b":1,"c":[{"d":"x","z":0}]},"e":null,"f":true}`:  "a.c[0].z: not in the reference",
		`{"a":{"b":1,"c":[{"d":"x"}, {}]},"e":null,"f":"true"}`:  "a.c[1].d: missing",
	}
	for doc, first := range cases {
		diffs := shapeDiff("", mustParse(t, doc), want, true, nil)
		if first == "" {
			if len(diffs) != 0 {
				t.Errorf("%s: unexpected differences %v", doc, diffs)
			}
			continue
		}
		if len(diffs) == 0 || diffs[0] != first {
			t.Errorf("%s: got %v, want first difference %q", doc, diffs, first)
		}
	}
	// An allow-listed path is skipped.
	if d := shapeDiff("", mustParse(t, `{"a":{"b":"x","c":[]},"e":null,"f":true}`), want, true, map[string]string{"a.b": "test"}); len(d) != 0 {
		t.Errorf("allow-listed path still reported: %v", d)
	}
}

func TestConfigShapeEqualsPeerTube61(t *testing.T) {
	want := mustParse(t, string(readReference(t, "rest-config.json")))
	for name, s := range settingsVariants() {
		got := mustParse(t, string(mustMarshal(t, Config(s))))
		if diffs := shapeDiff("", got, want, true, knownShapeDifferences); len(diffs) != 0 {
			t.Errorf("%s: /config differs from the PeerTube 6.1 capture:\n  %s", name, joinLines(diffs))
		}
	}
}

func TestAboutShapeEqualsPeerTube61(t *testing.T) {
	want := mustParse(t, string(readReference(t, "rest-config-about.json")))
	for name, s := range settingsVariants() {
		got := mustParse(t, string(mustMarshal(t, About(s))))
		if diffs := shapeDiff("", got, want, true, knownShapeDifferences); len(diffs) != 0 {
			t.Errorf("%s: /config/about differs from the PeerTube 6.1 capture:\n  %s", name, joinLines(diffs))
		}
	}
}

// settingsVariants are settings whose documents must all keep the shape:
// the defaults, everything switched the other way, and empty settings.
func settingsVariants() map[string]Settings {
	flipped := DefaultSettings()
	flipped.Signup.Enabled = true
	flipped.Signup.Limit = -1
	flipped.Transcoding.Enabled = false
	flipped.EmailEnabled = true
	flipped.ContactFormEnabled = true
	flipped.TrackerEnabled = false
	flipped.Instance.Languages = []string{"en", "fr"}
	flipped.Instance.Categories = []int{1, 15}
	flipped.Instance.Avatars = []ActorImage{{Width: 48, Path: "/lazy-static/avatars/a.png", CreatedAt: "2026-11-22T08:00:00.000Z", UpdatedAt: "2026-11-22T08:00:00.000Z"}}
	return map[string]Settings{
		"defaults": DefaultSettings(),
		"flipped":  flipped,
		"zero":     {},
	}
}

// referenceDir finds the captured PeerTube 6.1 REST bodies by walking up
// from the package folder to a folder holding shared/reference (next to the
// repository: /work/shared/reference for /work/main). VIDIVERSE_REFERENCE
// names the reference folder directly.
func referenceDir(t *testing.T) string {
	t.Helper()
	const rel = "peertube-6.1/instance1-rest"
	if env := os.Getenv("VIDIVERSE_REFERENCE"); env != "" {
		dir := filepath.Join(env, rel)
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("VIDIVERSE_REFERENCE=%s has no %s: %v", env, rel, err)
		}
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for dir := wd; ; {
		cand := filepath.Join(dir, "shared", "reference", rel)
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("reference captures not found: no shared/reference/%s in %s or any parent folder; set VIDIVERSE_REFERENCE to the reference folder", rel, wd)
		}
		dir = parent
	}
}

// referenceRoot is the folder holding the OpenAPI description.
func referenceRoot(t *testing.T) string {
	t.Helper()
	return filepath.Dir(filepath.Dir(referenceDir(t)))
}

func readReference(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(referenceDir(t), name))
	if err != nil {
		t.Fatalf("read reference %s: %v", name, err)
	}
	return b
}

func mustParse(t *testing.T, doc string) *node {
	t.Helper()
	n, err := parseOrdered([]byte(doc))
	if err != nil {
		t.Fatalf("parse %.80s: %v", doc, err)
	}
	return n
}

// mustMarshal marshals v as an HTTP handler should: no HTML escaping.
func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func joinLines(s []string) string {
	sort.Strings(s)
	var b bytes.Buffer
	for i, l := range s {
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(l)
	}
	return b.String()
}
