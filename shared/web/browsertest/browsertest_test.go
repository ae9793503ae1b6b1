package browsertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindNamesWhatIsMissing(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(EnvChromium, filepath.Join(dir, "no-chromium"))
	t.Setenv(EnvNodeModules, dir)
	t.Setenv(EnvAssetsDir, "")
	_, err := Find()
	if err == nil {
		t.Fatal("Find found tools in an empty directory")
	}
	for _, want := range []string{"no-chromium", "playwright-core", "bittorrent-tracker", "webtorrent.min.js", "sw.min.js", "make web-test-deps"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}

	// With every file in place (stand-ins), Find returns their paths.
	chromium := filepath.Join(dir, "chromium")
	files := []string{chromium, filepath.Join(dir, "playwright-core", "package.json"),
		filepath.Join(dir, "bittorrent-tracker", "package.json"),
		filepath.Join(dir, "webtorrent", "dist", "webtorrent.min.js"), filepath.Join(dir, "webtorrent", "dist", "sw.min.js")}
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte("x"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv(EnvChromium, chromium)
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not installed")
	}
	tools, err := Find()
	if err != nil {
		t.Fatalf("Find with every file in place: %v", err)
	}
	if tools.Chromium != chromium || tools.Modules != dir || tools.AssetsDir != filepath.Join(dir, "webtorrent", "dist") {
		t.Errorf("Find = %+v", tools)
	}
}
