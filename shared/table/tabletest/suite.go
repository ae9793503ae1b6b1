package tabletest

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/table"
)

// Opener opens a fresh, empty table with the given schema. It registers any
// cleanup with t.
type Opener func(t *testing.T, schema table.Schema) table.Table

// Schema is the schema every subtest opens its table with: two sparse
// indexes and a TTL attribute.
func Schema() table.Schema {
	return table.Schema{
		Indexes: []table.Index{
			{Name: "gsi1", PK: "gsi1pk", SK: "gsi1sk"},
			{Name: "gsi2", PK: "gsi2pk", SK: "gsi2sk"},
		},
		TTLAttribute: "ttl",
	}
}

type subtest struct {
	name string
	fn   func(t *testing.T, tb table.Table)
}

func subtests() []subtest {
	return []subtest{
		{"RoundTrip", testRoundTrip},
		{"InvalidValues", testInvalidValues},
		{"InvalidKeys", testInvalidKeys},
		{"TooLarge", testTooLarge},
		{"GetPutDelete", testGetPutDelete},
		{"Conditions", testConditions},
		{"ConditionTypeMismatch", testConditionTypeMismatch},
		{"ConditionsOnAbsent", testConditionsOnAbsent},
		{"Expiry", testExpiry},
		{"ExpiryTransact", testExpiryTransact},
		{"Update", testUpdate},
		{"UpdateRemove", testUpdateRemove},
		{"UpdateInvalid", testUpdateInvalid},
		{"QueryTable", testQueryTable},
		{"QueryIndex", testQueryIndex},
		{"QueryPaging", testQueryPaging},
		{"QueryCursorAfterDelete", testQueryCursorAfterDelete},
		{"QueryInvalid", testQueryInvalid},
		{"Count", testCount},
		{"IndexUpdateSetsKeys", testIndexUpdateSetsKeys},
		{"IndexUpdateMovesKeys", testIndexUpdateMovesKeys},
		{"IndexUpdateRemovesKeys", testIndexUpdateRemovesKeys},
		{"IndexPutChangesKeys", testIndexPutChangesKeys},
		{"IndexDelete", testIndexDelete},
		{"IndexTransact", testIndexTransact},
		{"BatchGet", testBatchGet},
		{"Transact", testTransact},
		{"TransactAllOrNothing", testTransactAllOrNothing},
		{"TransactInvalid", testTransactInvalid},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"ConcurrentTransacts", testConcurrentTransacts},
		{"ContextCanceled", testContextCanceled},
	}
}

// Run runs the conformance suite; each subtest opens its own table.
func Run(t *testing.T, open Opener) {
	for _, st := range subtests() {
		t.Run(st.name, func(t *testing.T) {
			st.fn(t, open(t, Schema()))
		})
	}
}

// Clock values for TTLs: an expiry well in the past and one well ahead.
func past() int64   { return time.Now().Add(-10 * time.Second).Unix() }
func future() int64 { return time.Now().Add(time.Hour).Unix() }

func mustPut(t *testing.T, tb table.Table, it table.Item) {
	t.Helper()
	if err := tb.Put(t.Context(), it); err != nil {
		t.Fatalf("put %v: %v", it.Key(), err)
	}
}

func mustGet(t *testing.T, tb table.Table, k table.Key) table.Item {
	t.Helper()
	it, err := tb.Get(t.Context(), k)
	if err != nil {
		t.Fatalf("get %v: %v", k, err)
	}
	return it
}

func wantAbsent(t *testing.T, tb table.Table, k table.Key) {
	t.Helper()
	it, err := tb.Get(t.Context(), k)
	if !errors.Is(err, table.ErrNotFound) {
		t.Fatalf("get %v = %v, %v; want ErrNotFound", k, it, err)
	}
}

func wantItem(t *testing.T, tb table.Table, want table.Item) {
	t.Helper()
	got := mustGet(t, tb, want.Key())
	if d := diff(got, want); d != "" {
		t.Fatalf("get %v: %s", want.Key(), d)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v, want %v", what, err, target)
	}
}

// diff describes how got differs from want, "" when they are equal with
// the same Go types.
func diff(got, want table.Item) string {
	var out []string
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%q missing (want %#v)", name, w))
		case !table.SameValue(g, w):
			out = append(out, fmt.Sprintf("%q = %#v, want %#v", name, g, w))
		}
	}
	for name, g := range got {
		if _, ok := want[name]; !ok {
			out = append(out, fmt.Sprintf("unexpected %q = %#v", name, g))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

func sks(items []table.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.String(table.AttrSK)
	}
	return out
}

func key(pk, sk string) table.Key { return table.Key{PK: pk, SK: sk} }

func item(pk, sk string, attrs ...any) table.Item {
	it := table.Item{table.AttrPK: pk, table.AttrSK: sk}
	for i := 0; i+1 < len(attrs); i += 2 {
		it[attrs[i].(string)] = attrs[i+1]
	}
	return it
}

// queryAll follows Next from the first page to the last and returns the
// pages. It fails the test after too many pages.
func queryAll(t *testing.T, tb table.Table, q table.Query) [][]table.Item {
	t.Helper()
	var pages [][]table.Item
	for {
		p, err := tb.Query(t.Context(), q)
		if err != nil {
			t.Fatalf("query %+v: %v", q, err)
		}
		pages = append(pages, p.Items)
		if p.Next == "" {
			return pages
		}
		if len(pages) > 1000 {
			t.Fatalf("query %+v: more than 1000 pages", q)
		}
		q.Cursor = p.Next
	}
}

func flatten(pages [][]table.Item) []table.Item {
	var out []table.Item
	for _, p := range pages {
		out = append(out, p...)
	}
	return out
}

func wantSKs(t *testing.T, what string, got []table.Item, want []string) {
	t.Helper()
	if g := sks(got); !slices.Equal(g, want) && !(len(g) == 0 && len(want) == 0) {
		t.Fatalf("%s: sort keys %q, want %q", what, g, want)
	}
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}
