package tabletest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/vidiverse/vidiverse/shared/table"
)

// querySKs are the sort keys of partition "q", in byte order.
var querySKs = []string{"B", "a", "a#1", "a#2", "b", "ba", "bb", "c", "z", "é"}

type skCase struct {
	op      table.SKOp
	sk, sk2 string
	want    []string
}

func skCases() []skCase {
	return []skCase{
		{table.SKAny, "", "", querySKs},
		{table.SKEqual, "b", "", []string{"b"}},
		{table.SKEqual, "bz", "", nil},
		{table.SKBeginsWith, "b", "", []string{"b", "ba", "bb"}},
		{table.SKBeginsWith, "a#", "", []string{"a#1", "a#2"}},
		{table.SKBeginsWith, "", "", querySKs},
		{table.SKBetween, "a#1", "ba", []string{"a#1", "a#2", "b", "ba"}},
		{table.SKBetween, "b", "b", []string{"b"}},
		{table.SKLess, "b", "", []string{"B", "a", "a#1", "a#2"}},
		{table.SKLessEqual, "b", "", []string{"B", "a", "a#1", "a#2", "b"}},
		{table.SKGreater, "bb", "", []string{"c", "z", "é"}},
		{table.SKGreaterEqual, "bb", "", []string{"bb", "c", "z", "é"}},
		{table.SKGreater, "é", "", nil},
	}
}

func testQueryTable(t *testing.T, tb table.Table) {
	// Insert out of order, with neighbouring partitions that share a prefix.
	for _, i := range []int{5, 2, 9, 0, 7, 1, 8, 3, 6, 4} {
		mustPut(t, tb, item("q", querySKs[i], "i", int64(i)))
	}
	for _, pk := range []string{"qa", "Q", "q2", "r"} {
		mustPut(t, tb, item(pk, "a", "i", int64(-1)))
		mustPut(t, tb, item(pk, "b", "i", int64(-1)))
	}
	for _, tc := range skCases() {
		for _, reverse := range []bool{false, true} {
			q := table.Query{PK: "q", SKOp: tc.op, SK: tc.sk, SK2: tc.sk2, Reverse: reverse}
			got := flatten(queryAll(t, tb, q))
			want := tc.want
			if reverse {
				want = reversed(want)
			}
			wantSKs(t, fmt.Sprintf("query %+v", q), got, want)
			for _, it := range got {
				i := it.Int("i")
				if it.String(table.AttrPK) != "q" || querySKs[i] != it.String(table.AttrSK) {
					t.Fatalf("query %+v returned %v", q, it)
				}
			}
		}
	}
	wantSKs(t, "empty partition", flatten(queryAll(t, tb, table.Query{PK: "nothing"})), nil)
}

func testQueryIndex(t *testing.T, tb table.Table) {
	for i := range querySKs {
		j := (i * 7) % len(querySKs) // items in another order than their index keys
		mustPut(t, tb, item("user#"+fmt.Sprint(i), "profile",
			"gsi1pk", "G", "gsi1sk", querySKs[j], "i", int64(j), "name", fmt.Sprint("user ", i)))
	}
	// Not in gsi1: no index partition key, or no index sort key.
	mustPut(t, tb, item("user#x", "profile", "gsi1sk", "a", "gsi2pk", "G2", "gsi2sk", "1"))
	mustPut(t, tb, item("user#y", "profile", "gsi1pk", "G"))
	// Only in gsi2.
	mustPut(t, tb, item("user#z", "profile", "gsi2pk", "G2", "gsi2sk", "2"))
	// Another gsi1 partition.
	mustPut(t, tb, item("other", "1", "gsi1pk", "G1", "gsi1sk", "a"))

	for _, tc := range skCases() {
		for _, reverse := range []bool{false, true} {
			q := table.Query{Index: "gsi1", PK: "G", SKOp: tc.op, SK: tc.sk, SK2: tc.sk2, Reverse: reverse}
			got := flatten(queryAll(t, tb, q))
			var gotIx []string
			for _, it := range got {
				gotIx = append(gotIx, it.String("gsi1sk"))
				j := it.Int("i")
				if it.String("gsi1sk") != querySKs[j] || it.String("gsi1pk") != "G" || it.String("name") == "" || it.String(table.AttrSK) != "profile" {
					t.Fatalf("query %+v returned incomplete item %v", q, it)
				}
			}
			want := tc.want
			if reverse {
				want = reversed(want)
			}
			if !slices.Equal(gotIx, want) && len(gotIx)+len(want) > 0 {
				t.Fatalf("query %+v: index sort keys %q, want %q", q, gotIx, want)
			}
		}
	}
	got := flatten(queryAll(t, tb, table.Query{Index: "gsi2", PK: "G2"}))
	if len(got) != 2 || got[0].String(table.AttrPK) != "user#x" || got[1].String(table.AttrPK) != "user#z" {
		t.Fatalf("gsi2 query: %v", got)
	}
	wantSKs(t, "index partition of a table partition", flatten(queryAll(t, tb, table.Query{Index: "gsi1", PK: "user#1"})), nil)

	// Equal index sort keys: both items are returned.
	mustPut(t, tb, item("dup", "1", "gsi2pk", "D", "gsi2sk", "same"))
	mustPut(t, tb, item("dup", "2", "gsi2pk", "D", "gsi2sk", "same"))
	wantSKs(t, "equal index sort keys", sorted(flatten(queryAll(t, tb, table.Query{Index: "gsi2", PK: "D"}))), []string{"1", "2"})
}

