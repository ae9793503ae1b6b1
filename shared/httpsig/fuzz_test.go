package httpsig

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func FuzzParseSignatureHeader(f *testing.F) {
	for _, c := range captures(f) {
		if req, _ := parseCapture(f, c.raw); req.Header.Get("Signature") != "" {
			f.Add(req.Header.Get("Signature"))
		}
	}
	f.Add(`Signature keyId="k",created=1402170695,expires="1402170699.5",headers="(created) (expires)",signature="AA=="`)
	f.Add(`keyId="a\"b",signature="AA==",keyId="c"`)
	f.Add(`keyId="k",signature="AA",headers=""`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseSignatureHeader(s)
		if err != nil {
			var me *MalformedError
			if !errors.As(err, &me) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("%q: untyped error %v", s, err)
			}
			if me.Pos < 0 || me.Pos > max(len(s), maxHeaderLen) {
				t.Fatalf("%q: position %d out of range", s, me.Pos)
			}
			return
		}
		if p.keyID == "" || len(p.signature) == 0 || len(p.headers) == 0 {
			t.Fatalf("%q: accepted with missing parts: %+v", s, p)
		}
		again, err := parseSignatureHeader(formatSignatureHeader(p))
		if err != nil {
			t.Fatalf("%q: formatted form does not parse: %v", s, err)
		}
		if again.keyID != p.keyID || again.algorithm != p.algorithm || !slices.Equal(again.headers, p.headers) ||
			!bytes.Equal(again.signature, p.signature) || again.created != p.created || again.expires != p.expires {
			t.Fatalf("%q: round trip changed %+v into %+v", s, p, again)
		}
	})
}

// FuzzVerify feeds arbitrary raw requests (seeded with every captured one
// and with requests signed here) and clock offsets to Verify. It must
// never panic, and whatever it accepts must carry a real signature: an
// RSA signature by the resolved key over the lines the request itself
// contains, covering what a POST or GET must cover, with a matching body
// digest.
func FuzzVerify(f *testing.F) {
	for _, c := range captures(f) {
		f.Add(c.raw, int64(0))
	}
	k, _ := keys(f)
	for _, tc := range []struct {
		method, url string
		body        []byte
	}{
		{http.MethodPost, "https://b.example/inbox", []byte(`{"type":"Follow"}`)},
		{http.MethodGet, "https://b.example/accounts/root/outbox?page=1", nil},
	} {
		req, _ := http.NewRequestWithContext(context.Background(), tc.method, tc.url, nil)
		if err := Sign(req, k, testKeyID, tc.body, signedAtTime); err != nil {
			f.Fatal(err)
		}
		var buf bytes.Buffer
		if err := req.Write(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes(), int64(0))
		f.Add(buf.Bytes(), int64(DefaultMaxSkew/time.Second+1))
	}
	captured := captureResolver(f)
	ours := testResolver(f)
	resolve := func(ctx context.Context, keyID string) (*rsa.PublicKey, error) {
		if key, err := ours(ctx, keyID); err == nil {
			return key, nil
		}
		return captured(ctx, keyID)
	}
	f.Fuzz(func(t *testing.T, raw []byte, offset int64) {
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return
		}
		body, err := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if err != nil {
			return
		}
		now := signedAtTime
		if d, err := http.ParseTime(req.Header.Get("Date")); err == nil {
			now = d
		}
		now = now.Add(time.Duration(offset%7200) * time.Second)
		v, err := Verify(req, body, VerifyOptions{Now: now, PublicKey: resolve})
		if err != nil {
			if v != nil {
				t.Fatalf("result %+v with error %v", v, err)
			}
			if Status(err) == http.StatusServiceUnavailable {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		checkAccepted(t, req, body, v, resolve)
	})
}

// checkAccepted re-derives, from the request alone, what an accepted
// signature must satisfy.
func checkAccepted(t *testing.T, req *http.Request, body []byte, v *Verified, resolve func(context.Context, string) (*rsa.PublicKey, error)) {
	t.Helper()
	has := func(n string) bool { return slices.Contains(v.Headers, n) }
	if !has(RequestTarget) || !has("host") || !has("date") && !has(Created) {
		t.Fatalf("accepted without the required coverage: %v", v.Headers)
	}
	if req.Method == http.MethodPost {
		if !has("digest") && !has("content-digest") {
			t.Fatalf("POST accepted without a covered digest: %v", v.Headers)
		}
		if d := req.Header.Get("Digest"); strings.HasPrefix(strings.ToUpper(d), "SHA-256=") && !strings.Contains(d, ",") {
			sum := sha256.Sum256(body)
			if d[len("SHA-256="):] != base64.StdEncoding.EncodeToString(sum[:]) {
				t.Fatalf("accepted with Digest %q not matching the body", d)
			}
		}
	}
	method := strings.ToLower(req.Method)
	path, _, _ := strings.Cut(req.RequestURI, "?")
	if v.RequestTarget != method+" "+req.RequestURI && v.RequestTarget != method+" "+path {
		t.Fatalf("accepted target %q for %s %s", v.RequestTarget, req.Method, req.RequestURI)
	}
	if v.Host != req.Host {
		t.Fatalf("accepted host %q for Host %q", v.Host, req.Host)
	}
	raw := req.Header.Get("Signature")
	if raw == "" {
		_, raw, _ = strings.Cut(req.Header.Get("Authorization"), " ")
	}
	p, err := parseSignatureHeader(raw)
	if err != nil || p.keyID != v.KeyID {
		t.Fatalf("accepted an unparseable signature: %v", err)
	}
	var lines []string
	for _, n := range v.Headers {
		var val string
		switch n {
		case RequestTarget:
			val = v.RequestTarget
		case "host":
			val = v.Host
		case Created:
			val = p.created
		case Expires:
			val = p.expires
		default:
			vals := req.Header.Values(n)
			for i := range vals {
				vals[i] = strings.TrimSpace(vals[i])
			}
			val = strings.Join(vals, ", ")
		}
		lines = append(lines, n+": "+val)
	}
	key, err := resolve(context.Background(), v.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	msg := strings.Join(lines, "\n")
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA512} {
		hh := h.New()
		hh.Write([]byte(msg))
		if rsa.VerifyPKCS1v15(key, h, hh.Sum(nil), p.signature) == nil {
			return
		}
	}
	t.Fatalf("accepted a signature that does not verify over %q", msg)
}
