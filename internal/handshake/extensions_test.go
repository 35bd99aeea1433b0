package handshake_test

import (
	"testing"

	"lucid/internal/alert"
	"lucid/internal/testpki"
	"lucid/internal/wire"
)

func shExt(typ uint16, body []byte) func(*testing.T) func([]byte) [][]byte {
	return func(t *testing.T) func([]byte) [][]byte {
		return func(b []byte) [][]byte {
			out := withExtension(b, serverHelloExtOffset(b), typ, body)
			// The injected extension must be what the client sees.
			if _, err := wire.ParseServerHello(out[wire.HeaderLen:]); err == nil {
				m, _ := wire.ParseServerHello(out[wire.HeaderLen:])
				found := false
				for _, e := range m.Extensions {
					found = found || e == typ
				}
				if !found {
					t.Fatalf("injected extension %d not parsed back", typ)
				}
			}
			return one(out)
		}
	}
}

func eeExt(typ uint16, body []byte) func(*testing.T) func([]byte) [][]byte {
	return func(t *testing.T) func([]byte) [][]byte {
		return func(b []byte) [][]byte { return one(withExtension(b, wire.HeaderLen, typ, body)) }
	}
}

// RFC 8446 §4.2: an extension the client did not offer is
// unsupported_extension; a recognised one in a message that may not carry
// it is illegal_parameter.
func TestClientRejectsServerExtensions(t *testing.T) {
	for _, tc := range []clientCase{
		{name: "SH: unknown extension", typ: wire.TypeServerHello, fn: shExt(0x7777, nil), want: alert.UnsupportedExtension},
		{name: "SH: pre_shared_key not offered", typ: wire.TypeServerHello, fn: shExt(wire.ExtPreSharedKey, []byte{0, 0}), want: alert.UnsupportedExtension},
		{name: "SH: cookie", typ: wire.TypeServerHello, fn: shExt(wire.ExtCookie, []byte{0, 2, 0xaa, 0xbb}), want: alert.IllegalParameter},
		{name: "SH: ALPN", typ: wire.TypeServerHello, fn: shExt(wire.ExtALPN, []byte{0, 3, 2, 'h', '2'}), want: alert.IllegalParameter},
		{name: "SH: extended_master_secret", typ: wire.TypeServerHello, fn: shExt(wire.ExtExtendedMasterSecret, nil), want: alert.IllegalParameter},
		{name: "EE: key_share", typ: wire.TypeEncryptedExtensions, fn: eeExt(wire.ExtKeyShare, []byte{0, 29, 0, 1, 1}), want: alert.IllegalParameter},
		{name: "EE: supported_versions", typ: wire.TypeEncryptedExtensions, fn: eeExt(wire.ExtSupportedVersions, []byte{3, 4}), want: alert.IllegalParameter},
		{name: "EE: status_request", typ: wire.TypeEncryptedExtensions, fn: eeExt(wire.ExtStatusRequest, nil), want: alert.IllegalParameter},
		{name: "EE: GREASE", typ: wire.TypeEncryptedExtensions, fn: eeExt(0x0a0a, nil), want: alert.UnsupportedExtension},
	} {
		tc.run(t)
	}
	for _, tc := range []clientCase{
		{name: "HRR: unknown extension", typ: wire.TypeServerHello, fn: shExt(0x7777, nil), want: alert.UnsupportedExtension},
		{name: "HRR: ALPN", typ: wire.TypeServerHello, fn: shExt(wire.ExtALPN, []byte{0, 3, 2, 'h', '2'}), want: alert.IllegalParameter},
		{name: "HRR: pre_shared_key", typ: wire.TypeServerHello, fn: shExt(wire.ExtPreSharedKey, []byte{0, 0}), want: alert.IllegalParameter},
	} {
		tc.client, tc.server = hrrClient, hrrServer
		tc.run(t)
	}
}

// RFC 8446 §4.4.2: extensions in the server's Certificate must correspond
// to ones in the ClientHello. The client asks for OCSP and SCTs, so both are
// accepted in the leaf's entry.
func TestClientAcceptsRequestedCertificateExtensions(t *testing.T) {
	for name, entry := range map[string]func(*wire.CertificateEntry){
		"OCSP staple": func(e *wire.CertificateEntry) { e.OCSPStaple = []byte{0x30, 0x03, 0x0a, 0x01, 0x00} },
		"SCTs":        func(e *wire.CertificateEntry) { e.SCTs = [][]byte{{1, 2, 3}} },
	} {
		t.Run(name, func(t *testing.T) {
			sc := &scriptedServer{suite: suitesAES128(), leaf: testLeaf(t, testpki.ECDSAP256), entry: entry}
			if _, err := runScripted(t, sc); err != nil {
				t.Fatalf("requested extension refused: %v", err)
			}
		})
	}
}
