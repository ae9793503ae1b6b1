package tabletest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vidiverse/vidiverse/shared/table"
)

func testBatchGet(t *testing.T, tb table.Table) {
	ctx := t.Context()
	for i := range 5 {
		it := item("bg", fmt.Sprint(i), "i", int64(i), "l", []string{"x"})
		if i == 3 {
			it["ttl"] = past()
		}
		mustPut(t, tb, it)
	}
	got, err := tb.BatchGet(ctx, []table.Key{key("bg", "4"), key("bg", "missing"), key("bg", "0"), key("bg", "3"), key("bg", "2"), key("bg", "4")})
	if err != nil {
		t.Fatalf("batch get: %v", err)
	}
	wantSKs(t, "batch get", got, []string{"4", "0", "2", "4"})
	for _, it := range got {
		if d := diff(it, item("bg", it.String(table.AttrSK), "i", it.Int("i"), "l", []string{"x"})); d != "" || fmt.Sprint(it.Int("i")) != it.String(table.AttrSK) {
			t.Fatalf("batch get item %v: %s", it, d)
		}
	}

	got, err = tb.BatchGet(ctx, nil)
	if err != nil || len(got) != 0 {
		t.Fatalf("batch get of nothing = %v, %v", got, err)
	}

	// The largest batch: present items interleaved with absent ones.
	keys := make([]table.Key, 0, table.MaxBatchGet)
	var want []string
	for i := range table.MaxBatchGet {
		sk := fmt.Sprintf("k%03d", table.MaxBatchGet-i)
		keys = append(keys, key("bgmax", sk))
		if i%3 == 0 {
			mustPut(t, tb, item("bgmax", sk))
			want = append(want, sk)
		}
	}
	got, err = tb.BatchGet(ctx, keys)
	if err != nil {
		t.Fatalf("batch get of %d: %v", len(keys), err)
	}
	wantSKs(t, "largest batch get", got, want)

	_, err = tb.BatchGet(ctx, append(keys, key("bgmax", "one more")))
	wantErr(t, "batch get over the limit", err, table.ErrInvalid)
}

func testTransact(t *testing.T, tb table.Table) {
	ctx := t.Context()
	mustPut(t, tb, item("tx", "b", "n", int64(1)))
	mustPut(t, tb, item("tx", "c", "n", int64(1)))
	mustPut(t, tb, item("tx", "d", "v", "ok"))
	err := tb.Transact(ctx,
		table.PutOp(item("tx", "a", "n", int64(1), "gsi1pk", "T", "gsi1sk", "a"), table.ItemNotExists()),
		table.UpdateOp(key("tx", "b"), table.Update{Add: map[string]int64{"n": 1}, Set: map[string]any{"s": "b"}}, table.ItemExists()),
		table.DeleteOp(key("tx", "c"), table.AttrEquals("n", int64(1))),
		table.CheckOp(key("tx", "d"), table.AttrEquals("v", "ok")),
		table.UpdateOp(key("tx", "e"), table.Update{Set: map[string]any{"new": true}}),
	)
	if err != nil {
		t.Fatalf("transact: %v", err)
	}
	wantItem(t, tb, item("tx", "a", "n", int64(1), "gsi1pk", "T", "gsi1sk", "a"))
	wantItem(t, tb, item("tx", "b", "n", int64(2), "s", "b"))
	wantAbsent(t, tb, key("tx", "c"))
	wantItem(t, tb, item("tx", "d", "v", "ok"))
	wantItem(t, tb, item("tx", "e", "new", true))
	wantSKs(t, "index after transact", flatten(queryAll(t, tb, table.Query{Index: "gsi1", PK: "T"})), []string{"a"})

	// The largest transaction.
	ops := make([]table.Op, table.MaxTransactOps)
	for i := range ops {
		ops[i] = table.PutOp(item("txmax", fmt.Sprintf("%03d", i)))
	}
	if err := tb.Transact(ctx, ops...); err != nil {
		t.Fatalf("transact of %d: %v", len(ops), err)
	}
	if n, err := tb.Count(ctx, table.Query{PK: "txmax"}); err != nil || n != table.MaxTransactOps {
		t.Fatalf("count after the largest transaction = %d, %v", n, err)
	}
}

