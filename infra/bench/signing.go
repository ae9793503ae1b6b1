package main

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"runtime"
	"time"
)

// signingResult is the one-core signing baseline.
type signingResult struct {
	perSecond    float64 // signatures per second of wall-clock time
	perCPUSecond float64 // signatures per second of CPU time this process used
}

// measureSigning signs on one goroutine (one core) for d with an RSA-2048
// key, the way every delivery is signed (PKCS#1 v1.5 over SHA-256 of the
// signing string). The process does nothing else meanwhile, so its CPU
// time is the signing's.
func measureSigning(ctx context.Context, key *rsa.PrivateKey, d time.Duration) (signingResult, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// A signing string of the size a delivery signs.
	msg := []byte("(request-target): post /users/someone/inbox\nhost: remote.example\ndate: Mon, 02 Jan 2006 15:04:05 GMT\ndigest: SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
	cpu := processCPU()
	start := time.Now()
	deadline := start.Add(d)
	n := 0
	for ; time.Now().Before(deadline); n++ {
		if n%64 == 0 && ctx.Err() != nil {
			return signingResult{}, ctx.Err()
		}
		sum := sha256.Sum256(msg)
		if _, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:]); err != nil {
			return signingResult{}, fmt.Errorf("sign: %w", err)
		}
	}
	wall, used := time.Since(start), processCPU()-cpu
	return signingResult{perSecond: float64(n) / wall.Seconds(), perCPUSecond: float64(n) / used.Seconds()}, nil
}
