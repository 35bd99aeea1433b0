package wire

import "lucid/internal/alert"

// application_layer_protocol_negotiation (RFC 7301 §3.1): ProtocolName
// protocol_name_list<2..2^16-1>, each opaque ProtocolName<1..2^8-1>. The
// server's answer (EncryptedExtensions in TLS 1.3, ServerHello in TLS 1.2)
// has the same shape but exactly one name.
var extALPN = &extension{
	typ: ExtALPN,
	ch: &hook[ClientHello]{
		parse: func(m *ClientHello, r *reader) { m.ALPN = parseProtocolNames(r) },
		has:   func(m *ClientHello) bool { return len(m.ALPN) > 0 },
		write: func(b *builder, m *ClientHello) { writeProtocolNames(b, m.ALPN...) },
	},
	sh12: &hook[ServerHello]{
		parse: func(m *ServerHello, r *reader) { m.ALPN = parseSelectedProtocol(r) },
		has:   func(m *ServerHello) bool { return m.ALPN != "" },
		write: func(b *builder, m *ServerHello) { writeProtocolNames(b, m.ALPN) },
	},
	ee: &hook[EncryptedExtensions]{
		parse: func(m *EncryptedExtensions, r *reader) { m.ALPN = parseSelectedProtocol(r) },
		has:   func(m *EncryptedExtensions) bool { return m.ALPN != "" },
		write: func(b *builder, m *EncryptedExtensions) { writeProtocolNames(b, m.ALPN) },
	},
}

func parseProtocolNames(r *reader) []string {
	list := r.subVec(2, "protocol_name_list", 2, 0xffff)
	var names []string
	if n := countVectors(list.b, 0, 1); n > 0 {
		names = make([]string, 0, n)
	}
	for list.more() {
		names = append(names, string(list.vec(1, "ProtocolName", 1, 0xff)))
	}
	if !r.ok() {
		return nil
	}
	return names
}

func parseSelectedProtocol(r *reader) string {
	names := parseProtocolNames(r)
	// RFC 7301 §3.1: the server's ProtocolNameList MUST contain exactly
	// one ProtocolName.
	if r.ok() && len(names) != 1 {
		r.failf(alert.IllegalParameter, "server selected %d protocols, want exactly one", len(names))
		return ""
	}
	if len(names) == 0 {
		return ""
	}
	return names[0]
}

func writeProtocolNames(b *builder, names ...string) {
	b.vec(2, func(b *builder) {
		for _, n := range names {
			b.bytesVec(1, []byte(n))
		}
	})
}
