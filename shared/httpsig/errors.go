package httpsig

import (
	"errors"
	"fmt"
	"net/http"
)

// Errors returned by Verify. Test them with errors.Is; Status maps them to
// the HTTP status an inbox answers with.
var (
	// ErrNoSignature: the request carries neither a Signature header nor an
	// Authorization header with the Signature scheme.
	ErrNoSignature = errors.New("no HTTP signature")
	// ErrMalformed: the signature header (or a signed Date) cannot be
	// parsed. A *MalformedError carries the byte position.
	ErrMalformed = errors.New("malformed HTTP signature")
	// ErrNotCovered: the signature does not cover a header that must be
	// signed: (request-target), host, date or (created), and for POSTs a
	// digest.
	ErrNotCovered = errors.New("required header not covered by the HTTP signature")
	// ErrMissingHeader: a header named in the signature's headers list is
	// absent from the request.
	ErrMissingHeader = errors.New("signed header missing from the request")
	// ErrAlgorithm: the algorithm parameter names an algorithm this package
	// does not verify, or one that may not sign (created)/(expires).
	ErrAlgorithm = errors.New("unsupported HTTP signature algorithm")
	// ErrExpired: Date or (created) is outside the allowed clock skew, or
	// (expires) has passed.
	ErrExpired = errors.New("HTTP signature outside its time window")
	// ErrDigest: the body digest is missing where it is required, names no
	// supported algorithm, or does not match the body.
	ErrDigest = errors.New("body digest missing or wrong")
	// ErrKeyNotFound: no public key is known for the keyId. The
	// VerifyOptions.PublicKey resolver returns it (wrapped or not) when the
	// key or its actor does not exist.
	ErrKeyNotFound = errors.New("signing key not found")
	// ErrBadSignature: the signature does not verify with the key.
	ErrBadSignature = errors.New("HTTP signature does not verify")
)

// MalformedError reports where a Signature header value stops making sense.
// errors.Is(err, ErrMalformed) holds for it.
type MalformedError struct {
	Pos    int    // byte offset in the header value (after any "Signature " scheme)
	Reason string // what was expected or found there
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("%v: %s at byte %d", ErrMalformed, e.Reason, e.Pos)
}

// Is makes errors.Is(err, ErrMalformed) true.
func (e *MalformedError) Is(target error) bool { return target == ErrMalformed }

func malformed(pos int, format string, args ...any) error {
	return &MalformedError{Pos: pos, Reason: fmt.Sprintf(format, args...)}
}

// Status is the HTTP status an inbox answers a request with when Verify
// returned err: 400 for a request that is broken whatever the key
// (ErrMalformed, ErrDigest), 401 for one that is not authenticated (every
// other error of this package), 503 for anything else (the key resolver
// failed for another reason: the sender should retry later), 200 for nil.
func Status(err error) int {
	switch {
	case err == nil:
		return http.StatusOK
	case errors.Is(err, ErrMalformed), errors.Is(err, ErrDigest):
		return http.StatusBadRequest
	case errors.Is(err, ErrNoSignature), errors.Is(err, ErrNotCovered),
		errors.Is(err, ErrMissingHeader), errors.Is(err, ErrAlgorithm),
		errors.Is(err, ErrExpired), errors.Is(err, ErrKeyNotFound),
		errors.Is(err, ErrBadSignature):
		return http.StatusUnauthorized
	default:
		return http.StatusServiceUnavailable
	}
}
