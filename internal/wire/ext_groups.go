package wire

// supported_groups (RFC 8446 §4.2.7; "elliptic_curves" in RFC 8422 §5.1.1):
// NamedGroup named_group_list<2..2^16-1>. A TLS 1.3 server may list its own
// preferences in EncryptedExtensions. Some TLS 1.2 servers echo the
// extension in ServerHello; RFC 8422 gives it no meaning there, and since
// the client did send it (RFC 5246 §7.4.1.4), it is accepted and ignored.
var extSupportedGroups = &extension{
	typ:  ExtSupportedGroups,
	ch:   u16ListHook(func(m *ClientHello) *[]uint16 { return &m.SupportedGroups }, "named_group_list", 2, 0xffff),
	ee:   u16ListHook(func(m *EncryptedExtensions) *[]uint16 { return &m.SupportedGroups }, "named_group_list", 2, 0xffff),
	sh12: ignoreHook[ServerHello](),
}

// ec_point_formats (RFC 8422 §5.1.2): ECPointFormat
// ec_point_format_list<1..2^8-1>. TLS 1.2 only; TLS 1.3 has no slot for it.
var extECPointFormats = &extension{
	typ:  ExtECPointFormats,
	ch:   pointFormatsHook(func(m *ClientHello) *[]uint8 { return &m.ECPointFormats }),
	sh12: pointFormatsHook(func(m *ServerHello) *[]uint8 { return &m.ECPointFormats }),
}

func pointFormatsHook[M any](field func(*M) *[]uint8) *hook[M] {
	return &hook[M]{
		parse: func(m *M, r *reader) { *field(m) = r.vec(1, "ec_point_format_list", 1, 0xff) },
		has:   func(m *M) bool { return len(*field(m)) > 0 },
		write: func(b *builder, m *M) { b.bytesVec(1, *field(m)) },
	}
}
