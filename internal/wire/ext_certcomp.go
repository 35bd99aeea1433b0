package wire

import (
	"slices"

	"lucid/internal/alert"
)

// compress_certificate (RFC 8879 §3): CertificateCompressionAlgorithm
// algorithms<2..2^8-2>. A client sends it in ClientHello; a TLS 1.3 server
// may send it in CertificateRequest to let the client compress its own
// chain. There is no response extension: the CompressedCertificate message
// itself is the answer.
var extCompressCertificate = &extension{
	typ: ExtCompressCertificate,
	ch:  certCompHook(func(m *ClientHello) *[]uint16 { return &m.CertCompressionAlgorithms }),
	cr:  certCompHook(func(m *CertificateRequest) *[]uint16 { return &m.CertCompressionAlgorithms }),
}

// certCompHook reads the algorithm list, whose length prefix is one byte
// unlike the two-byte lists u16ListHook reads.
func certCompHook[M any](field func(*M) *[]uint16) *hook[M] {
	return &hook[M]{
		parse: func(m *M, r *reader) {
			algs := r.u16s(1, "algorithms", 2, 0xfe)
			// A list naming an algorithm twice is malformed, whatever
			// the version the hello ends up negotiating.
			for i, a := range algs {
				if slices.Contains(algs[:i], a) {
					r.failf(alert.DecodeError, "compress_certificate names algorithm %d twice", a)
					return
				}
			}
			*field(m) = algs
		},
		has:   func(m *M) bool { return len(*field(m)) > 0 },
		write: func(b *builder, m *M) { b.u16s(1, *field(m)) },
	}
}
