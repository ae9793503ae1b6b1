package httpsig

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

var signedAtTime = time.Date(2026, 11, 22, 8, 0, 3, 0, time.UTC)

// signedPost returns a POST /inbox signed by Sign, as the server reads it.
func signedPost(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	k, _ := keys(t)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://b.example/inbox", nil)
	req.Header.Set("Content-Type", "application/activity+json")
	if err := Sign(req, k, testKeyID, []byte(`{"type":"Follow","actor":"https://a.example/accounts/peertube"}`), signedAtTime); err != nil {
		t.Fatal(err)
	}
	return received(t, req)
}

// signCustom signs req (already carrying its headers) with any parameters.
func signCustom(t *testing.T, req *http.Request, p *sigParams, h crypto.Hash) (*http.Request, []byte) {
	t.Helper()
	k, _ := keys(t)
	if err := signWith(req, k, p, h); err != nil {
		t.Fatal(err)
	}
	return received(t, req)
}

func newRequest(t *testing.T, method, url string, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Date", signedAtTime.Format(http.TimeFormat))
	if body != nil {
		req.Header.Set("Digest", digestHeader(body))
	}
	return req
}

// editSignature rewrites the parameters of the request's Signature header.
func editSignature(t *testing.T, req *http.Request, edit func(p *sigParams)) {
	t.Helper()
	p, err := parseSignatureHeader(req.Header.Get("Signature"))
	if err != nil {
		t.Fatal(err)
	}
	edit(p)
	req.Header.Set("Signature", formatSignatureHeader(p))
}

func verifyAt(t *testing.T, req *http.Request, body []byte, now time.Time) (*Verified, error) {
	t.Helper()
	return Verify(req, body, VerifyOptions{Now: now, PublicKey: testResolver(t)})
}

