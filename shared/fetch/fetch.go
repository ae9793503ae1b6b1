package fetch

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultMaxBodyBytes = 1 << 20
	DefaultMaxRedirects = 3
	DefaultUserAgent    = "Vidiverse"
)

// idleConnTimeout stays under the 5 s keep-alive timeout of Node servers
// (PeerTube answers "Keep-Alive: timeout=5"), so a pooled connection is
// not reused just as the peer closes it.
const idleConnTimeout = 4 * time.Second

// Resolver resolves host names; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configure a Client. The zero value is the production setting:
// https only, public addresses only, the defaults below.
type Options struct {
	// AllowPrivate lets the client reach private, loopback, CGNAT,
	// unspecified and reserved addresses (a deployment inside a private
	// network). Link-local, multicast and broadcast addresses stay refused.
	AllowPrivate bool
	// AllowLoopbackHTTP lets the client reach loopback peers, over http as
	// well as https: the local-testing setup, on by default when PUBLIC_URL
	// is http on a loopback host (see LoopbackPublicURL).
	AllowLoopbackHTTP bool
	// AllowHTTP lets plain http reach every allowed address, not only
	// loopback ones.
	AllowHTTP bool
	// CAFile names a PEM file of extra root certificates, trusted besides
	// the system's, for https peers behind a test TLS front.
	CAFile string
	// Timeout bounds a whole exchange: connection, redirects and reading
	// the body (default 10 s).
	Timeout time.Duration
	// MaxBodyBytes bounds an answer's body (default 1 MiB, enough for any
	// ActivityPub document).
	MaxBodyBytes int64
	// MaxRedirects is how many redirects a GET follows (default 3; a
	// negative value follows none).
	MaxRedirects int
	// UserAgent is sent with every request (default "Vidiverse").
	UserAgent string
	// Resolver resolves host names (default net.DefaultResolver).
	Resolver Resolver
}

// Client makes guarded requests. It is safe for concurrent use.
type Client struct {
	http         *http.Client
	policy       policy
	maxBody      int64
	maxRedirects int
	userAgent    string
}

// New returns a client configured by o.
func New(o Options) (*Client, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxRedirects == 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Resolver == nil {
		o.Resolver = net.DefaultResolver
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA file: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s holds no PEM certificate", o.CAFile)
		}
	}
	c := &Client{
		policy:       policy{allowPrivate: o.AllowPrivate, allowLoopback: o.AllowLoopbackHTTP, allowHTTP: o.AllowHTTP},
		maxBody:      o.MaxBodyBytes,
		maxRedirects: o.MaxRedirects,
		userAgent:    o.UserAgent,
	}
	d := &dialer{
		policy:   c.policy,
		resolver: o.Resolver,
		plain:    &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second, Control: c.policy.control(true)},
		secure:   &net.Dialer{Timeout: o.Timeout, KeepAlive: 30 * time.Second, Control: c.policy.control(false)},
		tls:      &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}},
	}
	c.http = &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DialContext:            d.dialPlain,
			DialTLSContext:         d.dialTLS,
			MaxIdleConns:           256,
			MaxIdleConnsPerHost:    8,
			IdleConnTimeout:        idleConnTimeout,
			ResponseHeaderTimeout:  o.Timeout,
			ExpectContinueTimeout:  time.Second,
			MaxResponseHeaderBytes: 64 << 10,
		},
		CheckRedirect: c.checkRedirect,
		Timeout:       o.Timeout,
	}
	return c, nil
}

