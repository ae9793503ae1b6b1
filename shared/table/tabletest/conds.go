package tabletest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/vidiverse/vidiverse/shared/table"
)

type condCase struct {
	name  string
	conds []table.Cond
	holds bool
}

// condCases are evaluated against condBase: n=5, s="m", flag=true, bin=[1 2].
func condCases() []condCase {
	c := func(attr string, op table.CondOp, v any) table.Cond { return table.Cond{Attr: attr, Op: op, Value: v} }
	return []condCase{
		{"exists", []table.Cond{c("n", table.OpExists, nil)}, true},
		{"exists missing", []table.Cond{c("missing", table.OpExists, nil)}, false},
		{"not exists missing", []table.Cond{c("missing", table.OpNotExists, nil)}, true},
		{"not exists", []table.Cond{c("n", table.OpNotExists, nil)}, false},
		{"item exists", []table.Cond{table.ItemExists()}, true},
		{"item not exists", []table.Cond{table.ItemNotExists()}, false},
		{"eq int", []table.Cond{table.AttrEquals("n", int64(5))}, true},
		{"eq int other", []table.Cond{table.AttrEquals("n", int64(6))}, false},
		{"eq string", []table.Cond{table.AttrEquals("s", "m")}, true},
		{"eq string other", []table.Cond{table.AttrEquals("s", "M")}, false},
		{"eq bool", []table.Cond{table.AttrEquals("flag", true)}, true},
		{"eq bool other", []table.Cond{table.AttrEquals("flag", false)}, false},
		{"eq bytes", []table.Cond{table.AttrEquals("bin", []byte{1, 2})}, true},
		{"eq bytes other", []table.Cond{table.AttrEquals("bin", []byte{1})}, false},
		{"eq missing", []table.Cond{table.AttrEquals("missing", "m")}, false},
		{"eq pk", []table.Cond{table.AttrEquals(table.AttrPK, "cond")}, true},
		{"lt int", []table.Cond{c("n", table.OpLess, int64(6))}, true},
		{"lt int equal", []table.Cond{c("n", table.OpLess, int64(5))}, false},
		{"le int", []table.Cond{c("n", table.OpLessEqual, int64(5))}, true},
		{"le int less", []table.Cond{c("n", table.OpLessEqual, int64(4))}, false},
		{"gt int", []table.Cond{c("n", table.OpGreater, int64(-4))}, true},
		{"gt int equal", []table.Cond{c("n", table.OpGreater, int64(5))}, false},
		{"ge int", []table.Cond{c("n", table.OpGreaterEqual, int64(5))}, true},
		{"ge int more", []table.Cond{c("n", table.OpGreaterEqual, int64(6))}, false},
		{"gt int numeric not lexical", []table.Cond{c("n", table.OpGreater, int64(10))}, false},
		{"lt string", []table.Cond{c("s", table.OpLess, "n")}, true},
		{"lt string equal", []table.Cond{c("s", table.OpLess, "m")}, false},
		{"le string", []table.Cond{c("s", table.OpLessEqual, "m")}, true},
		{"le string less", []table.Cond{c("s", table.OpLessEqual, "l")}, false},
		{"gt string", []table.Cond{c("s", table.OpGreater, "M")}, true},
		{"gt string equal", []table.Cond{c("s", table.OpGreater, "m")}, false},
		{"ge string", []table.Cond{c("s", table.OpGreaterEqual, "lz")}, true},
		{"ge string more", []table.Cond{c("s", table.OpGreaterEqual, "ma")}, false},
		{"gt missing", []table.Cond{c("missing", table.OpGreater, int64(0))}, false},
		{"le missing", []table.Cond{c("missing", table.OpLessEqual, "z")}, false},
		{"and both", []table.Cond{table.ItemExists(), table.AttrEquals("n", int64(5)), c("s", table.OpGreater, "a")}, true},
		{"and one fails", []table.Cond{table.ItemExists(), table.AttrEquals("n", int64(5)), c("s", table.OpGreater, "z")}, false},
	}
}

// typeMismatchCases compare attributes with values of another type: such
// comparisons are false.
func typeMismatchCases() []condCase {
	c := func(attr string, op table.CondOp, v any) table.Cond { return table.Cond{Attr: attr, Op: op, Value: v} }
	return []condCase{
		{"eq int with string", []table.Cond{table.AttrEquals("n", "5")}, false},
		{"eq string with int", []table.Cond{table.AttrEquals("s", int64(5))}, false},
		{"eq bool with string", []table.Cond{table.AttrEquals("flag", "true")}, false},
		{"lt string with int", []table.Cond{c("s", table.OpLess, int64(10))}, false},
		{"ge int with string", []table.Cond{c("n", table.OpGreaterEqual, "0")}, false},
	}
}

