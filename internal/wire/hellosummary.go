package wire

// Summary returns what a server keeps of a ClientHello once it has been
// answered: the fields fingerprints (JA3, JA4) and the connection's later
// decisions read, in copies that share nothing with m. The bulk that only
// the handshake itself needed — key share data, PSK identities and
// binders, the session ticket, the cookie, certificate authorities,
// unknown extensions' bodies — is left out, and of ALPN only the first
// protocol, the one JA4 reads, is kept. A hello can be 64 KiB of such
// things; a connection should not hold them for its whole life.
func (m *ClientHello) Summary() *ClientHello {
	// The lists are copied into one array per element type: a server
	// summarises every hello it answers, and a copy per list was most of
	// what that cost.
	u16 := make([]uint16, 0, len(m.CipherSuites)+len(m.SupportedGroups)+len(m.SignatureSchemes)+len(m.SupportedVersions)+len(m.Extensions))
	u8 := make([]uint8, 0, len(m.CompressionMethods)+len(m.ECPointFormats)+len(m.PSKModes))
	s := &ClientHello{
		LegacyVersion:        m.LegacyVersion,
		Random:               m.Random,
		CipherSuites:         carve(&u16, m.CipherSuites),
		CompressionMethods:   carve(&u8, m.CompressionMethods),
		ServerName:           m.ServerName,
		SupportedGroups:      carve(&u16, m.SupportedGroups),
		ECPointFormats:       carve(&u8, m.ECPointFormats),
		SignatureSchemes:     carve(&u16, m.SignatureSchemes),
		SupportedVersions:    carve(&u16, m.SupportedVersions),
		HasKeyShare:          m.HasKeyShare,
		PSKModes:             carve(&u8, m.PSKModes),
		EarlyData:            m.EarlyData,
		ExtendedMasterSecret: m.ExtendedMasterSecret,
		TicketSupported:      m.TicketSupported,
		StatusRequest:        m.StatusRequest,
		SCT:                  m.SCT,
		RecordSizeLimit:      m.RecordSizeLimit,
		PostHandshakeAuth:    m.PostHandshakeAuth,
		Extensions:           carve(&u16, m.Extensions),
	}
	if len(m.ALPN) > 0 {
		s.ALPN = []string{m.ALPN[0]}
	}
	return s
}

// carve copies list onto the end of backing, which has room for it, and
// returns the copy with its capacity cut so that appending to it cannot
// run into the next list. Like slices.Clone it keeps nil apart from
// empty: an absent extension block is not an empty one.
func carve[T any](backing *[]T, list []T) []T {
	if list == nil {
		return nil
	}
	start := len(*backing)
	*backing = append(*backing, list...)
	return (*backing)[start:len(*backing):len(*backing)]
}
