package wire

// The TLS 1.2 session extensions: each appears in ClientHello and is echoed
// in a TLS 1.2 ServerHello. None is defined for any TLS 1.3 message, so a
// TLS 1.3 ServerHello carrying one is rejected (RFC 8446 §4.2).

// extended_master_secret (RFC 7627 §5.1): "extension_data" is empty.
var extExtendedMasterSecret = &extension{
	typ:  ExtExtendedMasterSecret,
	ch:   flagHook(func(m *ClientHello) *bool { return &m.ExtendedMasterSecret }),
	sh12: flagHook(func(m *ServerHello) *bool { return &m.ExtendedMasterSecret }),
}

// session_ticket (RFC 5077 §3.2): the client's extension_data is the ticket
// itself, possibly empty; the server's is empty.
var extSessionTicket = &extension{
	typ: ExtSessionTicket,
	ch: &hook[ClientHello]{
		parse: func(m *ClientHello, r *reader) {
			m.TicketSupported = true
			m.SessionTicket = r.take(len(r.b), "ticket")
			if len(m.SessionTicket) == 0 {
				m.SessionTicket = nil
			}
		},
		has:   func(m *ClientHello) bool { return m.TicketSupported || len(m.SessionTicket) > 0 },
		write: func(b *builder, m *ClientHello) { b.raw(m.SessionTicket) },
	},
	sh12: flagHook(func(m *ServerHello) *bool { return &m.TicketSupported }),
}

// renegotiation_info (RFC 5746 §3.2): opaque renegotiated_connection<0..255>.
// Empty on an initial handshake; the verify_data on a renegotiation, which
// the engine checks.
var extRenegotiationInfo = &extension{
	typ: ExtRenegotiationInfo,
	ch: renegotiationHook(func(m *ClientHello) (*bool, *[]byte) {
		return &m.SecureRenegotiationSupported, &m.SecureRenegotiation
	}),
	sh12: renegotiationHook(func(m *ServerHello) (*bool, *[]byte) {
		return &m.SecureRenegotiationSupported, &m.SecureRenegotiation
	}),
}

func renegotiationHook[M any](fields func(*M) (*bool, *[]byte)) *hook[M] {
	return &hook[M]{
		parse: func(m *M, r *reader) {
			ok, data := fields(m)
			*ok = true
			*data = r.vec(1, "renegotiated_connection", 0, 0xff)
		},
		has: func(m *M) bool {
			ok, data := fields(m)
			return *ok || len(*data) > 0
		},
		write: func(b *builder, m *M) {
			_, data := fields(m)
			b.bytesVec(1, *data)
		},
	}
}
