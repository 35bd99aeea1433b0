package wire

import "bytes"

// Certificate12 is the TLS 1.2 Certificate message (RFC 5246 §7.4.2,
// §7.4.6): a bare chain of DER certificates, sender's certificate first.
// Its message type is the same as TLS 1.3's Certificate; the engine knows
// which version it is reading.
type Certificate12 struct {
	// Certificates is certificate_list. It may be empty: a client with no
	// suitable certificate answers a CertificateRequest with an empty list
	// (RFC 5246 §7.4.6). Each certificate is 1..2^24-1 bytes.
	Certificates [][]byte
}

// Type returns TypeCertificate.
func (m *Certificate12) Type() uint8 { return TypeCertificate }

// Marshal returns the complete Certificate message, header included, or
// nil if a certificate or the whole list is too long for its length prefix.
func (m *Certificate12) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *Certificate12) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeCertificate, func(b *builder) {
		b.vec(3, func(b *builder) {
			for _, c := range m.Certificates {
				b.bytesVec(3, c)
			}
		})
	})
}

// ParseCertificate12 parses a TLS 1.2 Certificate body:
// ASN.1Cert certificate_list<0..2^24-1>, each opaque ASN.1Cert<1..2^24-1>.
// The certificates are not interpreted. An empty list gives a nil
// Certificates. The result does not alias body.
func ParseCertificate12(body []byte) (*Certificate12, error) {
	return ParseCertificate12Owned(bytes.Clone(body))
}

// ParseCertificate12Owned is ParseCertificate12 for a body the caller
// hands over, as an engine does with a reassembled message: the result
// aliases body, which must not change afterwards.
func ParseCertificate12Owned(body []byte) (*Certificate12, error) {
	return parseNew(ParseCertificate12Into, body)
}

// ParseCertificate12Into is ParseCertificate12Owned filling m, which a
// caller keeps where it costs no allocation of its own. The list is
// allocated on its own, since a peer's chain outlives the handshake.
func ParseCertificate12Into(m *Certificate12, body []byte) error {
	r := newPooledReader("Certificate", body)
	defer r.release()
	*m = Certificate12{}
	list := r.subVec(3, "certificate_list", 0, 0xffffff)
	for list.more() {
		m.Certificates = append(m.Certificates, list.vec(3, "ASN.1Cert", 1, 0xffffff))
	}
	r.end()
	return r.err()
}