func TestVerifyRefusesTampering(t *testing.T) {
	otherBody := []byte(`{"type":"Delete","actor":"https://a.example/accounts/peertube"}`)
	for _, tc := range []struct {
		name   string
		tamper func(req *http.Request, body []byte) ([]byte, time.Time)
		want   error
	}{
		{"untouched", func(_ *http.Request, b []byte) ([]byte, time.Time) { return b, signedAtTime }, nil},
		{"no signature", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Del("Signature")
			return b, signedAtTime
		}, ErrNoSignature},
		{"(request-target): path", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.RequestURI, r.URL.Path = "/accounts/root/inbox", "/accounts/root/inbox"
			return b, signedAtTime
		}, ErrBadSignature},
		{"(request-target): query added", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.RequestURI = "/inbox?x=1"
			return b, signedAtTime
		}, nil}, // PeerTube's form: the path alone verifies (documented tolerance)
		{"(request-target): method", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Method = http.MethodPut
			return b, signedAtTime
		}, ErrBadSignature},
		{"host", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Host = "c.example"
			return b, signedAtTime
		}, ErrBadSignature},
		{"date within skew", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Set("Date", signedAtTime.Add(time.Second).Format(http.TimeFormat))
			return b, signedAtTime
		}, ErrBadSignature},
		{"date unparseable", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Set("Date", "yesterday")
			return b, signedAtTime
		}, ErrMalformed},
		{"date removed", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Del("Date")
			return b, signedAtTime
		}, ErrMissingHeader},
		{"stale", func(_ *http.Request, b []byte) ([]byte, time.Time) {
			return b, signedAtTime.Add(DefaultMaxSkew + time.Second)
		}, ErrExpired},
		{"future", func(_ *http.Request, b []byte) ([]byte, time.Time) {
			return b, signedAtTime.Add(-DefaultMaxSkew - time.Second)
		}, ErrExpired},
		{"late but within skew", func(_ *http.Request, b []byte) ([]byte, time.Time) {
			return b, signedAtTime.Add(DefaultMaxSkew)
		}, nil},
		{"body", func(_ *http.Request, _ []byte) ([]byte, time.Time) { return otherBody, signedAtTime }, ErrDigest},
		{"digest header", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Set("Digest", digestHeader(otherBody))
			return b, signedAtTime
		}, ErrDigest},
		{"body and digest together", func(r *http.Request, _ []byte) ([]byte, time.Time) {
			r.Header.Set("Digest", digestHeader(otherBody))
			return otherBody, signedAtTime
		}, ErrBadSignature},
		{"digest removed", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Del("Digest")
			return b, signedAtTime
		}, ErrDigest},
		{"digest of another algorithm only", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Set("Digest", "MD5=Q2hlY2sgSW50ZWdyaXR5IQ==")
			return b, signedAtTime
		}, ErrDigest},
		{"keyId unknown", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.keyID = "https://a.example/accounts/nobody" })
			return b, signedAtTime
		}, ErrKeyNotFound},
		{"keyId of another key", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.keyID = otherKeyID })
			return b, signedAtTime
		}, ErrBadSignature},
		{"algorithm rsa-sha512", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.algorithm = AlgorithmRSASHA512 })
			return b, signedAtTime
		}, ErrBadSignature},
		{"algorithm hmac-sha256", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.algorithm = "hmac-sha256" })
			return b, signedAtTime
		}, ErrAlgorithm},
		{"algorithm ed25519", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.algorithm = "ed25519" })
			return b, signedAtTime
		}, ErrAlgorithm},
		{"algorithm hs2019 (key decides: RSA SHA-256)", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.algorithm = AlgorithmHS2019 })
			return b, signedAtTime
		}, nil},
		{"algorithm absent (key decides)", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.algorithm = "" })
			return b, signedAtTime
		}, nil},
		{"signature bytes", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.signature[10] ^= 1 })
			return b, signedAtTime
		}, ErrBadSignature},
		{"signature truncated", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.signature = p.signature[:100] })
			return b, signedAtTime
		}, ErrBadSignature},
		{"signature not base64", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), `signature="`, `signature="*`, 1))
			return b, signedAtTime
		}, ErrMalformed},
		{"headers without digest", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.headers = p.headers[:3] })
			return b, signedAtTime
		}, ErrNotCovered},
		{"headers without host", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.headers = []string{RequestTarget, "date", "digest"} })
			return b, signedAtTime
		}, ErrNotCovered},
		{"headers without date", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.headers = []string{RequestTarget, "host", "digest"} })
			return b, signedAtTime
		}, ErrNotCovered},
		{"headers reordered", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.headers = []string{"host", RequestTarget, "date", "digest"} })
			return b, signedAtTime
		}, ErrBadSignature},
		{"(created) with rsa-sha256", func(r *http.Request, b []byte) ([]byte, time.Time) {
			editSignature(t, r, func(p *sigParams) { p.headers = append(p.headers, Created); p.created = "1795334403" })
			return b, signedAtTime
		}, ErrAlgorithm},
		{"duplicate signature header", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Add("Signature", r.Header.Get("Signature"))
			return b, signedAtTime
		}, ErrMalformed},
		{"as Authorization: Signature", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Set("Authorization", "Signature "+r.Header.Get("Signature"))
			r.Header.Del("Signature")
			return b, signedAtTime
		}, nil},
		{"Authorization with another scheme", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Set("Authorization", "Bearer "+r.Header.Get("Signature"))
			r.Header.Del("Signature")
			return b, signedAtTime
		}, ErrNoSignature},
		{"Signature scheme prefix in the Signature header", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Set("Signature", "Signature "+r.Header.Get("Signature"))
			return b, signedAtTime
		}, nil},
		{"header names in upper case", func(r *http.Request, b []byte) ([]byte, time.Time) {
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "(request-target) host date digest", "(Request-Target) Host DATE Digest", 1))
			return b, signedAtTime
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, body := signedPost(t)
			body, now := tc.tamper(req, body)
			v, err := verifyAt(t, req, body, now)
			if tc.want == nil {
				if err != nil || v == nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if v != nil {
				t.Fatalf("returned %+v with an error", v)
			}
		})
	}
}

func TestVerifyDuplicateParameters(t *testing.T) {
	for _, param := range []string{"keyId", "algorithm", "headers", "signature"} {
		req, body := signedPost(t)
		sig := req.Header.Get("Signature")
		i := strings.Index(sig, param+`="`)
		end := i + strings.Index(sig[i+len(param)+2:], `"`) + len(param) + 3
		dup := sig + "," + sig[i:end]
		req.Header.Set("Signature", dup)
		_, err := verifyAt(t, req, body, signedAtTime)
		var me *MalformedError
		if !errors.Is(err, ErrMalformed) || !errors.As(err, &me) {
			t.Fatalf("duplicate %s: got %v, want ErrMalformed", param, err)
		}
		if me.Pos != len(sig)+1 || !strings.Contains(me.Reason, "duplicate") {
			t.Errorf("duplicate %s: position %d (%s), want %d", param, me.Pos, me.Reason, len(sig)+1)
		}
		if Status(err) != http.StatusBadRequest {
			t.Errorf("duplicate %s: status %d", param, Status(err))
		}
	}
}

