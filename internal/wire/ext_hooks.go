package wire

// Hook builders for the shapes most extensions share, so each extension's
// descriptor states only its field and its RFC bounds.

// flagHook is an extension whose extension_data is empty and whose presence
// is the whole message (extended_master_secret, early_data in ClientHello,
// post_handshake_auth, ...). The dispatcher's exact-length check rejects a
// non-empty body with decode_error.
func flagHook[M any](field func(*M) *bool) *hook[M] {
	return &hook[M]{
		parse: func(m *M, r *reader) { *field(m) = true },
		has:   func(m *M) bool { return *field(m) },
		write: func(*builder, *M) {},
	}
}

// u16ListHook is an extension whose extension_data is a single vector of
// 16-bit values with a 2-byte length in [min, max] (supported_groups,
// signature_algorithms, ...). The RFC lower bounds are all non-zero, so an
// empty slice always means absent.
func u16ListHook[M any](field func(*M) *[]uint16, name string, min, max int) *hook[M] {
	return &hook[M]{
		parse: func(m *M, r *reader) { *field(m) = r.u16s(2, name, min, max) },
		has:   func(m *M) bool { return len(*field(m)) > 0 },
		write: func(b *builder, m *M) { b.u16s(2, *field(m)) },
	}
}

// ignoreHook accepts an extension in a context where it is legal but this
// package does not model its contents. has is always false, so the
// dispatcher hands the raw body to the message's Unknown map.
func ignoreHook[M any]() *hook[M] {
	return &hook[M]{
		parse: func(m *M, r *reader) { r.take(len(r.b), "extension_data") },
		has:   func(*M) bool { return false },
		write: func(*builder, *M) {},
	}
}