func condBase(sk string) table.Item {
	return item("cond", sk, "n", int64(5), "s", "m", "flag", true, "bin", []byte{1, 2})
}

func testConditions(t *testing.T, tb table.Table) { runCondCases(t, tb, condCases()) }

func testConditionTypeMismatch(t *testing.T, tb table.Table) {
	runCondCases(t, tb, typeMismatchCases())
}

func runCondCases(t *testing.T, tb table.Table, cases []condCase) {
	ctx := t.Context()
	for _, tc := range cases {
		for _, op := range []string{"put", "update", "delete"} {
			sk := op + "/" + tc.name
			base := condBase(sk)
			mustPut(t, tb, base)
			var err error
			var updated table.Item
			replacement := item("cond", sk, "n", int64(100), "new", "yes")
			switch op {
			case "put":
				err = tb.Put(ctx, replacement, tc.conds...)
			case "update":
				updated, err = tb.Update(ctx, base.Key(), table.Update{Set: map[string]any{"new": "yes"}, Add: map[string]int64{"n": 1}}, tc.conds...)
			case "delete":
				err = tb.Delete(ctx, base.Key(), tc.conds...)
			}
			what := fmt.Sprintf("%s with %s", op, tc.name)
			if !tc.holds {
				if !errors.Is(err, table.ErrConditionFailed) || errors.Is(err, table.ErrInvalid) {
					t.Fatalf("%s: err = %v, want ErrConditionFailed", what, err)
				}
				wantItem(t, tb, base)
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			switch op {
			case "put":
				wantItem(t, tb, replacement)
			case "update":
				want := condBase(sk)
				want["n"], want["new"] = int64(6), "yes"
				if d := diff(updated, want); d != "" {
					t.Fatalf("%s returned: %s", what, d)
				}
				wantItem(t, tb, want)
			case "delete":
				wantAbsent(t, tb, base.Key())
			}
		}
	}
}

func testConditionsOnAbsent(t *testing.T, tb table.Table) {
	ctx := t.Context()
	k := key("absent", "1")
	wantErr(t, "put with item exists", tb.Put(ctx, item("absent", "1"), table.ItemExists()), table.ErrConditionFailed)
	wantErr(t, "put with attr equals", tb.Put(ctx, item("absent", "1"), table.AttrEquals("n", int64(0))), table.ErrConditionFailed)
	_, err := tb.Update(ctx, k, table.Update{Add: map[string]int64{"n": 1}}, table.ItemExists())
	wantErr(t, "update with item exists", err, table.ErrConditionFailed)
	wantErr(t, "delete with item exists", tb.Delete(ctx, k, table.ItemExists()), table.ErrConditionFailed)
	wantAbsent(t, tb, k)

	if err := tb.Delete(ctx, k, table.ItemNotExists()); err != nil {
		t.Fatalf("delete absent with item not exists: %v", err)
	}
	first := item("absent", "1", "v", int64(1))
	if err := tb.Put(ctx, first, table.ItemNotExists(), table.Cond{Attr: "v", Op: table.OpNotExists}); err != nil {
		t.Fatalf("put with item not exists: %v", err)
	}
	wantErr(t, "second put with item not exists", tb.Put(ctx, item("absent", "1", "v", int64(2)), table.ItemNotExists()), table.ErrConditionFailed)
	wantItem(t, tb, first)

	got, err := tb.Update(ctx, key("absent", "2"), table.Update{Add: map[string]int64{"n": 3}}, table.ItemNotExists())
	if err != nil || got.Int("n") != 3 {
		t.Fatalf("update absent with item not exists = %v, %v", got, err)
	}
	_, err = tb.Update(ctx, key("absent", "2"), table.Update{Add: map[string]int64{"n": 3}}, table.ItemNotExists())
	wantErr(t, "update present with item not exists", err, table.ErrConditionFailed)
	wantItem(t, tb, item("absent", "2", "n", int64(3)))
}

// testExpiry checks that an item whose TTL has passed is absent to every
// read and every condition, while one with a future TTL is not.
func testExpiry(t *testing.T, tb table.Table) {
	ctx := t.Context()
	expired := func(sk string) table.Item {
		it := item("exp", sk, "ttl", past(), "n", int64(5), "old", "yes", "gsi1pk", "E", "gsi1sk", sk)
		mustPut(t, tb, it)
		return it
	}
	live := item("exp", "live", "ttl", future(), "n", int64(1), "gsi1pk", "E", "gsi1sk", "live")
	mustPut(t, tb, live)
	plain := item("exp", "plain", "gsi1pk", "E", "gsi1sk", "plain")
	mustPut(t, tb, plain)
	old := expired("old")

	wantAbsent(t, tb, old.Key())
	wantItem(t, tb, live)
	wantSKs(t, "query", flatten(queryAll(t, tb, table.Query{PK: "exp"})), []string{"live", "plain"})
	wantSKs(t, "query index", flatten(queryAll(t, tb, table.Query{Index: "gsi1", PK: "E"})), []string{"live", "plain"})
	if n, err := tb.Count(ctx, table.Query{PK: "exp"}); err != nil || n != 2 {
		t.Fatalf("count = %d, %v; want 2", n, err)
	}
	got, err := tb.BatchGet(ctx, []table.Key{old.Key(), live.Key(), plain.Key()})
	if err != nil {
		t.Fatalf("batch get: %v", err)
	}
	wantSKs(t, "batch get", got, []string{"live", "plain"})

	// Conditions see an expired item as absent.
	wantErr(t, "put with attr equals on expired", tb.Put(ctx, item("exp", "old"), table.AttrEquals("n", int64(5))), table.ErrConditionFailed)
	wantErr(t, "put with item exists on expired", tb.Put(ctx, item("exp", "old"), table.ItemExists()), table.ErrConditionFailed)
	wantErr(t, "delete with item exists on expired", tb.Delete(ctx, old.Key(), table.ItemExists()), table.ErrConditionFailed)
	_, err = tb.Update(ctx, old.Key(), table.Update{Set: map[string]any{"a": "b"}}, table.ItemExists())
	wantErr(t, "update with item exists on expired", err, table.ErrConditionFailed)
	wantAbsent(t, tb, old.Key())
	if err := tb.Put(ctx, item("exp", "live", "n", int64(2)), table.ItemNotExists()); !errors.Is(err, table.ErrConditionFailed) {
		t.Fatalf("put with item not exists on a live item with a future TTL: %v", err)
	}

	fresh := item("exp", "old", "n", int64(9))
	if err := tb.Put(ctx, fresh, table.ItemNotExists(), table.Cond{Attr: "old", Op: table.OpNotExists}); err != nil {
		t.Fatalf("put with item not exists on expired: %v", err)
	}
	wantItem(t, tb, fresh)

	// An update of an expired item starts from an empty item.
	for i, conds := range [][]table.Cond{nil, {table.ItemNotExists()}, {table.Cond{Attr: "n", Op: table.OpNotExists}}} {
		sk := fmt.Sprintf("upd%d", i)
		expired(sk)
		got, err := tb.Update(ctx, key("exp", sk), table.Update{Add: map[string]int64{"n": 1}, Set: map[string]any{"a": "b"}}, conds...)
		if err != nil {
			t.Fatalf("update expired %d: %v", i, err)
		}
		want := item("exp", sk, "n", int64(1), "a", "b")
		if d := diff(got, want); d != "" {
			t.Fatalf("update expired %d returned: %s", i, d)
		}
		wantItem(t, tb, want)
	}

	// Deleting an expired item with conditions that hold on an absent item.
	expired("del")
	if err := tb.Delete(ctx, key("exp", "del"), table.ItemNotExists()); err != nil {
		t.Fatalf("delete expired with item not exists: %v", err)
	}
	wantAbsent(t, tb, key("exp", "del"))
}

// testExpiryTransact checks that transactions see expired items as absent.
func testExpiryTransact(t *testing.T, tb table.Table) {
	ctx := t.Context()
	expired := func(sk string) {
		mustPut(t, tb, item("exp", sk, "ttl", past(), "n", int64(5), "old", "yes"))
	}
	expired("tx1")
	expired("tx2")
	expired("tx3")
	err := tb.Transact(ctx,
		table.CheckOp(key("exp", "tx1"), table.ItemNotExists()),
		table.UpdateOp(key("exp", "tx2"), table.Update{Add: map[string]int64{"n": 1}}),
		table.PutOp(item("exp", "tx3", "n", int64(7)), table.ItemNotExists()),
	)
	if err != nil {
		t.Fatalf("transact on expired items: %v", err)
	}
	wantAbsent(t, tb, key("exp", "tx1"))
	wantItem(t, tb, item("exp", "tx2", "n", int64(1)))
	wantItem(t, tb, item("exp", "tx3", "n", int64(7)))
	expired("tx4")
	err = tb.Transact(ctx,
		table.PutOp(item("exp", "tx5")),
		table.CheckOp(key("exp", "tx4"), table.ItemExists()),
	)
	var tce *table.TxCanceledError
	if !errors.As(err, &tce) || tce.FailedOp(table.ErrConditionFailed) != 1 {
		t.Fatalf("transact checking an expired item exists: %v", err)
	}
	wantAbsent(t, tb, key("exp", "tx5"))
}
