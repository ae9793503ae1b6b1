package httpsig

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

// keyDocs maps the URL each captured actor or key document was served at
// to its file (see the capture READMEs). GoToSocial serves its keyId URL
// …/main-key as a reduced actor stub.
var keyDocs = map[string]string{
	"http://127.0.0.1:9001/accounts/peertube":           "peertube-6.1/instance1-activitypub/ap-account-peertube.json",
	"http://127.0.0.1:9001/accounts/root":               "peertube-6.1/instance1-activitypub/ap-account-root.json",
	"http://127.0.0.1:9001/video-channels/root_channel": "peertube-6.1/instance1-activitypub/ap-channel-root_channel.json",
	"http://127.0.0.1:9002/accounts/root":               "peertube-6.1/instance2-remote-view/ap-account-root.json",
	"http://127.0.0.1:9002/accounts/peertube":           "peertube-6.1/instance2-remote-view/ap-account-peertube.json",
	"http://127.0.0.1:8081/users/alice/main-key":        "gotosocial-0.18/gotosocial-responses/ap-main-key-alice.json",
	"http://127.0.0.1:8081/users/alice":                 "gotosocial-0.18/gotosocial-responses/ap-actor-alice.json",
}

type keyDoc struct {
	ID        string `json:"id"`
	PublicKey struct {
		ID           string `json:"id"`
		Owner        string `json:"owner"`
		PublicKeyPem string `json:"publicKeyPem"`
	} `json:"publicKey"`
}

// captureResolver resolves keyIds the way an inbox does: take the keyId
// apart, "fetch" the document at its URL, accept the key when the keyId
// is the key's id (Mastodon, GoToSocial) or its owner's (PeerTube's bare
// actor URL), and check that the key's owner is the document's actor.
func captureResolver(t testing.TB) func(context.Context, string) (*rsa.PublicKey, error) {
	t.Helper()
	docs := map[string]keyDoc{}
	for url, file := range keyDocs {
		var d keyDoc
		if err := json.Unmarshal(reftest.Read(t, file), &d); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		docs[url] = d
	}
	return func(_ context.Context, keyID string) (*rsa.PublicKey, error) {
		ref := ParseKeyID(keyID)
		d, ok := docs[ref.URL]
		if !ok {
			return nil, fmt.Errorf("fetch %s: %w", ref.URL, ErrKeyNotFound)
		}
		if d.PublicKey.ID != keyID && d.PublicKey.Owner != keyID {
			return nil, fmt.Errorf("document %s has key %s, not %s: %w", ref.URL, d.PublicKey.ID, keyID, ErrKeyNotFound)
		}
		if d.PublicKey.Owner != d.ID || ref.LikelyActor() != d.ID {
			return nil, fmt.Errorf("key %s is owned by %s, document is %s", keyID, d.PublicKey.Owner, d.ID)
		}
		return ParsePublicKeyPEM(d.PublicKey.PublicKeyPem)
	}
}

// capture is one inbound request recorded from a real server.
type capture struct {
	name string // path under reftest/data
	raw  []byte
}

// captures lists every *.request.http file in the reference data.
func captures(t testing.TB) []capture {
	t.Helper()
	const root = "../reftest/data"
	var out []capture
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".request.http") {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		out = append(out, capture{name: rel, raw: reftest.Read(t, rel)})
		return nil
	})
	if err != nil {
		t.Fatalf("list captures: %v", err)
	}
	if len(out) == 0 {
		t.Fatal("no captured requests found")
	}
	return out
}

