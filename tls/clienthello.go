package tls

import (
	"errors"

	"lucid/internal/handshake"
)

// ClientHelloInfo describes a ClientHello to Config.GetCertificate.
type ClientHelloInfo struct {
	CipherSuites      []uint16
	ServerName        string
	SupportedCurves   []CurveID
	SignatureSchemes  []SignatureScheme
	SupportedProtos   []string
	SupportedVersions []uint16
	// CertificateAuthorities are the DER subjects of the authorities the
	// client trusts, from its certificate_authorities extension (RFC 8446
	// §4.2.4); nil if it sent none. A Lucid addition.
	CertificateAuthorities [][]byte

	// conn and hello let SupportsCertificate apply the server's own rule.
	conn  *Conn
	hello *handshake.HelloInfo
}

// SupportsCertificate reports whether the server could use cert for this
// ClientHello: its key can sign with a scheme the client accepts (and, in
// TLS 1.2, serve a suite both sides have, on a curve the client listed).
// It is the check Lucid applies to Config.Certificates, for a
// GetCertificate that chooses among certificates of its own. It does not
// look at names: SNI is the caller's to weigh.
func (chi *ClientHelloInfo) SupportsCertificate(cert *Certificate) error {
	if chi.conn == nil || chi.hello == nil {
		return errors.New("tls: ClientHelloInfo was not made by a handshake")
	}
	return chi.conn.certificateSuits(cert, chi.hello)
}
