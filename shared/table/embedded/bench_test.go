package embedded

import (
	"fmt"
	"testing"

	"github.com/vidiverse/vidiverse/shared/table"
	"github.com/vidiverse/vidiverse/shared/table/tabletest"
)

func benchItem(i int) table.Item {
	return table.Item{
		"pk": fmt.Sprintf("video#%d", i%100), "sk": fmt.Sprintf("comment#%08d", i),
		"gsi1pk": "account#1", "gsi1sk": fmt.Sprintf("%08d", i),
		"text": "a comment of ordinary length, with a few words in it", "likes": int64(i),
		"tags": []string{"a", "b"}, "public": true,
	}
}

// BenchmarkPut measures durable single-item writes (one fsync'd bbolt
// transaction each).
func BenchmarkPut(b *testing.B) {
	tb, _ := openTemp(b, tabletest.Schema(), WithSweepInterval(0))
	ctx := b.Context()
	for i := 0; b.Loop(); i++ {
		if err := tb.Put(ctx, benchItem(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutNoSync measures the same writes without fsync, to show the
// engine's own cost.
func BenchmarkPutNoSync(b *testing.B) {
	tb, _ := openTemp(b, tabletest.Schema(), WithSweepInterval(0), WithNoSync())
	ctx := b.Context()
	for i := 0; b.Loop(); i++ {
		if err := tb.Put(ctx, benchItem(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func seeded(b *testing.B, n int) *Table {
	tb, _ := openTemp(b, tabletest.Schema(), WithSweepInterval(0), WithNoSync())
	ctx := b.Context()
	var ops []table.Op
	for i := range n {
		if ops = append(ops, table.PutOp(benchItem(i))); len(ops) == table.MaxTransactOps || i == n-1 {
			if err := tb.Transact(ctx, ops...); err != nil {
				b.Fatal(err)
			}
			ops = nil
		}
	}
	return tb
}

func BenchmarkGet(b *testing.B) {
	tb := seeded(b, 10000)
	ctx := b.Context()
	for i := 0; b.Loop(); i++ {
		if _, err := tb.Get(ctx, benchItem(i%10000).Key()); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGetParallel(b *testing.B) {
	tb := seeded(b, 10000)
	ctx := b.Context()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for i := 0; pb.Next(); i++ {
			if _, err := tb.Get(ctx, benchItem(i%10000).Key()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkQuery reads pages of 20 from a partition of 100 items.
func BenchmarkQuery(b *testing.B) {
	tb := seeded(b, 10000)
	ctx := b.Context()
	for i := 0; b.Loop(); i++ {
		p, err := tb.Query(ctx, table.Query{PK: fmt.Sprintf("video#%d", i%100), Limit: 20, Reverse: i%2 == 0})
		if err != nil || len(p.Items) != 20 {
			b.Fatal(len(p.Items), err)
		}
	}
}

// BenchmarkQueryIndex reads pages of 20 from an index partition of 10000.
func BenchmarkQueryIndex(b *testing.B) {
	tb := seeded(b, 10000)
	ctx := b.Context()
	for i := 0; b.Loop(); i++ {
		p, err := tb.Query(ctx, table.Query{Index: "gsi1", PK: "account#1", SKOp: table.SKGreaterEqual, SK: fmt.Sprintf("%08d", (i*37)%9000), Limit: 20})
		if err != nil || len(p.Items) != 20 {
			b.Fatal(len(p.Items), err)
		}
	}
}
