package main

import (
	"context"
	"errors"
	"net"
	"net/url"

	"lucid/https"
	"lucid/tls"
)

// Exit statuses of `lucid get`, distinct per kind of failure so that a
// script can tell an untrusted certificate from a server that is down.
const (
	exitOK          = 0 // the request went through (and under --fail, status < 400)
	exitOther       = 1 // anything else: a file could not be read or written, a protocol error
	exitUsage       = 2 // bad flags or arguments
	exitConnect     = 3 // no connection: DNS, refused, unreachable, timed out, or it broke
	exitHandshake   = 4 // the TLS handshake failed: an alert, nothing in common, not TLS
	exitCertificate = 5 // the server's certificate did not verify
	exitHTTPError   = 6 // --fail and the server answered 400 or above
)

// getExitHelp is the exit status table printed by `lucid get --help`.
const getExitHelp = `Exit status:
  0  success
  1  another failure: reading or writing a file, an HTTP protocol error
  2  usage error
  3  connection failed: name lookup, refused, unreachable, timed out, reset
  4  TLS handshake failed: an alert from either side, no common version,
     suite or protocol, or the server does not speak TLS
  5  certificate verification failed: unknown authority, wrong name,
     expired, revoked, unusable for a server
  6  HTTP error: --fail was given and the status was 400 or above
`

// getExitCode classifies a failed request. The order matters: a
// certificate failure is also a handshake failure carrying an alert, and a
// handshake failure may carry a network error.
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
	case errors.As(err, &he), errors.As(err, &alert), errors.As(err, &rhe):
		return exitHandshake
	case errors.As(err, &oe), errors.As(err, &dns), errors.Is(err, context.DeadlineExceeded):
		return exitConnect
	}
	return exitOther
}

// getErrorMessage is err without net/http's `Get "URL": ` prefix: Lucid's
// errors explain themselves, and the URL is on the command line.
func getErrorMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err.Error()
	}
	return err.Error()
}
