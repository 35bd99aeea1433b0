// Package alert names the TLS alert descriptions and carries them on errors,
// so that every failure deep inside a parser or an engine reaches the record
// layer with exactly one alert to send.
package alert

import (
	"errors"
	"fmt"
)

// Description is a TLS alert description (RFC 8446 §6, RFC 5246 §7.2).
type Description uint8

// Alert descriptions from RFC 8446 §6, grouped by what they report.
const (
	// Closure alerts (§6.1).
	CloseNotify, UserCanceled Description = 0, 90

	// Record layer failures. DecompressionFailure is TLS 1.2's (RFC 5246
	// §7.2.2), reserved in TLS 1.3; Lucid never sends it but names it
	// when a peer does.
	UnexpectedMessage, BadRecordMAC, RecordOverflow, DecompressionFailure Description = 10, 20, 22, 30

	// Negotiation failures.
	HandshakeFailure, ProtocolVersion, InsufficientSecurity, InappropriateFallback Description = 40, 70, 71, 86
	NoRenegotiation, NoApplicationProtocol                                         Description = 100, 120

	// Certificate failures.
	BadCertificate, UnsupportedCertificate, CertificateRevoked, CertificateExpired   Description = 42, 43, 44, 45
	CertificateUnknown, UnknownCA, BadCertificateStatusResponse, CertificateRequired Description = 46, 48, 113, 116

	// Malformed or illegal messages.
	IllegalParameter, DecodeError, DecryptError Description = 47, 50, 51
	MissingExtension, UnsupportedExtension      Description = 109, 110

	// Refusals and our own faults.
	AccessDenied, InternalError, UnrecognizedName, UnknownPSKIdentity Description = 49, 80, 112, 115

	// ECHRequired: a client offered Encrypted Client Hello and the server
	// did not use it (RFC 9849 §11.2).
	ECHRequired Description = 121
)

// descriptions pairs each alert with its name in the RFC's registry.
var descriptions = []struct {
	d    Description
	name string
}{
	{CloseNotify, "close_notify"}, {UserCanceled, "user_canceled"},
	{UnexpectedMessage, "unexpected_message"}, {BadRecordMAC, "bad_record_mac"}, {RecordOverflow, "record_overflow"},
	{DecompressionFailure, "decompression_failure"},
	{HandshakeFailure, "handshake_failure"}, {ProtocolVersion, "protocol_version"},
	{InsufficientSecurity, "insufficient_security"}, {InappropriateFallback, "inappropriate_fallback"},
	{NoRenegotiation, "no_renegotiation"}, {NoApplicationProtocol, "no_application_protocol"},
	{BadCertificate, "bad_certificate"}, {UnsupportedCertificate, "unsupported_certificate"},
	{CertificateRevoked, "certificate_revoked"}, {CertificateExpired, "certificate_expired"},
	{CertificateUnknown, "certificate_unknown"}, {UnknownCA, "unknown_ca"},
	{BadCertificateStatusResponse, "bad_certificate_status_response"}, {CertificateRequired, "certificate_required"},
	{IllegalParameter, "illegal_parameter"}, {DecodeError, "decode_error"}, {DecryptError, "decrypt_error"},
	{MissingExtension, "missing_extension"}, {UnsupportedExtension, "unsupported_extension"},
	{AccessDenied, "access_denied"}, {InternalError, "internal_error"},
	{UnrecognizedName, "unrecognized_name"}, {UnknownPSKIdentity, "unknown_psk_identity"},
	{ECHRequired, "ech_required"},
}

// String returns the RFC's name for d, such as "bad_record_mac".
func (d Description) String() string {
	for _, e := range descriptions {
		if e.d == d {
			return e.name
		}
	}
	return fmt.Sprintf("alert(%d)", uint8(d))
}

// Error is a failure that must be reported to the peer as alert Desc.
// Err says what went wrong in words a person can act on.
type Error struct {
	Desc Description
	Err  error
}

// Error returns the explanation followed by the alert's name.
func (e *Error) Error() string {
	if e.Err == nil {
		return e.Desc.String()
	}
	return e.Err.Error() + " (alert " + e.Desc.String() + ")"
}

// Unwrap returns the explanation, so errors.As reaches typed causes.
func (e *Error) Unwrap() error { return e.Err }

// New returns an Error with alert d and a message formatted from format and args.
func New(d Description, format string, args ...any) *Error {
	return &Error{Desc: d, Err: fmt.Errorf(format, args...)}
}

// Of returns the alert that err carries, or InternalError when it carries none:
// a failure nobody classified is our fault, not the peer's.
func Of(err error) Description {
	var e *Error
	if errors.As(err, &e) {
		return e.Desc
	}
	return InternalError
}
