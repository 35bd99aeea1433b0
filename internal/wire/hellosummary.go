package wire

import "slices"

// Summary returns what a server keeps of a ClientHello once it has been
// answered: the fields fingerprints (JA3, JA4) and the connection's later
// decisions read, in copies that share nothing with m. The bulk that only
// the handshake itself needed — key share data, PSK identities and
// binders, the session ticket, the cookie, certificate authorities,
// unknown extensions' bodies — is left out, and of ALPN only the first
// protocol, the one JA4 reads, is kept. A hello can be 64 KiB of such
// things; a connection should not hold them for its whole life.
func (m *ClientHello) Summary() *ClientHello {
	s := &ClientHello{
		LegacyVersion:        m.LegacyVersion,
		Random:               m.Random,
		CipherSuites:         slices.Clone(m.CipherSuites),
		CompressionMethods:   slices.Clone(m.CompressionMethods),
		ServerName:           m.ServerName,
		SupportedGroups:      slices.Clone(m.SupportedGroups),
		ECPointFormats:       slices.Clone(m.ECPointFormats),
		SignatureSchemes:     slices.Clone(m.SignatureSchemes),
		SupportedVersions:    slices.Clone(m.SupportedVersions),
		HasKeyShare:          m.HasKeyShare,
		PSKModes:             slices.Clone(m.PSKModes),
		EarlyData:            m.EarlyData,
		ExtendedMasterSecret: m.ExtendedMasterSecret,
		TicketSupported:      m.TicketSupported,
		StatusRequest:        m.StatusRequest,
		SCT:                  m.SCT,
		RecordSizeLimit:      m.RecordSizeLimit,
		PostHandshakeAuth:    m.PostHandshakeAuth,
		Extensions:           slices.Clone(m.Extensions),
	}
	if len(m.ALPN) > 0 {
		s.ALPN = []string{m.ALPN[0]}
	}
	return s
}
