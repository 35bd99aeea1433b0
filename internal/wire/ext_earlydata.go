package wire

// early_data (RFC 8446 §4.2.10). Empty in ClientHello (the client is
// sending 0-RTT data) and in EncryptedExtensions (the server accepted it);
// in NewSessionTicket it carries uint32 max_early_data_size.
var extEarlyData = &extension{
	typ: ExtEarlyData,
	ch:  flagHook(func(m *ClientHello) *bool { return &m.EarlyData }),
	ee:  flagHook(func(m *EncryptedExtensions) *bool { return &m.EarlyData }),
	nst: &hook[NewSessionTicket]{
		// A max_early_data_size of 0 permits no early data, which is
		// what the absence of the extension means, so the two are not
		// distinguished.
		parse: func(m *NewSessionTicket, r *reader) { m.MaxEarlyData = r.u32("max_early_data_size") },
		has:   func(m *NewSessionTicket) bool { return m.MaxEarlyData != 0 },
		write: func(b *builder, m *NewSessionTicket) { b.u32(m.MaxEarlyData) },
	},
}