func sorted(items []table.Item) []table.Item {
	out := slices.Clone(items)
	slices.SortFunc(out, func(a, b table.Item) int {
		switch {
		case a.String(table.AttrSK) < b.String(table.AttrSK):
			return -1
		case a.String(table.AttrSK) > b.String(table.AttrSK):
			return 1
		}
		return 0
	})
	return out
}

// pagedSKs checks paging with a limit: every page but the last is full,
// the last has no Next, and together they are want, in order.
func pagedSKs(t *testing.T, tb table.Table, q table.Query, want []string) {
	t.Helper()
	pages := queryAll(t, tb, q)
	for i, p := range pages[:len(pages)-1] {
		if len(p) != q.Limit {
			t.Fatalf("query %+v: page %d of %d has %d items, want %d", q, i, len(pages), len(p), q.Limit)
		}
	}
	if last := pages[len(pages)-1]; len(last) > q.Limit || len(last) == 0 && len(pages) > 1 {
		t.Fatalf("query %+v: last page has %d items", q, len(last))
	}
	wantSKs(t, fmt.Sprintf("paged query %+v", q), flatten(pages), want)
}

func testQueryPaging(t *testing.T, tb table.Table) {
	var live []string
	for i := range 30 {
		sk := fmt.Sprintf("item#%02d", i)
		it := item("page", sk, "gsi1pk", "P", "gsi1sk", sk, "i", int64(i))
		if i%3 == 1 {
			it["ttl"] = past()
		} else {
			live = append(live, sk)
		}
		mustPut(t, tb, it)
	}
	for _, i := range []int{0, 1, 2} {
		mustPut(t, tb, item("pagf", fmt.Sprint(i), "gsi1pk", "PQ", "gsi1sk", fmt.Sprint(i)))
	}
	if len(live) != 20 {
		t.Fatalf("setup: %d live items", len(live))
	}
	for _, limit := range []int{1, 3, 5, 7, 10, 19, 20, 21, 100} {
		pagedSKs(t, tb, table.Query{PK: "page", Limit: limit}, live)
		pagedSKs(t, tb, table.Query{PK: "page", Limit: limit, Reverse: true}, reversed(live))
	}
	// Paging through an index and with a sort key condition.
	pagedSKs(t, tb, table.Query{Index: "gsi1", PK: "P", Limit: 4}, live)
	pagedSKs(t, tb, table.Query{Index: "gsi1", PK: "P", Limit: 6, Reverse: true}, reversed(live))
	between := []string{}
	for _, sk := range live {
		if sk >= "item#05" && sk <= "item#20" {
			between = append(between, sk)
		}
	}
	pagedSKs(t, tb, table.Query{PK: "page", SKOp: table.SKBetween, SK: "item#05", SK2: "item#20", Limit: 4}, between)
	pagedSKs(t, tb, table.Query{Index: "gsi1", PK: "P", SKOp: table.SKGreater, SK: "item#20", Limit: 2}, live[len(live)-6:])

	// Without a limit every live item comes back in order, maybe in pages.
	wantSKs(t, "no limit", flatten(queryAll(t, tb, table.Query{PK: "page"})), live)

}

