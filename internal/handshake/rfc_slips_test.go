package handshake_test

// Regression tests for RFC slips that tlsfuzzer and BoGo found in the
// engines: an unsolicited renegotiation_info, an SSL 3.0 legacy_version
// next to supported_versions, and a Finished of the wrong length.

import (
	"fmt"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/suites"
	"lucid/internal/testpki"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// emptyRenegotiationSCSV is TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746 §3.3).
const emptyRenegotiationSCSV = 0x00ff

// serverHello12For feeds ch to a TLS 1.2 server and returns the ServerHello
// it answers with.
func serverHello12For(t *testing.T, ch *wire.ClientHello) *wire.ServerHello {
	t.Helper()
	acts, err := handshake.NewServer(server12(t, testpki.ECDSAP256, nil)).Handle(ch.Marshal())
	if err != nil {
		t.Fatalf("server refused the ClientHello: %v", err)
	}
	for _, m := range splitMessages(t, acts) {
		if m[0] == wire.TypeServerHello {
			sh, err := wire.ParseServerHello(m[wire.HeaderLen:])
			if err != nil {
				t.Fatalf("ParseServerHello: %v", err)
			}
			return sh
		}
	}
	t.Fatal("server sent no ServerHello")
	return nil
}

// TestRenegotiationInfoOnlyWhenSignalled: RFC 5746 §3.6 has the server send
// an empty renegotiation_info when the client sent the extension or the
// SCSV; RFC 5246 §7.4.1.4 forbids it otherwise. A client that sent neither
// is served, without the extension: Lucid never renegotiates, which is
// what RFC 5746 §4.3 asks of a server that lets such clients in (BoGo
// Renegotiate-Server-NoExt, Renegotiate-Server-NoExt-SCSV).
func TestRenegotiationInfoOnlyWhenSignalled(t *testing.T) {
	for _, tc := range []struct {
		name      string
		ext, scsv bool
	}{
		{"extension", true, false},
		{"SCSV", false, true},
		{"both", true, true},
		{"neither", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := clientHelloFrom(t, client12(nil))
			ch.SecureRenegotiationSupported = tc.ext
			ch.CipherSuites = removeU16(ch.CipherSuites, emptyRenegotiationSCSV)
			if tc.scsv {
				ch.CipherSuites = append(ch.CipherSuites, emptyRenegotiationSCSV)
			}
			sh := serverHello12For(t, ch)
			if want := tc.ext || tc.scsv; sh.SecureRenegotiationSupported != want {
				t.Errorf("ServerHello carries renegotiation_info: %v, want %v", sh.SecureRenegotiationSupported, want)
			}
			if len(sh.SecureRenegotiation) != 0 {
				t.Errorf("renegotiation_info in an initial handshake carries %d bytes", len(sh.SecureRenegotiation))
			}
		})
	}
}

func removeU16(s []uint16, v uint16) []uint16 {
	var out []uint16
	for _, x := range s {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// TestLegacyVersionSSL3OrLower: RFC 8446 §D.5, a ClientHello whose
// legacy_version is 0x0300 or less is refused with protocol_version even
// when supported_versions offers TLS 1.3 (tlsfuzzer
// test-tls13-legacy-version); anything above, even nonsense, is ignored
// when supported_versions is present (§4.2.1, BoGo IgnoreLegacyVersion).
func TestLegacyVersionSSL3OrLower(t *testing.T) {
	scfg := serverConfig(t, testpki.ECDSAP256)
	scfg.MinVersion = version.TLS12
	for _, v := range []uint16{0x0300, 0x0000, 0x0200, 0x0002, 0x0100, 0x0103, 0x0102, 0x0001} {
		for _, offered := range [][]uint16{{version.TLS13, v}, {version.TLS13}, {version.TLS12}} {
			t.Run(fmt.Sprintf("0x%04x/%x", v, offered), func(t *testing.T) {
				ch := clientHelloFrom(t, clientConfig())
				ch.LegacyVersion = v
				ch.SupportedVersions = offered
				wantAlert(t, serverAnswer(t, scfg, ch.Marshal()), alert.ProtocolVersion)
			})
		}
	}
	for _, v := range []uint16{0x0301, 0x0303, 0x0304, 0x1234} {
		t.Run(fmt.Sprintf("0x%04x accepted", v), func(t *testing.T) {
			ch := clientHelloFrom(t, clientConfig())
			ch.LegacyVersion = v
			if _, err := handshake.NewServer(scfg).Handle(ch.Marshal()); err != nil {
				t.Errorf("legacy_version 0x%04x with supported_versions was refused: %v", v, err)
			}
		})
	}
}

// TestFinishedWrongLength: RFC 8446 §4.4.4 and RFC 5246 §7.4.9 fix the
// length of verify_data (the hash length; 12 bytes for every TLS 1.2 suite
// Lucid has), so a Finished of another length is malformed, decode_error
// (RFC 8446 §6.2), not a wrong MAC (decrypt_error). tlsfuzzer
// test-tls13-finished and test-truncating-of-finished.
func TestFinishedWrongLength(t *testing.T) {
	resize := func(d int) func(*wire.Finished) {
		return func(f *wire.Finished) {
			if d < 0 {
				f.VerifyData = f.VerifyData[:len(f.VerifyData)+d]
			} else {
				f.VerifyData = append(f.VerifyData, make([]byte, d)...)
			}
		}
	}
	deltas := []int{-1, 1, -11, 16, 32}
	t.Run("TLS 1.3", func(t *testing.T) {
		for _, id := range allSuites {
			for _, d := range deltas {
				for _, toClient := range []bool{false, true} {
					who := map[bool]string{false: "server", true: "client"}[toClient]
					t.Run(fmt.Sprintf("%s/%+d/%s reads", suites.Lookup13(id).Name, d, who), func(t *testing.T) {
						ccfg := clientConfig()
						ccfg.CipherSuites = []uint16{id}
						cv := newConv(t, ccfg, serverConfig(t, testpki.ECDSAP256))
						cv.tamper = at(toClient, wire.TypeFinished, 0, mutFinished(t, resize(d)))
						wantFailure(t, cv.run(), who, alert.DecodeError)
					})
				}
			}
		}
	})
	t.Run("TLS 1.2", func(t *testing.T) {
		for _, d := range deltas {
			for _, toClient := range []bool{false, true} {
				who := map[bool]string{false: "server", true: "client"}[toClient]
				t.Run(fmt.Sprintf("%+d/%s reads", d, who), func(t *testing.T) {
					cv := newRConv(t, client12(nil), server12(t, testpki.ECDSAP256, nil))
					cv.tamper = at(toClient, wire.TypeFinished, 0, mutFinished(t, resize(d)))
					wantRFail(t, cv.run(), who, wire.TypeFinished, alert.DecodeError)
				})
			}
		}
	})
	// The right length with the wrong bytes stays decrypt_error.
	t.Run("TLS 1.2 flipped bit", func(t *testing.T) {
		cv := newRConv(t, client12(nil), server12(t, testpki.ECDSAP256, nil))
		cv.tamper = at(false, wire.TypeFinished, 0, mutFinished(t, func(f *wire.Finished) { f.VerifyData[0] ^= 1 }))
		wantRFail(t, cv.run(), "server", wire.TypeFinished, alert.DecryptError)
	})
}