// PeerTube 6.1 signs GETs with a query over the path alone; a signature
// over the full target verifies too, but not once the query is changed.
func TestVerifyQuerylessRequestTarget(t *testing.T) {
	req := newRequest(t, http.MethodGet, "http://a.example/accounts/peertube/outbox?page=1", nil)
	req.URL.RawQuery = ""
	in, _ := signCustom(t, req, &sigParams{keyID: testKeyID, algorithm: AlgorithmRSASHA256, headers: getHeaders}, crypto.SHA256)
	in.RequestURI = "/accounts/peertube/outbox?page=1"
	v, err := verifyAt(t, in, nil, signedAtTime)
	if err != nil || v.RequestTarget != "get /accounts/peertube/outbox" {
		t.Fatalf("PeerTube form: %+v, %v", v, err)
	}

	req = newRequest(t, http.MethodGet, "http://a.example/accounts/peertube/outbox?page=1", nil)
	in, _ = signCustom(t, req, &sigParams{keyID: testKeyID, algorithm: AlgorithmRSASHA256, headers: getHeaders}, crypto.SHA256)
	if v, err := verifyAt(t, in, nil, signedAtTime); err != nil || v.RequestTarget != "get /accounts/peertube/outbox?page=1" {
		t.Fatalf("full form: %+v, %v", v, err)
	}
	in.RequestURI = "/accounts/peertube/outbox?page=2"
	if _, err := verifyAt(t, in, nil, signedAtTime); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("query changed: got %v, want ErrBadSignature", err)
	}
}

func TestVerifyGETRules(t *testing.T) {
	// A GET needs no digest, but RequireDigest asks for one.
	req := newRequest(t, http.MethodGet, "http://a.example/accounts/root", nil)
	in, _ := signCustom(t, req, &sigParams{keyID: testKeyID, algorithm: AlgorithmRSASHA256, headers: getHeaders}, crypto.SHA256)
	if _, err := verifyAt(t, in, nil, signedAtTime); err != nil {
		t.Fatal(err)
	}
	_, err := Verify(in, nil, VerifyOptions{Now: signedAtTime, PublicKey: testResolver(t), RequireDigest: true})
	if !errors.Is(err, ErrNotCovered) {
		t.Fatalf("RequireDigest: got %v, want ErrNotCovered", err)
	}
	// A GET must still cover (request-target) and host.
	req = newRequest(t, http.MethodGet, "http://a.example/accounts/root", nil)
	in, _ = signCustom(t, req, &sigParams{keyID: testKeyID, algorithm: AlgorithmRSASHA256, headers: []string{"date"}}, crypto.SHA256)
	if _, err := verifyAt(t, in, nil, signedAtTime); !errors.Is(err, ErrNotCovered) {
		t.Fatalf("date only: got %v, want ErrNotCovered", err)
	}
	// No headers parameter means "date" alone: refused the same way.
	editSignature(t, in, func(p *sigParams) { p.headers = nil })
	in.Header.Set("Signature", strings.Replace(in.Header.Get("Signature"), `,headers=""`, "", 1))
	if _, err := verifyAt(t, in, nil, signedAtTime); !errors.Is(err, ErrNotCovered) {
		t.Fatalf("no headers parameter: got %v, want ErrNotCovered", err)
	}
	// An unsigned GET.
	req = newRequest(t, http.MethodGet, "http://a.example/accounts/root", nil)
	in, _ = received(t, req)
	if _, err := verifyAt(t, in, nil, signedAtTime); !errors.Is(err, ErrNoSignature) || Status(err) != http.StatusUnauthorized {
		t.Fatalf("unsigned: got %v", err)
	}
}

