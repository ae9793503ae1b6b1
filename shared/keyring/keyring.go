package keyring

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/vidiverse/vidiverse/shared/table"
)

// KeyBits is the size of actors' keys, as PeerTube and Mastodon use.
const KeyBits = 2048

// Key is an actor's key pair.
type Key struct {
	Private   *rsa.PrivateKey
	PublicPEM string // PKIX "PUBLIC KEY", as actor documents publish it
}

// Keyring stores actors' keys in a table.
type Keyring struct {
	t    table.Table
	aead cipher.AEAD

	// opened holds the keys this keyring has read or made: a stored key
	// never changes, so each is read and unsealed once a process.
	mu     sync.Mutex
	opened map[string]Key
}

// New returns a keyring sealing private keys with kek (32 bytes).
func New(t table.Table, kek []byte) (*Keyring, error) {
	if len(kek) != 32 {
		return nil, fmt.Errorf("keyring: key-encryption key has %d bytes, want 32", len(kek))
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("keyring: %w", err)
	}
	return &Keyring{t: t, aead: aead}, nil
}

// LoadKEK reads a key-encryption key from path, creating it (mode 0600)
// on first use.
func LoadKEK(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil && len(b) == 32 {
		return b, nil
	}
	if err == nil {
		return nil, fmt.Errorf("keyring: %s has %d bytes, want 32", path, len(b))
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("keyring: read %s: %w", path, err)
	}
	b = make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, fmt.Errorf("keyring: write %s: %w", path, err)
	}
	// Link, not rename: if another process created it meanwhile, use theirs.
	if err := os.Link(tmp, path); err != nil && !errors.Is(err, os.ErrExist) {
		os.Remove(tmp)
		return nil, fmt.Errorf("keyring: write %s: %w", path, err)
	}
	os.Remove(tmp)
	return LoadKEK(path)
}

const (
	attrSealed = "sealed"
	attrPublic = "publicPem"
)

func keyItemKey(actor string) table.Key { return table.Key{PK: "ACTORKEY#" + actor, SK: "KEY"} }

// Key returns an actor's key pair, generating and storing it on first use.
// actor is a stable name for the actor (e.g. "account:root"). A key is
// read and unsealed once; later calls return it from memory.
func (k *Keyring) Key(ctx context.Context, actor string) (Key, error) {
	k.mu.Lock()
	key, ok := k.opened[actor]
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	key, err := k.load(ctx, actor)
	if err != nil {
		return Key{}, err
	}
	k.mu.Lock()
	if k.opened == nil {
		k.opened = map[string]Key{}
	}
	k.opened[actor] = key
	k.mu.Unlock()
	return key, nil
}

// load reads and unseals an actor's key pair, or generates and stores it.
func (k *Keyring) load(ctx context.Context, actor string) (Key, error) {
	it, err := k.t.Get(ctx, keyItemKey(actor))
	if err == nil {
		return k.open(actor, it)
	}
	if !errors.Is(err, table.ErrNotFound) {
		return Key{}, fmt.Errorf("read key of %s: %w", actor, err)
	}
	priv, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return Key{}, fmt.Errorf("generate key of %s: %w", actor, err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
	if err != nil {
		return Key{}, err
	}
	pubPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub}))
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return Key{}, err
	}
	// The actor name is authenticated data: a sealed key moved to another
	// actor's item does not open.
	sealed := k.aead.Seal(nonce, nonce, x509.MarshalPKCS1PrivateKey(priv), []byte(actor))
	ik := keyItemKey(actor)
	err = k.t.Put(ctx, table.Item{table.AttrPK: ik.PK, table.AttrSK: ik.SK, "type": "actorkey",
		attrSealed: sealed, attrPublic: pubPEM}, table.ItemNotExists())
	if errors.Is(err, table.ErrConditionFailed) {
		return k.load(ctx, actor) // another first use won: use its key
	}
	if err != nil {
		return Key{}, fmt.Errorf("store key of %s: %w", actor, err)
	}
	return Key{Private: priv, PublicPEM: pubPEM}, nil
}

// PublicPEM returns an actor's public key, generating the pair if needed.
// An existing key's public half is read as stored, without unsealing the
// private key (actor documents are served far more often than keys sign).
func (k *Keyring) PublicPEM(ctx context.Context, actor string) (string, error) {
	it, err := k.t.Get(ctx, keyItemKey(actor))
	if err == nil && it.String(attrPublic) != "" {
		return it.String(attrPublic), nil
	}
	if err != nil && !errors.Is(err, table.ErrNotFound) {
		return "", fmt.Errorf("read key of %s: %w", actor, err)
	}
	key, err := k.Key(ctx, actor)
	return key.PublicPEM, err
}

func (k *Keyring) open(actor string, it table.Item) (Key, error) {
	sealed := it.Bytes(attrSealed)
	n := k.aead.NonceSize()
	if len(sealed) < n {
		return Key{}, fmt.Errorf("key of %s: sealed key too short", actor)
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(actor))
	if err != nil {
		return Key{}, fmt.Errorf("key of %s: cannot open (wrong key-encryption key?): %w", actor, err)
	}
	priv, err := x509.ParsePKCS1PrivateKey(plain)
	if err != nil {
		return Key{}, fmt.Errorf("key of %s: %w", actor, err)
	}
	return Key{Private: priv, PublicPEM: it.String(attrPublic)}, nil
}
