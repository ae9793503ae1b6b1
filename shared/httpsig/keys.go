package httpsig

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// KeyBits is the size of the keys GenerateKey makes: RSA-2048, as
// PeerTube, Mastodon and GoToSocial use.
const KeyBits = 2048

// GenerateKey makes a new RSA-2048 signing key for an actor.
func GenerateKey() (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate rsa key: %w", err)
	}
	return key, nil
}

// ParsePublicKeyPEM reads the publicKeyPem of an actor or key document:
// a PKIX "PUBLIC KEY" block (what PeerTube, Mastodon and GoToSocial
// publish) or a PKCS#1 "RSA PUBLIC KEY" block. The key must be RSA with
// MinKeyBits to MaxKeyBits bits.
func ParsePublicKeyPEM(s string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("parse public key: no PEM block")
	}
	var key *rsa.PublicKey
	switch block.Type {
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			// Some servers label a PKCS#1 key "PUBLIC KEY".
			if k1, err1 := x509.ParsePKCS1PublicKey(block.Bytes); err1 == nil {
				key = k1
				break
			}
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		rk, ok := k.(*rsa.PublicKey)
		if !ok {
			return nil, fmt.Errorf("parse public key: %T is not an RSA key", k)
		}
		key = rk
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		key = k
	default:
		return nil, fmt.Errorf("parse public key: PEM block %q is not a public key", block.Type)
	}
	if bits := key.N.BitLen(); bits < MinKeyBits || bits > MaxKeyBits {
		return nil, fmt.Errorf("parse public key: %d-bit RSA key (want %d to %d)", bits, MinKeyBits, MaxKeyBits)
	}
	return key, nil
}

// EncodePublicKeyPEM writes pub as a PKIX "PUBLIC KEY" PEM block, the form
// actor documents publish in publicKey.publicKeyPem.
func EncodePublicKeyPEM(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// EncodePrivateKeyPEM writes key as a PKCS#8 "PRIVATE KEY" PEM block for
// storage. It is a secret: keep it out of logs and API responses.
func EncodePrivateKeyPEM(key *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("encode private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// ParsePrivateKeyPEM reads a stored signing key: PKCS#8 "PRIVATE KEY" (what
// EncodePrivateKeyPEM writes) or PKCS#1 "RSA PRIVATE KEY" (what PeerTube
// stores). The key must be RSA.
func ParsePrivateKeyPEM(s string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("parse private key: no PEM block")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse private key: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("parse private key: %T is not an RSA key", k)
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse private key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("parse private key: PEM block %q is not a private key", block.Type)
}
