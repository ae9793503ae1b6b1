package tabletest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/vidiverse/vidiverse/shared/table"
)

// The index subtests change the index keys of stored items in every way a
// write can, with other entries already in the index, and check that each
// index holds exactly the items with both of its key attributes.

// seedIndex puts three items in gsi1 partition "X" (sort keys 1, 2, 3) and
// in gsi2 partition "X2", plus one item in neither.
func seedIndex(t *testing.T, tb table.Table) {
	for i := 1; i <= 3; i++ {
		mustPut(t, tb, item("seed", fmt.Sprint(i), "gsi1pk", "X", "gsi1sk", fmt.Sprint(i), "gsi2pk", "X2", "gsi2sk", fmt.Sprint(i)))
	}
	mustPut(t, tb, item("plain", "1", "v", "p"))
}

// wantIndex checks the index sort keys of an index partition, in order.
func wantIndex(t *testing.T, tb table.Table, index, pk string, want ...string) {
	t.Helper()
	skAttr := index + "sk"
	var got []string
	for _, it := range flatten(queryAll(t, tb, table.Query{Index: index, PK: pk})) {
		if it.String(index+"pk") != pk {
			t.Fatalf("index %s partition %q returned %v", index, pk, it)
		}
		got = append(got, it.String(skAttr))
	}
	if !slices.Equal(got, want) && len(got)+len(want) > 0 {
		t.Fatalf("index %s partition %q: sort keys %q, want %q", index, pk, got, want)
	}
	if n, err := tb.Count(t.Context(), table.Query{Index: index, PK: pk}); err != nil || n != len(want) {
		t.Fatalf("count of index %s partition %q = %d, %v; want %d", index, pk, n, err, len(want))
	}
}

func mustUpdate(t *testing.T, tb table.Table, k table.Key, u table.Update) table.Item {
	t.Helper()
	it, err := tb.Update(t.Context(), k, u)
	if err != nil {
		t.Fatalf("update %v: %v", k, err)
	}
	return it
}

func testIndexUpdateSetsKeys(t *testing.T, tb table.Table) {
	seedIndex(t, tb)
	// An item outside the index enters it.
	mustUpdate(t, tb, key("plain", "1"), table.Update{Set: map[string]any{"gsi1pk": "X", "gsi1sk": "15"}})
	wantIndex(t, tb, "gsi1", "X", "1", "15", "2", "3")
	// An update that creates an item puts it in the index.
	mustUpdate(t, tb, key("new", "1"), table.Update{Set: map[string]any{"gsi1pk": "X", "gsi1sk": "0"}})
	wantIndex(t, tb, "gsi1", "X", "0", "1", "15", "2", "3")
	// One of two index keys is not enough.
	mustUpdate(t, tb, key("new", "2"), table.Update{Set: map[string]any{"gsi2pk": "X2"}})
	wantIndex(t, tb, "gsi2", "X2", "1", "2", "3")
	mustUpdate(t, tb, key("new", "2"), table.Update{Set: map[string]any{"gsi2sk": "4"}})
	wantIndex(t, tb, "gsi2", "X2", "1", "2", "3", "4")
	wantIndex(t, tb, "gsi1", "X", "0", "1", "15", "2", "3")
}

func testIndexUpdateMovesKeys(t *testing.T, tb table.Table) {
	seedIndex(t, tb)
	mustUpdate(t, tb, key("seed", "2"), table.Update{Set: map[string]any{"gsi1sk": "9"}})
	wantIndex(t, tb, "gsi1", "X", "1", "3", "9")
	mustUpdate(t, tb, key("seed", "2"), table.Update{Set: map[string]any{"gsi1pk": "Y"}})
	wantIndex(t, tb, "gsi1", "X", "1", "3")
	wantIndex(t, tb, "gsi1", "Y", "9")
	wantIndex(t, tb, "gsi2", "X2", "1", "2", "3")
}

