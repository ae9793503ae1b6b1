package tabletest

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/table"
)

func testRoundTrip(t *testing.T, tb table.Table) {
	want := table.Item{
		table.AttrPK: "ユーザー#1", table.AttrSK: "動画/🎬 #2",
		"s": "hello", "empty": "", "uni": "héllo wörld ✓ 日本語 🎉",
		"i": int64(42), "neg": int64(-7), "zero": int64(0),
		"max": int64(math.MaxInt64), "min": int64(math.MinInt64),
		"t": true, "f": false,
		"bin": []byte{0, 1, 2, 0xfe, 0xff}, "emptybin": []byte{},
		"list": []string{"a", "", "ü", "a"}, "emptylist": []string{},
		"名前": "unicode attribute name",
	}
	mustPut(t, tb, table.CopyItem(want))
	got := mustGet(t, tb, want.Key())
	if d := diff(got, want); d != "" {
		t.Fatalf("round trip: %s", d)
	}

	// The engine keeps its own copy: changing what was put or what was read
	// changes nothing stored.
	it := item("copy", "1", "list", []string{"x"}, "bin", []byte{1})
	mustPut(t, tb, it)
	it["list"].([]string)[0] = "changed"
	it["bin"].([]byte)[0] = 9
	got = mustGet(t, tb, key("copy", "1"))
	got["list"].([]string)[0] = "changed too"
	wantItem(t, tb, item("copy", "1", "list", []string{"x"}, "bin", []byte{1}))

	// A nil list or byte slice is stored as an empty one.
	mustPut(t, tb, item("nil", "1", "list", []string(nil), "bin", []byte(nil)))
	wantItem(t, tb, item("nil", "1", "list", []string{}, "bin", []byte{}))
}

func testInvalidValues(t *testing.T, tb table.Table) {
	ctx := t.Context()
	bad := map[string]any{
		"int":            1,
		"int32":          int32(1),
		"uint64":         uint64(1),
		"float":          1.5,
		"nil":            nil,
		"map":            map[string]any{"a": "b"},
		"ints":           []int64{1},
		"anys":           []any{"a"},
		"time":           time.Now(),
		"struct":         struct{}{},
		"bad utf8":       "\xff\xfe",
		"bad utf8 elems": []string{"ok", "\xff"},
	}
	for name, v := range bad {
		k := key("bad", name)
		wantErr(t, "put "+name, tb.Put(ctx, item(k.PK, k.SK, "x", v)), table.ErrInvalid)
		_, err := tb.Update(ctx, k, table.Update{Set: map[string]any{"x": v}})
		wantErr(t, "update "+name, err, table.ErrInvalid)
		wantAbsent(t, tb, k)
	}

	schemaBad := map[string]table.Item{
		"index pk not a string":  item("bad", "ix1", "gsi1pk", int64(1), "gsi1sk", "a"),
		"index sk not a string":  item("bad", "ix2", "gsi1pk", "a", "gsi1sk", true),
		"empty index pk":         item("bad", "ix3", "gsi1pk", "", "gsi1sk", "a"),
		"empty index sk":         item("bad", "ix4", "gsi2pk", "a", "gsi2sk", ""),
		"ttl not an int64":       item("bad", "ttl1", "ttl", "tomorrow"),
		"empty attribute name":   item("bad", "name1", "", "x"),
		"bad utf8 attr name":     item("bad", "name2", "\xff", "x"),
		"index pk over 2048 B":   item("bad", "ix5", "gsi1pk", strings.Repeat("p", 2049), "gsi1sk", "a"),
		"index sk over 1024 B":   item("bad", "ix6", "gsi1pk", "a", "gsi1sk", strings.Repeat("s", 1025)),
		"attribute name too big": item("bad", "name3", strings.Repeat("n", 256), "x"),
	}
	for name, it := range schemaBad {
		wantErr(t, "put "+name, tb.Put(ctx, it), table.ErrInvalid)
		wantAbsent(t, tb, it.Key())
	}

	// Condition values must be comparable values of an allowed type.
	mustPut(t, tb, item("bad", "cond", "n", int64(1)))
	badConds := map[string]table.Cond{
		"int value":        table.AttrEquals("n", 1),
		"nil value":        table.AttrEquals("n", nil),
		"list value":       table.AttrEquals("n", []string{"a"}),
		"ordered bool":     {Attr: "n", Op: table.OpLess, Value: true},
		"ordered bytes":    {Attr: "n", Op: table.OpGreater, Value: []byte{1}},
		"unknown operator": {Attr: "n", Op: table.CondOp(99), Value: int64(1)},
		"no attribute":     {Attr: "", Op: table.OpExists},
	}
	for name, c := range badConds {
		wantErr(t, "put with "+name, tb.Put(ctx, item("bad", "cond", "n", int64(2)), c), table.ErrInvalid)
		_, err := tb.Update(ctx, key("bad", "cond"), table.Update{Add: map[string]int64{"n": 1}}, c)
		wantErr(t, "update with "+name, err, table.ErrInvalid)
		wantErr(t, "delete with "+name, tb.Delete(ctx, key("bad", "cond"), c), table.ErrInvalid)
	}
	wantItem(t, tb, item("bad", "cond", "n", int64(1)))
}

