package fetch_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vidiverse/vidiverse/shared/fetch"
)

// hosts is a resolver with fixed answers.
type hosts map[string][]string

func (h hosts) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	addrs, ok := h[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]netip.Addr, len(addrs))
	for i, a := range addrs {
		out[i] = netip.MustParseAddr(a)
	}
	return out, nil
}

// counted is a loopback server that counts the requests it gets.
type counted struct {
	*httptest.Server
	hits atomic.Int64
}

func newCounted(t *testing.T, h http.HandlerFunc) *counted {
	t.Helper()
	c := &counted{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(c.Close)
	return c
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("hello")) }

func newClient(t *testing.T, o fetch.Options) *fetch.Client {
	t.Helper()
	c, err := fetch.New(o)
	if err != nil {
		t.Fatalf("New(%+v): %v", o, err)
	}
	return c
}

func port(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestLoopbackRefusedByDefaultAndAllowedWithTheOption(t *testing.T) {
	srv := newCounted(t, ok)
	ctx := context.Background()

	// The production client: plain http is refused before any connection.
	_, _, err := newClient(t, fetch.Options{}).Get(ctx, srv.URL, "", nil)
	if !errors.Is(err, fetch.ErrBadURL) {
		t.Errorf("default client, http loopback: err = %v, want ErrBadURL", err)
	}
	// With http allowed, the loopback address itself is refused.
	_, _, err = newClient(t, fetch.Options{AllowHTTP: true}).Get(ctx, srv.URL, "", nil)
	if !errors.Is(err, fetch.ErrBlocked) {
		t.Errorf("AllowHTTP only, loopback: err = %v, want ErrBlocked", err)
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("refused requests reached the server %d times", n)
	}

	body, resp, err := newClient(t, fetch.Options{AllowLoopbackHTTP: true}).Get(ctx, srv.URL, "", nil)
	if err != nil || string(body) != "hello" || resp.StatusCode != 200 {
		t.Fatalf("AllowLoopbackHTTP: body %q, resp %v, err %v", body, resp, err)
	}
	body, _, err = newClient(t, fetch.Options{AllowPrivate: true, AllowHTTP: true}).Get(ctx, srv.URL, "", nil)
	if err != nil || string(body) != "hello" {
		t.Fatalf("AllowPrivate+AllowHTTP: body %q, err %v", body, err)
	}
}

func TestHostnamesResolvingToRefusedAddresses(t *testing.T) {
	srv := newCounted(t, ok)
	p := port(t, srv.Server)
	names := hosts{
		"loopback.test":   {"127.0.0.1"},
		"loopback6.test":  {"::1"},
		"mapped.test":     {"::ffff:127.0.0.1"},
		"nat64.test":      {"64:ff9b::7f00:1"},
		"private.test":    {"10.1.2.3"},
		"private2.test":   {"192.168.1.10"},
		"private3.test":   {"172.20.0.5"},
		"ula.test":        {"fd12:3456::1"},
		"metadata.test":   {"169.254.169.254"},
		"linklocal6.test": {"fe80::1"},
		"cgnat.test":      {"100.64.0.1"},
		"zero.test":       {"0.0.0.0"},
		"unspec6.test":    {"::"},
		"multicast.test":  {"224.0.0.1"},
	}
	ctx := context.Background()
	strict := newClient(t, fetch.Options{AllowHTTP: true, Resolver: names})
	for name := range names {
		_, _, err := strict.Get(ctx, "http://"+name+":"+p+"/", "", nil)
		if !errors.Is(err, fetch.ErrBlocked) {
			t.Errorf("%s: err = %v, want ErrBlocked", name, err)
		}
		if fetch.Retryable(err) {
			t.Errorf("%s: a refusal is reported retryable", name)
		}
	}
	if n := srv.hits.Load(); n != 0 {
		t.Fatalf("refused requests reached the server %d times", n)
	}

	// Loopback allowed: only the loopback names get through, and plain http
	// still may not reach non-loopback addresses even with AllowPrivate.
	local := newClient(t, fetch.Options{AllowLoopbackHTTP: true, AllowPrivate: true, Resolver: names})
	if _, _, err := local.Get(ctx, "http://loopback.test:"+p+"/", "", nil); err != nil {
		t.Errorf("loopback.test with AllowLoopbackHTTP: %v", err)
	}
	if _, _, err := local.Get(ctx, "http://mapped.test:"+p+"/", "", nil); err != nil {
		t.Errorf("mapped.test with AllowLoopbackHTTP: %v", err)
	}
	for _, name := range []string{"private.test", "metadata.test", "cgnat.test"} {
		if _, _, err := local.Get(ctx, "http://"+name+":"+p+"/", "", nil); !errors.Is(err, fetch.ErrBlocked) {
			t.Errorf("%s over http with AllowPrivate+AllowLoopbackHTTP: err = %v, want ErrBlocked", name, err)
		}
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("server hit %d times, want 2", n)
	}
}

func TestOnlyAllowedAddressesOfAHostAreDialled(t *testing.T) {
	srv := newCounted(t, ok)
	names := hosts{"mixed.test": {"10.0.0.1", "169.254.169.254", "127.0.0.1"}}
	c := newClient(t, fetch.Options{AllowLoopbackHTTP: true, Resolver: names})
	body, _, err := c.Get(context.Background(), "http://mixed.test:"+port(t, srv.Server)+"/", "", nil)
	if err != nil || string(body) != "hello" {
		t.Fatalf("body %q, err %v", body, err)
	}
}

func TestRedirects(t *testing.T) {
	var seen atomic.Value
	target := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Get("Signature") + "|" + r.Header.Get("Date"))
		_, _ = w.Write([]byte("target " + r.URL.Path))
	})
	tp := port(t, target.Server)
	redirector := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
		if n := strings.TrimPrefix(r.URL.Path, "/hop/"); n != r.URL.Path {
			// /hop/N redirects N more times, then to the target.
			var left int
			_, _ = fmt.Sscanf(n, "%d", &left)
			next := fmt.Sprintf("/hop/%d", left-1)
			if left <= 1 {
				next = "http://peer.test:" + tp + "/final"
			}
			http.Redirect(w, r, next, http.StatusFound)
			return
		}
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	names := hosts{
		"peer.test":     {"127.0.0.1"},
		"internal.test": {"10.1.2.3"},
		"metadata.test": {"169.254.169.254"},
	}
	c := newClient(t, fetch.Options{AllowLoopbackHTTP: true, Resolver: names})
	ctx := context.Background()
	via := func(to string) string { return redirector.URL + "/?to=" + url.QueryEscape(to) }

	refused := map[string]error{
		"http://internal.test:" + tp + "/":         fetch.ErrBlocked,
		"http://metadata.test/latest/meta-data":    fetch.ErrBlocked,
		"http://10.0.0.1/":                         fetch.ErrBadURL,
		"http://169.254.169.254/latest/meta-data/": fetch.ErrBlocked,
		"file:///etc/passwd":                       fetch.ErrBadURL,
		"gopher://peer.test:" + tp + "/":           fetch.ErrBadURL,
		"http://user:secret@peer.test:" + tp + "/": fetch.ErrBadURL,
	}
	// http://169.254.169.254 is an IP literal over http: ErrBadURL would
	// also be right; accept either refusal for it.
	for to, want := range refused {
		_, _, err := c.Get(ctx, via(to), "", nil)
		if !errors.Is(err, want) && !(strings.Contains(to, "169.254.169.254") && errors.Is(err, fetch.ErrBadURL)) {
			t.Errorf("redirect to %s: err = %v, want %v", to, err, want)
		}
	}
	if n := target.hits.Load(); n != 0 {
		t.Fatalf("refused redirects reached the target %d times", n)
	}

	// Three redirects are followed, a fourth is not; each hop is signed
	// again for its own URL.
	sign := func(r *http.Request) error {
		r.Header.Set("Signature", "signed "+r.URL.Path)
		return nil
	}
	body, resp, err := c.Get(ctx, redirector.URL+"/hop/3", "", sign)
	if err != nil || string(body) != "target /final" {
		t.Fatalf("3 redirects: body %q, err %v", body, err)
	}
	if got := resp.Request.URL.String(); got != "http://peer.test:"+tp+"/final" {
		t.Errorf("final URL %s", got)
	}
	if got, _ := seen.Load().(string); !strings.HasPrefix(got, "signed /final|") || len(got) <= len("signed /final|") {
		t.Errorf("the target saw signature|date %q, want the request signed for /final with a Date", got)
	}
	_, _, err = c.Get(ctx, redirector.URL+"/hop/4", "", nil)
	if !errors.Is(err, fetch.ErrTooManyRedirects) {
		t.Errorf("4 redirects: err = %v, want ErrTooManyRedirects", err)
	}
	none := newClient(t, fetch.Options{AllowLoopbackHTTP: true, Resolver: names, MaxRedirects: -1})
	var remote *fetch.ErrRemote
	if _, _, err := none.Get(ctx, redirector.URL+"/hop/1", "", nil); !errors.As(err, &remote) || remote.Status != http.StatusFound {
		t.Errorf("MaxRedirects -1: err = %v, want ErrRemote 302", err)
	}
}

