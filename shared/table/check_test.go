package table

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestApplyRefusesOverflow(t *testing.T) {
	s := Schema{}
	k := Key{PK: "p", SK: "s"}
	for _, tc := range []struct {
		start, add int64
	}{{math.MaxInt64, 1}, {math.MinInt64, -1}, {1, math.MaxInt64}} {
		_, err := s.Apply(Item{"n": tc.start}, k, Update{Add: map[string]int64{"n": tc.add}})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%d + %d: err = %v, want ErrInvalid", tc.start, tc.add, err)
		}
	}
	it, err := s.Apply(Item{"n": int64(math.MaxInt64 - 1)}, k, Update{Add: map[string]int64{"n": 1}})
	if err != nil || it.Int("n") != math.MaxInt64 {
		t.Fatalf("add up to the maximum = %v, %v", it, err)
	}
}

func TestApplyLeavesTheOldItemAlone(t *testing.T) {
	old := Item{AttrPK: "p", AttrSK: "s", "l": []string{"a"}, "n": int64(1)}
	it, err := Schema{}.Apply(old, old.Key(), Update{Set: map[string]any{"x": "y"}, Add: map[string]int64{"n": 1}, Remove: []string{"l"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(old) != 4 || old.Int("n") != 1 || it.Int("n") != 2 || it.Strings("l") != nil {
		t.Fatalf("old %v, new %v", old, it)
	}
}

func TestExpiredAtTheBoundary(t *testing.T) {
	s := Schema{TTLAttribute: "ttl"}
	now := time.Unix(1000, 0)
	cases := map[int64]bool{999: true, 1000: true, 1001: false}
	for ttl, want := range cases {
		if got := s.Expired(Item{"ttl": ttl}, now); got != want {
			t.Errorf("ttl %d at %d: expired = %v", ttl, now.Unix(), got)
		}
	}
	if s.Expired(Item{}, now) || (Schema{}).Expired(Item{"ttl": int64(0)}, now) {
		t.Error("an item without a TTL, or a schema without one, expired")
	}
}

func TestCheckQueryNormalizes(t *testing.T) {
	s := Schema{Indexes: []Index{{Name: "byowner", PK: "owner"}}}
	q, err := s.CheckQuery(Query{PK: "p", SKOp: SKBeginsWith, SK: ""})
	if err != nil || q.SKOp != SKAny {
		t.Fatalf("begins with \"\" = %+v, %v", q, err)
	}
	if _, err := s.CheckQuery(Query{Index: "byowner", PK: "o", SKOp: SKEqual, SK: "x"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("sort key condition on an index without a sort key: %v", err)
	}
	if _, err := s.CheckQuery(Query{Index: "byowner", PK: "o"}); err != nil {
		t.Fatalf("query of an index without a sort key: %v", err)
	}
}

func TestItemSizeCountsNamesAndValues(t *testing.T) {
	it := Item{"ab": "xyz", "n": int64(12345), "b": true, "l": []string{"a", "bc"}, "bin": []byte{1, 2}}
	// 2+3, 1+(5 digits: 3+1), 1+1, 1+(3+2+3), 3+2
	if got, want := ItemSize(it), 5+5+2+9+5; got != want {
		t.Fatalf("size = %d, want %d", got, want)
	}
}
