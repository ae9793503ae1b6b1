package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/vidiverse/vidiverse/shared/web/browsertest"
)

//go:embed viewers.mjs
var viewersScript []byte

// viewerPlan is one viewer: the page it opens, when, and for how long.
type viewerPlan struct {
	URL     string `json:"url"`
	DelayMS int64  `json:"delayMs"`
	WatchMS int64  `json:"watchMs"`
}

// viewerResult is what happened in one viewer's tab.
type viewerResult struct {
	ArrivedMS  int64    `json:"arrivedMs"` // since the session's start
	LeftMS     int64    `json:"leftMs"`
	WatchedMS  int64    `json:"watchedMs"`
	MaxPeers   int      `json:"maxPeers"` // the most WebRTC peers seen at once (sampled)
	Console    []string `json:"console"`
	PageErrors []string `json:"pageErrors"`
	Error      string   `json:"error"`
	Page       *struct {
		// Playing is the page's clock (ms from the navigation's start)
		// at the video's first "playing" event; Moving when currentTime
		// first passed 0. Nil when it never happened.
		Playing     *float64 `json:"playing"`
		Moving      *float64 `json:"moving"`
		Waits       int      `json:"waits"` // "waiting" after the first "playing"
		StalledMS   float64  `json:"stalledMs"`
		StallOpen   bool     `json:"stallOpen"` // still waiting when it left
		Connections int      `json:"connections"`
		Connected   *float64 `json:"connected"` // page clock when the first WebRTC connection connected
		Sent        int64    `json:"sent"`      // WebRTC data-channel bytes
		Received    int64    `json:"received"`
		CurrentTime float64  `json:"currentTime"`
		State       *struct {
			Mode       string `json:"mode"`
			FromPeers  int64  `json:"fromPeers"`
			FromServer int64  `json:"fromServer"`
			Fallback   string `json:"fallback"`
			Error      string `json:"error"`
		} `json:"state"`
	} `json:"page"`
}

// firstFrame is the viewer's time to first frame, false when it never
// played.
func (v viewerResult) firstFrame() (time.Duration, bool) {
	if v.Page == nil || v.Page.Playing == nil {
		return 0, false
	}
	return time.Duration(*v.Page.Playing * float64(time.Millisecond)), true
}

// runViewers runs the viewers in one headless Chromium; the driver's
// progress lines go to progress.
func runViewers(ctx context.Context, tools browsertest.Tools, viewers []viewerPlan, timeout time.Duration, progress func(string)) ([]viewerResult, error) {
	dir, err := os.MkdirTemp("", "vidiverse-bench-p2p-driver-")
	if err != nil {
		return nil, fmt.Errorf("run viewers: %w", err)
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "viewers.mjs")
	if err := os.WriteFile(script, viewersScript, 0o600); err != nil {
		return nil, fmt.Errorf("run viewers: %w", err)
	}
	plan, err := json.Marshal(struct {
		Modules   string       `json:"modules"`
		Chromium  string       `json:"chromium"`
		TimeoutMS int64        `json:"timeoutMs"`
		Viewers   []viewerPlan `json:"viewers"`
	}{tools.Modules, tools.Chromium, timeout.Milliseconds(), viewers})
	if err != nil {
		return nil, err
	}
	// The driver stops every viewer by the timeout; this bounds a hang.
	ctx, cancel := context.WithTimeout(ctx, timeout+time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tools.Node, script)
	cmd.Stdin = bytes.NewReader(plan)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	pr, pw := io.Pipe()
	cmd.Stderr = pw
	copied := make(chan struct{})
	go func() {
		defer close(copied)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if progress != nil {
				progress(sc.Text())
			}
		}
	}()
	err = cmd.Run()
	pw.Close()
	<-copied
	if err != nil {
		return nil, fmt.Errorf("run viewers: %w\n%s", err, tail(stderr.String(), 4000))
	}
	var out struct {
		Viewers []viewerResult `json:"viewers"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("read the viewers' results: %w\n%s", err, tail(stdout.String()+stderr.String(), 4000))
	}
	if len(out.Viewers) != len(viewers) {
		return nil, fmt.Errorf("run viewers: %d results for %d viewers", len(out.Viewers), len(viewers))
	}
	return out.Viewers, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
