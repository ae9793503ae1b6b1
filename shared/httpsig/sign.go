package httpsig

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers this package signs, as GoToSocial, PeerTube and Mastodon sign
// them and require them on what they receive:
//
//   - (request-target) binds the signature to the method and the path, so
//     it cannot be replayed to another inbox or endpoint;
//   - host binds it to the receiving server (PeerTube and Mastodon refuse
//     signatures without it);
//   - date lets the receiver refuse stale or replayed requests (PeerTube
//     allows 30 minutes of skew, Mastodon 12 hours back and 1 hour ahead);
//   - digest, on requests with a body, binds the body (Mastodon, PeerTube
//     and GoToSocial refuse a POST whose signature does not cover it).
var (
	getHeaders  = []string{RequestTarget, "host", "date"}
	postHeaders = []string{RequestTarget, "host", "date", "digest"}
)

// Sign signs an outgoing request with rsa-sha256 (RSASSA-PKCS1-v1_5 over
// SHA-256), the algorithm every ActivityPub server verifies. It sets:
//
//   - Date: now in RFC 1123 form with GMT (http.TimeFormat);
//   - the Host sent (req.Host) to req.URL.Host, so the value signed is the
//     value the client writes on the wire;
//   - for a request with a body (body non-empty, or a POST, PUT or PATCH
//     even with an empty one): Digest: SHA-256=base64(sha256(body)),
//     Content-Length, and req.Body/GetBody reading body, so the bytes sent
//     are the bytes digested;
//   - Signature: keyId="…",algorithm="rsa-sha256",headers="(request-target)
//     host date[ digest]",signature="…".
//
// GETs sign "(request-target) host date", requests with a body
// "(request-target) host date digest". The request-target is
// the method in lower case and req.URL.RequestURI(), query included. Sign a
// request right before sending it: receivers refuse a stale Date.
func Sign(req *http.Request, key *rsa.PrivateKey, keyID string, body []byte, now time.Time) error {
	if key == nil {
		return errors.New("sign request: no private key")
	}
	if err := checkKeyID(keyID); err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	if req.URL == nil {
		return errors.New("sign request: request has no URL")
	}
	host := req.URL.Host
	if host == "" {
		host = req.Host
	}
	if host == "" {
		return fmt.Errorf("sign request %s: no host", req.URL)
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Host = host
	req.Header.Set("Date", now.UTC().Format(http.TimeFormat))
	names := getHeaders
	if len(body) > 0 || hasBodyMethod(req.Method) {
		req.Header.Set("Digest", digestHeader(body))
		req.Header.Set("Content-Length", strconv.Itoa(len(body)))
		req.ContentLength = int64(len(body))
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		names = postHeaders
	}
	p := &sigParams{keyID: keyID, algorithm: AlgorithmRSASHA256, headers: names}
	if err := signWith(req, key, p, crypto.SHA256); err != nil {
		return fmt.Errorf("sign request %s: %w", req.URL, err)
	}
	return nil
}

// signWith computes the signature of p.headers over req with key and sets
// the Signature header. Tests use it to sign other header lists and
// algorithms.
func signWith(req *http.Request, key *rsa.PrivateKey, p *sigParams, h crypto.Hash) error {
	c := &components{
		header:  req.Header,
		host:    req.Host,
		target:  outgoingTarget(req),
		created: p.created,
		expires: p.expires,
	}
	s, err := signingString(p.headers, c)
	if err != nil {
		return err
	}
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, h, digestOf(h, s))
	if err != nil {
		return fmt.Errorf("rsa sign: %w", err)
	}
	p.signature = sig
	req.Header.Set("Signature", formatSignatureHeader(p))
	return nil
}

// outgoingTarget is the (request-target) of a request this process sends:
// what the Go client writes on the request line.
func outgoingTarget(req *http.Request) string {
	m := req.Method
	if m == "" {
		m = http.MethodGet
	}
	return strings.ToLower(m) + " " + req.URL.RequestURI()
}

func hasBodyMethod(m string) bool {
	return m == http.MethodPost || m == http.MethodPut || m == http.MethodPatch
}

// checkKeyID refuses keyIds that cannot be written in a quoted parameter.
func checkKeyID(keyID string) error {
	if keyID == "" {
		return errors.New("empty keyId")
	}
	for i := 0; i < len(keyID); i++ {
		if c := keyID[i]; c < 0x20 || c == 0x7f || c == '"' || c == '\\' {
			return fmt.Errorf("keyId %q has a character that cannot be quoted", keyID)
		}
	}
	return nil
}
