package handshake

import (
	"bytes"
	"testing"

	"lucid/fingerprint"
	"lucid/internal/wire"
)

// printCases are hellos whose kept form is checked: GREASE values, the
// extension order as sent, several ALPN protocols, point formats, and a
// hello with no extensions block at all.
func printCases() map[string]*wire.ClientHello {
	full := &wire.ClientHello{
		LegacyVersion:      0x0303,
		SessionID:          bytes.Repeat([]byte{7}, 32),
		CipherSuites:       []uint16{0x0a0a, 0x1301, 0x1302, 0xc02b, 0x00ff},
		CompressionMethods: []uint8{0},
		ServerName:         "example.com",
		SupportedGroups:    []uint16{0x1a1a, 0x11ec, 29, 23},
		ECPointFormats:     []uint8{0, 1},
		SignatureSchemes:   []uint16{0x0403, 0x0804, 0x0401},
		SupportedVersions:  []uint16{0x2a2a, 0x0304, 0x0303},
		ALPN:               []string{"http/1.1", "h2"},
		HasKeyShare:        true,
		KeyShares:          []wire.KeyShare{{Group: 29, Data: bytes.Repeat([]byte{1}, 32)}},
		PSKModes:           []uint8{1},
		EarlyData:          true,
		Unknown:            map[uint16][]byte{0x3a3a: {}},
	}
	bare := &wire.ClientHello{LegacyVersion: 0x0301, CipherSuites: []uint16{4, 5, 10}, CompressionMethods: []uint8{0}}
	odd := *full
	odd.ALPN = []string{"abc"}
	return map[string]*wire.ClientHello{"full": full, "no extensions": bare, "odd-length ALPN": &odd}
}

// checkPrint fails unless what a server keeps of parsed fingerprints as
// parsed does, keeps its first ALPN protocol and its early_data.
func checkPrint(t *testing.T, name string, parsed *wire.ClientHello) {
	t.Helper()
	p := printOf(parsed)
	kept := p.hello()
	ja3raw, ja3 := fingerprint.JA3(parsed)
	gotRaw, got := fingerprint.JA3(kept)
	if got != ja3 || gotRaw != ja3raw {
		t.Errorf("%s: JA3 of the kept hello %q (%s), of the hello %q (%s)", name, gotRaw, got, ja3raw, ja3)
	}
	for _, tr := range []byte{'t', 'q'} {
		ja4, ja4raw := fingerprint.JA4(parsed, tr)
		got4, got4raw := fingerprint.JA4(kept, tr)
		if got4 != ja4 || got4raw != ja4raw {
			t.Errorf("%s: JA4 (%c) of the kept hello %q (%s), of the hello %q (%s)", name, tr, got4raw, got4, ja4raw, ja4)
		}
	}
	if want := parsed.ALPN; len(want) > 0 && (len(kept.ALPN) != 1 || kept.ALPN[0] != want[0]) {
		t.Errorf("%s: kept ALPN %q, the hello's first is %q", name, kept.ALPN, want[0])
	}
	if p.earlyData() != parsed.EarlyData {
		t.Errorf("%s: kept early_data %v, the hello says %v", name, p.earlyData(), parsed.EarlyData)
	}
}

// TestHelloPrintFingerprints checks that the fingerprints of what a server
// keeps of a hello are those of the hello as parsed.
func TestHelloPrintFingerprints(t *testing.T) {
	for name, h := range printCases() {
		msg := h.Marshal()
		parsed, err := wire.ParseClientHello(msg[wire.HeaderLen:])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkPrint(t, name, parsed)
	}
	var none helloPrint
	if none.hello() != nil {
		t.Error("no hello kept, yet one is rebuilt")
	}
}

// FuzzHelloPrint checks the same of every ClientHello body that parses.
// Besides printCases, testdata/fuzz/FuzzHelloPrint holds real hellos from
// curl 7.88.1 and OpenSSL 3.0.19 (the fingerprint package's corpus).
func FuzzHelloPrint(f *testing.F) {
	for _, h := range printCases() {
		msg := h.Marshal()
		f.Add(msg[wire.HeaderLen:])
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		parsed, err := wire.ParseClientHello(body)
		if err != nil {
			return
		}
		checkPrint(t, "fuzzed hello", parsed)
	})
}
