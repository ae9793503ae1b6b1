package apvocab

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Member constructors for the value kinds the vocabulary uses. Decoders
// accept the forms servers write (a single value where a list is usual, an
// object where an IRI is usual, null for empty); encoders write PeerTube's.

// kind is the first significant byte of a JSON value.
func kind(raw []byte) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isNull(raw []byte) bool { return kind(raw) == 'n' }

func strM(name string, p *string, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			if isNull(raw) {
				*p = ""
				return nil
			}
			return json.Unmarshal(raw, p)
		},
		enc:   func(*encoder) ([]byte, error) { return marshal(*p) },
		empty: func() bool { return *p == "" },
	}
}

// iriOf reads an IRI: a string, an object's id (or a link's href), or the
// first IRI of a list.
func iriOf(raw []byte) (string, error) {
	switch kind(raw) {
	case 'n':
		return "", nil
	case '"':
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '{':
		var o struct {
			ID   string `json:"id"`
			Href string `json:"href"`
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			return "", err
		}
		if o.ID != "" {
			return o.ID, nil
		}
		return o.Href, nil
	case '[':
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return "", err
		}
		for _, v := range list {
			if s, err := iriOf(v); err != nil || s != "" {
				return s, err
			}
		}
		return "", nil
	}
	return "", fmt.Errorf("not an IRI: %.40s", raw)
}

// iriM is a member holding one IRI.
func iriM(name string, p *string, mode emit) member {
	m := strM(name, p, mode)
	m.dec = func(raw json.RawMessage) error {
		s, err := iriOf(raw)
		*p = s
		return err
	}
	return m
}

// strsM is a member holding IRIs or strings: a list, or a single value.
func strsM(name string, p *[]string, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			switch kind(raw) {
			case 'n':
				*p = nil
				return nil
			case '[':
				var list []json.RawMessage
				if err := json.Unmarshal(raw, &list); err != nil {
					return err
				}
				out := make([]string, 0, len(list))
				for _, v := range list {
					s, err := iriOf(v)
					if err != nil {
						return err
					}
					out = append(out, s)
				}
				*p = out
				return nil
			}
			s, err := iriOf(raw)
			*p = []string{s}
			return err
		},
		enc: func(*encoder) ([]byte, error) {
			if *p == nil {
				return []byte("[]"), nil
			}
			return marshal(*p)
		},
		empty: func() bool {
			if mode == omitNil {
				return *p == nil
			}
			return len(*p) == 0
		},
	}
}

func number(raw []byte) (json.Number, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", err
	}
	if n == "" {
		return "0", nil
	}
	return n, nil
}

func toInt(raw []byte) (int64, error) {
	if isNull(raw) {
		return 0, nil
	}
	n, err := number(raw)
	if err != nil {
		return 0, err
	}
	if i, err := n.Int64(); err == nil {
		return i, nil
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.Abs(f) > math.MaxInt64/2 {
		return 0, fmt.Errorf("not an integer: %s", n)
	}
	return int64(f), nil
}

func int64M(name string, p *int64, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			i, err := toInt(raw)
			*p = i
			return err
		},
		enc:   func(*encoder) ([]byte, error) { return strconv.AppendInt(nil, *p, 10), nil },
		empty: func() bool { return *p == 0 },
	}
}

func intM(name string, p *int, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			i, err := toInt(raw)
			if err == nil && int64(int(i)) != i {
				err = fmt.Errorf("integer out of range: %d", i)
			}
			*p = int(i)
			return err
		},
		enc:   func(*encoder) ([]byte, error) { return strconv.AppendInt(nil, int64(*p), 10), nil },
		empty: func() bool { return *p == 0 },
	}
}

// intPtrM is a member whose absence of value is written as null.
func intPtrM(name string, p **int, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			if isNull(raw) {
				*p = nil
				return nil
			}
			i, err := toInt(raw)
			v := int(i)
			*p = &v
			return err
		},
		enc: func(*encoder) ([]byte, error) {
			if *p == nil {
				return []byte("null"), nil
			}
			return strconv.AppendInt(nil, int64(**p), 10), nil
		},
		empty: func() bool { return *p == nil },
	}
}

func floatM(name string, p *float64, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			if isNull(raw) {
				*p = 0
				return nil
			}
			n, err := number(raw)
			if err != nil {
				return err
			}
			f, err := n.Float64()
			*p = f
			return err
		},
		enc:   func(*encoder) ([]byte, error) { return marshal(*p) },
		empty: func() bool { return *p == 0 },
	}
}

func boolM(name string, p *bool, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			if isNull(raw) {
				*p = false
				return nil
			}
			return json.Unmarshal(raw, p)
		},
		enc:   func(*encoder) ([]byte, error) { return strconv.AppendBool(nil, *p), nil },
		empty: func() bool { return !*p },
	}
}

func boolPtrM(name string, p **bool, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			if isNull(raw) {
				*p = nil
				return nil
			}
			var b bool
			err := json.Unmarshal(raw, &b)
			*p = &b
			return err
		},
		enc: func(*encoder) ([]byte, error) {
			if *p == nil {
				return []byte("null"), nil
			}
			return strconv.AppendBool(nil, **p), nil
		},
		empty: func() bool { return *p == nil },
	}
}

