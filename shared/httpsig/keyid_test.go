package httpsig

import "testing"

func TestParseKeyID(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  KeyRef
		actor string
	}{
		// PeerTube: the bare actor URL.
		{"http://127.0.0.1:9001/accounts/peertube", KeyRef{URL: "http://127.0.0.1:9001/accounts/peertube"}, "http://127.0.0.1:9001/accounts/peertube"},
		// Mastodon: actor#main-key.
		{"https://m.example/users/bob#main-key", KeyRef{URL: "https://m.example/users/bob", Fragment: "main-key"}, "https://m.example/users/bob"},
		// GoToSocial: a key path of its own.
		{"http://127.0.0.1:8081/users/alice/main-key", KeyRef{URL: "http://127.0.0.1:8081/users/alice/main-key"}, "http://127.0.0.1:8081/users/alice"},
		// The URL is kept byte for byte.
		{"https://p.example/accounts/J%C3%BCrgen#key-1", KeyRef{URL: "https://p.example/accounts/J%C3%BCrgen", Fragment: "key-1"}, "https://p.example/accounts/J%C3%BCrgen"},
		{"https://p.example/main-key", KeyRef{URL: "https://p.example/main-key"}, "https://p.example/main-key"},
		// acct: keyIds.
		{"acct:root@peertube.example", KeyRef{Acct: "root@peertube.example"}, ""},
		{"ACCT:@root@peertube.example:9000", KeyRef{Acct: "root@peertube.example:9000"}, ""},
		// Neither.
		{"acct:root", KeyRef{}, ""},
		{"acct:@host", KeyRef{}, ""},
		{"acct:a@b@c", KeyRef{}, ""},
		{"main-key", KeyRef{}, ""},
		{"/users/alice#main-key", KeyRef{}, ""},
		{"ftp://h/key", KeyRef{}, ""},
		{"https:///nohost", KeyRef{}, ""},
		{"", KeyRef{}, ""},
	} {
		got := ParseKeyID(tc.in)
		if got != tc.want {
			t.Errorf("ParseKeyID(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if a := got.LikelyActor(); a != tc.actor {
			t.Errorf("ParseKeyID(%q).LikelyActor() = %q, want %q", tc.in, a, tc.actor)
		}
	}
}
