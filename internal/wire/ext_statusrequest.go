package wire

import "lucid/internal/alert"

// status_request (RFC 6066 §8; RFC 8446 §4.4.2.1). The client asks with a
// CertificateStatusRequest; a TLS 1.3 server answers inside the leaf's
// CertificateEntry with a CertificateStatus; a TLS 1.2 server acknowledges
// with an empty extension in ServerHello; a TLS 1.3 server asking the client
// for a staple sends it empty in CertificateRequest.
var extStatusRequest = &extension{
	typ: ExtStatusRequest,
	ch: &hook[ClientHello]{
		parse: parseStatusRequest,
		has:   func(m *ClientHello) bool { return m.StatusRequest },
		write: func(b *builder, m *ClientHello) {
			// An OCSP request with no responder IDs and no request
			// extensions: "the responders are implicitly known".
			b.u8(statusTypeOCSP)
			b.u16(0)
			b.u16(0)
		},
	},
	sh12: flagHook(func(m *ServerHello) *bool { return &m.StatusRequest }),
	cr:   flagHook(func(m *CertificateRequest) *bool { return &m.StatusRequest }),
	ct: &hook[CertificateEntry]{
		parse: parseCertificateStatus,
		has:   func(m *CertificateEntry) bool { return len(m.OCSPStaple) > 0 },
		write: func(b *builder, m *CertificateEntry) {
			b.u8(statusTypeOCSP)
			b.bytesVec(3, m.OCSPStaple)
		},
	},
}

// statusTypeOCSP is CertificateStatusType ocsp(1) (RFC 6066 §8).
const statusTypeOCSP = 1

// parseStatusRequest reads a CertificateStatusRequest. Only the OCSP form
// is understood; another status_type leaves StatusRequest false and the
// body is kept verbatim, since RFC 6066 lets a server simply not answer.
func parseStatusRequest(m *ClientHello, r *reader) {
	if r.u8("status_type") != statusTypeOCSP {
		r.take(len(r.b), "request")
		return
	}
	ids := r.subVec(2, "responder_id_list", 0, 0xffff)
	for ids.more() {
		ids.vec(2, "ResponderID", 1, 0xffff)
	}
	r.vec(2, "request_extensions", 0, 0xffff)
	m.StatusRequest = r.ok()
}

// parseCertificateStatus reads the CertificateStatus carried in a TLS 1.3
// CertificateEntry (RFC 8446 §4.4.2.1, RFC 6066 §8).
func parseCertificateStatus(m *CertificateEntry, r *reader) {
	if t := r.u8("status_type"); r.ok() && t != statusTypeOCSP {
		r.failf(alert.IllegalParameter, "status_type %d is not ocsp(1)", t)
		return
	}
	m.OCSPStaple = r.vec(3, "OCSPResponse", 1, 0xffffff)
}
