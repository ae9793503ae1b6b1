package videometa

import (
	"testing"
	"time"
)

func TestParseISO8601(t *testing.T) {
	utc := func(y, mo, d, h, mi, s, ns int) time.Time {
		return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC)
	}
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2020", utc(2020, 1, 1, 0, 0, 0, 0), true},
		{"2020-05", utc(2020, 5, 1, 0, 0, 0, 0), true},
		{"2020-05-06", utc(2020, 5, 6, 0, 0, 0, 0), true},
		{"20200506", utc(2020, 5, 6, 0, 0, 0, 0), true},
		{"2020-05-06T07:08:09Z", utc(2020, 5, 6, 7, 8, 9, 0), true},
		{"2020-05-06T07:08:09.123Z", utc(2020, 5, 6, 7, 8, 9, 123e6), true},
		{"2020-05-06T07:08:09,5z", utc(2020, 5, 6, 7, 8, 9, 5e8), true},
		{"2020-05-06T07:08", utc(2020, 5, 6, 7, 8, 0, 0), true},
		{"2020-05-06T07", utc(2020, 5, 6, 7, 0, 0, 0), true},
		{"2020-05-06T070809", utc(2020, 5, 6, 7, 8, 9, 0), true},
		{"2020-05-06 07:08:09+02:00", utc(2020, 5, 6, 5, 8, 9, 0), true},
		{"2020-05-06T07:08:09-0130", utc(2020, 5, 6, 8, 38, 9, 0), true},
		{"2020-05-06T07:08:09+05", utc(2020, 5, 6, 2, 8, 9, 0), true},
		{"2020-05-06T24:00", utc(2020, 5, 7, 0, 0, 0, 0), true},
		{"2021-02-31", utc(2021, 3, 3, 0, 0, 0, 0), true},
		{"", time.Time{}, false},
		{"20", time.Time{}, false},
		{"2020-5-06", time.Time{}, false},
		{"2020-00-06", time.Time{}, false},
		{"2020-05-32", time.Time{}, false},
		{"2020-05-06T", time.Time{}, false},
		{"2020-05-06T25:00", time.Time{}, false},
		{"2020-05-06T24:01", time.Time{}, false},
		{"2020-05-06T07:60", time.Time{}, false},
		{"2020-05-06T07:08:09.", time.Time{}, false},
		{"2020-05-06T07:08:09+2", time.Time{}, false},
		{"2020-05-06T07:08:09+24:00", time.Time{}, false},
		{"2020-05-06T07:08:09:10", time.Time{}, false},
		{"May 6, 2020", time.Time{}, false},
		{"2020-W01", time.Time{}, false},
	} {
		got, ok := ParseISO8601(tc.in)
		if ok != tc.ok || (ok && !got.Equal(tc.want)) {
			t.Errorf("ParseISO8601(%q) = %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
