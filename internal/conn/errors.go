package conn

import (
	"errors"
	"fmt"

	"lucid/internal/alert"
)

// RemoteAlert is the error of a connection the peer ended with a fatal
// alert.
type RemoteAlert struct {
	Desc alert.Description
}

func (e *RemoteAlert) Error() string {
	return fmt.Sprintf("the peer sent alert %s", e.Desc)
}

// HeaderError is a malformed record header in the very first record, when
// nothing has been read yet: often a peer that does not speak TLS, which a
// caller may want to say in its own words (crypto/tls's RecordHeaderError).
type HeaderError struct {
	Header [5]byte
	Err    error // the *alert.Error sent
}

func (e *HeaderError) Error() string { return e.Err.Error() }

// Unwrap returns the alert error, so alert.Of finds the alert.
func (e *HeaderError) Unwrap() error { return e.Err }

// ErrNotDone is returned by calls that need a finished handshake.
var ErrNotDone = errors.New("conn: the handshake has not completed")
