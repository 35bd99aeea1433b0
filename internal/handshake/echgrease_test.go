package handshake

import (
	"bytes"
	"testing"

	"lucid/internal/wire"
)

// TestECHGreaseInnerLen checks the GREASE payload's length, worked out
// from the outer hello's encoding, against the inner hello a real
// encrypted hello would encode, across the hellos a client builds: with
// and without a server name, ALPN, one or two key shares of different
// sizes, TLS 1.2 offered alongside with a ticket, and names whose length
// crosses the 32-byte padding boundary.
func TestECHGreaseInnerLen(t *testing.T) {
	base := func() *wire.ClientHello {
		return &wire.ClientHello{
			LegacyVersion:      0x0303,
			SessionID:          bytes.Repeat([]byte{7}, 32),
			CipherSuites:       []uint16{0x1301, 0x1302, 0x1303},
			CompressionMethods: []uint8{0},
			SupportedGroups:    []uint16{0x11ec, 29, 23},
			SignatureSchemes:   []uint16{0x0403, 0x0804},
			SupportedVersions:  []uint16{0x0304},
			HasKeyShare:        true,
			KeyShares:          []wire.KeyShare{{Group: 29, Data: bytes.Repeat([]byte{1}, 32)}},
			PSKModes:           []uint8{1},
			StatusRequest:      true,
			SCT:                true,
		}
	}
	variants := map[string]func(h *wire.ClientHello){
		"plain":   func(h *wire.ClientHello) {},
		"no name": func(h *wire.ClientHello) { h.ServerName = "" },
		"alpn":    func(h *wire.ClientHello) { h.ALPN = []string{"h2", "http/1.1"} },
		"no sid":  func(h *wire.ClientHello) { h.SessionID = nil },
		"two shares": func(h *wire.ClientHello) {
			h.KeyShares = append([]wire.KeyShare{{Group: 0x11ec, Data: bytes.Repeat([]byte{2}, 1216)}}, h.KeyShares...)
		},
		"tls12 ticket": func(h *wire.ClientHello) {
			h.SupportedVersions = append(h.SupportedVersions, 0x0303)
			h.CipherSuites = append(h.CipherSuites, 0xc02b, 0xc02f)
			h.ExtendedMasterSecret, h.SecureRenegotiationSupported, h.TicketSupported = true, true, true
			h.ECPointFormats = []uint8{0}
			h.SessionTicket = bytes.Repeat([]byte{3}, 177)
		},
		"cert compression": func(h *wire.ClientHello) { h.CertCompressionAlgorithms = []uint16{2, 1}; h.RecordSizeLimit = 16385 },
	}
	for name, change := range variants {
		for nameLen := 1; nameLen <= 40; nameLen += 3 {
			h := base()
			h.ServerName = string(bytes.Repeat([]byte{'a'}, nameLen))
			change(h)
			want := len(wire.EncodeClientHelloInner(h, echCompressed(h), 0))
			if want == 0 {
				t.Fatalf("%s: the inner hello does not encode", name)
			}
			if got := echGreaseInnerLen(h); got != want {
				t.Errorf("%s, name of %d bytes: GREASE inner length %d, a real inner hello encodes to %d", name, nameLen, got, want)
			}
		}
	}
}
