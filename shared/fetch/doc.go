// Package fetch is the guarded HTTP client every remote fetch and delivery
// goes through: ActivityPub documents, WebFinger, NodeInfo and inbox POSTs.
//
// It refuses what a server-side request forgery would need:
//
//   - URLs other than http and https, URLs with credentials, and plain http
//     to anything but loopback peers unless configured (AllowHTTP, or
//     AllowLoopbackHTTP for the local-testing setup);
//   - connections to private, loopback, CGNAT, unspecified and reserved
//     addresses unless allowed (AllowPrivate; AllowLoopbackHTTP for
//     loopback), and always to link-local (cloud metadata and container
//     credential endpoints live there), multicast and broadcast addresses.
//     The check runs on the resolved address at connect time (the dialer
//     resolves, filters and dials the checked IP; a net.Dialer Control hook
//     checks it again), so DNS rebinding and redirects cannot get around it;
//   - answers larger than MaxBodyBytes (ErrTooLarge), slower than Timeout
//     (ErrTimeout), or behind more than MaxRedirects redirects.
//
// Environment proxies are ignored (a proxy would connect on our behalf to
// any address). Answers other than 2xx come back as *ErrRemote, which
// matches ErrNotFound, ErrGone and ErrUnauthorized with errors.Is. Nothing
// is retried here; Retryable tells callers what is worth retrying.
package fetch
