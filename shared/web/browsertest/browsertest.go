package browsertest

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

//go:embed driver.mjs
var driver []byte

// Environment variables naming the tools (make test sets them).
const (
	// EnvChromium is the browser's executable (default /usr/bin/chromium).
	EnvChromium = "CHROMIUM"
	// EnvNodeModules is the node_modules directory holding playwright-core
	// and webtorrent's packages (default .cache/web/node_modules of the
	// module's root).
	EnvNodeModules = "WEB_NODE_MODULES"
	// EnvAssetsDir is webtorrent's dist directory the pages serve files
	// from (default webtorrent/dist under the node_modules).
	EnvAssetsDir = "WEB_ASSETS_DIR"
)

// Tools are what a browser test runs.
type Tools struct {
	Node     string
	Chromium string
	// Modules is the node_modules directory with playwright-core and
	// bittorrent-tracker.
	Modules string
	// AssetsDir holds webtorrent.min.js and sw.min.js.
	AssetsDir string
}

// Find locates the tools, or says what is missing.
func Find() (Tools, error) {
	var t Tools
	var missing []string
	var err error
	if t.Node, err = exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	t.Chromium = envOr(EnvChromium, "/usr/bin/chromium")
	if _, err := os.Stat(t.Chromium); err != nil {
		missing = append(missing, "chromium ("+t.Chromium+")")
	}
	t.Modules = os.Getenv(EnvNodeModules)
	if t.Modules == "" {
		if root, ok := moduleRoot(); ok {
			t.Modules = filepath.Join(root, ".cache", "web", "node_modules")
		}
	}
	for _, pkg := range []string{"playwright-core", "bittorrent-tracker"} {
		if _, err := os.Stat(filepath.Join(t.Modules, pkg, "package.json")); err != nil {
			missing = append(missing, pkg+" (in "+EnvNodeModules+"="+t.Modules+")")
		}
	}
	t.AssetsDir = envOr(EnvAssetsDir, filepath.Join(t.Modules, "webtorrent", "dist"))
	for _, f := range []string{"webtorrent.min.js", "sw.min.js"} {
		if _, err := os.Stat(filepath.Join(t.AssetsDir, f)); err != nil {
			missing = append(missing, f+" (in "+EnvAssetsDir+"="+t.AssetsDir+")")
		}
	}
	if len(missing) > 0 {
		return t, fmt.Errorf("missing %s (make web-test-deps installs them)", strings.Join(missing, ", "))
	}
	return t, nil
}

// Require returns the tools. When they are missing it skips the test,
// unless CI is set: make test installs them, so there they must be found.
func Require(tb testing.TB) Tools {
	tb.Helper()
	t, err := Find()
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("browser test: %v", err)
		}
		tb.Skipf("browser test: %v", err)
	}
	return t
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// moduleRoot is the directory of the go.mod above the working directory.
func moduleRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// Tab is one viewer: a tab in a browser context of its own (its own
// service worker and storage).
type Tab struct {
	URL string `json:"url"`
	// Delay is how long after the start the tab opens.
	Delay time.Duration `json:"-"`
	// Until is a JavaScript expression the driver polls in the page; the
	// tab is done when it is true (for example
	// "vidiverse.currentTime >= 3").
	Until string `json:"until"`
	// Then are further steps, taken in order once Until holds.
	Then []Step `json:"then,omitempty"`
}

// Step is a statement run in the page, then a condition waited for.
type Step struct {
	Do    string `json:"do"`
	Until string `json:"until"`
}

// Plan is one browser session.
type Plan struct {
	Tabs []Tab
	// Timeout bounds the whole session; tabs not done by then are reported
	// with Done false.
	Timeout time.Duration
	// TrackerPort, when set, runs bittorrent-tracker's reference
	// WebSocket tracker on 127.0.0.1:TrackerPort for the session.
	TrackerPort int
}

// TabResult is what happened in one tab.
type TabResult struct {
	URL string `json:"url"`
	// Done is set when Until and every step's condition held in time.
	Done bool `json:"done"`
	// MS is how long the tab took to be done (or ran).
	MS int `json:"ms"`
	// State is window.vidiverse at the end.
	State *PlayerState `json:"state"`
	// Console holds the page's console errors and warnings.
	Console []string `json:"console"`
	// PageErrors are uncaught exceptions.
	PageErrors []string `json:"pageErrors"`
	// Requests are the tab's finished requests by "METHOD /path".
	Requests map[string]RequestStats `json:"requests"`
}

// RequestStats counts requests to one path and their response bytes.
type RequestStats struct {
	Count int   `json:"count"`
	Bytes int64 `json:"bytes"`
}

// PlayerState mirrors the player's window.vidiverse.
type PlayerState struct {
	Mode           string  `json:"mode"`
	Peers          int     `json:"peers"`
	FromPeers      int64   `json:"fromPeers"`
	FromServer     int64   `json:"fromServer"`
	WebSeed        bool    `json:"webSeed"`
	WebSeedAdds    int     `json:"webSeedAdds"`
	WebSeedAllowed bool    `json:"webSeedAllowed"`
	Fallback       string  `json:"fallback"`
	Started        bool    `json:"started"`
	CurrentTime    float64 `json:"currentTime"`
	ViewsSent      int     `json:"viewsSent"`
	ViewStatus     int     `json:"viewStatus"`
	Error          string  `json:"error"`
}

// Run runs a plan in headless Chromium.
func Run(ctx context.Context, t Tools, p Plan) ([]TabResult, error) {
	dir, err := os.MkdirTemp("", "browsertest")
	if err != nil {
		return nil, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "driver.mjs")
	if err := os.WriteFile(script, driver, 0o600); err != nil {
		return nil, fmt.Errorf("write driver: %w", err)
	}
	type tab struct {
		Tab
		DelayMS int64 `json:"delayMs"`
	}
	in := struct {
		Modules     string `json:"modules"`
		Chromium    string `json:"chromium"`
		TimeoutMS   int64  `json:"timeoutMs"`
		TrackerPort int    `json:"trackerPort,omitempty"`
		Tabs        []tab  `json:"tabs"`
	}{Modules: t.Modules, Chromium: t.Chromium, TimeoutMS: p.Timeout.Milliseconds(), TrackerPort: p.TrackerPort}
	for _, tb := range p.Tabs {
		in.Tabs = append(in.Tabs, tab{Tab: tb, DelayMS: tb.Delay.Milliseconds()})
	}
	plan, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	// The driver stops itself at the plan's timeout; this bounds a hang.
	ctx, cancel := context.WithTimeout(ctx, p.Timeout+60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, t.Node, script)
	cmd.Stdin = bytes.NewReader(plan)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("run browser driver: %w\n%s", err, tail(stderr.String(), 4000))
	}
	var out struct {
		Tabs []TabResult `json:"tabs"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("read browser driver output: %w\n%s", err, tail(stdout.String()+stderr.String(), 4000))
	}
	if len(out.Tabs) != len(p.Tabs) {
		return nil, errors.New("browser driver: results for some tabs are missing")
	}
	return out.Tabs, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
