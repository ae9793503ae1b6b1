package httpsig

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"strings"
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

func TestKeyPEMRoundTrip(t *testing.T) {
	k, _ := keys(t)
	if k.N.BitLen() != KeyBits {
		t.Fatalf("generated %d-bit key", k.N.BitLen())
	}
	pub, err := EncodePublicKeyPEM(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pub, "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("public PEM %q", pub)
	}
	back, err := ParsePublicKeyPEM(pub)
	if err != nil || !back.Equal(&k.PublicKey) {
		t.Fatalf("public key round trip: %v", err)
	}
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)}))
	if back, err := ParsePublicKeyPEM(pkcs1); err != nil || !back.Equal(&k.PublicKey) {
		t.Fatalf("PKCS#1 public key: %v", err)
	}
	mislabelled := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.PublicKey)}))
	if back, err := ParsePublicKeyPEM(mislabelled); err != nil || !back.Equal(&k.PublicKey) {
		t.Fatalf("PKCS#1 labelled PUBLIC KEY: %v", err)
	}

	priv, err := EncodePrivateKeyPEM(k)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(priv, "-----BEGIN PRIVATE KEY-----\n") {
		t.Errorf("private PEM does not start with the PKCS#8 label")
	}
	if back, err := ParsePrivateKeyPEM(priv); err != nil || !back.Equal(k) {
		t.Fatalf("private key round trip: %v", err)
	}
	pkcs1Priv := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	if back, err := ParsePrivateKeyPEM(pkcs1Priv); err != nil || !back.Equal(k) {
		t.Fatalf("PKCS#1 private key: %v", err)
	}
}

func TestParseKeyPEMRefusals(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecPub, _ := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	ecPriv, _ := x509.MarshalPKCS8PrivateKey(ec)
	for name, s := range map[string]string{
		"empty":       "",
		"not PEM":     "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
		"EC key":      string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecPub})),
		"certificate": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ecPub})),
		"garbage DER": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: []byte{1, 2, 3}})),
		"private key": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecPriv})),
	} {
		if _, err := ParsePublicKeyPEM(s); err == nil {
			t.Errorf("ParsePublicKeyPEM(%s) accepted", name)
		}
	}
	for name, s := range map[string]string{
		"empty":      "",
		"EC key":     string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecPriv})),
		"public key": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: ecPub})),
	} {
		if _, err := ParsePrivateKeyPEM(s); err == nil {
			t.Errorf("ParsePrivateKeyPEM(%s) accepted", name)
		}
	}
}

// The keys published by PeerTube 6.1 (1024-bit in its test configuration)
// and GoToSocial 0.18 (2048-bit) parse.
func TestParseCapturedPublicKeys(t *testing.T) {
	for url, file := range keyDocs {
		var d keyDoc
		if err := json.Unmarshal(reftest.Read(t, file), &d); err != nil {
			t.Fatal(err)
		}
		k, err := ParsePublicKeyPEM(d.PublicKey.PublicKeyPem)
		if err != nil {
			t.Errorf("%s: %v", url, err)
			continue
		}
		want := 1024
		if strings.Contains(url, ":8081/") {
			want = 2048
		}
		if k.N.BitLen() != want {
			t.Errorf("%s: %d-bit key, want %d", url, k.N.BitLen(), want)
		}
	}
}
