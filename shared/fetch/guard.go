package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
)

// class is what an address may be used for.
type class int

const (
	classPublic   class = iota
	classLoopback       // allowed with AllowLoopbackHTTP or AllowPrivate
	classPrivate        // allowed with AllowPrivate
	classNever          // never allowed
)

type prefixClass struct {
	prefix netip.Prefix
	class  class
	what   string
}

// special lists the address blocks that are not public unicast (IANA's
// special-purpose registries), most specific first where they overlap.
var special = func() []prefixClass {
	rows := []struct {
		cidr  string
		class class
		what  string
	}{
		{"127.0.0.0/8", classLoopback, "loopback"},
		{"::1/128", classLoopback, "loopback"},
		{"::/128", classPrivate, "unspecified"},
		{"0.0.0.0/8", classPrivate, "unspecified (this network)"},
		{"10.0.0.0/8", classPrivate, "private"},
		{"172.16.0.0/12", classPrivate, "private"},
		{"192.168.0.0/16", classPrivate, "private"},
		{"100.64.0.0/10", classPrivate, "CGNAT shared address space"},
		{"192.0.0.0/24", classPrivate, "IETF protocol assignment"},
		{"192.0.2.0/24", classPrivate, "documentation"},
		{"198.51.100.0/24", classPrivate, "documentation"},
		{"203.0.113.0/24", classPrivate, "documentation"},
		{"198.18.0.0/15", classPrivate, "benchmarking"},
		{"192.88.99.0/24", classPrivate, "6to4 relay anycast"},
		{"255.255.255.255/32", classNever, "broadcast"},
		{"240.0.0.0/4", classPrivate, "reserved"},
		{"169.254.0.0/16", classNever, "link-local"},
		{"224.0.0.0/4", classNever, "multicast"},
		{"fe80::/10", classNever, "link-local"},
		{"ff00::/8", classNever, "multicast"},
		{"fc00::/7", classPrivate, "unique local (private)"},
		{"fec0::/10", classPrivate, "site-local"},
		{"::/96", classPrivate, "IPv4-compatible (deprecated)"},
		{"64:ff9b:1::/48", classPrivate, "local-use NAT64"},
		{"100::/64", classPrivate, "discard-only"},
		{"2001:db8::/32", classPrivate, "documentation"},
		{"2001::/23", classPrivate, "IETF protocol assignment"},
	}
	out := make([]prefixClass, len(rows))
	for i, r := range rows {
		out[i] = prefixClass{netip.MustParsePrefix(r.cidr), r.class, r.what}
	}
	return out
}()

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// classify says what an address is. IPv4-mapped IPv6 addresses are
// classified as the IPv4 address, and so are the IPv4 addresses embedded
// in NAT64 and 6to4 addresses (a gateway would connect to them).
func classify(a netip.Addr) (class, string) {
	a = a.Unmap().WithZone("")
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			c, what := classify(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
			return c, what + " (NAT64)"
		case sixToFour.Contains(a):
			c, what := classify(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
			return c, what + " (6to4)"
		}
	}
	for _, s := range special {
		if s.prefix.Contains(a) {
			return s.class, s.what
		}
	}
	if !a.IsValid() {
		return classNever, "invalid"
	}
	return classPublic, "public"
}

// policy decides which addresses the client may connect to.
type policy struct {
	allowPrivate  bool
	allowLoopback bool
	// allowHTTP lets plain http reach any allowed address; without it
	// plain http reaches loopback addresses only (when allowLoopback).
	allowHTTP bool
}

// check refuses an address the client may not connect to; plain is true
// for a connection that will carry plain http.
func (p policy) check(a netip.Addr, plain bool) error {
	c, what := classify(a)
	ok := false
	switch c {
	case classPublic:
		ok = true
	case classLoopback:
		ok = p.allowLoopback || p.allowPrivate
	case classPrivate:
		ok = p.allowPrivate
	}
	if !ok {
		return fmt.Errorf("%w: %s is %s", ErrBlocked, a, what)
	}
	if plain && !p.allowHTTP && c != classLoopback {
		return fmt.Errorf("%w: plain http to %s (https is required for non-loopback peers)", ErrBlocked, a)
	}
	return nil
}

// control is the net.Dialer Control hook: it checks the address the socket
// is about to connect to, whatever resolved it.
func (p policy) control(plain bool) func(network, address string, _ syscall.RawConn) error {
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot parse dial address %q", ErrBlocked, address)
		}
		return p.check(ap.Addr(), plain)
	}
}

// checkURL refuses URLs the client never fetches.
func (c *Client) checkURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !c.policy.allowHTTP && !c.policy.allowLoopback {
			return fmt.Errorf("%w: %s: https is required", ErrBadURL, u.Redacted())
		}
		if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !c.policy.allowHTTP {
			if cl, _ := classify(ip); cl != classLoopback {
				return fmt.Errorf("%w: %s: https is required for non-loopback peers", ErrBadURL, u.Redacted())
			}
		}
	default:
		return fmt.Errorf("%w: scheme %q is not http or https", ErrBadURL, u.Scheme)
	}
	if u.Hostname() == "" {
		return fmt.Errorf("%w: %q has no host", ErrBadURL, u.Redacted())
	}
	if u.User != nil {
		return fmt.Errorf("%w: %s carries credentials", ErrBadURL, u.Redacted())
	}
	if u.Opaque != "" {
		return fmt.Errorf("%w: %q is not a hierarchical URL", ErrBadURL, u.Redacted())
	}
	return nil
}

// dialer connects to host:port after resolving host itself, checking every
// address, and dialing only the allowed ones, each through a net.Dialer
// whose Control hook checks the address again.
type dialer struct {
	policy   policy
	resolver Resolver
	plain    *net.Dialer
	secure   *net.Dialer
	tls      *tls.Config
}

func (d *dialer) dialPlain(ctx context.Context, network, addr string) (net.Conn, error) {
	return d.dial(ctx, network, addr, true)
}

func (d *dialer) dialTLS(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := d.dial(ctx, network, addr, false)
	if err != nil {
		return nil, err
	}
	host, _, _ := net.SplitHostPort(addr)
	cfg := d.tls.Clone()
	cfg.ServerName = host
	tc := tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		_ = conn.Close()
		return nil, fmt.Errorf("tls handshake with %s: %w", addr, err)
	}
	return tc, nil
}

func (d *dialer) dial(ctx context.Context, network, addr string, plain bool) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = d.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", host)
		}
	}
	nd := d.secure
	if plain {
		nd = d.plain
	}
	var refused []error
	var lastErr error
	for _, ip := range ips {
		if err := d.policy.check(ip, plain); err != nil {
			refused = append(refused, err)
			continue
		}
		conn, err := nd.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	return nil, fmt.Errorf("dial %s: %w", host, errors.Join(refused...))
}