// hs2019 with (created) and (expires) instead of Date, as draft-cavage-12.
func TestVerifyCreatedExpires(t *testing.T) {
	created := strconv.FormatInt(signedAtTime.Unix(), 10)
	expires := strconv.FormatInt(signedAtTime.Add(5*time.Minute).Unix(), 10) + ".5"
	sign := func(h crypto.Hash) (*http.Request, []byte) {
		body := []byte(`{"type":"Like"}`)
		req := newRequest(t, http.MethodPost, "http://a.example/inbox", body)
		req.Header.Del("Date")
		return signCustom(t, req, &sigParams{
			keyID: testKeyID, algorithm: AlgorithmHS2019, created: created, expires: expires,
			headers: []string{RequestTarget, Created, Expires, "host", "digest"},
		}, h)
	}
	for _, h := range []crypto.Hash{crypto.SHA256, crypto.SHA512} {
		in, body := sign(h)
		if _, err := verifyAt(t, in, body, signedAtTime.Add(time.Minute)); err != nil {
			t.Fatalf("hs2019 %v: %v", h, err)
		}
		if _, err := verifyAt(t, in, body, signedAtTime.Add(6*time.Minute)); !errors.Is(err, ErrExpired) {
			t.Fatalf("after expires: got %v, want ErrExpired", err)
		}
		if _, err := verifyAt(t, in, body, signedAtTime.Add(-DefaultMaxSkew-time.Second)); !errors.Is(err, ErrExpired) {
			t.Fatalf("created in the future: got %v, want ErrExpired", err)
		}
	}
	in, body := sign(crypto.SHA256)
	editSignature(t, in, func(p *sigParams) { p.created = strconv.FormatInt(signedAtTime.Unix()+1, 10) })
	if _, err := verifyAt(t, in, body, signedAtTime); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("created changed: got %v, want ErrBadSignature", err)
	}
	editSignature(t, in, func(p *sigParams) { p.created = "" })
	if _, err := verifyAt(t, in, body, signedAtTime); !errors.Is(err, ErrMalformed) {
		t.Fatalf("created= missing: got %v, want ErrMalformed", err)
	}
	// Without date or (created) nothing dates the signature.
	in, body = sign(crypto.SHA512)
	editSignature(t, in, func(p *sigParams) {
		p.algorithm = AlgorithmRSASHA256
		p.headers = []string{RequestTarget, "host", "digest"}
	})
	if _, err := verifyAt(t, in, body, signedAtTime); !errors.Is(err, ErrNotCovered) {
		t.Fatalf("no date: got %v, want ErrNotCovered", err)
	}
}

func TestVerifyRSASHA512(t *testing.T) {
	body := []byte(`{"type":"Announce"}`)
	req := newRequest(t, http.MethodPost, "http://a.example/inbox", body)
	in, body := signCustom(t, req, &sigParams{keyID: testKeyID, algorithm: AlgorithmRSASHA512, headers: postHeaders}, crypto.SHA512)
	if v, err := verifyAt(t, in, body, signedAtTime); err != nil || v.Algorithm != AlgorithmRSASHA512 {
		t.Fatalf("%+v, %v", v, err)
	}
	editSignature(t, in, func(p *sigParams) { p.algorithm = AlgorithmRSASHA256 })
	if _, err := verifyAt(t, in, body, signedAtTime); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("relabelled rsa-sha256: got %v", err)
	}
}

// A header sent several times is signed as its values joined by ", ", in
// the order received.
func TestVerifyMultiValuedHeader(t *testing.T) {
	body := []byte(`{"type":"Create"}`)
	req := newRequest(t, http.MethodPost, "http://a.example/inbox", body)
	req.Header.Add("X-Extra", " one ")
	req.Header.Add("X-Extra", "two")
	names := append(append([]string{}, postHeaders...), "x-extra")
	in, body := signCustom(t, req, &sigParams{keyID: testKeyID, algorithm: AlgorithmRSASHA256, headers: names}, crypto.SHA256)
	if got, _ := headerValue(in.Header, "x-extra"); got != "one, two" {
		t.Fatalf("joined value %q", got)
	}
	if _, err := verifyAt(t, in, body, signedAtTime); err != nil {
		t.Fatal(err)
	}
	in.Header["X-Extra"] = []string{"two", "one"}
	if _, err := verifyAt(t, in, body, signedAtTime); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("reordered values: got %v", err)
	}
	in.Header.Del("X-Extra")
	if _, err := verifyAt(t, in, body, signedAtTime); !errors.Is(err, ErrMissingHeader) {
		t.Fatalf("header removed: got %v", err)
	}
}

