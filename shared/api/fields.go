package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// Request fields that record whether they were given, and accept what
// PeerTube's sanitizers accept: numbers and booleans either as JSON values
// or as strings ("2", "true"), since clients send forms as well as JSON.

// optString is a string field that may be absent or null.
type optString struct {
	Set  bool
	Null bool
	V    string
}

func (o *optString) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	if len(b) == 0 || b[0] != '"' {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: stringType}
	}
	return json.Unmarshal(b, &o.V)
}

// optInt is an integer field.
type optInt struct {
	Set bool
	V   int64
}

func (o *optInt) UnmarshalJSON(b []byte) error {
	o.Set = true
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: intType}
	}
	o.V = n
	return nil
}

// optBool is a boolean field.
type optBool struct {
	Set bool
	V   bool
}

func (o *optBool) UnmarshalJSON(b []byte) error {
	o.Set = true
	switch string(b) {
	case "true", `"true"`, `"1"`:
		o.V = true
	case "false", `"false"`, `"0"`:
		o.V = false
	default:
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: boolType}
	}
	return nil
}

var (
	stringType = reflect.TypeOf("")
	intType    = reflect.TypeOf(int64(0))
	boolType   = reflect.TypeOf(false)
)

func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "empty"
	}
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// formJSON re-encodes a parsed form as a JSON object of strings, which the
// opt* types convert, so forms pass through the same decoding as JSON.
func formJSON(r *http.Request) []byte {
	m := map[string]string{}
	for k, vs := range r.Form {
		if len(vs) > 0 {
			m[k] = vs[0]
		}
	}
	if r.MultipartForm != nil {
		for k, vs := range r.MultipartForm.Value {
			if len(vs) > 0 {
				m[k] = vs[0]
			}
		}
	}
	b, _ := json.Marshal(m) // a map of strings always encodes
	return b
}
