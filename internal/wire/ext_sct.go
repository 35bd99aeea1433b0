package wire

// signed_certificate_timestamp (RFC 6962 §3.3.1; RFC 8446 §4.4.2). Clients
// and TLS 1.3 CertificateRequests send it empty; TLS 1.3 servers answer in a
// CertificateEntry with a SignedCertificateTimestampList. A TLS 1.2 server's
// list in ServerHello is kept unparsed in ServerHello.Unknown.
var extSCT = &extension{
	typ:  ExtSCT,
	ch:   flagHook(func(m *ClientHello) *bool { return &m.SCT }),
	cr:   flagHook(func(m *CertificateRequest) *bool { return &m.SCT }),
	sh12: ignoreHook[ServerHello](),
	ct: &hook[CertificateEntry]{
		parse: func(m *CertificateEntry, r *reader) {
			// SerializedSCT sct_list<1..2^16-1>; each
			// opaque SerializedSCT<1..2^16-1>.
			list := r.subVec(2, "sct_list", 1, 0xffff)
			for list.more() {
				m.SCTs = append(m.SCTs, list.vec(2, "SerializedSCT", 1, 0xffff))
			}
			if !r.ok() {
				m.SCTs = nil
			}
		},
		has: func(m *CertificateEntry) bool { return len(m.SCTs) > 0 },
		write: func(b *builder, m *CertificateEntry) {
			b.vec(2, func(b *builder) {
				for _, s := range m.SCTs {
					b.bytesVec(2, s)
				}
			})
		},
	},
}
