package fetch

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	cases := map[string]class{
		"93.184.216.34":        classPublic,
		"1.1.1.1":              classPublic,
		"2606:4700::1111":      classPublic,
		"2001:4860:4860::8888": classPublic,
		"127.0.0.1":            classLoopback,
		"127.255.0.9":          classLoopback,
		"::1":                  classLoopback,
		"::ffff:127.0.0.1":     classLoopback,
		"64:ff9b::7f00:1":      classLoopback,
		"10.0.0.1":             classPrivate,
		"172.16.0.1":           classPrivate,
		"172.31.255.255":       classPrivate,
		"172.32.0.1":           classPublic,
		"192.168.0.1":          classPrivate,
		"::ffff:10.0.0.1":      classPrivate,
		"100.64.0.1":           classPrivate,
		"100.127.255.255":      classPrivate,
		"100.128.0.1":          classPublic,
		"0.0.0.0":              classPrivate,
		"::":                   classPrivate,
		"fd00::1":              classPrivate,
		"fc00::1":              classPrivate,
		"2002:a00:1::":         classPrivate, // 6to4 of 10.0.0.1
		"2002:5db8:d822::":     classPublic,  // 6to4 of 93.184.216.34
		"64:ff9b::a00:1":       classPrivate, // NAT64 of 10.0.0.1
		"192.0.2.1":            classPrivate,
		"2001:db8::1":          classPrivate,
		"240.0.0.1":            classPrivate,
		"169.254.169.254":      classNever,
		"169.254.170.2":        classNever,
		"fe80::1":              classNever,
		"fe80::1%eth0":         classNever,
		"64:ff9b::a9fe:a9fe":   classNever, // NAT64 of 169.254.169.254
		"224.0.0.1":            classNever,
		"ff02::1":              classNever,
		"255.255.255.255":      classNever,
	}
	for s, want := range cases {
		if got, what := classify(netip.MustParseAddr(s)); got != want {
			t.Errorf("classify(%s) = %d (%s), want %d", s, got, what, want)
		}
	}
}

func TestPolicy(t *testing.T) {
	loop := netip.MustParseAddr("127.0.0.1")
	priv := netip.MustParseAddr("10.0.0.1")
	pub := netip.MustParseAddr("93.184.216.34")
	meta := netip.MustParseAddr("169.254.169.254")
	cases := []struct {
		p     policy
		addr  netip.Addr
		plain bool
		ok    bool
	}{
		{policy{}, pub, false, true},
		{policy{}, pub, true, false},
		{policy{}, loop, false, false},
		{policy{}, priv, false, false},
		{policy{allowLoopback: true}, loop, true, true},
		{policy{allowLoopback: true}, loop, false, true},
		{policy{allowLoopback: true}, priv, false, false},
		{policy{allowLoopback: true}, pub, true, false},
		{policy{allowPrivate: true}, priv, false, true},
		{policy{allowPrivate: true}, priv, true, false},
		{policy{allowPrivate: true, allowHTTP: true}, priv, true, true},
		{policy{allowPrivate: true, allowHTTP: true}, meta, false, false},
		{policy{allowHTTP: true}, pub, true, true},
	}
	for _, tc := range cases {
		err := tc.p.check(tc.addr, tc.plain)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrBlocked)) {
			t.Errorf("%+v check(%s, plain=%v) = %v, want ok=%v", tc.p, tc.addr, tc.plain, err, tc.ok)
		}
	}
}

// The Control hook refuses the socket's address itself, whatever asked for
// the connection.
func TestControlHookChecksTheConnectAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_ = c.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	strict := &net.Dialer{Control: policy{}.control(false)}
	if c, err := strict.DialContext(ctx, "tcp", ln.Addr().String()); !errors.Is(err, ErrBlocked) {
		if c != nil {
			_ = c.Close()
		}
		t.Errorf("strict hook dialled loopback: %v", err)
	}
	// "localhost" goes through the system resolver and is still refused.
	if c, err := strict.DialContext(ctx, "tcp", "localhost:"+strings.Split(ln.Addr().String(), ":")[1]); !errors.Is(err, ErrBlocked) {
		if c != nil {
			_ = c.Close()
		}
		t.Errorf("strict hook dialled localhost: %v", err)
	}
	local := &net.Dialer{Control: policy{allowLoopback: true}.control(true)}
	c, err := local.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("loopback hook refused loopback: %v", err)
	}
	_ = c.Close()
	if _, err := local.DialContext(ctx, "tcp", "10.255.255.1:80"); !errors.Is(err, ErrBlocked) {
		t.Errorf("loopback hook let plain http reach 10.255.255.1: %v", err)
	}
}

// FuzzCheckURL: whatever the input, a URL the guard lets through is http
// or https, has a host and carries no credentials.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://video.example/videos/watch/1", "http://localhost:9000/", "file:///etc/passwd",
		"gopher://127.0.0.1:25/", "data:text/plain,x", "HTTPS://EXAMPLE.COM", "https://u:p@h/",
		"http://[::1]:80/", "http://10.0.0.1/", "javascript:alert(1)", "https:opaque", "//h/x",
		"https://h%00/", "http://127.0.0.1:9001/accounts/root", "ftp://h/", "https://[fe80::1%25eth0]/",
	} {
		f.Add(s)
	}
	clients := []*Client{}
	for _, o := range []Options{{}, {AllowLoopbackHTTP: true}, {AllowHTTP: true, AllowPrivate: true}} {
		c, err := New(o)
		if err != nil {
			f.Fatal(err)
		}
		clients = append(clients, c)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := url.Parse(raw)
		if err != nil {
			return
		}
		for i, c := range clients {
			if err := c.checkURL(u); err != nil {
				if !errors.Is(err, ErrBadURL) {
					t.Fatalf("client %d: %q refused with %v, not ErrBadURL", i, raw, err)
				}
				continue
			}
			scheme := strings.ToLower(u.Scheme)
			if scheme != "https" && scheme != "http" {
				t.Fatalf("client %d let scheme %q through (%q)", i, u.Scheme, raw)
			}
			if u.Hostname() == "" || u.User != nil || u.Opaque != "" {
				t.Fatalf("client %d let %q through (host %q, user %v)", i, raw, u.Hostname(), u.User)
			}
			if i == 0 && scheme == "http" {
				t.Fatalf("the production client let plain http through: %q", raw)
			}
		}
	})
}