// parseCapture reads a raw request the way net/http's server does.
func parseCapture(t testing.TB, raw []byte) (*http.Request, []byte) {
	t.Helper()
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		t.Fatalf("read request: %v", err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return req, body
}

// signedAt is the request's Date: the clock the capture is verified at.
func signedAt(t testing.TB, req *http.Request) time.Time {
	t.Helper()
	d, err := http.ParseTime(req.Header.Get("Date"))
	if err != nil {
		t.Fatalf("Date %q: %v", req.Header.Get("Date"), err)
	}
	return d
}

// PeerTube 6.1 signed these GETs (request line with ?page=1) over the path
// alone (peertube-6.1/README.md, "Signatures and keys").
var querylessCaptures = []string{
	"peertube-6.1/instance2-fetches-from-instance1/07-accounts-peertube-outbox-page-1.request.http",
	"peertube-6.1/instance2-fetches-from-instance1/18-video1-announces-page-1.request.http",
	"peertube-6.1/instance2-fetches-from-instance1/22-video1-comments-page-1.request.http",
}

func TestCapturedRequestsVerify(t *testing.T) {
	resolve := captureResolver(t)
	counts := map[string]int{}
	var queryless []string
	signed, unsigned := 0, 0
	for _, c := range captures(t) {
		req, body := parseCapture(t, c.raw)
		if req.Header.Get("Signature") == "" {
			unsigned++
			_, err := Verify(req, body, VerifyOptions{PublicKey: resolve})
			if !errors.Is(err, ErrNoSignature) {
				t.Errorf("%s: unsigned request: got %v, want ErrNoSignature", c.name, err)
			}
			continue
		}
		signed++
		v, err := Verify(req, body, VerifyOptions{Now: signedAt(t, req), PublicKey: resolve})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		p, err := parseSignatureHeader(req.Header.Get("Signature"))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if v.KeyID != p.keyID || v.Algorithm != p.algorithm || !slices.Equal(v.Headers, p.headers) {
			t.Errorf("%s: Verified %+v does not match the header %q", c.name, v, req.Header.Get("Signature"))
		}
		if v.Host != req.Host {
			t.Errorf("%s: verified host %q, request host %q", c.name, v.Host, req.Host)
		}
		full := strings.ToLower(req.Method) + " " + req.RequestURI
		if v.RequestTarget != full {
			queryless = append(queryless, c.name)
			if want, _, _ := strings.Cut(full, "?"); v.RequestTarget != want {
				t.Errorf("%s: verified target %q, want %q or %q", c.name, v.RequestTarget, full, want)
			}
		}
		if req.Method == http.MethodPost && !slices.Contains(v.Headers, "digest") {
			t.Errorf("%s: POST verified without a covered digest", c.name)
		}
		counts[strings.SplitN(c.name, "/", 2)[0]+" "+req.Method+" "+v.Algorithm]++
	}
	if !slices.Equal(queryless, querylessCaptures) {
		t.Errorf("verified only without the query: %v, want %v", queryless, querylessCaptures)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != signed || signed < 90 {
		t.Errorf("verified %d of %d signed captures", total, signed)
	}
	t.Logf("verified %d captured signed requests (%v); %d unsigned ones refused with ErrNoSignature", total, counts, unsigned)
}

// The exchange.json form (raw header list, original letter case) verifies
// as well: a request rebuilt header by header, as a Lambda adapter does.
func TestCapturedExchangesVerify(t *testing.T) {
	resolve := captureResolver(t)
	n := 0
	for _, c := range captures(t) {
		var x struct {
			Method     string   `json:"method"`
			Path       string   `json:"path"`
			RawHeaders []string `json:"rawHeaders"`
			Body       string   `json:"body"`
		}
		if err := json.Unmarshal(reftest.Read(t, strings.TrimSuffix(c.name, ".request.http")+".exchange.json"), &x); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		req, err := http.NewRequestWithContext(context.Background(), x.Method, x.Path, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		for i := 0; i+1 < len(x.RawHeaders); i += 2 {
			if strings.EqualFold(x.RawHeaders[i], "host") {
				req.Host = x.RawHeaders[i+1]
				continue
			}
			req.Header.Add(x.RawHeaders[i], x.RawHeaders[i+1])
		}
		if req.Header.Get("Signature") == "" {
			continue
		}
		if _, err := Verify(req, []byte(x.Body), VerifyOptions{Now: signedAt(t, req), PublicKey: resolve}); err != nil {
			t.Errorf("%s (exchange.json): %v", c.name, err)
		}
		n++
	}
	t.Logf("verified %d captured exchanges", n)
}

// Each captured signed request is refused once stale, early, or with its
// body changed.
func TestCapturedRequestsTampered(t *testing.T) {
	resolve := captureResolver(t)
	for _, c := range captures(t) {
		req, body := parseCapture(t, c.raw)
		if req.Header.Get("Signature") == "" {
			continue
		}
		at := signedAt(t, req)
		for _, now := range []time.Time{at.Add(DefaultMaxSkew + time.Second), at.Add(-DefaultMaxSkew - time.Second)} {
			if _, err := Verify(req, body, VerifyOptions{Now: now, PublicKey: resolve}); !errors.Is(err, ErrExpired) {
				t.Errorf("%s at %s: got %v, want ErrExpired", c.name, now, err)
			}
		}
		if req.Method == http.MethodPost {
			changed := append(bytes.Clone(body), ' ')
			if _, err := Verify(req, changed, VerifyOptions{Now: at, PublicKey: resolve}); !errors.Is(err, ErrDigest) {
				t.Errorf("%s with a changed body: got %v, want ErrDigest", c.name, err)
			}
		}
		req.Host = "127.0.0.1:1"
		if _, err := Verify(req, body, VerifyOptions{Now: at, PublicKey: resolve}); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s with another Host: got %v, want ErrBadSignature", c.name, err)
		}
	}
}

// GoToSocial's key stub and its actor document publish the same key, and
// PeerTube's publicKey.id is actor#main-key although it signs with the
// bare actor URL.
func TestCapturedKeyDocuments(t *testing.T) {
	resolve := captureResolver(t)
	stub, err := resolve(context.Background(), "http://127.0.0.1:8081/users/alice/main-key")
	if err != nil {
		t.Fatal(err)
	}
	var actor keyDoc
	if err := json.Unmarshal(reftest.Read(t, "gotosocial-0.18/gotosocial-responses/ap-actor-alice.json"), &actor); err != nil {
		t.Fatal(err)
	}
	full, err := ParsePublicKeyPEM(actor.PublicKey.PublicKeyPem)
	if err != nil {
		t.Fatal(err)
	}
	if !stub.Equal(full) {
		t.Error("GoToSocial key stub and actor document publish different keys")
	}
	var pt keyDoc
	if err := json.Unmarshal(reftest.Read(t, keyDocs["http://127.0.0.1:9001/accounts/root"]), &pt); err != nil {
		t.Fatal(err)
	}
	if pt.PublicKey.ID != pt.ID+"#main-key" {
		t.Errorf("PeerTube publicKey.id %q, want %q", pt.PublicKey.ID, pt.ID+"#main-key")
	}
	if _, err := resolve(context.Background(), "http://127.0.0.1:9001/accounts/nobody"); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("unknown actor: got %v, want ErrKeyNotFound", err)
	}
}
