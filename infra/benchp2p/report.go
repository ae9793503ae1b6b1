package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vidiverse/vidiverse/shared/web/browsertest"
)

// Goals of issue 5, printed against; a miss is reported, not a failure.
const (
	goalOffload    = 0.85 // seeder + viewers, share of bytes at the largest N
	goalFirstFrame = 2 * time.Second
)

// report is the whole run, printed as notes and one Markdown table.
type report struct {
	Started     time.Time
	Machine     string
	Tools       string
	Opts        options
	File        videoFile
	Duration    float64 // seconds, as the API gives it
	PieceLength int64
	Rounds      []round
	LoadAtEnd   string
}

// sources are a round's bytes by where they were served.
type sources struct {
	CDN, Seeder, Viewers int64
	// FromPeers and FromServer are the pages' own counts (WebTorrent's
	// wires); Sent is what the viewers' data channels sent.
	FromPeers, FromServer, Sent int64
}

func (s sources) total() int64 { return s.CDN + s.Seeder + s.Viewers }

// share is part's fraction of the total, 0 when there is none.
func (s sources) share(part int64) float64 {
	if s.total() == 0 {
		return 0
	}
	return float64(part) / float64(s.total())
}

func (r round) sources() sources {
	s := sources{CDN: r.CDN.Bytes, Seeder: r.Seeder}
	for _, v := range r.Viewers {
		if v.Page != nil && v.Page.State != nil {
			s.FromPeers += v.Page.State.FromPeers
			s.FromServer += v.Page.State.FromServer
		}
		if v.Page != nil {
			s.Sent += v.Page.Sent
		}
	}
	// What the pages got from peers that the seed did not send came from
	// other viewers (never below 0: the seed may count bytes a viewer
	// that left never counted).
	s.Viewers = max(0, s.FromPeers-s.Seeder)
	return s
}

// frames are the first-frame times of the viewers that played, and how
// many never did.
func (r round) frames() (played []time.Duration, never int) {
	for _, v := range r.Viewers {
		if d, ok := v.firstFrame(); ok {
			played = append(played, d)
		} else {
			never++
		}
	}
	slices.Sort(played)
	return played, never
}

// firstPeers are the viewers' times to their first WebRTC connection,
// sorted.
func (r round) firstPeers() []time.Duration {
	var out []time.Duration
	for _, v := range r.Viewers {
		if v.Page != nil && v.Page.Connected != nil {
			out = append(out, time.Duration(*v.Page.Connected*float64(time.Millisecond)))
		}
	}
	slices.Sort(out)
	return out
}

// stalls are the waits after the first frame, over all viewers, their
// total time and the worst viewer's.
func (r round) stalls() (count int, total, worst time.Duration) {
	for _, v := range r.Viewers {
		if v.Page == nil {
			continue
		}
		d := time.Duration(v.Page.StalledMS * float64(time.Millisecond))
		count += v.Page.Waits
		total += d
		worst = max(worst, d)
	}
	return count, total, worst
}

func (r round) summary() string {
	s := r.sources()
	played, never := r.frames()
	return fmt.Sprintf("CDN %s, seeder %s, viewers %s; first frame %s", pct(s.share(s.CDN)), pct(s.share(s.Seeder)), pct(s.share(s.Viewers)), framesCell(played, never))
}

