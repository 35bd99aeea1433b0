package wire

// cookie (RFC 8446 §4.2.2): opaque cookie<1..2^16-1>, sent by the server in
// HelloRetryRequest and echoed by the client in its second ClientHello.
var extCookie = &extension{
	typ: ExtCookie,
	ch:  cookieHook(func(m *ClientHello) *[]byte { return &m.Cookie }),
	hrr: cookieHook(func(m *ServerHello) *[]byte { return &m.Cookie }),
}

func cookieHook[M any](field func(*M) *[]byte) *hook[M] {
	return &hook[M]{
		parse: func(m *M, r *reader) { *field(m) = r.vec(2, "cookie", 1, 0xffff) },
		has:   func(m *M) bool { return len(*field(m)) > 0 },
		write: func(b *builder, m *M) { b.bytesVec(2, *field(m)) },
	}
}