func TestBodiesOverTheLimitAreCut(t *testing.T) {
	srv := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/exact":
			_, _ = w.Write([]byte(strings.Repeat("a", 100)))
		case "/declared":
			w.Header().Set("Content-Length", "101")
			_, _ = w.Write([]byte(strings.Repeat("a", 101)))
		case "/streamed":
			for range 50 {
				_, _ = w.Write([]byte(strings.Repeat("b", 100)))
				w.(http.Flusher).Flush()
			}
		case "/gzip":
			// 1 MB of zeros in a few kilobytes: the limit applies to what
			// the body decompresses to.
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(gzipZeros(t, 1<<20))
		}
	})
	c := newClient(t, fetch.Options{AllowLoopbackHTTP: true, MaxBodyBytes: 100})
	ctx := context.Background()
	if body, _, err := c.Get(ctx, srv.URL+"/exact", "", nil); err != nil || len(body) != 100 {
		t.Errorf("exactly the limit: %d bytes, err %v", len(body), err)
	}
	for _, p := range []string{"/declared", "/streamed", "/gzip"} {
		body, _, err := c.Get(ctx, srv.URL+p, "", nil)
		if !errors.Is(err, fetch.ErrTooLarge) || body != nil {
			t.Errorf("%s: %d bytes, err %v, want ErrTooLarge and no body", p, len(body), err)
		}
		if fetch.Retryable(err) {
			t.Errorf("%s: ErrTooLarge reported retryable", p)
		}
	}
}

