package handshake_test

import (
	"testing"

	"lucid/internal/alert"
	"lucid/internal/kex"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

// receivedOrder is the extension order m has on the wire when Marshal
// chooses it.
func receivedOrder(t *testing.T, m *wire.ClientHello) []uint16 {
	t.Helper()
	b := mustMarshal(t, m.Marshal())
	p, err := wire.ParseClientHello(b[wire.HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	return p.Extensions
}

// RFC 8446 §4.1.2: the ClientHello answering a HelloRetryRequest is the
// first one again, changed only where the RFC allows (tlsfuzzer's
// test-tls13-shuffled-extentions and test-record-size-limit).
func TestSecondHelloRepeatsTheFirst(t *testing.T) {
	for _, tc := range []struct {
		name string
		mut  func(t *testing.T, m *wire.ClientHello)
		// ok: the server takes the hello, and only the transcript, which
		// the tampering broke, stops the handshake.
		ok bool
	}{
		{name: "extensions reordered", mut: func(t *testing.T, m *wire.ClientHello) {
			order := receivedOrder(t, m)
			order[0], order[1] = order[1], order[0]
			m.Extensions = order
		}},
		{name: "record_size_limit added", mut: func(t *testing.T, m *wire.ClientHello) { m.RecordSizeLimit = 1 << 14 }},
		{name: "signature_algorithms changed", mut: func(t *testing.T, m *wire.ClientHello) {
			m.SignatureSchemes = m.SignatureSchemes[1:]
		}},
		{name: "supported_groups reordered", mut: func(t *testing.T, m *wire.ClientHello) {
			g := m.SupportedGroups
			g[0], g[len(g)-1] = g[len(g)-1], g[0]
		}},
		{name: "an unknown extension added", mut: func(t *testing.T, m *wire.ClientHello) {
			m.Unknown = map[uint16][]byte{0xfe01: {1}}
		}},
		{name: "padding added", ok: true, mut: func(t *testing.T, m *wire.ClientHello) { m.PaddingLen = 40 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ccfg, scfg := clientConfig(), serverConfig(t, testpki.ECDSAP256)
			scfg.Groups = []uint16{kex.P384}
			cv := newRConv(t, ccfg, scfg)
			cv.tamper = at(false, wire.TypeClientHello, 1, mutClientHello(t, func(m *wire.ClientHello) { tc.mut(t, m) }))
			if tc.ok {
				wantRFail(t, cv.run(), "client", wire.TypeEncryptedExtensions, alert.BadRecordMAC)
				return
			}
			wantRFail(t, cv.run(), "server", wire.TypeClientHello, alert.IllegalParameter)
		})
	}
}
