package wire

import "bytes"

// CertificateVerify proves possession of the certificate's private key
// (RFC 8446 §4.4.3; the same shape as a TLS 1.2 CertificateVerify with
// signature_algorithms, RFC 5246 §7.4.8 and §4.7).
type CertificateVerify struct {
	Scheme    uint16 // SignatureScheme
	Signature []byte
}

// Type returns TypeCertificateVerify.
func (m *CertificateVerify) Type() uint8 { return TypeCertificateVerify }

// Marshal returns the complete CertificateVerify message, header included,
// or nil if the signature is too long.
func (m *CertificateVerify) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *CertificateVerify) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeCertificateVerify, func(b *builder) {
		b.u16(m.Scheme)
		b.bytesVec(2, m.Signature)
	})
}

// ParseCertificateVerify parses a CertificateVerify body: SignatureScheme
// algorithm; opaque signature<0..2^16-1>. The result does not alias body.
func ParseCertificateVerify(body []byte) (*CertificateVerify, error) {
	return parseCertificateVerify(bytes.Clone(body))
}

// ParseCertificateVerifyOwned is ParseCertificateVerify for a body the caller hands over, as an
// engine does with each whole message it is given: the result may alias
// body, which must not change afterwards, and no copy is made.
func ParseCertificateVerifyOwned(body []byte) (*CertificateVerify, error) {
	return parseCertificateVerify(body)
}

func parseCertificateVerify(body []byte) (*CertificateVerify, error) {
	r := newPooledReader("CertificateVerify", body)
	defer r.release()
	m := &CertificateVerify{}
	m.Scheme = r.u16("algorithm")
	m.Signature = r.vec(2, "signature", 0, 0xffff)
	r.end()
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
