package wire

// signature_algorithms and signature_algorithms_cert (RFC 8446 §4.2.3):
// SignatureScheme supported_signature_algorithms<2..2^16-2>, in ClientHello
// and CertificateRequest.
var extSignatureAlgorithms = &extension{
	typ: ExtSignatureAlgorithms,
	ch:  u16ListHook(func(m *ClientHello) *[]uint16 { return &m.SignatureSchemes }, "supported_signature_algorithms", 2, 0xfffe),
	cr:  u16ListHook(func(m *CertificateRequest) *[]uint16 { return &m.SignatureSchemes }, "supported_signature_algorithms", 2, 0xfffe),
}

var extSignatureAlgorithmsCert = &extension{
	typ: ExtSignatureAlgorithmsCert,
	ch:  u16ListHook(func(m *ClientHello) *[]uint16 { return &m.SignatureSchemesCert }, "supported_signature_algorithms", 2, 0xfffe),
	cr:  u16ListHook(func(m *CertificateRequest) *[]uint16 { return &m.SignatureSchemesCert }, "supported_signature_algorithms", 2, 0xfffe),
}
