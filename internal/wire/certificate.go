package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// CertificateEntry is one certificate in a TLS 1.3 Certificate message
// (RFC 8446 §4.4.2) with the per-certificate extensions Lucid understands.
type CertificateEntry struct {
	Data       []byte   // cert_data: a DER X.509 certificate, never empty when parsed
	OCSPStaple []byte   // OCSPResponse from status_request (RFC 8446 §4.4.2.1); nil = absent
	SCTs       [][]byte // SerializedSCTs from signed_certificate_timestamp; nil = absent
	// Unknown lists the types of extensions Lucid does not understand,
	// as parsed (Marshal ignores it). RFC 8446 §4.4.2 lets the receiver
	// refuse those it never asked for.
	Unknown []uint16
}

// Certificate is the TLS 1.3 Certificate message (RFC 8446 §4.4.2).
type Certificate struct {
	RequestContext []byte // empty in the server's Certificate
	Entries        []CertificateEntry
}

// Type returns TypeCertificate.
func (m *Certificate) Type() uint8 { return TypeCertificate }

var certificateEntryOrder = []*extension{extStatusRequest, extSCT}

// Marshal returns the complete Certificate message, header included, or
// nil if a field is too long for its length prefix.
func (m *Certificate) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *Certificate) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeCertificate, func(b *builder) {
		b.bytesVec(1, m.RequestContext)
		b.vec(3, func(b *builder) {
			for i := range m.Entries {
				e := &m.Entries[i]
				b.bytesVec(3, e.Data)
				var room orderRoom
				order := extensionOrder(room[:0], e, nil, certificateEntryOrder, pickCT, nil)
				writeExtensions(b, e, order, pickCT, nil)
			}
		})
	})
}

// ParseCertificate parses a TLS 1.3 Certificate body. Unknown
// per-certificate extensions are listed in CertificateEntry.Unknown; a
// recognised one that may not appear there is rejected (RFC 8446 §4.2). The
// result does not alias body.
func ParseCertificate(body []byte) (*Certificate, error) { return parseCertificate(bytes.Clone(body)) }

// ParseCertificateOwned is ParseCertificate for a body the caller hands over, as an
// engine does with each whole message it is given: the result may alias
// body, which must not change afterwards, and no copy is made.
func ParseCertificateOwned(body []byte) (*Certificate, error) { return parseCertificate(body) }

func parseCertificate(body []byte) (*Certificate, error) {
	r := newPooledReader("Certificate", body)
	defer r.release()
	m := &Certificate{}
	m.RequestContext = r.vec(1, "certificate_request_context", 0, 0xff)
	list := r.subVec(3, "certificate_list", 0, 0xffffff)
	for list.more() {
		e := CertificateEntry{Data: list.vec(3, "cert_data", 1, 0xffffff)}
		var room extensionRoom
		exts := readExtensionBlock(room[:0], list, 0, 0xffff, alert.DecodeError)
		dispatch(list, &e, "a CertificateEntry", exts, pickCT, func(typ uint16, _ []byte) { e.Unknown = append(e.Unknown, typ) })
		m.Entries = append(m.Entries, e)
	}
	r.end()
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
