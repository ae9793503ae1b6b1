package fetch

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
)

var (
	// ErrBadURL refuses a URL before any connection: a scheme other than
	// http and https, no host, credentials in the URL, or plain http where
	// https is required.
	ErrBadURL = errors.New("url refused")
	// ErrBlocked refuses a connection to an address the client may not
	// reach (private, loopback, link-local, …), or plain http to a
	// non-loopback address when only loopback peers may use http.
	ErrBlocked = errors.New("address refused")
	// ErrTooLarge is an answer longer than MaxBodyBytes.
	ErrTooLarge = errors.New("response body too large")
	// ErrTooManyRedirects is a redirect past MaxRedirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrTimeout is a request that ran past Timeout or its context's
	// deadline.
	ErrTimeout = errors.New("timed out")

	// ErrNotFound (404), ErrGone (410) and ErrUnauthorized (401, 403) match
	// an *ErrRemote with those statuses.
	ErrNotFound     = errors.New("not found")
	ErrGone         = errors.New("gone")
	ErrUnauthorized = errors.New("unauthorized")
)

// ErrRemote is an answer whose status is not 2xx (including a redirect that
// was not followed).
type ErrRemote struct {
	Method string
	URL    string
	Status int
	// Body is the start of the answer's body (at most 1 KiB), for logs.
	Body []byte
}

func (e *ErrRemote) Error() string {
	return fmt.Sprintf("%s %s: remote answered %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
}

// Is matches ErrNotFound, ErrGone and ErrUnauthorized by status.
func (e *ErrRemote) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrGone:
		return e.Status == http.StatusGone
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	}
	return false
}

// Retryable reports whether the request that failed with err may succeed
// later: a 5xx, 408 or 429 answer, a timeout, or a connection that failed
// (refused, reset, closed early). Refusals by the guard, 4xx answers,
// oversized bodies, certificate failures, unknown hosts and cancelled
// contexts are not.
func Retryable(err error) bool {
	if err == nil {
		return false
	}
	var remote *ErrRemote
	if errors.As(err, &remote) {
		return remote.Status >= 500 || remote.Status == http.StatusTooManyRequests || remote.Status == http.StatusRequestTimeout
	}
	if errors.Is(err, ErrTimeout) {
		return true
	}
	if !Unreachable(err) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return false
	}
	return true
}

// Unreachable reports whether err means that no HTTP answer came back
// (the connection, TLS handshake or exchange failed), as opposed to an
// answer with an error status or a refusal by the guard.
func Unreachable(err error) bool {
	if err == nil {
		return false
	}
	var remote *ErrRemote
	switch {
	case errors.As(err, &remote),
		errors.Is(err, ErrBadURL),
		errors.Is(err, ErrBlocked),
		errors.Is(err, ErrTooLarge),
		errors.Is(err, ErrTooManyRedirects),
		errors.Is(err, context.Canceled):
		return false
	}
	return true
}
