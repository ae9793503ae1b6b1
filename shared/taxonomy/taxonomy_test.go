package taxonomy

import (
	"bytes"
	"encoding/json"
	"os"
	"strconv"
	"testing"

	"github.com/vidiverse/vidiverse/shared/reftest"
	"github.com/vidiverse/vidiverse/shared/taxonomy/internal/tablegen"
)

// endpoints pairs each map endpoint with its captured PeerTube 6.1 body.
var endpoints = []struct {
	file string
	body func() json.Marshaler
}{
	{"rest-video-categories.json", func() json.Marshaler { return Categories() }},
	{"rest-video-licences.json", func() json.Marshaler { return Licences() }},
	{"rest-video-languages.json", func() json.Marshaler { return Languages() }},
	{"rest-video-privacies.json", func() json.Marshaler { return Privacies() }},
}

func TestEndpointBodiesEqualCaptureBytes(t *testing.T) {
	for _, ep := range endpoints {
		t.Run(ep.file, func(t *testing.T) {
			want := reftest.REST(t, ep.file)

			got, err := ep.body().MarshalJSON()
			if err != nil {
				t.Fatalf("MarshalJSON: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("body differs from capture\n got: %.300s\nwant: %.300s", got, want)
			}

			// Through an encoder without HTML escaping, as an HTTP handler
			// writes it: the same bytes plus the encoder's newline.
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(ep.body()); err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if !bytes.Equal(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), want) {
				t.Fatalf("encoder output differs from capture: %.300s", buf.Bytes())
			}

			// json.Marshal escapes & but stays equal JSON with the same key order.
			m, err := json.Marshal(ep.body())
			if err != nil {
				t.Fatalf("json.Marshal: %v", err)
			}
			if gk, wk := objectKeys(t, m), objectKeys(t, want); !slicesEqual(gk, wk) {
				t.Fatalf("json.Marshal key order differs:\n got %v\nwant %v", gk, wk)
			}
			if !jsonEqual(t, m, want) {
				t.Fatalf("json.Marshal output is not JSON-equal to capture")
			}
		})
	}
}

func TestLanguageOrderIsPeerTubesNotSorted(t *testing.T) {
	// PeerTube's language order is not sorted: a Go map would reorder it.
	var m map[string]string
	if err := json.Unmarshal(reftest.REST(t, "rest-video-languages.json"), &m); err != nil {
		t.Fatal(err)
	}
	sorted, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Languages().MarshalJSON()
	if bytes.Equal(sorted, got) {
		t.Fatal("sorted-map marshalling equals the capture; the ordered table is not needed")
	}
	if len(Languages()) != len(m) {
		t.Fatalf("languages: got %d entries, capture has %d", len(Languages()), len(m))
	}
}

func TestLookupsAgreeWithCapture(t *testing.T) {
	numeric := []struct {
		file   string
		lookup func(int) (string, bool)
	}{
		{"rest-video-categories.json", CategoryLabel},
		{"rest-video-licences.json", LicenceLabel},
		{"rest-video-privacies.json", PrivacyLabel},
	}
	for _, n := range numeric {
		var m map[string]string
		if err := json.Unmarshal(reftest.REST(t, n.file), &m); err != nil {
			t.Fatal(err)
		}
		for k, want := range m {
			id, err := strconv.Atoi(k)
			if err != nil {
				t.Fatalf("%s: key %q: %v", n.file, k, err)
			}
			if got, ok := n.lookup(id); !ok || got != want {
				t.Errorf("%s: lookup(%d) = %q, %v; want %q", n.file, id, got, ok, want)
			}
		}
		if _, ok := n.lookup(len(m) + 1); ok {
			t.Errorf("%s: id %d past the table was found", n.file, len(m)+1)
		}
		if _, ok := n.lookup(0); ok {
			t.Errorf("%s: id 0 was found", n.file)
		}
	}

	var langs map[string]string
	if err := json.Unmarshal(reftest.REST(t, "rest-video-languages.json"), &langs); err != nil {
		t.Fatal(err)
	}
	for code, want := range langs {
		if got, ok := LanguageLabel(code); !ok || got != want {
			t.Errorf("LanguageLabel(%q) = %q, %v; want %q", code, got, ok, want)
		}
	}
	for _, code := range []string{"", "EN", "xx", "pt-BR"} {
		if _, ok := LanguageLabel(code); ok {
			t.Errorf("LanguageLabel(%q) found", code)
		}
	}
}

