package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// CertificateRequest is the TLS 1.3 server's request for a client
// certificate (RFC 8446 §4.3.2).
type CertificateRequest struct {
	Context                []byte   // certificate_request_context; empty during the handshake
	SignatureSchemes       []uint16 // signature_algorithms; mandatory
	SignatureSchemesCert   []uint16 // signature_algorithms_cert
	CertificateAuthorities [][]byte // certificate_authorities
	StatusRequest          bool     // empty status_request: send an OCSP staple (RFC 8446 §4.4.2.1)
	SCT                    bool     // empty signed_certificate_timestamp
	// CertCompressionAlgorithms is compress_certificate (RFC 8879 §3):
	// the algorithms the server accepts for the client's chain.
	CertCompressionAlgorithms []uint16
}

// Type returns TypeCertificateRequest.
func (m *CertificateRequest) Type() uint8 { return TypeCertificateRequest }

var certificateRequestOrder = []*extension{
	extSignatureAlgorithms, extSignatureAlgorithmsCert,
	extCertificateAuthorities, extStatusRequest, extSCT, extCompressCertificate,
}

// Marshal returns the complete CertificateRequest message, header
// included, or nil if a field is too long for its length prefix.
func (m *CertificateRequest) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *CertificateRequest) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeCertificateRequest, func(b *builder) {
		b.bytesVec(1, m.Context)
		var room orderRoom
		order := extensionOrder(room[:0], m, nil, certificateRequestOrder, pickCR, nil)
		writeExtensions(b, m, order, pickCR, nil)
	})
}

// ParseCertificateRequest parses a TLS 1.3 CertificateRequest body.
// Unknown extensions (oid_filters among them) are ignored. The result does
// not alias body.
func ParseCertificateRequest(body []byte) (*CertificateRequest, error) {
	return ParseCertificateRequestOwned(bytes.Clone(body))
}

// ParseCertificateRequestOwned is ParseCertificateRequest for a body the
// caller hands over, as an engine does with a reassembled message: the
// result aliases body, which must not change afterwards.
func ParseCertificateRequestOwned(body []byte) (*CertificateRequest, error) {
	r := newPooledReader("CertificateRequest", body)
	defer r.release()
	m := &CertificateRequest{}
	m.Context = r.vec(1, "certificate_request_context", 0, 0xff)
	var room extensionRoom
	exts := readExtensionBlock(room[:0], r, 2, 0xffff, alert.DecodeError)
	r.end()
	dispatch(r, m, "a CertificateRequest", exts, pickCR, nil)
	// RFC 8446 §4.3.2: the "signature_algorithms" extension MUST be
	// specified.
	if r.ok() && m.SignatureSchemes == nil {
		r.failf(alert.MissingExtension, "signature_algorithms is missing")
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