func testIndexUpdateRemovesKeys(t *testing.T, tb table.Table) {
	seedIndex(t, tb)
	mustUpdate(t, tb, key("seed", "2"), table.Update{Remove: []string{"gsi1sk"}})
	wantIndex(t, tb, "gsi1", "X", "1", "3")
	mustUpdate(t, tb, key("seed", "3"), table.Update{Remove: []string{"gsi1pk", "gsi2pk"}})
	wantIndex(t, tb, "gsi1", "X", "1")
	wantIndex(t, tb, "gsi2", "X2", "1", "2")
	// Back in.
	mustUpdate(t, tb, key("seed", "2"), table.Update{Set: map[string]any{"gsi1sk": "2"}})
	wantIndex(t, tb, "gsi1", "X", "1", "2")
}

func testIndexPutChangesKeys(t *testing.T, tb table.Table) {
	seedIndex(t, tb)
	mustPut(t, tb, item("seed", "2", "gsi1pk", "X", "gsi1sk", "9"))
	wantIndex(t, tb, "gsi1", "X", "1", "3", "9")
	wantIndex(t, tb, "gsi2", "X2", "1", "3")
	mustPut(t, tb, item("seed", "1", "gsi1pk", "Y", "gsi1sk", "1", "gsi2pk", "X2", "gsi2sk", "0"))
	wantIndex(t, tb, "gsi1", "X", "3", "9")
	wantIndex(t, tb, "gsi1", "Y", "1")
	wantIndex(t, tb, "gsi2", "X2", "0", "3")
	// A put that keeps the index keys keeps the entry.
	mustPut(t, tb, item("seed", "3", "gsi1pk", "X", "gsi1sk", "3", "v", "new"))
	wantIndex(t, tb, "gsi1", "X", "3", "9")
	// A put without index keys takes the item out.
	mustPut(t, tb, item("seed", "3", "v", "no index keys"))
	wantIndex(t, tb, "gsi1", "X", "9")
	wantIndex(t, tb, "gsi2", "X2", "0")
}

func testIndexDelete(t *testing.T, tb table.Table) {
	seedIndex(t, tb)
	if err := tb.Delete(t.Context(), key("seed", "2")); err != nil {
		t.Fatal(err)
	}
	wantIndex(t, tb, "gsi1", "X", "1", "3")
	wantIndex(t, tb, "gsi2", "X2", "1", "3")
	if err := tb.Delete(t.Context(), key("seed", "1"), table.ItemExists()); err != nil {
		t.Fatal(err)
	}
	wantIndex(t, tb, "gsi1", "X", "3")
	mustPut(t, tb, item("seed", "2", "gsi1pk", "X", "gsi1sk", "2"))
	wantIndex(t, tb, "gsi1", "X", "2", "3")
}

func testIndexTransact(t *testing.T, tb table.Table) {
	seedIndex(t, tb)
	err := tb.Transact(t.Context(),
		table.PutOp(item("new", "1", "gsi1pk", "X", "gsi1sk", "0")),
		table.UpdateOp(key("seed", "1"), table.Update{Set: map[string]any{"gsi1sk": "8"}}),
		table.UpdateOp(key("plain", "1"), table.Update{Set: map[string]any{"gsi1pk": "X", "gsi1sk": "25"}}),
		table.DeleteOp(key("seed", "3")),
	)
	if err != nil {
		t.Fatalf("transact: %v", err)
	}
	wantIndex(t, tb, "gsi1", "X", "0", "2", "25", "8")
	wantIndex(t, tb, "gsi2", "X2", "1", "2")
	// A cancelled transaction leaves the index as it was.
	err = tb.Transact(t.Context(),
		table.PutOp(item("new", "2", "gsi1pk", "X", "gsi1sk", "00")),
		table.UpdateOp(key("seed", "2"), table.Update{Set: map[string]any{"gsi1sk": "99"}}),
		table.CheckOp(key("seed", "3"), table.ItemExists()),
	)
	wantErr(t, "cancelled transact", err, table.ErrConditionFailed)
	wantIndex(t, tb, "gsi1", "X", "0", "2", "25", "8")
}
