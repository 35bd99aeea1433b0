package wire

// certificate_authorities (RFC 8446 §4.2.4): DistinguishedName
// authorities<3..2^16-1>, each opaque DistinguishedName<1..2^16-1> (a DER
// X.501 Name, not interpreted here). In ClientHello and CertificateRequest.
var extCertificateAuthorities = &extension{
	typ: ExtCertificateAuthorities,
	ch:  authoritiesHook(func(m *ClientHello) *[][]byte { return &m.CertificateAuthorities }),
	cr:  authoritiesHook(func(m *CertificateRequest) *[][]byte { return &m.CertificateAuthorities }),
}

func authoritiesHook[M any](field func(*M) *[][]byte) *hook[M] {
	return &hook[M]{
		parse: func(m *M, r *reader) {
			list := r.subVec(2, "authorities", 3, 0xffff)
			var names [][]byte
			for list.more() {
				names = append(names, list.vec(2, "DistinguishedName", 1, 0xffff))
			}
			if r.ok() {
				*field(m) = names
			}
		},
		has: func(m *M) bool { return len(*field(m)) > 0 },
		write: func(b *builder, m *M) {
			b.vec(2, func(b *builder) {
				for _, n := range *field(m) {
					b.bytesVec(2, n)
				}
			})
		},
	}
}
