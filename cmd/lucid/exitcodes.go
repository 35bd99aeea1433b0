package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"

	"lucid/https"
	"lucid/tls"
)

// Exit statuses of `lucid get`, distinct per kind of failure so that a
// script can tell an untrusted certificate from a server that is down.
const (
	exitOK          = 0 // the request went through (and under --fail, status < 400)
	exitOther       = 1 // anything else: a file could not be read or written, a protocol error
	exitUsage       = 2 // bad flags or arguments
	exitConnect     = 3 // no connection: DNS, refused, unreachable, timed out (handshake included), or it broke
	exitHandshake   = 4 // the TLS handshake failed: an alert, nothing in common, not TLS
	exitCertificate = 5 // the server's certificate did not verify
	exitHTTPError   = 6 // --fail and the server answered 400 or above
)

// getExitHelp is the exit status table printed by `lucid get --help`.
const getExitHelp = `Exit status:
  0  success
  1  another failure: reading or writing a file, an HTTP protocol error
  2  usage error
  3  connection failed: name lookup, refused, unreachable, reset, or
     timed out: --connect-timeout (TCP and the TLS handshake together)
     or --max-time; a handshake that times out is a timeout, not 4
  4  TLS handshake failed: an alert from either side, no common version,
     suite or protocol, or the server does not speak TLS
  5  certificate verification failed: unknown authority, wrong name,
     expired, revoked, unusable for a server
  6  HTTP error: --fail was given and the status was 400 or above
`

// getExitCode classifies a failed request. The order matters: a
// certificate failure is also a handshake failure carrying an alert, and a
// handshake failure may carry a network error: one that timed out is a
// timeout (3), whatever step it interrupted.
func getExitCode(err error) int {
	var cve *tls.CertificateVerificationError
	var he *https.HandshakeError
	var alert tls.AlertError
	var rhe tls.RecordHeaderError
	var oe *net.OpError
	var dns *net.DNSError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &cve):
		return exitCertificate
	case isTimeout(err):
		return exitConnect
	case errors.As(err, &he), errors.As(err, &alert), errors.As(err, &rhe):
		return exitHandshake
	case errors.As(err, &oe), errors.As(err, &dns), errors.Is(err, context.DeadlineExceeded):
		return exitConnect
	}
	return exitOther
}

// isTimeout reports whether err is a deadline running out: a context's,
// or a socket's (--connect-timeout's deadline on the connection).
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// getErrorMessage is err without net/http's `Get "URL": ` prefix: Lucid's
// errors explain themselves, and the URL is on the command line. A timeout
// says which limit ran out; maxCtx is --max-time's context, nil without it.
func getErrorMessage(err error, o getOptions, maxCtx context.Context) string {
	if isTimeout(err) {
		if maxCtx != nil && maxCtx.Err() != nil {
			return fmt.Sprintf("timed out: the transfer took more than %s (--max-time)", o.MaxTime)
		}
		what := "the connection"
		var he *https.HandshakeError
		if errors.As(err, &he) {
			what = "the TLS handshake with " + he.Addr
		}
		return fmt.Sprintf("timed out: %s did not finish within %s of connecting (--connect-timeout covers the TCP connection and the TLS handshake)", what, o.ConnectTimeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err.Error()
	}
	return err.Error()
}
