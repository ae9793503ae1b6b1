// Package problem writes API errors as PeerTube does: RFC 7807
// application/problem+json bodies with PeerTube's `code` values, the
// deprecated `error` field clients still read, and `invalid-params` for
// rejected input. Handlers return *Error values; the API's edge turns any
// other error into a generic 500 without leaking its text.
package problem
