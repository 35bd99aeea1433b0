package wire

import (
	"strings"
	"testing"
)

// A summary keeps what fingerprints read and nothing that grows with what
// only the handshake needed.
func TestClientHelloSummary(t *testing.T) {
	m := &ClientHello{
		LegacyVersion: 0x0303, CipherSuites: []uint16{0x1301, 0xc02b}, CompressionMethods: []uint8{0},
		ServerName: "example.com", SupportedGroups: []uint16{0x1d}, SignatureSchemes: []uint16{0x0403},
		SupportedVersions: []uint16{0x0304}, ALPN: []string{"h2", strings.Repeat("x", 200)},
		KeyShares:     []KeyShare{{Group: 0x1d, Data: make([]byte, 32)}},
		HasKeyShare:   true,
		PSKModes:      []uint8{1},
		PSKIdentities: []PSKIdentity{{Identity: make([]byte, 1000)}}, PSKBinders: [][]byte{make([]byte, 32)},
		SessionTicket: make([]byte, 500), Cookie: make([]byte, 100), CertificateAuthorities: [][]byte{make([]byte, 100)},
		EarlyData:  true,
		Extensions: []uint16{0, 10, 13, 16, 43, 45, 51, 0xfe00},
		Unknown:    map[uint16][]byte{0xfe00: make([]byte, 1000)},
	}
	s := m.Summary()
	if s.KeyShares != nil || s.PSKIdentities != nil || s.PSKBinders != nil || s.SessionTicket != nil ||
		s.Cookie != nil || s.CertificateAuthorities != nil || s.Unknown != nil {
		t.Errorf("summary keeps handshake-only bulk: %+v", s)
	}
	if len(s.ALPN) != 1 || s.ALPN[0] != "h2" {
		t.Errorf("summary ALPN %q, want the first protocol only", s.ALPN)
	}
	if !s.EarlyData || len(s.PSKModes) != 1 || s.ServerName != "example.com" || len(s.Extensions) != len(m.Extensions) {
		t.Errorf("summary lost a field the connection reads: %+v", s)
	}
	m.CipherSuites[0], m.Extensions[0] = 0, 99
	if s.CipherSuites[0] != 0x1301 || s.Extensions[0] != 0 {
		t.Errorf("summary shares lists with the hello")
	}
}
