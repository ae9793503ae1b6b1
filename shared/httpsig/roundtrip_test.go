package httpsig

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testKeyID  = "https://a.example/accounts/peertube#main-key"
	otherKeyID = "https://b.example/users/bob#main-key"
)

var testKeys = sync.OnceValues(func() ([2]*rsa.PrivateKey, error) {
	var keys [2]*rsa.PrivateKey
	for i := range keys {
		k, err := GenerateKey()
		if err != nil {
			return keys, err
		}
		keys[i] = k
	}
	return keys, nil
})

// keys returns the test signing key and a second, unrelated one.
func keys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	t.Helper()
	k, err := testKeys()
	if err != nil {
		t.Fatal(err)
	}
	return k[0], k[1]
}

func testResolver(t testing.TB) func(context.Context, string) (*rsa.PublicKey, error) {
	k, other := keys(t)
	return func(_ context.Context, keyID string) (*rsa.PublicKey, error) {
		switch keyID {
		case testKeyID:
			return &k.PublicKey, nil
		case otherKeyID:
			return &other.PublicKey, nil
		}
		return nil, ErrKeyNotFound
	}
}

// verdict is what the receiving server saw.
type verdict struct {
	Verified *Verified
	Err      string
	Status   int
}

// verifyingServer answers every request with Verify's verdict on it.
func verifyingServer(t *testing.T, opts VerifyOptions) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		o := opts
		o.PublicKey = testResolver(t)
		v, err := Verify(r, body, o)
		out := verdict{Verified: v, Status: Status(err)}
		if err != nil {
			out.Err = err.Error()
		}
		w.WriteHeader(out.Status)
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func send(t *testing.T, method, rawURL string, body []byte) verdict {
	t.Helper()
	k, _ := keys(t)
	req, err := http.NewRequestWithContext(context.Background(), method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if err := Sign(req, k, testKeyID, body, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var v verdict
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	if v.Status != resp.StatusCode {
		t.Fatalf("status %d, verdict %+v", resp.StatusCode, v)
	}
	return v
}

// Requests signed by Sign and sent over loopback HTTP verify on the
// receiving server.
func TestSignVerifyOverHTTP(t *testing.T) {
	srv := verifyingServer(t, VerifyOptions{})
	host := strings.TrimPrefix(srv.URL, "http://")
	activity := []byte(`{"type":"Follow","actor":"https://a.example/accounts/peertube"}`)
	for _, tc := range []struct {
		method, path string
		body         []byte
		headers      string
	}{
		{http.MethodGet, "/accounts/root", nil, "(request-target) host date"},
		{http.MethodGet, "/accounts/root/outbox?page=1", nil, "(request-target) host date"},
		{http.MethodGet, "/.well-known/webfinger?resource=acct%3Aroot%40" + host, nil, "(request-target) host date"},
		{http.MethodPost, "/inbox", activity, "(request-target) host date digest"},
		{http.MethodPost, "/accounts/root/inbox?x=1", activity, "(request-target) host date digest"},
		{http.MethodPost, "/inbox", []byte{}, "(request-target) host date digest"},
	} {
		v := send(t, tc.method, srv.URL+tc.path, tc.body)
		if v.Err != "" || v.Verified == nil {
			t.Errorf("%s %s: %s", tc.method, tc.path, v.Err)
			continue
		}
		want := strings.ToLower(tc.method) + " " + tc.path
		if v.Verified.RequestTarget != want || v.Verified.Host != host ||
			strings.Join(v.Verified.Headers, " ") != tc.headers ||
			v.Verified.KeyID != testKeyID || v.Verified.Algorithm != AlgorithmRSASHA256 {
			t.Errorf("%s %s: verified %+v, want target %q host %q headers %q", tc.method, tc.path, v.Verified, want, host, tc.headers)
		}
	}
}

// Behind a proxy that rewrites Host, the signature verifies only against
// the configured public host.
func TestVerifyBehindHostRewritingProxy(t *testing.T) {
	var publicHost atomic.Value // set once the front server listens
	publicHost.Store("")
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		v, err := Verify(r, body, VerifyOptions{PublicHost: publicHost.Load().(string), PublicKey: testResolver(t)})
		out := verdict{Verified: v, Status: Status(err)}
		if err != nil {
			out.Err = err.Error()
		}
		w.WriteHeader(out.Status)
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(backend.Close)
	target, _ := url.Parse(backend.URL)
	front := httptest.NewServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(target) }})
	t.Cleanup(front.Close)
	frontHost := strings.TrimPrefix(front.URL, "http://")

	if v := send(t, http.MethodPost, front.URL+"/inbox", []byte(`{"type":"Like"}`)); v.Status != http.StatusUnauthorized || !strings.Contains(v.Err, ErrBadSignature.Error()) {
		t.Errorf("without PublicHost: %+v, want a bad signature", v)
	}
	publicHost.Store(frontHost)
	v := send(t, http.MethodPost, front.URL+"/inbox", []byte(`{"type":"Like"}`))
	if v.Err != "" || v.Verified == nil || v.Verified.Host != frontHost {
		t.Errorf("with PublicHost %s: %+v", frontHost, v)
	}
	// Going straight to the backend still works: the received Host is tried first.
	if v := send(t, http.MethodGet, backend.URL+"/accounts/root", nil); v.Err != "" || v.Verified.Host != target.Host {
		t.Errorf("direct: %+v", v)
	}
}

