package tls

import (
	"crypto/x509"
	"errors"
	"fmt"
	"sync"

	"lucid/internal/alert"
)

var keyLogMu sync.Mutex

// AlertError is a TLS alert description (RFC 8446 §6). Every error that made
// Lucid send an alert, or that reports an alert the peer sent, wraps one, so
// errors.As(err, &a) tells which.
type AlertError uint8

// Error returns the alert's RFC name, such as "tls: bad_certificate".
func (a AlertError) Error() string { return "tls: " + alert.Description(a).String() }

// callbackError is the error for one a Config callback returned: it sends
// the AlertError the callback's error wraps, if any, else def. So a caller
// can choose the alert, as in fmt.Errorf("%w: no such user", AlertAccessDenied).
func callbackError(err error, def alert.Description) error {
	desc := def
	var a AlertError
	if errors.As(err, &a) {
		desc = alert.Description(a)
	}
	return &alert.Error{Desc: desc, Err: err}
}

// Alert descriptions a caller may want to compare against.
const (
	AlertCloseNotify            = AlertError(alert.CloseNotify)
	AlertUnexpectedMessage      = AlertError(alert.UnexpectedMessage)
	AlertBadRecordMAC           = AlertError(alert.BadRecordMAC)
	AlertHandshakeFailure       = AlertError(alert.HandshakeFailure)
	AlertBadCertificate         = AlertError(alert.BadCertificate)
	AlertCertificateExpired     = AlertError(alert.CertificateExpired)
	AlertIllegalParameter       = AlertError(alert.IllegalParameter)
	AlertUnknownCA              = AlertError(alert.UnknownCA)
	AlertDecodeError            = AlertError(alert.DecodeError)
	AlertDecryptError           = AlertError(alert.DecryptError)
	AlertProtocolVersion        = AlertError(alert.ProtocolVersion)
	AlertInternalError          = AlertError(alert.InternalError)
	AlertMissingExtension       = AlertError(alert.MissingExtension)
	AlertUnsupportedExtension   = AlertError(alert.UnsupportedExtension)
	AlertNoApplicationProtocol  = AlertError(alert.NoApplicationProtocol)
	AlertRecordOverflow         = AlertError(alert.RecordOverflow)
	AlertUnsupportedCertificate = AlertError(alert.UnsupportedCertificate)
	AlertCertificateRevoked     = AlertError(alert.CertificateRevoked)
	AlertCertificateUnknown     = AlertError(alert.CertificateUnknown)
	AlertAccessDenied           = AlertError(alert.AccessDenied)
	AlertInsufficientSecurity   = AlertError(alert.InsufficientSecurity)
	AlertUserCanceled           = AlertError(alert.UserCanceled)
	AlertNoRenegotiation        = AlertError(alert.NoRenegotiation)
	AlertUnrecognizedName       = AlertError(alert.UnrecognizedName)
	AlertUnknownPSKIdentity     = AlertError(alert.UnknownPSKIdentity)
	AlertCertificateRequired    = AlertError(alert.CertificateRequired)
)

// Error is a failure that ended a connection with an alert: one Lucid sent
// (Remote false), explained by Err, or one the peer sent (Remote true).
type Error struct {
	Alert  AlertError
	Remote bool
	Err    error
}

// Error says which alert ended the connection, who sent it and why.
func (e *Error) Error() string {
	name := alert.Description(e.Alert).String()
	if e.Remote {
		return "tls: the peer sent alert " + name
	}
	if e.Err == nil {
		return "tls: sent alert " + name
	}
	return fmt.Sprintf("tls: %v (sent alert %s)", e.Err, name)
}

// Unwrap returns both the alert and the cause, so errors.As finds either.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Alert}
	}
	return []error{e.Alert, e.Err}
}

// localError turns an internal failure into the exported shape, keeping
// its explanation.
func localError(err error) *Error {
	var ae *alert.Error
	if errors.As(err, &ae) {
		cause := ae.Err
		if cause == nil {
			cause = errors.New(ae.Desc.String())
		}
		return &Error{Alert: AlertError(ae.Desc), Err: cause}
	}
	return &Error{Alert: AlertInternalError, Err: err}
}

// CertificateVerificationError is returned when the peer's chain failed
// verification. Err says what was wrong, in words (a *pki.VerifyError).
type CertificateVerificationError struct {
	UnverifiedCertificates []*x509.Certificate
	Err                    error
}

// Error explains which certificate failed and how.
func (e *CertificateVerificationError) Error() string {
	return "failed to verify certificate: " + e.Err.Error()
}

// Unwrap returns the reason.
func (e *CertificateVerificationError) Unwrap() error { return e.Err }

// RecordHeaderError reports bytes that are not a TLS record header, such as
// an HTTP request sent to a TLS port.
type RecordHeaderError struct {
	Msg          string
	RecordHeader [5]byte
}

// Error describes the bytes that were not a TLS record.
func (e RecordHeaderError) Error() string { return "tls: " + e.Msg }
