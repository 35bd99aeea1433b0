package wire

// post_handshake_auth (RFC 8446 §4.2.6): an empty ClientHello extension by
// which the client agrees to post-handshake CertificateRequests. Servers
// MUST NOT send it, so it has no other context.
var extPostHandshakeAuth = &extension{
	typ: ExtPostHandshakeAuth,
	ch:  flagHook(func(m *ClientHello) *bool { return &m.PostHandshakeAuth }),
}