// TestEmbeddedConstantsMatchCapturedObjects compares the {id,label} members
// of captured API objects with the constructors' output.
func TestEmbeddedConstantsMatchCapturedObjects(t *testing.T) {
	var video struct {
		Category json.RawMessage `json:"category"`
		Licence  json.RawMessage `json:"licence"`
		Language json.RawMessage `json:"language"`
		Privacy  json.RawMessage `json:"privacy"`
		State    json.RawMessage `json:"state"`
		Files    []struct {
			Resolution json.RawMessage `json:"resolution"`
		} `json:"files"`
	}
	if err := json.Unmarshal(reftest.REST(t, "rest-video.json"), &video); err != nil {
		t.Fatal(err)
	}
	var ids struct {
		Category struct{ ID int }
		Licence  struct{ ID int }
		Language struct{ ID string }
		Privacy  struct{ ID int }
		State    struct{ ID int }
	}
	for raw, dst := range map[*json.RawMessage]any{
		&video.Category: &ids.Category, &video.Licence: &ids.Licence, &video.Language: &ids.Language,
		&video.Privacy: &ids.Privacy, &video.State: &ids.State,
	} {
		if err := json.Unmarshal(*raw, dst); err != nil {
			t.Fatal(err)
		}
	}
	checks := []struct {
		name string
		got  any
		want json.RawMessage
	}{
		{"category", Category(&ids.Category.ID), video.Category},
		{"licence", Licence(&ids.Licence.ID), video.Licence},
		{"language", Language(&ids.Language.ID), video.Language},
		{"privacy", Privacy(ids.Privacy.ID), video.Privacy},
		{"state", State(ids.State.ID), video.State},
	}
	if len(video.Files) == 0 {
		t.Fatal("captured video has no files")
	}
	var res struct{ ID int }
	if err := json.Unmarshal(video.Files[0].Resolution, &res); err != nil {
		t.Fatal(err)
	}
	checks = append(checks, struct {
		name string
		got  any
		want json.RawMessage
	}{"resolution", Resolution(res.ID), video.Files[0].Resolution})

	var me struct {
		Role json.RawMessage `json:"role"`
	}
	if err := json.Unmarshal(reftest.REST(t, "rest-users-me.json"), &me); err != nil {
		t.Fatal(err)
	}
	var role struct{ ID int }
	if err := json.Unmarshal(me.Role, &role); err != nil {
		t.Fatal(err)
	}
	checks = append(checks, struct {
		name string
		got  any
		want json.RawMessage
	}{"role", Role(role.ID), me.Role})

	for _, c := range checks {
		got, err := marshalNoEscape(c.got)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s: got %s, capture has %s", c.name, got, c.want)
		}
	}
}

func TestUnknownAndNullConstants(t *testing.T) {
	tests := []struct {
		name string
		got  any
		want string
	}{
		{"nil category", Category(nil), `{"id":null,"label":"Unknown"}`},
		{"nil licence", Licence(nil), `{"id":null,"label":"Unknown"}`},
		{"nil language", Language(nil), `{"id":null,"label":"Unknown"}`},
		{"unknown category", Category(ptr(99)), `{"id":99,"label":"Unknown"}`},
		{"unknown language", Language(ptr("xx")), `{"id":"xx","label":"Unknown"}`},
		{"unknown privacy", Privacy(9), `{"id":9,"label":"Unknown"}`},
		{"audio resolution", Resolution(0), `{"id":0,"label":"Audio"}`},
		{"comments policy", CommentsPolicy(CommentsPolicyRequiresApproval), `{"id":3,"label":"Requires approval"}`},
		{"watch later", PlaylistType(PlaylistTypeWatchLater), `{"id":2,"label":"Watch later"}`},
		{"playlist privacy", PlaylistPrivacy(PlaylistPrivacyUnlisted), `{"id":2,"label":"Unlisted"}`},
		{"moderator", Role(RoleModerator), `{"id":1,"label":"Moderator"}`},
		{"user", Role(RoleUser), `{"id":2,"label":"User"}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.got)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("%s: got %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestStatesAreOneToEleven(t *testing.T) {
	ids := States().IDs()
	if len(ids) != 11 {
		t.Fatalf("got %d states, want 11", len(ids))
	}
	for i, id := range ids {
		if id != i+1 {
			t.Fatalf("state %d has id %d", i, id)
		}
		if l, ok := StateLabel(id); !ok || l == "" {
			t.Fatalf("state %d has no label", id)
		}
	}
	if l, _ := StateLabel(StateToEdit); l != "To edit" {
		t.Fatalf("StateLabel(StateToEdit) = %q", l)
	}
	if _, ok := StateLabel(12); ok {
		t.Fatal("state 12 exists in PeerTube 6.1")
	}
}

func TestNSFWPolicies(t *testing.T) {
	for _, p := range NSFWPolicies() {
		if !p.Valid() {
			t.Errorf("%q not valid", p)
		}
	}
	for _, p := range []NSFWPolicy{"", "warn", "Display"} {
		if p.Valid() {
			t.Errorf("%q valid", p)
		}
	}
}

func TestAccessorsReturnCopies(t *testing.T) {
	c := Categories()
	c[0].Label = "changed"
	if l, _ := CategoryLabel(c[0].ID); l == "changed" {
		t.Fatal("Categories exposes the package table")
	}
}

func TestGeneratedFileIsCurrent(t *testing.T) {
	want, err := tablegen.Generate(func(file string) ([]byte, error) {
		return reftest.REST(t, file), nil
	})
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	got, err := os.ReadFile(tablegen.OutputFile)
	if err != nil {
		t.Fatalf("read %s: %v", tablegen.OutputFile, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run go generate ./shared/taxonomy", tablegen.OutputFile)
	}
}

func ptr[T any](v T) *T { return &v }

// marshalNoEscape marshals v as PeerTube (JSON.stringify) does: no HTML
// escaping of <, > and &.
func marshalNoEscape(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// objectKeys returns the member names of a JSON object in document order.
func objectKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %v %v", tok, err)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatal(err)
	}
	ca, _ := json.Marshal(va)
	cb, _ := json.Marshal(vb)
	return bytes.Equal(ca, cb)
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