func (rep *report) print(w io.Writer) {
	o := rep.Opts
	fmt.Fprintf(w, "Vidiverse P2P benchmark, %s\n", rep.Started.UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "Machine: %s\n", rep.Machine)
	fmt.Fprintf(w, "Tools: %s\n", rep.Tools)
	pieces := int64(0)
	if rep.PieceLength > 0 {
		pieces = (rep.File.Size + rep.PieceLength - 1) / rep.PieceLength
	}
	fmt.Fprintf(w, "Clip: %s s testsrc2 + tone, H.264/AAC faststart MP4, published at %dp: %s, %d KiB pieces (%d).\n",
		strconv.FormatFloat(o.seconds, 'f', -1, 64), rep.File.Resolution.ID, mb(rep.File.Size), rep.PieceLength>>10, pieces)
	fmt.Fprintf(w, "Viewers: one every %s, each in a browser context of its own in one headless Chromium, playing the watch page at 1× (autoplay, muted) for %s from opening it, then leaving; one sample per N.\n",
		secsExact(o.stagger), secsExact(o.watch))
	cdnRate := "no bandwidth cap"
	if o.cdnRate > 0 {
		cdnRate = mb(o.cdnRate) + "/s per response"
	}
	seedRate := "no upload cap (as make run)"
	switch {
	case o.noSeed:
		seedRate = "off (SEED_ENABLED=false)"
	case o.seedRate > 0:
		seedRate = "upload capped at " + mb(o.seedRate) + "/s"
	}
	fmt.Fprintf(w, "CDN model: a proxy in front of the instance (its PUBLIC_URL) adds %s to every request under /static/ and /lazy-static/, %s. Seeder: %s. Tracker per-IP limits off (TRACKER_ANNOUNCE_LIMIT=0: every viewer is 127.0.0.1).\n",
		millis(o.latency), cdnRate, seedRate)
	fmt.Fprintln(w, "Bytes where served: CDN = media response bytes at the proxy (video, torrent, preview); seeder = the seed's bytesServed; viewers = the pages' bytes from peers minus the seeder's.")
	fmt.Fprintln(w)

	head := []string{"N", "CDN", "Seeder", "Viewers", "Seeder + viewers", "First frame median / max", "Stalls: count, total (worst viewer)"}
	rows := [][]string{head}
	for _, r := range rep.Rounds {
		s := r.sources()
		played, never := r.frames()
		n, total, worst := r.stalls()
		rows = append(rows, []string{
			strconv.Itoa(r.N),
			bytesCell(s.CDN, s.share(s.CDN)),
			bytesCell(s.Seeder, s.share(s.Seeder)),
			bytesCell(s.Viewers, s.share(s.Viewers)),
			pct(s.share(s.Seeder + s.Viewers)),
			framesCell(played, never),
			fmt.Sprintf("%d, %s (%s)", n, secs(total), secs(worst)),
		})
	}
	table(w, rows)
	fmt.Fprintln(w)

	if len(rep.Rounds) > 0 {
		last := rep.Rounds[len(rep.Rounds)-1]
		for _, r := range rep.Rounds {
			if r.N > last.N {
				last = r
			}
		}
		s := last.sources()
		off := s.share(s.Seeder + s.Viewers)
		fmt.Fprintf(w, "Goal, seeder + viewers ≥ %.0f%% of bytes at N = %d: %s — %s\n", goalOffload*100, last.N, pct(off), metOrMissed(s.total() > 0 && off >= goalOffload))
		played, never := last.frames()
		slowest := "no viewer played"
		ok := len(played) > 0 && never == 0
		if len(played) > 0 {
			slowest = "slowest " + secs(played[len(played)-1])
			ok = ok && played[len(played)-1] <= goalFirstFrame
		}
		if never > 0 {
			slowest += fmt.Sprintf(", %d of %d never played", never, last.N)
		}
		fmt.Fprintf(w, "Goal, first frame ≤ %s for every viewer at N = %d: %s — %s\n", secs(goalFirstFrame), last.N, slowest, metOrMissed(ok))
	}
	fmt.Fprintln(w, "Cross-checks (pages' own counts): bytes from peers and from the web seed; what the viewers' WebRTC data channels sent (sampled each second); time to the first WebRTC connection (median / max); tracker failure reasons:")
	for _, r := range rep.Rounds {
		s := r.sources()
		var problems []string
		for i, v := range r.Viewers {
			if v.Error != "" {
				problems = append(problems, fmt.Sprintf("viewer %d: %s", i+1, v.Error))
			}
			if v.Page != nil && v.Page.State != nil && v.Page.State.Mode != "p2p" {
				problems = append(problems, fmt.Sprintf("viewer %d played in mode %q (%s)", i+1, v.Page.State.Mode, v.Page.State.Fallback))
			}
			if len(v.PageErrors) > 0 {
				problems = append(problems, fmt.Sprintf("viewer %d: %s", i+1, v.PageErrors[0]))
			}
		}
		peers := "no WebRTC connection"
		if fp := r.firstPeers(); len(fp) > 0 {
			peers = "first WebRTC connection " + secs(median(fp)) + " / " + secs(fp[len(fp)-1])
			if len(fp) < len(r.Viewers) {
				peers += fmt.Sprintf(" (%d of %d viewers)", len(fp), len(r.Viewers))
			}
		}
		line := fmt.Sprintf("- N = %d: from peers %s, from the web seed %s (CDN %s in %d requests), data channels sent %s; %s; %d tracker failures",
			r.N, mb(s.FromPeers), mb(s.FromServer), mb(s.CDN), r.CDN.Requests, mb(s.Sent), peers, r.TrackerFailures)
		if len(problems) > 0 {
			line += "; " + strings.Join(problems, "; ")
		}
		fmt.Fprintln(w, line)
	}
	if rep.LoadAtEnd != "" {
		fmt.Fprintf(w, "Load average at the end: %s (other work on a shared machine moves every figure).\n", rep.LoadAtEnd)
	}
}

