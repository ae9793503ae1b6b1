package httpsig

import (
	"errors"
	"slices"
	"testing"
)

func TestParseSignatureHeader(t *testing.T) {
	const sig = "c2lnbmF0dXJl" // "signature"
	for _, tc := range []struct {
		in               string
		keyID, alg       string
		headers          []string
		created, expires string
		wantErrPos       int // -1: no error
	}{
		{`keyId="k",algorithm="rsa-sha256",headers="(request-target) host date",signature="` + sig + `"`,
			"k", "rsa-sha256", []string{"(request-target)", "host", "date"}, "", "", -1},
		{`Signature keyId="k",signature="` + sig + `"`, "k", "", []string{"date"}, "", "", -1},
		{` keyId = "k" , headers = "A  B" ,signature="` + sig + `" `, "k", "", []string{"a", "b"}, "", "", -1},
		{`keyId="k",created=1402170695,expires="1402170699.5",headers="(created)",signature="` + sig + `",extra=ignored`,
			"k", "", []string{"(created)"}, "1402170695", "1402170699.5", -1},
		{`KEYID="a\"b\\c",signature="` + sig + `"`, `a"b\c`, "", []string{"date"}, "", "", -1},
		{`keyId="k",signature="c2lnbmF0dXJl"`, "k", "", []string{"date"}, "", "", -1},
		{`keyId="k",signature="c2lnbmF0dXI"`, "k", "", []string{"date"}, "", "", -1}, // unpadded
		{``, "", "", nil, "", "", 0},
		{`keyId`, "", "", nil, "", "", 5},
		{`keyId=`, "", "", nil, "", "", 6},
		{`keyId="k" signature="x"`, "", "", nil, "", "", 10},
		{`keyId="k",`, "", "", nil, "", "", 10},
		{`keyId="k`, "", "", nil, "", "", 6},
		{`keyId="k\`, "", "", nil, "", "", 8},
		{"keyId=\"k\x01\"", "", "", nil, "", "", 8},
		{`keyId="k",keyid="j",signature="` + sig + `"`, "", "", nil, "", "", 10},
		{`signature="` + sig + `"`, "", "", nil, "", "", 11 + len(sig) + 1},
		{`keyId="",signature="` + sig + `"`, "", "", nil, "", "", 6},
		{`keyId="k"`, "", "", nil, "", "", 9},
		{`keyId="k",signature="!!"`, "", "", nil, "", "", 20},
		{`keyId="k",headers=" ",signature="` + sig + `"`, "", "", nil, "", "", 18},
		{`keyId="k",created=soon,signature="` + sig + `"`, "", "", nil, "", "", 18},
		{`keyId="k",expires="1.",signature="` + sig + `"`, "", "", nil, "", "", 18},
	} {
		p, err := parseSignatureHeader(tc.in)
		if tc.wantErrPos >= 0 {
			var me *MalformedError
			if !errors.As(err, &me) || !errors.Is(err, ErrMalformed) {
				t.Errorf("%q: got %v, %+v; want a MalformedError", tc.in, err, p)
				continue
			}
			if me.Pos != tc.wantErrPos {
				t.Errorf("%q: error at %d (%v), want %d", tc.in, me.Pos, err, tc.wantErrPos)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if p.keyID != tc.keyID || p.algorithm != tc.alg || !slices.Equal(p.headers, tc.headers) ||
			p.created != tc.created || p.expires != tc.expires || len(p.signature) == 0 {
			t.Errorf("%q: got %+v", tc.in, p)
		}
		again, err := parseSignatureHeader(formatSignatureHeader(p))
		if err != nil || again.keyID != p.keyID || !slices.Equal(again.signature, p.signature) {
			t.Errorf("%q: does not survive formatting: %v", tc.in, err)
		}
	}
}

func TestParseSignatureHeaderLength(t *testing.T) {
	long := `keyId="` + string(make([]byte, maxHeaderLen)) + `"`
	if _, err := parseSignatureHeader(long); !errors.Is(err, ErrMalformed) {
		t.Errorf("oversized header: %v", err)
	}
}