func TestVerifyDigests(t *testing.T) {
	body := []byte(`{"type":"Create","object":"x"}`)
	s512 := sha512.Sum512(body)
	b512 := base64.StdEncoding.EncodeToString(s512[:])
	for _, tc := range []struct {
		name, digest, contentDigest string
		want                        error
	}{
		{"SHA-256", digestHeader(body), "", nil},
		{"SHA-512", "SHA-512=" + b512, "", nil},
		{"both, lower case", strings.ToLower(digestHeader(body)[:7]) + digestHeader(body)[7:] + ", sha-512=" + b512, "", nil},
		{"MD5 and SHA-256", "MD5=Q2hlY2sgSW50ZWdyaXR5IQ==," + digestHeader(body), "", nil},
		{"SHA-512 wrong", "SHA-512=" + base64.StdEncoding.EncodeToString(make([]byte, 64)), "", ErrDigest},
		{"one of two wrong", digestHeader(body) + ", SHA-512=" + base64.StdEncoding.EncodeToString(make([]byte, 64)), "", ErrDigest},
		{"no equals sign", "SHA-256", "", ErrDigest},
		{"Content-Digest", "", "sha-256=:" + digestHeader(body)[8:] + ":", nil},
		{"Content-Digest sha-512 and Digest", digestHeader(body), "sha-512=:" + b512 + ":", nil},
		{"Content-Digest wrong", digestHeader(body), "sha-256=:" + digestHeader([]byte("x"))[8:] + ":", ErrDigest},
		{"Content-Digest without colons", "", "sha-256=" + digestHeader(body)[8:], ErrDigest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(t, http.MethodPost, "http://a.example/inbox", body)
			req.Header.Del("Digest")
			names := []string{RequestTarget, "host", "date"}
			if tc.digest != "" {
				req.Header.Set("Digest", tc.digest)
				names = append(names, "digest")
			}
			if tc.contentDigest != "" {
				req.Header.Set("Content-Digest", tc.contentDigest)
				names = append(names, "content-digest")
			}
			in, b := signCustom(t, req, &sigParams{keyID: testKeyID, algorithm: AlgorithmRSASHA256, headers: names}, crypto.SHA256)
			_, err := verifyAt(t, in, b, signedAtTime)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyKeyResolution(t *testing.T) {
	req, body := signedPost(t)
	boom := errors.New("connection refused")
	for _, tc := range []struct {
		name    string
		resolve func(context.Context, string) (*rsa.PublicKey, error)
		want    error
		status  int
	}{
		{"not found", func(context.Context, string) (*rsa.PublicKey, error) { return nil, ErrKeyNotFound }, ErrKeyNotFound, 401},
		{"nil key", func(context.Context, string) (*rsa.PublicKey, error) { return nil, nil }, ErrKeyNotFound, 401},
		{"fetch failed", func(context.Context, string) (*rsa.PublicKey, error) { return nil, boom }, boom, 503},
		{"small key", func(context.Context, string) (*rsa.PublicKey, error) {
			return &rsa.PublicKey{N: new(big.Int).Lsh(big.NewInt(1), 511), E: 65537}, nil
		}, ErrBadSignature, 401},
	} {
		_, err := Verify(req, body, VerifyOptions{Now: signedAtTime, PublicKey: tc.resolve})
		if !errors.Is(err, tc.want) || Status(err) != tc.status {
			t.Errorf("%s: got %v (status %d), want %v (%d)", tc.name, err, Status(err), tc.want, tc.status)
		}
	}
	// The resolver is not called for a request refused before the key.
	called := false
	req.Header.Set("Digest", digestHeader([]byte("other")))
	_, err := Verify(req, body, VerifyOptions{Now: signedAtTime, PublicKey: func(context.Context, string) (*rsa.PublicKey, error) {
		called = true
		return nil, ErrKeyNotFound
	}})
	if !errors.Is(err, ErrDigest) || called {
		t.Errorf("bad digest: %v, resolver called %v", err, called)
	}
}

func TestStatus(t *testing.T) {
	for err, want := range map[error]int{
		nil: 200, ErrMalformed: 400, malformed(3, "x"): 400, ErrDigest: 400,
		ErrNoSignature: 401, ErrNotCovered: 401, ErrMissingHeader: 401, ErrAlgorithm: 401,
		ErrExpired: 401, ErrKeyNotFound: 401, ErrBadSignature: 401, errors.New("other"): 503,
	} {
		if got := Status(err); got != want {
			t.Errorf("Status(%v) = %d, want %d", err, got, want)
		}
	}
}