func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	srv := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.Header().Set("Content-Length", "10")
			_, _ = w.Write([]byte("abc"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c := newClient(t, fetch.Options{AllowLoopbackHTTP: true, Timeout: 200 * time.Millisecond})
	for _, p := range []string{"/slow-headers", "/slow-body"} {
		start := time.Now()
		_, _, err := c.Get(context.Background(), srv.URL+p, "", nil)
		if !errors.Is(err, fetch.ErrTimeout) {
			t.Errorf("%s: err = %v, want ErrTimeout", p, err)
		}
		if !fetch.Retryable(err) {
			t.Errorf("%s: a timeout is not reported retryable", p)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v with a 200 ms timeout", p, d)
		}
	}
	// A shorter context deadline wins over Timeout.
	slow := newClient(t, fetch.Options{AllowLoopbackHTTP: true, Timeout: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, _, err := slow.Get(ctx, srv.URL+"/slow-headers", "", nil); !errors.Is(err, fetch.ErrTimeout) {
		t.Errorf("context deadline: err = %v, want ErrTimeout", err)
	}
}

func TestStatusesMapToTypedErrors(t *testing.T) {
	srv := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
		var code int
		_, _ = fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/"), "%d", &code)
		w.WriteHeader(code)
		_, _ = fmt.Fprintf(w, "status %d", code)
	})
	c := newClient(t, fetch.Options{AllowLoopbackHTTP: true})
	cases := []struct {
		status    int
		is        error
		retryable bool
	}{
		{404, fetch.ErrNotFound, false},
		{410, fetch.ErrGone, false},
		{401, fetch.ErrUnauthorized, false},
		{403, fetch.ErrUnauthorized, false},
		{400, nil, false},
		{408, nil, true},
		{429, nil, true},
		{500, nil, true},
		{502, nil, true},
		{503, nil, true},
	}
	for _, tc := range cases {
		body, resp, err := c.Get(context.Background(), fmt.Sprintf("%s/%d", srv.URL, tc.status), "", nil)
		var remote *fetch.ErrRemote
		if !errors.As(err, &remote) || remote.Status != tc.status || resp == nil || resp.StatusCode != tc.status {
			t.Errorf("%d: err = %v, resp %v", tc.status, err, resp)
			continue
		}
		if string(body) != fmt.Sprintf("status %d", tc.status) || string(remote.Body) != string(body) {
			t.Errorf("%d: body %q, error body %q", tc.status, body, remote.Body)
		}
		if tc.is != nil && !errors.Is(err, tc.is) {
			t.Errorf("%d: err %v does not match %v", tc.status, err, tc.is)
		}
		for _, other := range []error{fetch.ErrNotFound, fetch.ErrGone, fetch.ErrUnauthorized} {
			if other != tc.is && errors.Is(err, other) {
				t.Errorf("%d: err also matches %v", tc.status, other)
			}
		}
		if fetch.Retryable(err) != tc.retryable {
			t.Errorf("%d: Retryable = %v, want %v", tc.status, !tc.retryable, tc.retryable)
		}
		if fetch.Unreachable(err) {
			t.Errorf("%d: an answer is reported unreachable", tc.status)
		}
	}
	// A closed port is unreachable and retryable.
	closed := httptest.NewServer(http.HandlerFunc(ok))
	closed.Close()
	_, _, err := c.Get(context.Background(), closed.URL, "", nil)
	if err == nil || !fetch.Unreachable(err) || !fetch.Retryable(err) {
		t.Errorf("closed port: err = %v, unreachable %v, retryable %v", err, fetch.Unreachable(err), fetch.Retryable(err))
	}
}

func TestRequestHeaders(t *testing.T) {
	var got http.Header
	srv := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Clone()
		_, _ = w.Write([]byte("{}"))
	})
	c := newClient(t, fetch.Options{AllowLoopbackHTTP: true, UserAgent: "Vidiverse/1 (+http://localhost:9000)"})
	var signedDate string
	sign := func(r *http.Request) error {
		signedDate = r.Header.Get("Date")
		r.Header.Set("Signature", "keyId=\"x\"")
		return nil
	}
	if _, _, err := c.Get(context.Background(), srv.URL, "application/activity+json", sign); err != nil {
		t.Fatal(err)
	}
	if got.Get("User-Agent") != "Vidiverse/1 (+http://localhost:9000)" || got.Get("Accept") != "application/activity+json" || got.Get("Signature") != "keyId=\"x\"" {
		t.Errorf("headers %v", got)
	}
	if d, err := http.ParseTime(got.Get("Date")); err != nil || time.Since(d) > time.Minute || signedDate != got.Get("Date") {
		t.Errorf("Date %q (signed %q): %v", got.Get("Date"), signedDate, err)
	}
	signErr := errors.New("no key")
	if _, _, err := c.Get(context.Background(), srv.URL, "", func(*http.Request) error { return signErr }); !errors.Is(err, signErr) {
		t.Errorf("failing signer: err = %v", err)
	}
}

