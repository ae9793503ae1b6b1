package taxonomy

import (
	"os"
	"path/filepath"
	"testing"
)

// referenceDir finds the captured PeerTube 6.1 REST bodies: it walks up from
// the package folder looking for shared/reference/peertube-6.1 (the
// reference folder sits next to the repository, e.g. /work/shared/reference
// for the repository /work/main). VIDIVERSE_REFERENCE overrides the search.
func referenceDir(t *testing.T) string {
	t.Helper()
	const rel = "peertube-6.1/instance1-rest"
	if env := os.Getenv("VIDIVERSE_REFERENCE"); env != "" {
		dir := filepath.Join(env, rel)
		if _, err := os.Stat(dir); err != nil {
			t.Fatalf("VIDIVERSE_REFERENCE=%s has no %s: %v", env, rel, err)
		}
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for dir := wd; ; {
		cand := filepath.Join(dir, "shared", "reference", rel)
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("reference captures not found: no shared/reference/%s in %s or any parent folder; set VIDIVERSE_REFERENCE to the reference folder", rel, wd)
		}
		dir = parent
	}
}

// readReference returns one captured file.
func readReference(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(referenceDir(t), name))
	if err != nil {
		t.Fatalf("read reference %s: %v", name, err)
	}
	return b
}
