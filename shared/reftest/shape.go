package reftest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// Node is a decoded JSON value that keeps object member order.
type Node struct {
	Kind   string // object, array, string, number, boolean, null
	Keys   []string
	Fields map[string]*Node
	Elems  []*Node
	Num    json.Number
}

// Parse decodes one JSON document into a node tree.
func Parse(raw []byte) (*Node, error) {
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

func parseValue(dec *json.Decoder) (*Node, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		switch v {
		case '{':
			n := &Node{Kind: "object", Fields: map[string]*Node{}}
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
				if _, dup := n.Fields[k]; dup {
					return nil, fmt.Errorf("duplicate key %q", k)
				}
				n.Keys = append(n.Keys, k)
				n.Fields[k] = child
			}
			_, err := dec.Token() // '}'
			return n, err
		case '[':
			n := &Node{Kind: "array"}
			for dec.More() {
				child, err := parseValue(dec)
				if err != nil {
					return nil, err
				}
				n.Elems = append(n.Elems, child)
			}
			_, err := dec.Token() // ']'
			return n, err
		}
		return nil, fmt.Errorf("unexpected delimiter %v", v)
	case string:
		return &Node{Kind: "string"}, nil
	case json.Number:
		return &Node{Kind: "number", Num: v}, nil
	case bool:
		return &Node{Kind: "boolean"}, nil
	case nil:
		return &Node{Kind: "null"}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// ShapeDiff lists every difference of shape between got and want: a key
// present on one side only, a JSON type that differs, or (when checkOrder)
// object members in another order. Array elements are compared with the
// reference's elements when both arrays are non-empty. Paths listed in
// allowed are not compared at all.
func ShapeDiff(path string, got, want *Node, checkOrder bool, allowed map[string]string) []string {
	if _, ok := allowed[path]; ok {
		return nil
	}
	if got.Kind != want.Kind {
		return []string{fmt.Sprintf("%s: type %s, reference has %s", label(path), got.Kind, want.Kind)}
	}
	var diffs []string
	switch got.Kind {
	case "object":
		for _, k := range want.Keys {
			p := join(path, k)
			if _, ok := allowed[p]; ok {
				continue
			}
			g, ok := got.Fields[k]
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: missing", p))
				continue
			}
			diffs = append(diffs, ShapeDiff(p, g, want.Fields[k], checkOrder, allowed)...)
		}
		for _, k := range got.Keys {
			p := join(path, k)
			if _, ok := allowed[p]; ok {
				continue
			}
			if _, ok := want.Fields[k]; !ok {
				diffs = append(diffs, fmt.Sprintf("%s: not in the reference", p))
			}
		}
		if g, w := compared(path, got.Keys, allowed), compared(path, want.Keys, allowed); checkOrder && len(diffs) == 0 && !slices.Equal(g, w) {
			diffs = append(diffs, fmt.Sprintf("%s: key order %v, reference has %v", label(path), g, w))
		}
	case "array":
		if len(got.Elems) > 0 && len(want.Elems) > 0 {
			for i, g := range got.Elems {
				w := want.Elems[min(i, len(want.Elems)-1)]
				diffs = append(diffs, ShapeDiff(fmt.Sprintf("%s[%d]", path, i), g, w, checkOrder, allowed)...)
			}
		}
	}
	return diffs
}

// compared are the keys of an object at path that are not allow-listed.
func compared(path string, keys []string, allowed map[string]string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if _, ok := allowed[join(path, k)]; !ok {
			out = append(out, k)
		}
	}
	return out
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

// ShapeEqual fails t with every shape difference between the JSON got and
// the reference JSON want (see ShapeDiff).
func ShapeEqual(t testing.TB, got, want []byte, checkOrder bool, allowed map[string]string) {
	t.Helper()
	g, err := Parse(got)
	if err != nil {
		t.Fatalf("parse got %.200s: %v", got, err)
	}
	w, err := Parse(want)
	if err != nil {
		t.Fatalf("parse reference: %v", err)
	}
	if d := ShapeDiff("", g, w, checkOrder, allowed); len(d) > 0 {
		t.Errorf("shape differs from the reference:\n  %s\ngot: %.600s", strings.Join(d, "\n  "), got)
	}
}