func TestPost(t *testing.T) {
	type seenReq struct{ method, ctype, body, sig string }
	var last atomic.Value
	srv := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/temporary":
			http.Redirect(w, r, "/inbox", http.StatusTemporaryRedirect)
			return
		case "/found":
			http.Redirect(w, r, "/inbox", http.StatusFound)
			return
		}
		b := make([]byte, 1024)
		n, _ := r.Body.Read(b)
		last.Store(seenReq{r.Method, r.Header.Get("Content-Type"), string(b[:n]), r.Header.Get("Signature")})
		w.WriteHeader(http.StatusAccepted)
	})
	c := newClient(t, fetch.Options{AllowLoopbackHTTP: true})
	body := []byte(`{"type":"Follow"}`)
	sign := func(r *http.Request) error {
		b, err := r.GetBody()
		if err != nil {
			return err
		}
		buf := make([]byte, 1024)
		n, _ := b.Read(buf)
		r.Header.Set("Signature", fmt.Sprintf("%s %d", r.URL.Path, n))
		return nil
	}
	ctx := context.Background()
	for _, p := range []string{"/inbox", "/temporary"} {
		last.Store(seenReq{})
		_, resp, err := c.Post(ctx, srv.URL+p, body, "application/activity+json", sign)
		if err != nil || resp.StatusCode != http.StatusAccepted {
			t.Fatalf("POST %s: resp %v, err %v", p, resp, err)
		}
		want := seenReq{"POST", "application/activity+json", string(body), fmt.Sprintf("/inbox %d", len(body))}
		if got := last.Load().(seenReq); got != want {
			t.Errorf("POST %s: inbox saw %+v, want %+v", p, got, want)
		}
	}
	last.Store(seenReq{})
	var remote *fetch.ErrRemote
	if _, _, err := c.Post(ctx, srv.URL+"/found", body, "application/activity+json", sign); !errors.As(err, &remote) || remote.Status != http.StatusFound {
		t.Errorf("POST answered 302: err = %v, want ErrRemote 302", err)
	}
	if got := last.Load().(seenReq); got != (seenReq{}) {
		t.Errorf("a 302 turned the POST into %+v", got)
	}
}

