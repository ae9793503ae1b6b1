package videometa

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/vidiverse/vidiverse/shared/problem"
)

// input is a request body as PeerTube's validators see it: field name to
// value, where a value is a string, json.Number, bool, nil (JSON null),
// []any or map[string]any. An absent field is missing from the map.
type input map[string]any

// formInput reads form values the way PeerTube's body parsers do: `a[0]`,
// `a[1]`, `a[]` and a repeated `a` make the array a; `a[k]` makes the
// object a. Other values are single strings (the first one given).
func formInput(v url.Values) input {
	in := input{}
	type indexed struct {
		i int
		v string
	}
	arrays := map[string][]indexed{}
	objects := map[string]map[string]any{}
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	sort.Strings(names) // deterministic appends for `a[]`
	for _, name := range names {
		vals := v[name]
		base, sub, bracket := splitBracket(name)
		switch {
		case !bracket && name == "tags":
			// A repeated `tags` is an array in PeerTube too; a single one
			// is read as a one-tag list (see doc.go).
			for _, s := range vals {
				arrays[name] = append(arrays[name], indexed{len(arrays[name]), s})
			}
		case !bracket && len(vals) > 1:
			for _, s := range vals {
				arrays[name] = append(arrays[name], indexed{math.MaxInt32, s})
			}
		case !bracket:
			in[name] = vals[0]
		case sub == "":
			for _, s := range vals {
				arrays[base] = append(arrays[base], indexed{math.MaxInt32, s})
			}
		default:
			if i, err := strconv.Atoi(sub); err == nil && i >= 0 {
				arrays[base] = append(arrays[base], indexed{i, vals[0]})
				continue
			}
			if objects[base] == nil {
				objects[base] = map[string]any{}
			}
			objects[base][sub] = vals[0]
		}
	}
	for name, items := range arrays {
		sort.SliceStable(items, func(a, b int) bool { return items[a].i < items[b].i })
		arr := make([]any, len(items))
		for i, it := range items {
			arr[i] = it.v
		}
		in[name] = arr
	}
	for name, obj := range objects {
		if _, isArr := in[name]; !isArr {
			in[name] = obj
		}
	}
	return in
}

// splitBracket splits "a[b]" into "a", "b".
func splitBracket(name string) (base, sub string, ok bool) {
	open := strings.IndexByte(name, '[')
	if open <= 0 || !strings.HasSuffix(name, "]") {
		return name, "", false
	}
	return name[:open], name[open+1 : len(name)-1], true
}

// maxJSON bounds a JSON metadata body.
const maxJSON = 1 << 20

// jsonInput decodes a JSON object body.
func jsonInput(raw []byte) (input, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return input{}, nil
	}
	if len(raw) > maxJSON {
		return nil, problem.New(413, "Request body too large")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, problem.BadRequest("Malformed JSON body")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, problem.BadRequest("Malformed JSON body")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, problem.BadRequest("Malformed JSON body: an object is expected")
	}
	return input(obj), nil
}

// jsString is JavaScript's String(v).
func jsString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return string(x)
		}
		return jsNumber(f)
	case float64:
		return jsNumber(x)
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			if e != nil {
				parts[i] = jsString(e)
			}
		}
		return strings.Join(parts, ",")
	default:
		return "[object Object]"
	}
}

func jsNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e21:
		return strconv.FormatFloat(f, 'f', -1, 64)
	default:
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
}

// toValueOrNull is PeerTube's sanitizer: the string "null" is null.
func toValueOrNull(v any) any {
	if s, ok := v.(string); ok && s == "null" {
		return nil
	}
	return v
}

// intValue is the result of PeerTube's toIntOrNull: null, or a number that
// may be NaN or not whole.
type intValue struct {
	null bool
	n    float64
}

// whole returns the value as an int64 when it is a whole number, which is
// what validator's isInt accepts.
func (v intValue) whole() (int64, bool) {
	if v.null || math.IsNaN(v.n) || v.n != math.Trunc(v.n) || math.Abs(v.n) > 1<<53 {
		return 0, false
	}
	return int64(v.n), true
}

// key is the value as a JavaScript object key (for lookups like
// VIDEO_CATEGORIES[value]).
func (v intValue) key() string {
	if v.null {
		return "null"
	}
	return jsNumber(v.n)
}

// toIntOrNull is PeerTube's sanitizer: null stays null, numbers stay
// numbers, anything else goes through parseInt(String(v), 10).
func toIntOrNull(v any) intValue {
	v = toValueOrNull(v)
	switch x := v.(type) {
	case nil:
		return intValue{null: true}
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return intValue{n: math.NaN()}
		}
		return intValue{n: f}
	default:
		return intValue{n: parseInt(jsString(v))}
	}
}

// parseInt is JavaScript's parseInt(s, 10): leading white space, a sign,
// then as many digits as there are; NaN without digits.
func parseInt(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\r\v\f\u00a0\ufeff")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 {
		return math.NaN()
	}
	f, _ := strconv.ParseFloat(s[:end], 64)
	if neg {
		f = -f
	}
	return f
}

// boolValue is the result of PeerTube's toBooleanOrNull.
type boolValue struct {
	null bool
	b    bool
}

// toBooleanOrNull is PeerTube's sanitizer: null stays null, booleans stay
// booleans, anything else is validator's toBoolean(String(v)), which is
// false only for "0", "false" (any case) and "".
func toBooleanOrNull(v any) boolValue {
	v = toValueOrNull(v)
	switch x := v.(type) {
	case nil:
		return boolValue{null: true}
	case bool:
		return boolValue{b: x}
	default:
		s := jsString(v)
		return boolValue{b: s != "0" && !strings.EqualFold(s, "false") && s != ""}
	}
}
