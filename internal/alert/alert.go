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

// Alert descriptions from RFC 8446 §6 and the registries it refers to.
const (
	CloseNotify                  Description = 0
	UnexpectedMessage            Description = 10
	BadRecordMAC                 Description = 20
	RecordOverflow               Description = 22
	HandshakeFailure             Description = 40
	BadCertificate               Description = 42
	UnsupportedCertificate       Description = 43
	CertificateRevoked           Description = 44
	CertificateExpired           Description = 45
	CertificateUnknown           Description = 46
	IllegalParameter             Description = 47
	UnknownCA                    Description = 48
	AccessDenied                 Description = 49
	DecodeError                  Description = 50
	DecryptError                 Description = 51
	ProtocolVersion              Description = 70
	InsufficientSecurity         Description = 71
	InternalError                Description = 80
	InappropriateFallback        Description = 86
	UserCanceled                 Description = 90
	NoRenegotiation              Description = 100
	MissingExtension             Description = 109
	UnsupportedExtension         Description = 110
	UnrecognizedName             Description = 112
	BadCertificateStatusResponse Description = 113
	UnknownPSKIdentity           Description = 115
	CertificateRequired          Description = 116
	NoApplicationProtocol        Description = 120
)

var names = map[Description]string{
	CloseNotify:                  "close_notify",
	UnexpectedMessage:            "unexpected_message",
	BadRecordMAC:                 "bad_record_mac",
	RecordOverflow:               "record_overflow",
	HandshakeFailure:             "handshake_failure",
	BadCertificate:               "bad_certificate",
	UnsupportedCertificate:       "unsupported_certificate",
	CertificateRevoked:           "certificate_revoked",
	CertificateExpired:           "certificate_expired",
	CertificateUnknown:           "certificate_unknown",
	IllegalParameter:             "illegal_parameter",
	UnknownCA:                    "unknown_ca",
	AccessDenied:                 "access_denied",
	DecodeError:                  "decode_error",
	DecryptError:                 "decrypt_error",
	ProtocolVersion:              "protocol_version",
	InsufficientSecurity:         "insufficient_security",
	InternalError:                "internal_error",
	InappropriateFallback:        "inappropriate_fallback",
	UserCanceled:                 "user_canceled",
	NoRenegotiation:              "no_renegotiation",
	MissingExtension:             "missing_extension",
	UnsupportedExtension:         "unsupported_extension",
	UnrecognizedName:             "unrecognized_name",
	BadCertificateStatusResponse: "bad_certificate_status_response",
	UnknownPSKIdentity:           "unknown_psk_identity",
	CertificateRequired:          "certificate_required",
	NoApplicationProtocol:        "no_application_protocol",
}

// String returns the RFC's name for d, such as "bad_record_mac".
func (d Description) String() string {
	if n, ok := names[d]; ok {
		return n
	}
	return fmt.Sprintf("alert(%d)", uint8(d))
}

// Error is a failure that must be reported to the peer as alert Desc.
// Err says what went wrong in words a person can act on.
type Error struct {
	Desc Description
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Desc.String()
	}
	return e.Err.Error() + " (alert " + e.Desc.String() + ")"
}

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
