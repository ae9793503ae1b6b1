package inbox

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/fetch"
	"github.com/vidiverse/vidiverse/shared/httpsig"
)

// FuzzInbox posts arbitrary bodies with arbitrary Signature headers (the
// Digest always matching the body, so that verification goes all the way
// to the key). The inbox must never panic, never answer 5xx (every
// dependency works), and answer 2xx only to a body and signature that
// were signed together by a known key.
func FuzzInbox(f *testing.F) {
	now := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	keys := map[string]keyEntry{
		alice:     {alice, &aliceKey().PublicKey},
		remoteSrv: {remoteSrv, &srvKey().PublicKey},
	}
	store, q := &memStore{acts: map[string][]byte{}}, &memQueue{}
	h := New(Deps{
		PublicURL: publicURL,
		Keys: func(_ context.Context, keyID string) (string, *rsa.PublicKey, error) {
			e, ok := keys[keyID]
			if !ok {
				return "", nil, httpsig.ErrKeyNotFound
			}
			return e.owner, e.key, nil
		},
		Record: store.record, Forget: store.forget, Queue: q,
		Blocked: func(context.Context, string) (bool, error) { return false, nil },
		Exists:  func(context.Context, string, string) (bool, error) { return true, nil },
		Confirm: func(context.Context, string) ([]byte, error) { return nil, fetch.ErrGone },
		Now:     func() time.Time { return now },
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})

	signed := map[string]bool{} // body + "\x00" + signature pairs made here
	sign := func(body []byte, key *rsa.PrivateKey, keyID string) string {
		req := httptest.NewRequest(http.MethodPost, publicURL+"/inbox", bytes.NewReader(body))
		if err := httpsig.Sign(req, key, keyID, body, now); err != nil {
			f.Fatal(err)
		}
		sig := req.Header.Get("Signature")
		signed[string(body)+"\x00"+sig] = true
		return sig
	}
	good := aliceCreate()
	f.Add(good, sign(good, aliceKey(), alice))
	del := activity("Delete", commentID+"/delete", alice, commentID)
	f.Add(del, sign(del, srvKey(), remoteSrv)) // forwarded, confirmed by a 410
	like := activity("Like", alice+"/likes/1", alice, commentID)
	f.Add(like, sign(like, srvKey(), remoteSrv)) // forwarded Like: 401
	f.Add(good, sign(good, bobKey(), bobKeyID))  // unknown key
	f.Add([]byte(`{"type":"Create","id":1,"actor":{"id":null},"object":[[[]]]}`), sign(good, aliceKey(), alice))
	f.Add([]byte(`{}`), `keyId="`+alice+`",algorithm="hs2019",created=1795334400,headers="(request-target) (created) host digest",signature="AAAA"`)
	f.Add([]byte(`[`), `Signature keyId="",headers="",signature=""`)
	f.Add([]byte("\xff\xfe"), "")
	b, _ := json.Marshal(note(commentID, alice, "x"))
	f.Add(b, sign(b, aliceKey(), alice))

	f.Fuzz(func(t *testing.T, body []byte, sig string) {
		req := httptest.NewRequest(http.MethodPost, "http://vidiverse.example/inbox", bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Date", now.Format(http.TimeFormat))
		sum := sha256.Sum256(body)
		req.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
		if sig != "" {
			req.Header["Signature"] = []string{sig}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		code := rec.Code
		if code >= 500 {
			t.Fatalf("%d for body %q signature %q: %s", code, body, sig, rec.Body)
		}
		if code < 300 && !signed[string(body)+"\x00"+sig] {
			t.Fatalf("%d for a body and signature not signed together: body %q signature %q", code, body, sig)
		}
	})
}
