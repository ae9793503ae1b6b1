package serverconfig

import (
	"bytes"
	"encoding/json"
	"sort"
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
)

// knownShapeDifferences lists paths where our documents may differ in shape
// from PeerTube 6.1's, each with the reason. It is empty: both documents
// match the capture key for key.
var knownShapeDifferences = map[string]string{}

func TestConfigShapeEqualsPeerTube61(t *testing.T) {
	want := mustParse(t, string(reftest.REST(t, "rest-config.json")))
	for name, s := range settingsVariants() {
		got := mustParse(t, string(mustMarshal(t, Config(s))))
		if diffs := reftest.ShapeDiff("", got, want, true, knownShapeDifferences); len(diffs) != 0 {
			t.Errorf("%s: /config differs from the PeerTube 6.1 capture:\n  %s", name, joinLines(diffs))
		}
	}
}

func TestAboutShapeEqualsPeerTube61(t *testing.T) {
	want := mustParse(t, string(reftest.REST(t, "rest-config-about.json")))
	for name, s := range settingsVariants() {
		got := mustParse(t, string(mustMarshal(t, About(s))))
		if diffs := reftest.ShapeDiff("", got, want, true, knownShapeDifferences); len(diffs) != 0 {
			t.Errorf("%s: /config/about differs from the PeerTube 6.1 capture:\n  %s", name, joinLines(diffs))
		}
	}
}

// settingsVariants are settings whose documents must all keep the shape:
// the defaults, everything switched the other way, and empty settings.
func settingsVariants() map[string]Settings {
	flipped := DefaultSettings()
	flipped.Signup.Enabled = true
	flipped.Signup.Limit = -1
	flipped.Transcoding.Enabled = false
	flipped.EmailEnabled = true
	flipped.ContactFormEnabled = true
	flipped.TrackerEnabled = false
	flipped.Instance.Languages = []string{"en", "fr"}
	flipped.Instance.Categories = []int{1, 15}
	flipped.Instance.Avatars = []ActorImage{{Width: 48, Path: "/lazy-static/avatars/a.png", CreatedAt: "2026-11-22T08:00:00.000Z", UpdatedAt: "2026-11-22T08:00:00.000Z"}}
	return map[string]Settings{
		"defaults": DefaultSettings(),
		"flipped":  flipped,
		"zero":     {},
	}
}

func mustParse(t *testing.T, doc string) *reftest.Node {
	t.Helper()
	n, err := reftest.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("parse %.80s: %v", doc, err)
	}
	return n
}

// mustMarshal marshals v as an HTTP handler should: no HTML escaping.
func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func joinLines(s []string) string {
	sort.Strings(s)
	var b bytes.Buffer
	for i, l := range s {
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(l)
	}
	return b.String()
}
