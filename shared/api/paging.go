package api

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Pagination as PeerTube does it: start (offset), count (default 15,
// capped at 100) and sort (a column, "-" for descending).
const (
	defaultCount = 15
	maxCount     = 100
)

type page struct {
	Start, Count int
	Sort         string // column without the "-"
	Desc         bool
	Search       string
}

// listPage is the {total, data} envelope of every list.
type listPage[T any] struct {
	Total int `json:"total"`
	Data  []T `json:"data"`
}

// parsePage reads start, count, sort and search from the query string.
// sorts lists the columns this route sorts by; def is its default sort.
func parsePage(r *http.Request, sorts []string, def string) (page, error) {
	q := r.URL.Query()
	fe := newFieldErrors("query")
	p := page{Count: defaultCount}
	if v := q.Get("start"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fe.add("start", v, "Invalid value")
		}
		p.Start = n
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxCount {
			fe.add("count", v, "Should have a number count (max: 100)")
		}
		p.Count = n
	}
	sort := q.Get("sort")
	if sort == "" {
		sort = def
	}
	p.Sort, p.Desc = strings.TrimPrefix(sort, "-"), strings.HasPrefix(sort, "-")
	if !slices.Contains(sorts, p.Sort) {
		fe.add("sort", sort, "Invalid value")
	}
	p.Search = q.Get("search")
	if len(p.Search) > 200 {
		fe.add("search", nil, "Should have a valid search")
	}
	return p, fe.err()
}

// paginate sorts items by the page's column (keys maps column names to
// comparable keys) and cuts the requested window.
func paginate[T any](items []T, p page, keys map[string]func(T) string) listPage[T] {
	key := keys[p.Sort]
	slices.SortStableFunc(items, func(x, y T) int {
		c := cmp.Compare(key(x), key(y))
		if p.Desc {
			return -c
		}
		return c
	})
	out := listPage[T]{Total: len(items), Data: []T{}}
	if p.Start < len(items) {
		out.Data = items[p.Start:min(len(items), p.Start+p.Count)]
	}
	return out
}

// numKey makes an int sort as a string key.
func numKey(n int64) string { return fmt.Sprintf("%020d", n+1) }
