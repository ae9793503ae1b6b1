package main

import (
	"fmt"
	"io"
	"math"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// row is one line of the table.
type row struct {
	Figure, Value, VsBaseline, Target string
}

// report collects the figures and prints them as one Markdown table (which
// reads as well in a terminal as in the README).
type report struct {
	Started time.Time
	Machine string
	Tools   string
	Notes   []string // what the figures were measured on, printed above the table
	Rows    []row
}

func (r *report) note(format string, args ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
}

func (r *report) add(figure, value, vs, target string) {
	r.Rows = append(r.Rows, row{figure, value, vs, target})
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "Vidiverse benchmarks, %s\n", r.Started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "Machine: %s\n", r.Machine)
	fmt.Fprintf(w, "Tools: %s\n", r.Tools)
	for _, n := range r.Notes {
		fmt.Fprintln(w, n)
	}
	fmt.Fprintln(w)
	head := row{"Figure", "Value", "Against the baseline", "Target"}
	widths := [4]int{}
	for _, x := range append([]row{head}, r.Rows...) {
		for i, c := range x.cells() {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells [4]string) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range cells {
			b.WriteString(" " + c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)) + " |")
		}
		fmt.Fprintln(w, b.String())
	}
	line(head.cells())
	var sep [4]string
	for i := range sep {
		sep[i] = strings.Repeat("-", widths[i])
	}
	line(sep)
	for _, x := range r.Rows {
		line(x.cells())
	}
}

func (x row) cells() [4]string { return [4]string{x.Figure, x.Value, x.VsBaseline, x.Target} }

// toolVersions names the versions of the tools measured with.
func toolVersions() string {
	first := func(name string, args ...string) string {
		out, _ := exec.Command(name, args...).CombinedOutput()
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return line
	}
	ffmpeg := first("ffmpeg", "-hide_banner", "-version") // ffmpeg version 5.1.9-0+deb12u1 Copyright …
	if f := strings.Fields(ffmpeg); len(f) >= 3 {
		ffmpeg = f[0] + " " + f[2]
	}
	wrk := first("wrk", "--version")
	if f := strings.Fields(wrk); len(f) >= 2 {
		wrk = f[0] + " " + f[1]
	}
	return strings.Join([]string{ffmpeg, wrk, runtime.Version()}, ", ")
}

// Formatting helpers.

func secs(d time.Duration) string { return fmt.Sprintf("%.1f s", d.Seconds()) }

func millis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 1:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 10:
		return fmt.Sprintf("%.1f ms", ms)
	}
	return fmt.Sprintf("%.0f ms", ms)
}

func mib(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// thousands formats n with commas: 12,345.
func thousands(n float64) string {
	s := strconv.FormatInt(int64(math.Round(n)), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func kb(n int) string { return fmt.Sprintf("%.1f KB", float64(n)/1000) }

func metOrMissed(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// median of ds (sorted in place).
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}
