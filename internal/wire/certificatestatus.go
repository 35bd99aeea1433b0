package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// CertificateStatus carries a TLS 1.2 server's stapled OCSP response, sent
// after its Certificate when it acknowledged status_request (RFC 6066 §8).
// (In TLS 1.3 the same structure travels inside the leaf's
// CertificateEntry instead; see CertificateEntry.OCSPStaple.)
type CertificateStatus struct {
	OCSPResponse []byte // a DER OCSPResponse (RFC 6960), 1..2^24-1 bytes, not interpreted
}

// Type returns TypeCertificateStatus.
func (m *CertificateStatus) Type() uint8 { return TypeCertificateStatus }

// Marshal returns the complete CertificateStatus message, header included,
// or nil if the response is too long for its length prefix.
func (m *CertificateStatus) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *CertificateStatus) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeCertificateStatus, func(b *builder) {
		b.u8(statusTypeOCSP)
		b.bytesVec(3, m.OCSPResponse)
	})
}

// ParseCertificateStatus parses a CertificateStatus body: status_type, then
// for ocsp(1) an opaque OCSPResponse<1..2^24-1>. Any other status_type is
// answered with illegal_parameter, since the client asked for OCSP and
// nothing else is defined here. The result does not alias body.
func ParseCertificateStatus(body []byte) (*CertificateStatus, error) {
	r := newReader("CertificateStatus", bytes.Clone(body))
	m := &CertificateStatus{}
	if t := r.u8("status_type"); r.ok() && t != statusTypeOCSP {
		r.failf(alert.IllegalParameter, "status_type %d is not ocsp(1)", t)
	}
	m.OCSPResponse = r.vec(3, "OCSPResponse", 1, 0xffffff)
	r.end()
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