// LoopbackPublicURL reports whether publicURL is plain http on a loopback
// host (localhost, 127.0.0.0/8, ::1): the local-testing setup in which
// loopback http peers are allowed by default (Options.AllowLoopbackHTTP).
func LoopbackPublicURL(publicURL string) bool {
	u, err := url.Parse(publicURL)
	if err != nil || u.Scheme != "http" {
		return false
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Unmap().IsLoopback()
}

// Signer signs a request just before it is sent (and again before each
// redirect is followed): it sees every header the client set and may add
// its own. nil sends the request unsigned.
type Signer func(*http.Request) error

type signerKey struct{}

// Get fetches rawURL with the Accept header accept (omitted when empty),
// signed by sign. It returns the body (at most MaxBodyBytes) and the
// answer, whose Body is already consumed and closed. A non-2xx answer is
// an *ErrRemote, returned with the start of its body.
func (c *Client) Get(ctx context.Context, rawURL, accept string, sign Signer) ([]byte, *http.Response, error) {
	req, err := c.newRequest(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, nil, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return c.do(req, sign)
}

// Post sends body to rawURL with the Content-Type contentType, signed by
// sign, and returns the answer as Get does. A 307 or 308 redirect is
// followed with the same body (signed again); any other redirect is
// returned as an *ErrRemote, since it would turn the POST into a GET.
func (c *Client) Post(ctx context.Context, rawURL string, body []byte, contentType string, sign Signer) ([]byte, *http.Response, error) {
	req, err := c.newRequest(ctx, http.MethodPost, rawURL, body)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Content-Type", contentType)
	return c.do(req, sign)
}

// GetHost fetches pathQuery (a path with its query, starting with "/")
// from host, a bare host[:port] as handles and follow requests name it:
// over https, and, when https got no answer at all and the client lets
// plain http reach loopback (or any) peers, over http. This is how two
// local instances on http://localhost:PORT find each other.
func (c *Client) GetHost(ctx context.Context, host, pathQuery, accept string, sign Signer) ([]byte, *http.Response, error) {
	if !strings.HasPrefix(pathQuery, "/") {
		return nil, nil, fmt.Errorf("%w: path %q does not start with /", ErrBadURL, pathQuery)
	}
	u, err := url.Parse("https://" + host + pathQuery)
	if err != nil || u.Host != host || host == "" || u.User != nil {
		return nil, nil, fmt.Errorf("%w: %q is not a host[:port]", ErrBadURL, host)
	}
	body, resp, err := c.Get(ctx, u.String(), accept, sign)
	if err == nil || !Unreachable(err) || ctx.Err() != nil || !(c.policy.allowLoopback || c.policy.allowHTTP) {
		return body, resp, err
	}
	u.Scheme = "http"
	body, resp, errHTTP := c.Get(ctx, u.String(), accept, sign)
	if errHTTP != nil {
		return body, resp, errors.Join(err, errHTTP)
	}
	return body, resp, nil
}

func (c *Client) newRequest(ctx context.Context, method, rawURL string, body []byte) (*http.Request, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	if err := c.checkURL(u); err != nil {
		return nil, err
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	return req, nil
}

func (c *Client) do(req *http.Request, sign Signer) ([]byte, *http.Response, error) {
	op := req.Method + " " + req.URL.Redacted()
	if sign != nil {
		if err := sign(req); err != nil {
			return nil, nil, fmt.Errorf("sign %s: %w", op, err)
		}
		req = req.WithContext(context.WithValue(req.Context(), signerKey{}, sign))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", op, timeout(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body = http.NoBody
		return snippet, resp, &ErrRemote{Method: req.Method, URL: resp.Request.URL.Redacted(), Status: resp.StatusCode, Body: snippet}
	}
	if resp.ContentLength > c.maxBody {
		resp.Body = http.NoBody
		return nil, resp, fmt.Errorf("%s: %w: Content-Length %d over %d bytes", op, ErrTooLarge, resp.ContentLength, c.maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	resp.Body = http.NoBody
	if err != nil {
		return nil, resp, fmt.Errorf("read %s: %w", op, timeout(err))
	}
	if int64(len(body)) > c.maxBody {
		return nil, resp, fmt.Errorf("%s: %w: over %d bytes", op, ErrTooLarge, c.maxBody)
	}
	return body, resp, nil
}

// checkRedirect follows a redirect only to a URL the client may fetch, at
// most maxRedirects times, never turning a POST into a GET, and signs the
// new request afresh (a signature covers the request target and host).
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if c.maxRedirects < 0 {
		return http.ErrUseLastResponse
	}
	if len(via) > c.maxRedirects {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, c.maxRedirects)
	}
	if first := via[0]; first.Method != http.MethodGet && first.Method != http.MethodHead && req.Method != first.Method {
		return http.ErrUseLastResponse
	}
	if err := c.checkURL(req.URL); err != nil {
		return fmt.Errorf("redirect: %w", err)
	}
	req.Header.Del("Signature")
	req.Header.Del("Authorization")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	if sign, _ := req.Context().Value(signerKey{}).(Signer); sign != nil {
		if err := sign(req); err != nil {
			return fmt.Errorf("sign redirect to %s: %w", req.URL.Redacted(), err)
		}
	}
	return nil
}

// timeout marks err with ErrTimeout when it is one.
func timeout(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return fmt.Errorf("%w: %w", ErrTimeout, err)
	}
	return err
}
