package wire

import "lucid/internal/alert"

// PSKIdentity is one offered pre-shared key (RFC 8446 §4.2.11): a ticket or
// external PSK label and the obfuscated age of the ticket in milliseconds.
type PSKIdentity struct {
	Identity            []byte
	ObfuscatedTicketAge uint32
}

// pre_shared_key (RFC 8446 §4.2.11). In ClientHello an OfferedPsks; in
// ServerHello the uint16 index of the identity the server selected.
var extPreSharedKey = &extension{
	typ: ExtPreSharedKey,
	ch: &hook[ClientHello]{
		parse: parseOfferedPSKs,
		has:   func(m *ClientHello) bool { return len(m.PSKIdentities) > 0 },
		write: func(b *builder, m *ClientHello) {
			b.vec(2, func(b *builder) {
				for _, id := range m.PSKIdentities {
					b.bytesVec(2, id.Identity)
					b.u32(id.ObfuscatedTicketAge)
				}
			})
			writeBinders(b, m.PSKBinders)
		},
	},
	sh: &hook[ServerHello]{
		parse: func(m *ServerHello, r *reader) {
			m.SelectedIdentity = r.u16("selected_identity")
			m.HasPSK = r.ok()
		},
		has:   func(m *ServerHello) bool { return m.HasPSK },
		write: func(b *builder, m *ServerHello) { b.u16(m.SelectedIdentity) },
	},
}

func parseOfferedPSKs(m *ClientHello, r *reader) {
	ids := r.subVec(2, "identities", 7, 0xffff)
	var identities []PSKIdentity
	for ids.more() {
		id := ids.vec(2, "identity", 1, 0xffff)
		age := ids.u32("obfuscated_ticket_age")
		identities = append(identities, PSKIdentity{id, age})
	}
	bs := r.subVec(2, "binders", 33, 0xffff)
	var binders [][]byte
	for bs.more() {
		binders = append(binders, bs.vec(1, "PskBinderEntry", 32, 0xff))
	}
	if !r.ok() {
		return
	}
	// RFC 8446 §4.2.11: binders is "a series of HMAC values, one for each
	// value in the identities list and in the same order". A count
	// mismatch means some identity has no binder to validate.
	if len(identities) != len(binders) {
		r.failf(alert.IllegalParameter, "%d identities but %d binders", len(identities), len(binders))
		return
	}
	m.PSKIdentities, m.PSKBinders = identities, binders
}

func writeBinders(b *builder, binders [][]byte) {
	b.vec(2, func(b *builder) {
		for _, x := range binders {
			b.bytesVec(1, x)
		}
	})
}

// psk_key_exchange_modes (RFC 8446 §4.2.9): PskKeyExchangeMode
// ke_modes<1..255>. ClientHello only.
var extPSKKeyExchangeModes = &extension{
	typ: ExtPSKKeyExchangeModes,
	ch: &hook[ClientHello]{
		parse: func(m *ClientHello, r *reader) { m.PSKModes = r.vec(1, "ke_modes", 1, 0xff) },
		has:   func(m *ClientHello) bool { return len(m.PSKModes) > 0 },
		write: func(b *builder, m *ClientHello) { b.bytesVec(1, m.PSKModes) },
	},
}