func testInvalidKeys(t *testing.T, tb table.Table) {
	ctx := t.Context()
	items := map[string]table.Item{
		"no pk":       {table.AttrSK: "s"},
		"no sk":       {table.AttrPK: "p"},
		"empty pk":    {table.AttrPK: "", table.AttrSK: "s"},
		"empty sk":    {table.AttrPK: "p", table.AttrSK: ""},
		"int pk":      {table.AttrPK: int64(1), table.AttrSK: "s"},
		"bytes sk":    {table.AttrPK: "p", table.AttrSK: []byte("s")},
		"long pk":     {table.AttrPK: strings.Repeat("p", 2049), table.AttrSK: "s"},
		"long sk":     {table.AttrPK: "p", table.AttrSK: strings.Repeat("s", 1025)},
		"bad utf8 pk": {table.AttrPK: "\xff", table.AttrSK: "s"},
	}
	for name, it := range items {
		wantErr(t, "put "+name, tb.Put(ctx, it), table.ErrInvalid)
	}
	keys := map[string]table.Key{
		"zero": {}, "no sk": {PK: "p"}, "no pk": {SK: "s"},
		"long pk": {PK: strings.Repeat("p", 2049), SK: "s"},
	}
	for name, k := range keys {
		_, err := tb.Get(ctx, k)
		wantErr(t, "get "+name, err, table.ErrInvalid)
		_, err = tb.Update(ctx, k, table.Update{Set: map[string]any{"a": "b"}})
		wantErr(t, "update "+name, err, table.ErrInvalid)
		wantErr(t, "delete "+name, tb.Delete(ctx, k), table.ErrInvalid)
		_, err = tb.BatchGet(ctx, []table.Key{key("p", "s"), k})
		wantErr(t, "batch get "+name, err, table.ErrInvalid)
	}
	// Keys at the size limits are fine.
	long := item(strings.Repeat("p", 2048), strings.Repeat("s", 1024))
	mustPut(t, tb, long)
	wantItem(t, tb, long)
}

func testTooLarge(t *testing.T, tb table.Table) {
	ctx := t.Context()
	big := strings.Repeat("x", table.MaxItemBytes+1)
	wantErr(t, "put big string", tb.Put(ctx, item("big", "1", "s", big)), table.ErrTooLarge)
	wantErr(t, "put big bytes", tb.Put(ctx, item("big", "2", "b", []byte(big))), table.ErrTooLarge)
	wantErr(t, "put big list", tb.Put(ctx, item("big", "3", "l", []string{big[:table.MaxItemBytes/2], big[:table.MaxItemBytes/2]})), table.ErrTooLarge)
	_, err := tb.Update(ctx, key("big", "4"), table.Update{Set: map[string]any{"s": big}})
	wantErr(t, "update big", err, table.ErrTooLarge)
	wantErr(t, "transact big", tb.Transact(ctx, table.PutOp(item("big", "5", "s", big))), table.ErrTooLarge)
	for _, sk := range []string{"1", "2", "3", "4", "5"} {
		wantAbsent(t, tb, key("big", sk))
	}
	// Large items under the limit round-trip.
	ok := item("big", "ok", "b", []byte(big[:300*1024]), "s", big[:64*1024])
	mustPut(t, tb, ok)
	wantItem(t, tb, ok)
}

func testGetPutDelete(t *testing.T, tb table.Table) {
	ctx := t.Context()
	k := key("gpd", "1")
	wantAbsent(t, tb, k)
	first := item("gpd", "1", "a", "x", "b", int64(1))
	mustPut(t, tb, first)
	wantItem(t, tb, first)
	// A put replaces the whole item.
	second := item("gpd", "1", "c", true)
	mustPut(t, tb, second)
	wantItem(t, tb, second)
	// Neighbours are separate items.
	mustPut(t, tb, item("gpd", "10", "n", int64(10)))
	mustPut(t, tb, item("gpd1", "1", "n", int64(11)))
	if err := tb.Delete(ctx, k); err != nil {
		t.Fatalf("delete: %v", err)
	}
	wantAbsent(t, tb, k)
	wantItem(t, tb, item("gpd", "10", "n", int64(10)))
	wantItem(t, tb, item("gpd1", "1", "n", int64(11)))
	if err := tb.Delete(ctx, k); err != nil {
		t.Fatalf("delete absent: %v", err)
	}
}

