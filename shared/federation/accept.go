package federation

import (
	"mime"
	"strconv"
	"strings"
)

// offered are the media types PeerTube weighs an Accept header against
// (ACCEPT_HEADERS: html, application/json, then the ActivityPub ones), in
// its order; activityPub marks the ActivityPub ones.
var offered = []struct {
	typ, sub    string
	params      map[string]string
	activityPub bool
}{
	{"text", "html", nil, false},
	{"application", "json", nil, false},
	{"application", "activity+json", nil, true},
	{"application", "ld+json", nil, true},
	{"application", "ld+json", map[string]string{"profile": "https://www.w3.org/ns/activitystreams"}, true},
}

// wantsActivityPub reports whether the type Express's req.accepts would pick
// from offered for this Accept header is an ActivityPub one. Like the
// negotiator package, each offer takes its best matching range (by q, then
// specificity, then position in the header); the offers then rank by q,
// specificity, the range's position and their own order. A missing header
// accepts anything, so HTML wins.
func wantsActivityPub(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return false
	}
	type rng struct {
		typ, sub string
		params   map[string]string
		q        float64
	}
	var ranges []rng
	for _, part := range strings.Split(accept, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		typ, sub, ok := strings.Cut(mt, "/")
		if !ok {
			continue
		}
		r := rng{typ: typ, sub: sub, q: 1, params: map[string]string{}}
		for k, v := range params {
			if k == "q" {
				if q, err := strconv.ParseFloat(v, 64); err == nil {
					r.q = q
				}
				continue
			}
			r.params[k] = strings.ToLower(v)
		}
		ranges = append(ranges, r)
	}
	type score struct {
		q    float64
		s, o int
	}
	better := func(a, b score) bool {
		if a.q != b.q {
			return a.q > b.q
		}
		if a.s != b.s {
			return a.s > b.s
		}
		return a.o < b.o
	}
	best, bestAP, found := score{}, false, false
	for _, off := range offered {
		var sc score
		matched := false
		for i, r := range ranges {
			s := 0
			switch {
			case r.typ == off.typ:
				s |= 4
			case r.typ != "*":
				continue
			}
			switch {
			case r.sub == off.sub:
				s |= 2
			case r.sub != "*":
				continue
			}
			if len(r.params) > 0 {
				all := true
				for k, v := range r.params {
					if strings.ToLower(off.params[k]) != v {
						all = false
					}
				}
				if !all {
					continue
				}
				s |= 1
			}
			cand := score{q: r.q, s: s, o: i}
			if !matched || better(cand, sc) {
				sc, matched = cand, true
			}
		}
		if !matched || sc.q <= 0 {
			continue
		}
		if !found || better(sc, best) {
			best, bestAP, found = sc, off.activityPub, true
		}
	}
	return found && bestAP
}
