package s3

import (
	"errors"
	"fmt"
	"io"
)

// errSize is a body whose length differs from the declared size. It tells
// the SDK's retryer not to retry: the body cannot be replayed, and would be
// wrong again.
var errSize error = sizeError{errors.New("body size differs from the declared size")}

type sizeError struct{ error }

func (sizeError) RetryableError() bool { return false }

// readExact fills buf from r and fails when r holds fewer or more bytes.
func readExact(r io.Reader, buf []byte) error {
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || (err == io.EOF && len(buf) > 0) {
		return fmt.Errorf("body ended after %d of %d bytes: %w", n, len(buf), errSize)
	}
	if err != nil {
		return err
	}
	return checkEnd(r, int64(len(buf)))
}

// checkEnd fails unless r is at its end.
func checkEnd(r io.Reader, size int64) error {
	var one [1]byte
	m, err := io.ReadFull(r, one[:])
	if m > 0 {
		return fmt.Errorf("body is longer than %d bytes: %w", size, errSize)
	}
	if err != io.EOF {
		return err
	}
	return nil
}

// exactReader streams exactly left bytes of r for a request whose
// Content-Length is that size. It holds back the last read until it has
// seen r end, and fails instead when r is longer, so a request body of the
// wrong length is never sent whole: the server sees a broken request and
// stores nothing.
type exactReader struct {
	r    io.Reader
	size int64 // declared
	left int64 // still to read
	err  error
}

func newExactReader(r io.Reader, size int64) *exactReader {
	return &exactReader{r: r, size: size, left: size}
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	switch {
	case e.left == 0:
		if cerr := checkEnd(e.r, e.size); cerr != nil {
			e.err = cerr
			return 0, cerr
		}
		return n, nil
	case err == io.EOF:
		e.err = fmt.Errorf("body ended after %d of %d bytes: %w", e.size-e.left, e.size, errSize)
		return 0, e.err
	case err != nil:
		e.err = err
		return n, err
	}
	return n, nil
}