func TestGetHostTriesHTTPSThenLoopbackHTTP(t *testing.T) {
	srv := newCounted(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(r.URL.RequestURI()))
	})
	host := strings.TrimPrefix(srv.URL, "http://")
	ctx := context.Background()
	c := newClient(t, fetch.Options{AllowLoopbackHTTP: true})
	body, resp, err := c.GetHost(ctx, host, "/.well-known/nodeinfo?x=1", "application/json", nil)
	if err != nil || string(body) != "/.well-known/nodeinfo?x=1" || resp.Request.URL.Scheme != "http" {
		t.Fatalf("GetHost over loopback http: body %q, resp %v, err %v", body, resp, err)
	}

	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("tls")) }))
	defer tlsSrv.Close()
	withCA := newClient(t, fetch.Options{AllowLoopbackHTTP: true, CAFile: writeCA(t, tlsSrv)})
	body, resp, err = withCA.GetHost(ctx, strings.TrimPrefix(tlsSrv.URL, "https://"), "/", "", nil)
	if err != nil || string(body) != "tls" || resp.Request.URL.Scheme != "https" {
		t.Fatalf("GetHost over https: body %q, resp %v, err %v", body, resp, err)
	}

	// Without loopback http there is no fallback.
	private := newClient(t, fetch.Options{AllowPrivate: true})
	if _, _, err := private.GetHost(ctx, host, "/", "", nil); err == nil {
		t.Error("GetHost fell back to http without AllowLoopbackHTTP")
	}
	for _, bad := range []string{"", "evil.test/x", "a@evil.test", "evil.test?x", "evil.test#x"} {
		if _, _, err := c.GetHost(ctx, bad, "/", "", nil); !errors.Is(err, fetch.ErrBadURL) {
			t.Errorf("GetHost(%q): err = %v, want ErrBadURL", bad, err)
		}
	}
	if _, _, err := c.GetHost(ctx, host, "x", "", nil); !errors.Is(err, fetch.ErrBadURL) {
		t.Errorf("relative path: err = %v", err)
	}
}

func TestLoopbackPublicURL(t *testing.T) {
	for u, want := range map[string]bool{
		"http://localhost:9000":   true,
		"http://127.0.0.1:9001":   true,
		"http://[::1]:9000":       true,
		"http://app.localhost":    true,
		"https://localhost:9443":  false,
		"http://video.example":    false,
		"http://10.0.0.1:9000":    false,
		"https://video.example":   false,
		"http://localhost.evil.a": false,
	} {
		if got := fetch.LoopbackPublicURL(u); got != want {
			t.Errorf("LoopbackPublicURL(%q) = %v, want %v", u, got, want)
		}
	}
}
