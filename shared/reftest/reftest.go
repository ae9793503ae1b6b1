package reftest

import (
	"embed"
	"path"
	"testing"
)

//go:embed all:data
var files embed.FS

// Read returns a reference file by its path under data/, e.g.
// "peertube-6.1/instance1-rest/rest-token.json".
func Read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := files.ReadFile(path.Join("data", name))
	if err != nil {
		t.Fatalf("reference %s: %v", name, err)
	}
	return b
}

// REST returns one capture of PeerTube 6.1's REST API (instance1-rest).
func REST(t testing.TB, name string) []byte {
	t.Helper()
	return Read(t, "peertube-6.1/instance1-rest/"+name)
}

// OpenAPI returns PeerTube's OpenAPI 6.3.0 description (YAML).
func OpenAPI(t testing.TB) []byte {
	t.Helper()
	return Read(t, "peertube-openapi-6.3.0.yaml")
}