func testUpdate(t *testing.T, tb table.Table) {
	ctx := t.Context()
	k := key("upd", "1")
	got, err := tb.Update(ctx, k, table.Update{
		Set: map[string]any{"a": "x", "list": []string{}, "bin": []byte{}, "gone": "soon"},
		Add: map[string]int64{"n": 2},
	})
	if err != nil {
		t.Fatalf("update absent: %v", err)
	}
	want := item("upd", "1", "a", "x", "n", int64(2), "list", []string{}, "bin", []byte{}, "gone", "soon")
	if d := diff(got, want); d != "" {
		t.Fatalf("update absent returned: %s", d)
	}
	wantItem(t, tb, want)

	got, err = tb.Update(ctx, k, table.Update{
		Set: map[string]any{"a": "y", "list": []string{"p", "q"}, "flag": true, "bin": []byte{7}},
		Add: map[string]int64{"n": -5, "m": 7},
	})
	if err != nil {
		t.Fatalf("update: %v", err)
	}
	want = item("upd", "1", "a", "y", "n", int64(-3), "m", int64(7), "list", []string{"p", "q"}, "flag", true, "bin", []byte{7}, "gone", "soon")
	if d := diff(got, want); d != "" {
		t.Fatalf("update returned: %s", d)
	}
	wantItem(t, tb, want)

	// The returned item is the caller's to change.
	got["list"].([]string)[0] = "changed"
	wantItem(t, tb, want)

	// Setting a TTL in the past hides the item; Update still returns it.
	got, err = tb.Update(ctx, k, table.Update{Set: map[string]any{"ttl": past()}})
	if err != nil || got.Int("n") != -3 {
		t.Fatalf("update ttl = %v, %v", got, err)
	}
	wantAbsent(t, tb, k)
}

func testUpdateRemove(t *testing.T, tb table.Table) {
	ctx := t.Context()
	k := key("rm", "1")
	mustPut(t, tb, item("rm", "1", "a", "x", "b", int64(1), "c", []string{"l"}, "d", true))
	got, err := tb.Update(ctx, k, table.Update{Remove: []string{"a", "missing"}})
	if err != nil {
		t.Fatalf("update remove: %v", err)
	}
	want := item("rm", "1", "b", int64(1), "c", []string{"l"}, "d", true)
	if d := diff(got, want); d != "" {
		t.Fatalf("update remove returned: %s", d)
	}
	wantItem(t, tb, want)
	got, err = tb.Update(ctx, k, table.Update{Set: map[string]any{"e": "new"}, Add: map[string]int64{"b": 1}, Remove: []string{"c", "d"}})
	if err != nil {
		t.Fatalf("update set, add and remove: %v", err)
	}
	want = item("rm", "1", "b", int64(2), "e", "new")
	if d := diff(got, want); d != "" {
		t.Fatalf("update set, add and remove returned: %s", d)
	}
	wantItem(t, tb, want)
	// Removing from an absent item creates it with its key alone.
	got, err = tb.Update(ctx, key("rm", "2"), table.Update{Remove: []string{"x"}})
	if err != nil {
		t.Fatalf("update remove absent: %v", err)
	}
	if d := diff(got, item("rm", "2")); d != "" {
		t.Fatalf("update remove absent returned: %s", d)
	}
	wantItem(t, tb, item("rm", "2"))
}

func testUpdateInvalid(t *testing.T, tb table.Table) {
	ctx := t.Context()
	orig := item("updbad", "1", "s", "str", "n", int64(1), "gsi1pk", "G", "gsi1sk", "1")
	mustPut(t, tb, orig)
	k := orig.Key()
	bad := map[string]table.Update{
		"nothing":           {},
		"set pk":            {Set: map[string]any{table.AttrPK: "other"}},
		"set sk":            {Set: map[string]any{table.AttrSK: "other"}},
		"add sk":            {Add: map[string]int64{table.AttrSK: 1}},
		"remove pk":         {Remove: []string{table.AttrPK}},
		"set and remove":    {Set: map[string]any{"a": "x"}, Remove: []string{"a"}},
		"set and add":       {Set: map[string]any{"n": int64(1)}, Add: map[string]int64{"n": 1}},
		"remove twice":      {Remove: []string{"s", "s"}},
		"add to a string":   {Add: map[string]int64{"s": 1}},
		"add to index key":  {Add: map[string]int64{"gsi2pk": 1}},
		"set ttl string":    {Set: map[string]any{"ttl": "soon"}},
		"set index key int": {Set: map[string]any{"gsi1sk": int64(2)}},
		"set empty index":   {Set: map[string]any{"gsi1pk": ""}},
		"empty name":        {Set: map[string]any{"": "x"}},
	}
	for name, u := range bad {
		_, err := tb.Update(ctx, k, u)
		wantErr(t, "update "+name, err, table.ErrInvalid)
		wantItem(t, tb, orig)
	}
}
