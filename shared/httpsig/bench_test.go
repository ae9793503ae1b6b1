package httpsig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"testing"
	"time"
)

// benchActivity is a delivery body of typical size (a Create(Video) is
// 2-6 KiB).
var benchActivity = bytes.Repeat([]byte(`{"type":"Create","actor":"https://a.example/accounts/root"}`), 50)

func reportRate(b *testing.B, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

// BenchmarkRSASign is the raw RSA-2048 PKCS#1 v1.5 signing rate, the bound
// on signed deliveries per core.
func BenchmarkRSASign(b *testing.B) {
	k, _ := keys(b)
	sum := sha256.Sum256(benchActivity)
	for b.Loop() {
		if _, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, sum[:]); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "signs/s")
}

// BenchmarkSign signs one delivery POST (RSA-2048), headers and all.
func BenchmarkSign(b *testing.B) {
	k, _ := keys(b)
	now := time.Now()
	for b.Loop() {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://b.example/inbox", nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := Sign(req, k, testKeyID, benchActivity, now); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "signs/s")
}

// BenchmarkVerify verifies one signed delivery POST (RSA-2048) with the key
// already resolved.
func BenchmarkVerify(b *testing.B) {
	k, _ := keys(b)
	now := time.Now()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, "https://b.example/inbox", nil)
	if err != nil {
		b.Fatal(err)
	}
	if err := Sign(req, k, testKeyID, benchActivity, now); err != nil {
		b.Fatal(err)
	}
	in, body := received(b, req)
	opts := VerifyOptions{Now: now, PublicKey: func(context.Context, string) (*rsa.PublicKey, error) { return &k.PublicKey, nil }}
	for b.Loop() {
		if _, err := Verify(in, body, opts); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "verifies/s")
}
