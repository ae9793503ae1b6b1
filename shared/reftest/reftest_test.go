package reftest

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
)

func TestReadersReturnEmbeddedCaptures(t *testing.T) {
	var cfg map[string]any
	if err := json.Unmarshal(REST(t, "rest-config.json"), &cfg); err != nil {
		t.Fatalf("rest-config.json: %v", err)
	}
	if _, ok := cfg["serverVersion"]; !ok {
		t.Errorf("rest-config.json has no serverVersion: %v", cfg)
	}
	if !bytes.Equal(REST(t, "rest-config.json"), Read(t, "peertube-6.1/instance1-rest/rest-config.json")) {
		t.Error("REST and Read disagree on the same file")
	}
	if spec := OpenAPI(t); !bytes.HasPrefix(spec, []byte("openapi: 3.")) || !bytes.Contains(spec, []byte("version: 6.3.0")) {
		t.Errorf("OpenAPI description does not look like PeerTube's 6.3.0 one: %.80q", spec)
	}
}

func TestEveryJSONCaptureParses(t *testing.T) {
	n := 0
	err := fs.WalkDir(files, "data", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		raw, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		if _, err := Parse(raw); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatalf("walk embedded data: %v", err)
	}
	if n < 10 {
		t.Errorf("only %d JSON captures embedded", n)
	}
}
