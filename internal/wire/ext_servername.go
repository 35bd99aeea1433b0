package wire

import (
	"bytes"
	"net/netip"

	"lucid/internal/alert"
)

// server_name (RFC 6066 §3). The client sends a ServerNameList; a server
// that used the name acknowledges with an empty extension, in
// EncryptedExtensions for TLS 1.3 and in ServerHello for TLS 1.2.
var extServerName = &extension{
	typ: ExtServerName,
	ch: &hook[ClientHello]{
		parse: parseServerNameList,
		has:   func(m *ClientHello) bool { return m.ServerName != "" },
		write: func(b *builder, m *ClientHello) {
			b.vec(2, func(b *builder) {
				b.u8(nameTypeHostName)
				b.bytesVec(2, []byte(m.ServerName))
			})
		},
	},
	sh12: flagHook(func(m *ServerHello) *bool { return &m.ServerNameAck }),
	ee:   flagHook(func(m *EncryptedExtensions) *bool { return &m.ServerNameAck }),
}

// nameTypeHostName is NameType host_name(0), the only one RFC 6066 defines.
const nameTypeHostName = 0

func parseServerNameList(m *ClientHello, r *reader) {
	list := r.subVec(2, "server_name_list", 1, 0xffff)
	for list.more() {
		typ := list.u8("name_type")
		// RFC 6066 §3: every NameType's data begins with a 16-bit
		// length, which is what lets us step over types we do not know.
		min := 0
		if typ == nameTypeHostName {
			min = 1 // opaque HostName<1..2^16-1>
		}
		name := list.vec(2, "server name", min, 0xffff)
		if !list.ok() || typ != nameTypeHostName {
			continue
		}
		// RFC 6066 §3: the list MUST NOT contain more than one name of
		// the same name_type.
		if m.ServerName != "" {
			list.failf(alert.IllegalParameter, "more than one host_name")
			return
		}
		// A HostName that frames correctly but is no DNS host name is a
		// value out of range: illegal_parameter, as tlsfuzzer expects
		// for control bytes and UTF-8. (OpenSSL and BoringSSL answer an
		// over-long or NUL-bearing name with unrecognized_name, which
		// RFC 6066 §3 reserves for a well-formed name the server does
		// not serve.) Checking before the copy keeps a 64 KB name from
		// ever becoming a string.
		// RFC 6066 §3 forbids an IP literal here, yet wrk, Python and
		// other clients send one when they dial an address. It names no
		// host, so it is kept aside (the handshake reports it) and the
		// hello is read as one without a server name, as crypto/tls,
		// OpenSSL and nginx read it; refusing it would break those
		// clients and protect nothing.
		// Only a name with a colon (IPv6) or of digits and dots alone
		// (IPv4) can be one, and only such a name is converted to be
		// parsed.
		if len(name) <= maxIPLiteralLen && (bytes.IndexByte(name, ':') >= 0 || digitsAndDots(name)) {
			// A zone ("%eth0") is free text and names nothing on the
			// server's side: such a name stays unacceptable below.
			if a, err := netip.ParseAddr(string(name)); err == nil && a.Zone() == "" {
				m.ServerNameIP = string(name)
				continue
			}
		}
		if err := checkHostName(name); err != nil {
			list.failf(alert.IllegalParameter, "%v", err)
			return
		}
		m.ServerName = string(name)
	}
}
