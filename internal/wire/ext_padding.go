package wire

// padding (RFC 7685): a ClientHello-only run of zero bytes used to move the
// ClientHello out of length ranges that trip some middleboxes. Only its
// length matters; a received body's contents are not inspected, since the
// RFC places no duty on the server to check them.
var extPadding = &extension{
	typ: ExtPadding,
	ch: &hook[ClientHello]{
		parse: func(m *ClientHello, r *reader) { m.PaddingLen = len(r.take(len(r.b), "padding")) },
		has:   func(m *ClientHello) bool { return m.PaddingLen > 0 },
		write: func(b *builder, m *ClientHello) {
			if m.PaddingLen > 0xffff {
				b.fail("padding of %d bytes does not fit an extension", m.PaddingLen)
				return
			}
			b.raw(make([]byte, m.PaddingLen))
		},
	},
}