func testTransactAllOrNothing(t *testing.T, tb table.Table) {
	ctx := t.Context()
	mustPut(t, tb, item("txf", "2", "n", int64(1)))
	mustPut(t, tb, item("txf", "3", "n", int64(1)))
	mustPut(t, tb, item("txf", "4", "n", int64(1)))
	for failing := range 4 {
		ops := []table.Op{
			table.PutOp(item("txf", "1", "n", int64(1), "gsi1pk", "F", "gsi1sk", "1")),
			table.UpdateOp(key("txf", "2"), table.Update{Add: map[string]int64{"n": 1}}),
			table.CheckOp(key("txf", "3"), table.AttrEquals("n", int64(1))),
			table.DeleteOp(key("txf", "4")),
		}
		ops[failing].Conds = append(ops[failing].Conds, table.AttrEquals("n", int64(99)))
		err := tb.Transact(ctx, ops...)
		var tce *table.TxCanceledError
		if !errors.As(err, &tce) {
			t.Fatalf("op %d failing: err = %v, want *TxCanceledError", failing, err)
		}
		if !errors.Is(err, table.ErrConditionFailed) || tce.FailedOp(table.ErrConditionFailed) != failing || len(tce.Reasons) != len(ops) {
			t.Fatalf("op %d failing: err = %v, reasons %v", failing, err, tce.Reasons)
		}
		for i, r := range tce.Reasons {
			if i != failing && r != nil {
				t.Fatalf("op %d failing: reason of op %d = %v", failing, i, r)
			}
		}
		wantAbsent(t, tb, key("txf", "1"))
		wantItem(t, tb, item("txf", "2", "n", int64(1)))
		wantItem(t, tb, item("txf", "4", "n", int64(1)))
		wantSKs(t, "index after a cancelled transaction", flatten(queryAll(t, tb, table.Query{Index: "gsi1", PK: "F"})), nil)
	}
}

func testTransactInvalid(t *testing.T, tb table.Table) {
	ctx := t.Context()
	mustPut(t, tb, item("txi", "1", "n", int64(1)))
	tooMany := make([]table.Op, table.MaxTransactOps+1)
	for i := range tooMany {
		tooMany[i] = table.PutOp(item("txi", fmt.Sprintf("new%03d", i)))
	}
	bad := map[string][]table.Op{
		"no ops":           nil,
		"too many ops":     tooMany,
		"same key twice":   {table.PutOp(item("txi", "new")), table.UpdateOp(key("txi", "1"), table.Update{Add: map[string]int64{"n": 1}}), table.DeleteOp(key("txi", "new"))},
		"update and check": {table.UpdateOp(key("txi", "1"), table.Update{Add: map[string]int64{"n": 1}}), table.CheckOp(key("txi", "1"), table.ItemExists())},
		"check no conds":   {table.PutOp(item("txi", "new")), table.CheckOp(key("txi", "1"))},
		"invalid item":     {table.PutOp(item("txi", "new")), table.PutOp(item("txi", "bad", "x", 1))},
		"invalid key":      {table.PutOp(item("txi", "new")), table.DeleteOp(key("", "1"))},
		"invalid update":   {table.PutOp(item("txi", "new")), table.UpdateOp(key("txi", "1"), table.Update{})},
		"invalid cond":     {table.PutOp(item("txi", "new"), table.AttrEquals("x", 1.5))},
		"unknown op kind":  {table.PutOp(item("txi", "new")), {Kind: table.OpKind(42), Key: key("txi", "2")}},
		"add to a string":  {table.PutOp(item("txi", "new")), table.UpdateOp(key("txi", "str"), table.Update{Add: map[string]int64{"s": 1}})},
	}
	mustPut(t, tb, item("txi", "str", "s", "text"))
	for name, ops := range bad {
		wantErr(t, "transact with "+name, tb.Transact(ctx, ops...), table.ErrInvalid)
		wantAbsent(t, tb, key("txi", "new"))
		wantItem(t, tb, item("txi", "1", "n", int64(1)))
	}
	if n, err := tb.Count(ctx, table.Query{PK: "txi"}); err != nil || n != 2 {
		t.Fatalf("count after invalid transactions = %d, %v", n, err)
	}
}

