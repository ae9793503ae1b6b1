package embedded

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/table/tabletest"
)

func openTemp(t testing.TB, schema table.Schema, opts ...Option) (*Table, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "table.db")
	tb, err := Open(path, schema, opts...)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() {
		if err := tb.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return tb, path
}

func TestConformance(t *testing.T) {
	tabletest.Run(t, func(t *testing.T, schema table.Schema) table.Table {
		// A short sweep interval runs the sweeper alongside the suite.
		tb, _ := openTemp(t, schema, WithSweepInterval(50*time.Millisecond))
		return tb
	})
}

// bucketLen counts the keys of a bucket, or of all index buckets.
func bucketLen(t *testing.T, tb *Table, name []byte) int {
	t.Helper()
	n := 0
	err := tb.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(name).ForEach(func(_, _ []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReopenKeepsDataAndIndexes(t *testing.T) {
	ctx := t.Context()
	schema := tabletest.Schema()
	tb, path := openTemp(t, schema)
	future := time.Now().Add(time.Hour).Unix()
	for i := range 20 {
		it := table.Item{"pk": "p", "sk": fmt.Sprintf("%02d", i), "gsi1pk": "G", "gsi1sk": fmt.Sprintf("%02d", 19-i),
			"n": int64(i), "l": []string{"a"}, "b": []byte{byte(i)}, "ttl": future}
		if err := tb.Put(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	tb, err := Open(path, schema)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer tb.Close()
	page, err := tb.Query(ctx, table.Query{Index: "gsi1", PK: "G"})
	if err != nil || len(page.Items) != 20 {
		t.Fatalf("index query after reopen = %d items, %v", len(page.Items), err)
	}
	for i, it := range page.Items {
		if it.String("gsi1sk") != fmt.Sprintf("%02d", i) || it.Int("n") != int64(19-i) || it.Int("ttl") != future || !bytes.Equal(it.Bytes("b"), []byte{byte(19 - i)}) {
			t.Fatalf("item %d after reopen: %v", i, it)
		}
	}
	if n, err := tb.Count(ctx, table.Query{PK: "p"}); err != nil || n != 20 {
		t.Fatalf("count after reopen = %d, %v", n, err)
	}
	if got := bucketLen(t, tb, bucketTTL); got != 20 {
		t.Fatalf("ttl entries after reopen: %d", got)
	}
}

func TestSchemaChangeRebuildsIndexes(t *testing.T) {
	ctx := t.Context()
	tb, path := openTemp(t, table.Schema{Indexes: []table.Index{{Name: "gsi1", PK: "gsi1pk", SK: "gsi1sk"}}})
	for i := range 5 {
		exp := time.Now().Add(time.Hour).Unix()
		if i == 0 {
			exp = 0
		}
		it := table.Item{"pk": "p", "sk": fmt.Sprint(i), "gsi1pk": "G", "gsi1sk": fmt.Sprint(i), "byowner": "o", "at": fmt.Sprint(9 - i), "exp": exp}
		if err := tb.Put(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	tb.Close()
	// A new index over existing attributes and a TTL attribute: item 0 has
	// exp 0, long past.
	schema := table.Schema{Indexes: []table.Index{{Name: "owner", PK: "byowner", SK: "at"}}, TTLAttribute: "exp"}
	tb, err := Open(path, schema)
	if err != nil {
		t.Fatalf("reopen with another schema: %v", err)
	}
	defer tb.Close()
	page, err := tb.Query(ctx, table.Query{Index: "owner", PK: "o"})
	if err != nil {
		t.Fatal(err)
	}
	var ats []string
	for _, it := range page.Items {
		ats = append(ats, it.String("at"))
	}
	if !slices.Equal(ats, []string{"5", "6", "7", "8"}) {
		t.Fatalf("new index after rebuild: %q", ats)
	}
	if _, err := tb.Query(ctx, table.Query{Index: "gsi1", PK: "G"}); !errors.Is(err, table.ErrInvalid) {
		t.Fatalf("query of a dropped index: %v", err)
	}
	if got := bucketLen(t, tb, bucketTTL); got != 5 {
		t.Fatalf("ttl entries after rebuild: %d", got)
	}
}

func TestSweeperDeletesExpiredItems(t *testing.T) {
	ctx := t.Context()
	tb, _ := openTemp(t, tabletest.Schema(), WithSweepInterval(20*time.Millisecond))
	past, future := time.Now().Add(-10*time.Second).Unix(), time.Now().Add(time.Hour).Unix()
	for i := range 30 {
		it := table.Item{"pk": "s", "sk": fmt.Sprint(i), "gsi1pk": "G", "gsi1sk": fmt.Sprint(i), "ttl": past}
		if i%3 == 0 {
			it["ttl"] = future
		}
		if err := tb.Put(ctx, it); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for bucketLen(t, tb, bucketItems) != 10 {
		if time.Now().After(deadline) {
			t.Fatalf("sweeper left %d items, want 10", bucketLen(t, tb, bucketItems))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := bucketLen(t, tb, indexBucket("gsi1")); n != 10 {
		t.Fatalf("index entries after sweep: %d", n)
	}
	if n := bucketLen(t, tb, bucketTTL); n != 10 {
		t.Fatalf("ttl entries after sweep: %d", n)
	}
}

func TestSweepFollowsTheClock(t *testing.T) {
	ctx := t.Context()
	var now atomic.Int64
	now.Store(1_000_000)
	clock := func() time.Time { return time.Unix(now.Load(), 0) }
	tb, _ := openTemp(t, tabletest.Schema(), WithSweepInterval(0), WithClock(clock))
	var ops []table.Op
	for i := range 2500 { // more than one sweep batch
		it := table.Item{"pk": "s", "sk": fmt.Sprintf("%04d", i), "ttl": int64(1_000_000 + i%5 + 1)}
		if ops = append(ops, table.PutOp(it)); len(ops) == table.MaxTransactOps {
			if err := tb.Transact(ctx, ops...); err != nil {
				t.Fatal(err)
			}
			ops = nil
		}
	}
	// An item whose TTL moved later: its old TTL entry must not delete it.
	if _, err := tb.Update(ctx, table.Key{PK: "s", SK: "0000"}, table.Update{Set: map[string]any{"ttl": int64(2_000_000)}}); err != nil {
		t.Fatal(err)
	}
	if n, err := tb.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("sweep before anything expired = %d, %v", n, err)
	}
	now.Store(1_000_003) // TTLs +1..+3 expired: 3 of every 5 items, less item 0000
	n, err := tb.Sweep(ctx)
	if err != nil || n != 1499 {
		t.Fatalf("sweep = %d, %v; want 1499", n, err)
	}
	if got, err := tb.Count(ctx, table.Query{PK: "s"}); err != nil || got != 1001 {
		t.Fatalf("count after sweep = %d, %v", got, err)
	}
	if _, err := tb.Get(ctx, table.Key{PK: "s", SK: "0000"}); err != nil {
		t.Fatalf("item with a later TTL: %v", err)
	}
}

func TestOpenLockedFileTimesOut(t *testing.T) {
	_, path := openTemp(t, tabletest.Schema())
	start := time.Now()
	tb, err := Open(path, tabletest.Schema(), WithLockTimeout(200*time.Millisecond))
	if err == nil {
		tb.Close()
		t.Fatal("second open of a locked file succeeded")
	}
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Fatalf("second open took %s", took)
	}
	t.Logf("error: %v", err)
}

func TestCloseTwiceAndUseAfterClose(t *testing.T) {
	tb, err := Open(filepath.Join(t.TempDir(), "t.db"), tabletest.Schema())
	if err != nil {
		t.Fatal(err)
	}
	if err := tb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tb.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := tb.Get(t.Context(), table.Key{PK: "a", SK: "b"}); err == nil {
		t.Fatal("get after close succeeded")
	}
}

// The index key encoding keeps the byte order of index sort keys, NUL bytes
// included, and splits back into sort key and item key.
func TestIndexKeyOrder(t *testing.T) {
	alphabet := []byte{0, 1, 'a', 'b', 0xc3, 0xa9, 0xff}
	rng := rand.New(rand.NewPCG(1, 2))
	randString := func() string {
		b := make([]byte, rng.IntN(5))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 5000 {
		a, b := randString(), randString()
		ika, ikb := itemKey(table.Key{PK: "p", SK: randString() + "x"}), itemKey(table.Key{PK: "p", SK: "y"})
		ka, kb := indexKey("ix", a, ika), indexKey("ix", b, ikb)
		if a != b && (a < b) != (bytes.Compare(ka, kb) < 0) {
			t.Fatalf("order of %q and %q not kept: %x %x", a, b, ka, kb)
		}
		sk, ik, err := splitIndexKey(ka)
		if err != nil || sk != a || !bytes.Equal(ik, ika) {
			t.Fatalf("split %x = %q %x %v", ka, sk, ik, err)
		}
	}
}

func TestCodecRejectsCorruptValues(t *testing.T) {
	schema := tabletest.Schema()
	it := table.Item{"pk": "p", "sk": "s", "a": "x", "l": []string{"1", "2"}, "ttl": int64(5), "n": int64(-3)}
	b := encodeItem(schema, it)
	got, err := decodeItem(schema, it.Key(), b)
	if err != nil || got.Int("ttl") != 5 || len(got.Strings("l")) != 2 || got.Int("n") != -3 {
		t.Fatalf("decode = %v, %v", got, err)
	}
	for i := range len(b) {
		if _, err := decodeItem(schema, it.Key(), b[:i]); err == nil {
			t.Fatalf("decoding %d of %d bytes succeeded", i, len(b))
		}
	}
}
