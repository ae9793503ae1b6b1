package apvocab

import "testing"

func TestWithMember(t *testing.T) {
	for _, tc := range []struct{ raw, name, value, want string }{
		{`{"type":"Create","object":"https://a.example/v/1","id":"x"}`, "object", `{"id":"https://a.example/v/1"}`,
			`{"type":"Create","object":{"id":"https://a.example/v/1"},"id":"x"}`},
		{`{"type": "Create", "to": [ "a" ]}`, "object", `"o"`, `{"type":"Create","to":[ "a" ],"object":"o"}`},
		{`{"a":1,"b":2,"a":3}`, "b", `"<&>"`, `{"a":3,"b":"<&>"}`},
		{`{}`, "a<b", `1`, `{"a<b":1}`},
	} {
		got, err := WithMember([]byte(tc.raw), tc.name, []byte(tc.value))
		if err != nil || string(got) != tc.want {
			t.Errorf("WithMember(%s, %q, %s) = %s, %v; want %s", tc.raw, tc.name, tc.value, got, err, tc.want)
		}
	}
	for _, raw := range []string{`[1]`, `{"a":1} {}`, `{"a":`} {
		if got, err := WithMember([]byte(raw), "a", []byte(`2`)); err == nil {
			t.Errorf("WithMember(%s) = %s, want an error", raw, got)
		}
	}
}