// table prints rows (the first is the header) as a Markdown table.
func table(w io.Writer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	line := func(cells []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range cells {
			b.WriteString(" " + c + strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)) + " |")
		}
		fmt.Fprintln(w, b.String())
	}
	line(rows[0])
	sep := make([]string, len(widths))
	for i := range sep {
		sep[i] = strings.Repeat("-", widths[i])
	}
	line(sep)
	for _, r := range rows[1:] {
		line(r)
	}
}

func bytesCell(n int64, share float64) string {
	return fmt.Sprintf("%s (%s)", mb(n), pct(share))
}

func framesCell(played []time.Duration, never int) string {
	if len(played) == 0 {
		return "none played"
	}
	s := secs(median(played)) + " / " + secs(played[len(played)-1])
	if never > 0 {
		s += fmt.Sprintf(" (%d never played)", never)
	}
	return s
}

// median of sorted ds.
func median(ds []time.Duration) time.Duration {
	n := len(ds)
	if n%2 == 1 {
		return ds[n/2]
	}
	return (ds[n/2-1] + ds[n/2]) / 2
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

// secsExact prints a knob's duration as given: 2.5 s, 40 s.
func secsExact(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

func millis(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

func metOrMissed(ok bool) string {
	if ok {
		return "met"
	}
	return "MISSED"
}

// toolVersions names the browser, the npm packages and the runtimes.
func toolVersions(t browsertest.Tools) string {
	first := func(name string, args ...string) string {
		out, _ := exec.Command(name, args...).CombinedOutput()
		line, _, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
		return line
	}
	pkg := func(name string) string {
		var p struct{ Version string }
		b, err := os.ReadFile(filepath.Join(t.Modules, name, "package.json"))
		if err != nil || json.Unmarshal(b, &p) != nil {
			return name + " (version unknown)"
		}
		return name + " " + p.Version
	}
	// Debian's launcher script may print warnings before the version line
	// (Chromium 156.0.… built on Debian …).
	chromium := "Chromium (version unknown)"
	out, _ := exec.Command(t.Chromium, "--version").CombinedOutput()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "Chromium" {
			chromium = f[0] + " " + f[1]
			break
		}
	}
	return strings.Join([]string{chromium, pkg("playwright-core"), pkg("webtorrent"), "node " + first(t.Node, "--version"), runtime.Version()}, ", ")
}