// received turns a client request into the request a server reads.
func received(t testing.TB, req *http.Request) (*http.Request, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	in, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(in.Body)
	if err != nil {
		t.Fatal(err)
	}
	return in, body
}

func TestSignSetsHeaders(t *testing.T) {
	k, _ := keys(t)
	now := time.Date(2026, 11, 22, 8, 0, 3, 0, time.FixedZone("CET", 3600))
	body := []byte(`{"type":"Create"}`)
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://b.example:8443/inbox", nil)
	req.Host = "stale.example"
	if err := Sign(req, k, testKeyID, body, now); err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("Date"); got != "Sun, 22 Nov 2026 07:00:03 GMT" {
		t.Errorf("Date %q", got)
	}
	if req.Host != "b.example:8443" {
		t.Errorf("Host %q, want the URL's host", req.Host)
	}
	sum := sha256.Sum256(body)
	if got := req.Header.Get("Digest"); got != "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("Digest %q", got)
	}
	if req.ContentLength != int64(len(body)) || req.Header.Get("Content-Length") != "17" {
		t.Errorf("Content-Length %d / %q", req.ContentLength, req.Header.Get("Content-Length"))
	}
	sent, err := io.ReadAll(req.Body)
	if err != nil || !bytes.Equal(sent, body) {
		t.Errorf("body %q, %v", sent, err)
	}
	sig := req.Header.Get("Signature")
	prefix := `keyId="` + testKeyID + `",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="`
	if !strings.HasPrefix(sig, prefix) || !strings.HasSuffix(sig, `"`) {
		t.Errorf("Signature %q, want prefix %q", sig, prefix)
	}

	get, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, "https://b.example/users/bob", nil)
	if err := Sign(get, k, testKeyID, nil, now); err != nil {
		t.Fatal(err)
	}
	if get.Header.Get("Digest") != "" || !strings.Contains(get.Header.Get("Signature"), `headers="(request-target) host date"`) {
		t.Errorf("GET headers %v", get.Header)
	}
	for _, bad := range []string{"", `a"b`, "a\nb"} {
		if err := Sign(get, k, bad, nil, now); err == nil {
			t.Errorf("keyId %q signed", bad)
		}
	}
	if err := Sign(get, nil, testKeyID, nil, now); err == nil {
		t.Error("signed without a key")
	}
}
