package wire

import (
	"lucid/internal/alert"
	"lucid/internal/version"
)

// supported_versions (RFC 8446 §4.2.1). The client lists ProtocolVersion
// versions<2..254>; the server (ServerHello or HelloRetryRequest) names the
// one it selected.
var extSupportedVersions = &extension{
	typ: ExtSupportedVersions,
	ch: &hook[ClientHello]{
		parse: func(m *ClientHello, r *reader) { m.SupportedVersions = r.u16s(1, "versions", 2, 254) },
		has:   func(m *ClientHello) bool { return len(m.SupportedVersions) > 0 },
		write: func(b *builder, m *ClientHello) { b.u16s(1, m.SupportedVersions) },
	},
	sh:  selectedVersionHook(),
	hrr: selectedVersionHook(),
}

func selectedVersionHook() *hook[ServerHello] {
	return &hook[ServerHello]{
		parse: func(m *ServerHello, r *reader) {
			v := r.u16("selected_version")
			r.end() // a malformed body is a decode_error before its value is judged
			// RFC 8446 §4.2.1: a selected version prior to TLS 1.3
			// MUST be answered with illegal_parameter (TLS 1.2 is
			// negotiated without this extension).
			if r.ok() && v < version.TLS13 {
				r.failf(alert.IllegalParameter, "selected_version %#04x is older than TLS 1.3", v)
				return
			}
			m.SupportedVersion = v
		},
		has:   func(m *ServerHello) bool { return m.SupportedVersion != 0 },
		write: func(b *builder, m *ServerHello) { b.u16(m.SupportedVersion) },
	}
}
