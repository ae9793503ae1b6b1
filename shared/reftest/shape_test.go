package reftest

import (
	"fmt"
	"strings"
	"testing"
)

func mustParse(t *testing.T, doc string) *Node {
	t.Helper()
	n, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parse %.80s: %v", doc, err)
	}
	return n
}

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
		diffs := ShapeDiff("", mustParse(t, doc), want, true, nil)
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
	if d := ShapeDiff("", mustParse(t, `{"a":{"b":"x","c":[]},"e":null,"f":true}`), want, true, map[string]string{"a.b": "test"}); len(d) != 0 {
		t.Errorf("allow-listed path still reported: %v", d)
	}
}

func TestParseKeepsOrderAndRejectsBadDocuments(t *testing.T) {
	n := mustParse(t, `{"z":1.5,"a":[true,null,"s"],"m":{}}`)
	if n.Kind != "object" || strings.Join(n.Keys, ",") != "z,a,m" {
		t.Fatalf("kind %s keys %v, want object z,a,m", n.Kind, n.Keys)
	}
	if z := n.Fields["z"]; z.Kind != "number" || z.Num.String() != "1.5" {
		t.Errorf("z: kind %s num %q, want number 1.5", z.Kind, z.Num)
	}
	var kinds []string
	for _, e := range n.Fields["a"].Elems {
		kinds = append(kinds, e.Kind)
	}
	if got := strings.Join(kinds, ","); got != "boolean,null,string" {
		t.Errorf("array element kinds %s, want boolean,null,string", got)
	}
	for _, bad := range []string{`{"a":1,"a":2}`, `{"a":1} {}`, `{"a":`, ``} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted a bad document", bad)
		}
	}
}

// recorder is a testing.TB that keeps what ShapeEqual reports.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestShapeEqualReportsDifferences(t *testing.T) {
	want := []byte(`{"a":1,"b":"x"}`)

	same := &recorder{TB: t}
	ShapeEqual(same, []byte(`{"a":2,"b":"y"}`), want, true, nil)
	if len(same.errors) != 0 {
		t.Errorf("equal shapes reported: %v", same.errors)
	}

	reordered := &recorder{TB: t}
	ShapeEqual(reordered, []byte(`{"b":"y","a":2}`), want, true, nil)
	if len(reordered.errors) != 1 || !strings.Contains(reordered.errors[0], "(root): key order [b a], reference has [a b]") {
		t.Errorf("reordered keys: got %v", reordered.errors)
	}

	unordered := &recorder{TB: t}
	ShapeEqual(unordered, []byte(`{"b":"y","a":2}`), want, false, nil)
	if len(unordered.errors) != 0 {
		t.Errorf("order reported with checkOrder false: %v", unordered.errors)
	}

	allowed := &recorder{TB: t}
	ShapeEqual(allowed, []byte(`{"a":"2","b":"y"}`), want, true, map[string]string{"a": "test"})
	ShapeEqual(allowed, []byte(`{"a":"2","b":"y","c":3}`), want, false, map[string]string{"a": "test", "c": "test"})
	if len(allowed.errors) != 0 {
		t.Errorf("allow-listed paths reported: %v", allowed.errors)
	}

	wrong := &recorder{TB: t}
	ShapeEqual(wrong, []byte(`{"a":"2"}`), want, true, nil)
	if len(wrong.errors) != 1 || !strings.Contains(wrong.errors[0], "a: type string, reference has number") || !strings.Contains(wrong.errors[0], "b: missing") {
		t.Errorf("differing shape: got %v", wrong.errors)
	}
}

func TestAllowedExtraKeyDoesNotBreakOrder(t *testing.T) {
	want, _ := Parse([]byte(`{"a":1,"b":2}`))
	got, _ := Parse([]byte(`{"a":1,"extra":true,"b":2}`))
	if d := ShapeDiff("", got, want, true, map[string]string{"extra": "ours only"}); len(d) != 0 {
		t.Fatalf("allow-listed extra key reported: %v", d)
	}
	swapped, _ := Parse([]byte(`{"b":2,"extra":true,"a":1}`))
	if d := ShapeDiff("", swapped, want, true, map[string]string{"extra": "ours only"}); len(d) != 1 {
		t.Fatalf("order change among compared keys not reported: %v", d)
	}
}