// testQueryCursorAfterDelete checks that a cursor stays valid when the
// item it points at is deleted.
func testQueryCursorAfterDelete(t *testing.T, tb table.Table) {
	ctx := t.Context()
	var sks []string
	for i := range 10 {
		sk := fmt.Sprint(i)
		sks = append(sks, sk)
		mustPut(t, tb, item("cur", sk, "gsi1pk", "C", "gsi1sk", sk))
	}
	for _, index := range []string{"", "gsi1"} {
		pk := map[string]string{"": "cur", "gsi1": "C"}[index]
		for _, reverse := range []bool{false, true} {
			p, err := tb.Query(ctx, table.Query{Index: index, PK: pk, Limit: 2, Reverse: reverse})
			if err != nil || len(p.Items) != 2 || p.Next == "" {
				t.Fatalf("first page = %v, %v", p, err)
			}
			deleted := p.Items[1]
			if err := tb.Delete(ctx, deleted.Key()); err != nil {
				t.Fatal(err)
			}
			rest := flatten(queryAll(t, tb, table.Query{Index: index, PK: pk, Reverse: reverse, Cursor: p.Next}))
			want := sks[2:]
			if reverse {
				want = reversed(sks[:len(sks)-2])
			}
			wantSKs(t, fmt.Sprintf("index %q reverse %v after deleting the cursor's item", index, reverse), rest, want)
			mustPut(t, tb, deleted)
		}
	}
}

func testQueryInvalid(t *testing.T, tb table.Table) {
	ctx := t.Context()
	for i := range 5 {
		mustPut(t, tb, item("inv", fmt.Sprint(i), "gsi1pk", "I", "gsi1sk", fmt.Sprint(i)))
		mustPut(t, tb, item("inv2", fmt.Sprint(i)))
	}
	first, err := tb.Query(ctx, table.Query{PK: "inv", Limit: 2})
	if err != nil || first.Next == "" {
		t.Fatalf("first page = %v, %v", first, err)
	}
	ixFirst, err := tb.Query(ctx, table.Query{Index: "gsi1", PK: "I", Limit: 2})
	if err != nil || ixFirst.Next == "" {
		t.Fatalf("first index page = %v, %v", ixFirst, err)
	}
	bad := map[string]table.Query{
		"no partition":            {},
		"unknown index":           {Index: "nope", PK: "inv"},
		"negative limit":          {PK: "inv", Limit: -1},
		"unknown sort key op":     {PK: "inv", SKOp: table.SKOp(99), SK: "a"},
		"empty sort key":          {PK: "inv", SKOp: table.SKEqual},
		"empty upper bound":       {PK: "inv", SKOp: table.SKBetween, SK: "a"},
		"reversed bounds":         {PK: "inv", SKOp: table.SKBetween, SK: "b", SK2: "a"},
		"garbage cursor":          {PK: "inv", Cursor: "not a cursor!"},
		"cursor of another pk":    {PK: "inv2", Cursor: first.Next},
		"table cursor on index":   {Index: "gsi1", PK: "I", Cursor: first.Next},
		"index cursor on table":   {PK: "inv", Cursor: ixFirst.Next},
		"index cursor on another": {Index: "gsi2", PK: "I", Cursor: ixFirst.Next},
	}
	for name, q := range bad {
		_, err := tb.Query(ctx, q)
		wantErr(t, "query with "+name, err, table.ErrInvalid)
	}
	for name, q := range bad {
		if q.Cursor != "" || q.Limit != 0 {
			continue // Count ignores the cursor and the limit
		}
		_, err := tb.Count(ctx, q)
		wantErr(t, "count with "+name, err, table.ErrInvalid)
	}
}

func testCount(t *testing.T, tb table.Table) {
	ctx := t.Context()
	for i := range 25 {
		it := item("cnt", fmt.Sprintf("item#%02d", i), "gsi1pk", "C", "gsi1sk", fmt.Sprintf("%02d", i))
		if i >= 20 {
			it["ttl"] = past()
		}
		mustPut(t, tb, it)
	}
	mustPut(t, tb, item("cnt2", "item#00"))
	cases := []struct {
		q    table.Query
		want int
	}{
		{table.Query{PK: "cnt"}, 20},
		{table.Query{PK: "cnt", Limit: 3}, 20},
		{table.Query{PK: "cnt", Limit: 3, Reverse: true}, 20},
		{table.Query{PK: "cnt", SKOp: table.SKBeginsWith, SK: "item#1"}, 10},
		{table.Query{PK: "cnt", SKOp: table.SKBetween, SK: "item#05", SK2: "item#14"}, 10},
		{table.Query{PK: "cnt", SKOp: table.SKGreaterEqual, SK: "item#18"}, 2},
		{table.Query{Index: "gsi1", PK: "C"}, 20},
		{table.Query{Index: "gsi1", PK: "C", SKOp: table.SKLess, SK: "05"}, 5},
		{table.Query{Index: "gsi2", PK: "C"}, 0},
		{table.Query{PK: "none"}, 0},
	}
	for _, tc := range cases {
		n, err := tb.Count(ctx, tc.q)
		if err != nil || n != tc.want {
			t.Fatalf("count %+v = %d, %v; want %d", tc.q, n, err, tc.want)
		}
	}
}
