package keyring

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/table/embedded"
)

func openTable(t *testing.T) table.Table {
	t.Helper()
	tbl, err := embedded.Open(filepath.Join(t.TempDir(), "t.db"), table.Schema{TTLAttribute: "ttl"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tbl.Close() })
	return tbl
}

func TestKeysAreStableSealedAndAgreedOn(t *testing.T) {
	tbl := openTable(t)
	kek, err := LoadKEK(filepath.Join(t.TempDir(), "kek"))
	if err != nil {
		t.Fatal(err)
	}
	kr, err := New(tbl, kek)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Concurrent first uses agree on one key.
	keys := make([]Key, 4)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if keys[i], err = kr.Key(ctx, "account:root"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !k.Private.Equal(keys[0].Private) || k.PublicPEM != keys[0].PublicPEM {
			t.Fatal("concurrent first uses got different keys")
		}
	}
	if keys[0].Private.N.BitLen() != KeyBits {
		t.Fatalf("key of %d bits", keys[0].Private.N.BitLen())
	}
	// The published key verifies the private key's signatures.
	block, _ := pem.Decode([]byte(keys[0].PublicPEM))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("payload"))
	sig, _ := rsa.SignPKCS1v15(nil, keys[0].Private, crypto.SHA256, sum[:])
	if err := rsa.VerifyPKCS1v15(pub.(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Fatal(err)
	}
	// The table never holds the private key in the clear.
	it, _ := tbl.Get(ctx, keyItemKey("account:root"))
	if bytes.Contains(it.Bytes(attrSealed), x509.MarshalPKCS1PrivateKey(keys[0].Private)[:64]) {
		t.Fatal("private key stored in the clear")
	}
	// Another actor gets another key; a sealed key moved to another actor
	// does not open; another key-encryption key cannot open it.
	other, _ := kr.Key(ctx, "channel:root_channel")
	if other.Private.Equal(keys[0].Private) {
		t.Fatal("two actors share a key")
	}
	moved := table.Item{table.AttrPK: keyItemKey("account:eve").PK, table.AttrSK: "KEY",
		attrSealed: it.Bytes(attrSealed), attrPublic: it.String(attrPublic)}
	if err := tbl.Put(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if _, err := kr.Key(ctx, "account:eve"); err == nil {
		t.Fatal("a sealed key opened for another actor")
	}
	wrong, _ := New(tbl, bytes.Repeat([]byte{7}, 32))
	if _, err := wrong.Key(ctx, "account:root"); err == nil {
		t.Fatal("a wrong key-encryption key opened the key")
	}
}

func TestLoadKEK(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kek")
	a, err := LoadKEK(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LoadKEK(path)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("a second load differs: %v", err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", st.Mode())
	}
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := LoadKEK(path); err == nil {
		t.Fatal("a short key-encryption key was accepted")
	}
	if _, err := New(nil, []byte("short")); err == nil {
		t.Fatal("New accepted a short key")
	}
}

// TestPublicPEMNeedsNoUnsealing: the public half is served as stored, so a
// keyring that cannot open the private key still serves it (and Key fails).
func TestPublicPEMNeedsNoUnsealing(t *testing.T) {
	tbl := openTable(t)
	ctx := context.Background()
	kr, err := New(tbl, bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	first, err := kr.PublicPEM(ctx, "channel:main") // generates the pair
	if err != nil || first == "" {
		t.Fatal(first, err)
	}
	other, err := New(tbl, bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := other.PublicPEM(ctx, "channel:main"); err != nil || got != first {
		t.Fatalf("public key read back: %v %q", err, got)
	}
	if _, err := other.Key(ctx, "channel:main"); err == nil {
		t.Fatal("a keyring with another key-encryption key opened the private key")
	}
}

// countingTable counts the reads of one item.
type countingTable struct {
	table.Table
	gets atomic.Int64
}

func (c *countingTable) Get(ctx context.Context, k table.Key) (table.Item, error) {
	c.gets.Add(1)
	return c.Table.Get(ctx, k)
}

func TestKeysAreReadOnceAProcess(t *testing.T) {
	tbl := &countingTable{Table: openTable(t)}
	ctx := context.Background()
	kek := bytes.Repeat([]byte{3}, 32)
	made, err := New(tbl, kek)
	if err != nil {
		t.Fatal(err)
	}
	first, err := made.Key(ctx, "account:peertube") // generates the pair
	if err != nil {
		t.Fatal(err)
	}
	again, err := made.Key(ctx, "account:peertube")
	if err != nil || again.Private != first.Private || tbl.gets.Load() != 1 {
		t.Fatalf("key made here read again: %d reads, same key %v, %v", tbl.gets.Load(), again.Private == first.Private, err)
	}
	// Another process's keyring reads and unseals the stored key once.
	other, err := New(tbl, kek)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		k, err := other.Key(ctx, "account:peertube")
		if err != nil || !k.Private.Equal(first.Private) || k.PublicPEM != first.PublicPEM {
			t.Fatalf("stored key read back: %v", err)
		}
	}
	if n := tbl.gets.Load(); n != 2 {
		t.Fatalf("%d reads of the key item, want 2", n)
	}
	// A key that does not open is not remembered: it fails every time.
	wrong, _ := New(tbl, bytes.Repeat([]byte{4}, 32))
	for range 2 {
		if _, err := wrong.Key(ctx, "account:peertube"); err == nil {
			t.Fatal("a wrong key-encryption key opened the key")
		}
	}
	if n := tbl.gets.Load(); n != 4 {
		t.Fatalf("%d reads of the key item, want 4", n)
	}
}
