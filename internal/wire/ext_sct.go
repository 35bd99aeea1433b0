package wire

// signed_certificate_timestamp (RFC 6962 §3.3.1; RFC 8446 §4.4.2). Clients
// and TLS 1.3 CertificateRequests send it empty; a TLS 1.2 server answers in
// ServerHello and a TLS 1.3 server in the leaf's CertificateEntry, both with
// a SignedCertificateTimestampList.
var extSCT = &extension{
	typ: ExtSCT,
	ch:  flagHook(func(m *ClientHello) *bool { return &m.SCT }),
	cr:  flagHook(func(m *CertificateRequest) *bool { return &m.SCT }),
	sh12: &hook[ServerHello]{
		parse: func(m *ServerHello, r *reader) { m.SCTs = parseSCTList(r) },
		has:   func(m *ServerHello) bool { return len(m.SCTs) > 0 },
		write: func(b *builder, m *ServerHello) { writeSCTList(b, m.SCTs) },
	},
	ct: &hook[CertificateEntry]{
		parse: func(m *CertificateEntry, r *reader) { m.SCTs = parseSCTList(r) },
		has:   func(m *CertificateEntry) bool { return len(m.SCTs) > 0 },
		write: func(b *builder, m *CertificateEntry) { writeSCTList(b, m.SCTs) },
	},
}

// parseSCTList reads SerializedSCT sct_list<1..2^16-1>, each an opaque
// SerializedSCT<1..2^16-1>; nil if malformed (the reader holds the error).
func parseSCTList(r *reader) [][]byte {
	var out [][]byte
	list := r.subVec(2, "sct_list", 1, 0xffff)
	for list.more() {
		out = append(out, list.vec(2, "SerializedSCT", 1, 0xffff))
	}
	if !r.ok() {
		return nil
	}
	return out
}

func writeSCTList(b *builder, scts [][]byte) {
	b.vec(2, func(b *builder) {
		for _, s := range scts {
			b.bytesVec(2, s)
		}
	})
}