// testConcurrentUpdates runs optimistic read-modify-write loops from
// several goroutines: no increment may be lost.
func testConcurrentUpdates(t *testing.T, tb table.Table) {
	const workers, perWorker = 8, 20
	ctx := t.Context()
	k := key("conc", "counter")
	mustPut(t, tb, item("conc", "counter", "ver", int64(0), "count", int64(0)))
	var conflicts atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for done := 0; done < perWorker; {
				it, err := tb.Get(ctx, k)
				if err != nil {
					t.Errorf("worker %d: get: %v", w, err)
					return
				}
				v := it.Int("ver")
				_, err = tb.Update(ctx, k, table.Update{Set: map[string]any{"ver": v + 1}, Add: map[string]int64{"count": 1}}, table.AttrEquals("ver", v))
				switch {
				case errors.Is(err, table.ErrConditionFailed):
					conflicts.Add(1)
				case err != nil:
					t.Errorf("worker %d: update: %v", w, err)
					return
				default:
					done++
				}
			}
		})
	}
	wg.Wait()
	got := mustGet(t, tb, k)
	if got.Int("count") != workers*perWorker || got.Int("ver") != workers*perWorker {
		t.Fatalf("after %d increments: %v", workers*perWorker, got)
	}
	t.Logf("%d conflicts retried", conflicts.Load())

	// Racing creations: exactly one wins.
	var wins atomic.Int64
	for w := range workers {
		wg.Go(func() {
			err := tb.Put(ctx, item("conc", "once", "winner", int64(w)), table.ItemNotExists())
			switch {
			case err == nil:
				wins.Add(1)
			case !errors.Is(err, table.ErrConditionFailed):
				t.Errorf("worker %d: put: %v", w, err)
			}
		})
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Fatalf("%d of %d conditional creations won, want 1", wins.Load(), workers)
	}
}

// testConcurrentTransacts runs transfers between two items from several
// goroutines: their sum is kept.
func testConcurrentTransacts(t *testing.T, tb table.Table) {
	const workers = 8
	ctx := t.Context()
	var wg sync.WaitGroup
	var moved atomic.Int64
	mustPut(t, tb, item("conc", "a", "n", int64(100)))
	mustPut(t, tb, item("conc", "b", "n", int64(100)))
	for w := range workers {
		wg.Go(func() {
			for i := range 5 {
				d := int64(w*5 + i)
				err := tb.Transact(ctx,
					table.UpdateOp(key("conc", "a"), table.Update{Add: map[string]int64{"n": -d}}, table.ItemExists()),
					table.UpdateOp(key("conc", "b"), table.Update{Add: map[string]int64{"n": d}}, table.ItemExists()),
				)
				switch {
				case err == nil:
					moved.Add(d)
				case !errors.Is(err, table.ErrConflict):
					t.Errorf("worker %d: transact: %v", w, err)
				}
			}
		})
	}
	wg.Wait()
	a, b := mustGet(t, tb, key("conc", "a")), mustGet(t, tb, key("conc", "b"))
	if a.Int("n") != 100-moved.Load() || b.Int("n") != 100+moved.Load() {
		t.Fatalf("after transfers of %d in all: a=%d b=%d", moved.Load(), a.Int("n"), b.Int("n"))
	}
}

func testContextCanceled(t *testing.T, tb table.Table) {
	mustPut(t, tb, item("ctx", "1"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	calls := map[string]func() error{
		"get": func() error { _, err := tb.Get(ctx, key("ctx", "1")); return err },
		"put": func() error { return tb.Put(ctx, item("ctx", "2")) },
		"update": func() error {
			_, err := tb.Update(ctx, key("ctx", "2"), table.Update{Set: map[string]any{"a": "b"}})
			return err
		},
		"delete":    func() error { return tb.Delete(ctx, key("ctx", "1")) },
		"query":     func() error { _, err := tb.Query(ctx, table.Query{PK: "ctx"}); return err },
		"count":     func() error { _, err := tb.Count(ctx, table.Query{PK: "ctx"}); return err },
		"batch get": func() error { _, err := tb.BatchGet(ctx, []table.Key{key("ctx", "1")}); return err },
		"transact":  func() error { return tb.Transact(ctx, table.PutOp(item("ctx", "2"))) },
	}
	for name, call := range calls {
		wantErr(t, name+" with a cancelled context", call(), context.Canceled)
	}
	wantItem(t, tb, item("ctx", "1"))
	wantAbsent(t, tb, key("ctx", "2"))
}
