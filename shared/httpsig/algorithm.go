package httpsig

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"strings"
)

// Algorithm names as they appear in the algorithm parameter.
const (
	// AlgorithmRSASHA256 is what this package signs with, and what PeerTube
	// and Mastodon sign with: RSASSA-PKCS1-v1_5 over SHA-256.
	AlgorithmRSASHA256 = "rsa-sha256"
	// AlgorithmRSASHA512 is RSASSA-PKCS1-v1_5 over SHA-512 (accepted).
	AlgorithmRSASHA512 = "rsa-sha512"
	// AlgorithmHS2019 means "derive it from the key" (draft-cavage-12).
	// GoToSocial sends it with an RSA key and RSASSA-PKCS1-v1_5 over
	// SHA-256; this package verifies it with an RSA key as PKCS#1 v1.5
	// over SHA-256, then over SHA-512 (the hash draft-cavage-12 names for
	// hs2019, and GoToSocial's own fallback order).
	AlgorithmHS2019 = "hs2019"
)

// algorithm is one verifiable algorithm parameter value.
type algorithm struct {
	name   string
	hashes []crypto.Hash // RSASSA-PKCS1-v1_5 hashes tried in order
	pseudo bool          // may sign (created) and (expires)
}

var (
	algRSASHA256 = algorithm{AlgorithmRSASHA256, []crypto.Hash{crypto.SHA256}, false}
	algRSASHA512 = algorithm{AlgorithmRSASHA512, []crypto.Hash{crypto.SHA512}, false}
	algHS2019    = algorithm{AlgorithmHS2019, []crypto.Hash{crypto.SHA256, crypto.SHA512}, true}
)

// lookupAlgorithm maps the algorithm parameter to what is verified. An
// absent parameter is treated as hs2019 (the key decides), as
// draft-cavage-12 says and Mastodon does (it assumes rsa-sha256).
// RSA-PSS is not tried: no ActivityPub server is known to send it.
func lookupAlgorithm(name string) (algorithm, error) {
	switch strings.ToLower(name) {
	case "", AlgorithmHS2019:
		return algHS2019, nil
	case AlgorithmRSASHA256:
		return algRSASHA256, nil
	case AlgorithmRSASHA512:
		return algRSASHA512, nil
	}
	return algorithm{}, fmt.Errorf("%w: %q", ErrAlgorithm, name)
}

// verifies reports whether sig is a signature of msg by key under one of
// the algorithm's hashes.
func (a algorithm) verifies(key *rsa.PublicKey, msg string, sig []byte) bool {
	for _, h := range a.hashes {
		if rsa.VerifyPKCS1v15(key, h, digestOf(h, msg), sig) == nil {
			return true
		}
	}
	return false
}

func digestOf(h crypto.Hash, msg string) []byte {
	if h == crypto.SHA512 {
		sum := sha512.Sum512([]byte(msg))
		return sum[:]
	}
	sum := sha256.Sum256([]byte(msg))
	return sum[:]
}
