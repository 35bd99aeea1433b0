package wire

import "bytes"

// CertificateRequest12 is the TLS 1.2 server's request for a client
// certificate (RFC 5246 §7.4.4). Its message type is the same as TLS 1.3's
// CertificateRequest; the engine knows which version it is reading.
type CertificateRequest12 struct {
	CertificateTypes       []uint8  // ClientCertificateType values, 1..255 of them
	SignatureSchemes       []uint16 // supported_signature_algorithms as hash<<8 | signature; non-empty
	CertificateAuthorities [][]byte // DER DistinguishedNames, each 1..2^16-1 bytes; may be empty
}

// Type returns TypeCertificateRequest.
func (m *CertificateRequest12) Type() uint8 { return TypeCertificateRequest }

// Marshal returns the complete CertificateRequest message, header
// included, or nil if a field is too long for its length prefix.
func (m *CertificateRequest12) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *CertificateRequest12) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeCertificateRequest, func(b *builder) {
		b.bytesVec(1, m.CertificateTypes)
		b.u16s(2, m.SignatureSchemes)
		b.vec(2, func(b *builder) {
			for _, n := range m.CertificateAuthorities {
				b.bytesVec(2, n)
			}
		})
	})
}

// ParseCertificateRequest12 parses a TLS 1.2 CertificateRequest body:
// ClientCertificateType certificate_types<1..2^8-1>;
// SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>
// (the bounds of RFC 5246 §7.4.1.4.1); DistinguishedName
// certificate_authorities<0..2^16-1>. Unknown certificate types and
// algorithms are kept, to be ignored by the engine. An empty authority list
// gives a nil CertificateAuthorities. The result does not alias body.
func ParseCertificateRequest12(body []byte) (*CertificateRequest12, error) {
	r := newReader("CertificateRequest", bytes.Clone(body))
	m := &CertificateRequest12{}
	m.CertificateTypes = r.vec(1, "certificate_types", 1, 0xff)
	m.SignatureSchemes = r.u16s(2, "supported_signature_algorithms", 2, 0xfffe)
	cas := r.subVec(2, "certificate_authorities", 0, 0xffff)
	for cas.more() {
		m.CertificateAuthorities = append(m.CertificateAuthorities, cas.vec(2, "DistinguishedName", 1, 0xffff))
	}
	r.end()
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
