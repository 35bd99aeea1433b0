package wire

import "lucid/internal/alert"

// KeyShare is a KeyShareEntry (RFC 8446 §4.2.8): a named group and the
// sender's public value for it.
type KeyShare struct {
	Group uint16
	Data  []byte
}

// key_share (RFC 8446 §4.2.8) has three forms: the client's list of shares,
// the server's single share in ServerHello, and the bare group a
// HelloRetryRequest asks the client to use.
var extKeyShare = &extension{
	typ: ExtKeyShare,
	ch: &hook[ClientHello]{
		parse: parseClientShares,
		has:   func(m *ClientHello) bool { return m.HasKeyShare || len(m.KeyShares) > 0 },
		write: func(b *builder, m *ClientHello) {
			b.vec(2, func(b *builder) {
				for _, ks := range m.KeyShares {
					writeKeyShare(b, ks)
				}
			})
		},
	},
	sh: &hook[ServerHello]{
		parse: func(m *ServerHello, r *reader) {
			ks := readKeyShare(r)
			r.end() // a malformed body is a decode_error before its value is judged
			if r.ok() && ks.Group == 0 {
				r.failf(alert.IllegalParameter, "server_share names group 0")
				return
			}
			m.KeyShare = ks
		},
		has:   func(m *ServerHello) bool { return m.KeyShare.Group != 0 },
		write: func(b *builder, m *ServerHello) { writeKeyShare(b, m.KeyShare) },
	},
	hrr: &hook[ServerHello]{
		parse: func(m *ServerHello, r *reader) {
			g := r.u16("selected_group")
			r.end() // a malformed body is a decode_error before its value is judged
			if r.ok() && g == 0 {
				r.failf(alert.IllegalParameter, "selected_group is 0")
				return
			}
			m.SelectedGroup = g
		},
		has:   func(m *ServerHello) bool { return m.SelectedGroup != 0 },
		write: func(b *builder, m *ServerHello) { b.u16(m.SelectedGroup) },
	},
}

// readKeyShare reads NamedGroup group; opaque key_exchange<1..2^16-1>.
func readKeyShare(r *reader) KeyShare {
	g := r.u16("group")
	data := r.vec(2, "key_exchange", 1, 0xffff)
	return KeyShare{Group: g, Data: data}
}

func writeKeyShare(b *builder, ks KeyShare) {
	b.u16(ks.Group)
	b.bytesVec(2, ks.Data)
}

// parseClientShares reads KeyShareEntry client_shares<0..2^16-1>. An empty
// list is legal: the client is asking for a HelloRetryRequest.
func parseClientShares(m *ClientHello, r *reader) {
	list := r.subVec(2, "client_shares", 0, 0xffff)
	var shares []KeyShare
	if n := countVectors(list.b, 2, 2); n > 0 {
		shares = make([]KeyShare, 0, n)
	}
	var groups CodeSet
	for list.more() {
		ks := readKeyShare(list)
		if !list.ok() {
			break
		}
		// RFC 8446 §4.2.8: clients MUST NOT offer multiple
		// KeyShareEntry values for the same group; servers MAY check
		// and abort with illegal_parameter, which a strict codec does.
		if groups.Has(ks.Group) {
			list.failf(alert.IllegalParameter, "group %#04x offered twice", ks.Group)
			return
		}
		groups.Add(ks.Group)
		shares = append(shares, ks)
	}
	if r.ok() {
		m.HasKeyShare = true
		m.KeyShares = shares
	}
}