// timeLayout is JavaScript's Date.toISOString, which PeerTube writes.
const timeLayout = "2006-01-02T15:04:05.000Z"

func timeM(name string, p *time.Time, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			var s string
			if !isNull(raw) {
				if err := json.Unmarshal(raw, &s); err != nil {
					return err
				}
			}
			if s == "" {
				*p = time.Time{}
				return nil
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			*p = t
			return err
		},
		enc: func(*encoder) ([]byte, error) {
			return marshal(p.UTC().Format(timeLayout))
		},
		empty: func() bool { return p.IsZero() },
	}
}

// durationM is an xsd:duration member ("PT42S") held as whole seconds.
func durationM(name string, p *int64, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			var s string
			if !isNull(raw) {
				if err := json.Unmarshal(raw, &s); err != nil {
					return err
				}
			}
			if s == "" {
				*p = 0
				return nil
			}
			d, err := parseDuration(s)
			*p = d
			return err
		},
		enc:   func(*encoder) ([]byte, error) { return marshal(formatDuration(*p)) },
		empty: func() bool { return *p == 0 },
	}
}

func formatDuration(seconds int64) string {
	return "PT" + strconv.FormatInt(seconds, 10) + "S"
}

// parseDuration reads an xsd:duration made of days, hours, minutes and
// seconds (PeerTube writes "PT{n}S"), rounding to whole seconds. Years and
// months have no fixed length and are refused.
func parseDuration(s string) (int64, error) {
	bad := fmt.Errorf("not an xsd:duration of days, hours, minutes and seconds: %q", s)
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" || rest == "T" {
		return 0, bad
	}
	var total float64
	inTime := false
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, bad
			}
			inTime = true
			rest = rest[1:]
			if rest == "" {
				return 0, bad
			}
			continue
		}
		i := strings.IndexAny(rest, "DHMS")
		if i <= 0 {
			return 0, bad
		}
		v, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
			return 0, bad
		}
		switch unit := rest[i]; {
		case unit == 'D' && !inTime:
			total += v * 86400
		case unit == 'H' && inTime:
			total += v * 3600
		case unit == 'M' && inTime:
			total += v * 60
		case unit == 'S' && inTime:
			total += v
		default:
			return 0, bad
		}
		rest = rest[i+1:]
	}
	if total > math.MaxInt64/2 {
		return 0, bad
	}
	return int64(math.Round(total)), nil
}

// rawM is a member kept as received (an LD signature, a context).
func rawM(name string, p *json.RawMessage, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			*p = append(json.RawMessage(nil), raw...)
			return nil
		},
		enc: func(*encoder) ([]byte, error) {
			if len(*p) == 0 {
				return []byte("null"), nil
			}
			return *p, nil
		},
		empty: func() bool { return len(*p) == 0 },
	}
}

// valuePtr constrains the package's nested value types.
type valuePtr[T any] interface {
	*T
	structured
}

func decodeValue[T any, P valuePtr[T]](raw []byte) (T, error) {
	var v T
	if err := decodeMembers(raw, P(&v)); err != nil {
		return v, err
	}
	return v, remember(P(&v))
}

// structM is a member holding one nested value, nil when absent or null.
func structM[T any, P valuePtr[T]](name string, p **T, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			if isNull(raw) {
				*p = nil
				return nil
			}
			v, err := decodeValue[T, P](raw)
			*p = &v
			return err
		},
		enc: func(e *encoder) ([]byte, error) {
			if *p == nil {
				return []byte("null"), nil
			}
			b, _, err := encodeMembers(e, P(*p))
			return b, err
		},
		empty: func() bool { return *p == nil },
	}
}

// sliceM is a member holding a list of nested values (one value alone is
// read as a list of one).
func sliceM[T any, P valuePtr[T]](name string, p *[]T, mode emit) member {
	return member{
		name: name, mode: mode,
		dec: func(raw json.RawMessage) error {
			switch kind(raw) {
			case 'n':
				*p = nil
				return nil
			case '{':
				v, err := decodeValue[T, P](raw)
				*p = []T{v}
				return err
			}
			var list []json.RawMessage
			if err := json.Unmarshal(raw, &list); err != nil {
				return err
			}
			out := make([]T, len(list))
			for i, r := range list {
				v, err := decodeValue[T, P](r)
				if err != nil {
					return fmt.Errorf("[%d]: %w", i, err)
				}
				out[i] = v
			}
			*p = out
			return nil
		},
		enc: func(e *encoder) ([]byte, error) {
			var b bytes.Buffer
			b.WriteByte('[')
			for i := range *p {
				if i > 0 {
					b.WriteByte(',')
				}
				v, _, err := encodeMembers(e, P(&(*p)[i]))
				if err != nil {
					return nil, fmt.Errorf("[%d]: %w", i, err)
				}
				b.Write(v)
			}
			b.WriteByte(']')
			return b.Bytes(), nil
		},
		empty: func() bool {
			if mode == omitNil {
				return *p == nil
			}
			return len(*p) == 0
		},
	}
}
