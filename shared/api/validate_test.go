package api

import (
	"strings"
	"testing"
)

func TestNameRules(t *testing.T) {
	for name, want := range map[string]bool{
		"root": true, "root_channel": true, "a": true, "a.b-c_d": true, "_x_": true,
		strings.Repeat("a", 50): true, strings.Repeat("a", 51): false,
		"": false, "Root": false, ".a": false, "a.": false, "a-": false, "-a": false,
		"a b": false, "é": false, "a:b": false,
	} {
		if got := validUsername(name); got != want {
			t.Errorf("validUsername(%q) = %v, want %v", name, got, want)
		}
		if got := validChannelName(name); got != want {
			t.Errorf("validChannelName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestFieldLimits(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   func(string) bool
		min  int
		max  int
	}{
		{"password", validPassword, 6, 255},
		{"display name", validDisplayName, 1, 120},
		{"channel display name", validChannelDisplayName, 1, 120},
		{"description", validDescription, 3, 1000},
		{"support", validSupport, 3, 1000},
	} {
		if tc.min > 0 && tc.ok(strings.Repeat("x", tc.min-1)) {
			t.Errorf("%s accepts %d characters", tc.name, tc.min-1)
		}
		if !tc.ok(strings.Repeat("x", tc.min)) || !tc.ok(strings.Repeat("é", tc.max)) {
			t.Errorf("%s refuses %d..%d characters", tc.name, tc.min, tc.max)
		}
		if tc.ok(strings.Repeat("x", tc.max+1)) {
			t.Errorf("%s accepts %d characters", tc.name, tc.max+1)
		}
	}
}

func TestEmailRule(t *testing.T) {
	for email, want := range map[string]bool{
		"a@example.com": true, "first.last+tag@sub.example.org": true,
		"": false, "plain": false, "a@b": false, "a@.com": false, "a b@example.com": false,
		"<a@example.com>": false, "Name <a@example.com>": false, "a@example.com.": false,
	} {
		if got := validEmail(email); got != want {
			t.Errorf("validEmail(%q) = %v, want %v", email, got, want)
		}
	}
}
