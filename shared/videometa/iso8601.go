package videometa

import (
	"strconv"
	"strings"
	"time"
)

// validISO8601 reports whether s is an ISO 8601 calendar date, optionally
// with a time and a zone (see ParseISO8601).
func validISO8601(s string) bool {
	_, ok := ParseISO8601(s)
	return ok
}

// ParseISO8601 reads the ISO 8601 forms validator's isISO8601 accepts for
// calendar dates: YYYY, YYYY-MM, YYYY-MM-DD or YYYYMMDD, then optionally
// "T" (or a space) and HH, HH:MM or HH:MM:SS (or HHMM, HHMMSS) with an
// optional fraction, then optionally Z or an offset (±HH, ±HH:MM, ±HHMM).
// A time without a zone is taken as UTC. Days past the month's end roll
// over, as JavaScript's Date does.
func ParseISO8601(s string) (time.Time, bool) {
	date, clock, hasClock := strings.Cut(s, "T")
	if !hasClock {
		date, clock, hasClock = strings.Cut(s, " ")
	}
	year, month, day, ok := parseDate(date)
	if !ok {
		return time.Time{}, false
	}
	if !hasClock {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), true
	}
	if clock == "" {
		return time.Time{}, false
	}
	loc := time.UTC
	if i := strings.IndexAny(clock, "zZ+-"); i >= 0 {
		var zok bool
		if loc, zok = parseZone(clock[i:]); !zok {
			return time.Time{}, false
		}
		clock = clock[:i]
	}
	h, m, sec, ns, ok := parseClock(clock)
	if !ok {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, h, m, sec, ns, loc).UTC(), true
}

func parseDate(s string) (year, month, day int, ok bool) {
	digits := func(t string) (int, bool) {
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return 0, false
			}
		}
		n, err := strconv.Atoi(t)
		return n, err == nil && t != ""
	}
	var parts []string
	switch {
	case len(s) == 8 && !strings.Contains(s, "-"):
		parts = []string{s[:4], s[4:6], s[6:]}
	default:
		parts = strings.Split(s, "-")
	}
	if len(parts) > 3 || len(parts[0]) != 4 {
		return 0, 0, 0, false
	}
	year, ok = digits(parts[0])
	month, day = 1, 1
	if ok && len(parts) > 1 {
		month, ok = digits(parts[1])
		ok = ok && len(parts[1]) == 2 && month >= 1 && month <= 12
	}
	if ok && len(parts) > 2 {
		day, ok = digits(parts[2])
		ok = ok && len(parts[2]) == 2 && day >= 1 && day <= 31
	}
	return year, month, day, ok
}

func parseClock(s string) (h, m, sec, ns int, ok bool) {
	frac := ""
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		s, frac = s[:i], s[i+1:]
		if frac == "" || strings.Trim(frac, "0123456789") != "" {
			return 0, 0, 0, 0, false
		}
	}
	var fields []string
	if strings.Contains(s, ":") {
		fields = strings.Split(s, ":")
	} else {
		for len(s) > 2 {
			fields, s = append(fields, s[:2]), s[2:]
		}
		fields = append(fields, s)
	}
	if len(fields) > 3 {
		return 0, 0, 0, 0, false
	}
	vals := [3]int{}
	limits := [3]int{23, 59, 59}
	for i, f := range fields {
		n, err := strconv.Atoi(f)
		if err != nil || len(f) != 2 || f[0] == '+' || f[0] == '-' {
			return 0, 0, 0, 0, false
		}
		vals[i] = n
		if n > limits[i] && !(i == 0 && n == 24) {
			return 0, 0, 0, 0, false
		}
	}
	if vals[0] == 24 && (vals[1] != 0 || vals[2] != 0) {
		return 0, 0, 0, 0, false
	}
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		ns, _ = strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
	}
	return vals[0], vals[1], vals[2], ns, true
}

func parseZone(z string) (*time.Location, bool) {
	if z == "Z" || z == "z" {
		return time.UTC, true
	}
	sign := 1
	if z[0] == '-' {
		sign = -1
	}
	z = strings.Replace(z[1:], ":", "", 1)
	if len(z) != 2 && len(z) != 4 {
		return nil, false
	}
	h, err := strconv.Atoi(z[:2])
	if err != nil || h > 23 {
		return nil, false
	}
	m := 0
	if len(z) == 4 {
		if m, err = strconv.Atoi(z[2:]); err != nil || m > 59 {
			return nil, false
		}
	}
	return time.FixedZone("", sign*(h*3600+m*60)), true
}
