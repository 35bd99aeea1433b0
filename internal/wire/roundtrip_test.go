package wire

import (
	"bytes"
	"reflect"
	"slices"
	"testing"
)

func fill(n int, v byte) []byte { return bytes.Repeat([]byte{v}, n) }

// fullClientHello sets every ClientHello field, as a TLS 1.3 client offering
// resumption, 0-RTT and TLS 1.2 fallback would.
func fullClientHello() *ClientHello {
	m := &ClientHello{
		LegacyVersion:                0x0303,
		SessionID:                    fill(32, 0x5e),
		CipherSuites:                 []uint16{0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f},
		CompressionMethods:           []uint8{0},
		ServerName:                   "example.com",
		SupportedGroups:              []uint16{0x001d, 0x0017, 0x0018},
		ECPointFormats:               []uint8{0},
		SignatureSchemes:             []uint16{0x0403, 0x0804, 0x0401},
		SignatureSchemesCert:         []uint16{0x0403},
		ALPN:                         []string{"h2", "http/1.1"},
		SupportedVersions:            []uint16{0x0304, 0x0303},
		KeyShares:                    []KeyShare{{0x001d, fill(32, 0x11)}, {0x0017, fill(65, 0x04)}},
		HasKeyShare:                  true,
		Cookie:                       []byte("cookie-from-hrr"),
		PSKModes:                     []uint8{1},
		PSKIdentities:                []PSKIdentity{{[]byte("ticket-one"), 0x01020304}, {[]byte("ticket-two"), 7}},
		PSKBinders:                   [][]byte{fill(32, 0xb1), fill(48, 0xb2)},
		EarlyData:                    true,
		ExtendedMasterSecret:         true,
		SecureRenegotiationSupported: true,
		TicketSupported:              true,
		SessionTicket:                []byte("tls12-ticket"),
		StatusRequest:                true,
		SCT:                          true,
		RecordSizeLimit:              0x4001,
		CertificateAuthorities:       [][]byte{[]byte("0\x00CA one"), []byte("0\x00CA two")},
		PostHandshakeAuth:            true,
		PaddingLen:                   17,
		Unknown:                      map[uint16][]byte{0x1a1a: {}, 0x4469: []byte("alps")},
	}
	copy(m.Random[:], fill(32, 0x42))
	return m
}

// roundTrip marshals m, checks the header, parses the body with parse and
// returns the result.
func roundTrip[M interface {
	Marshal() []byte
	Type() uint8
}](t *testing.T, m M, parse func([]byte) (M, error)) M {
	t.Helper()
	msg := m.Marshal()
	if msg == nil {
		t.Fatal("Marshal returned nil")
	}
	got, err := parse(splitMessage(t, msg, m.Type()))
	if err != nil {
		t.Fatalf("parse of own output: %v\n%x", err, msg)
	}
	if again := got.Marshal(); !bytes.Equal(again, msg) {
		t.Fatalf("second marshal differs\n got %x\nwant %x", again, msg)
	}
	return got
}

func TestClientHelloRoundTrip(t *testing.T) {
	m := fullClientHello()
	got := roundTrip(t, m, ParseClientHello)
	wantOrder := []uint16{
		ExtServerName, ExtExtendedMasterSecret, ExtRenegotiationInfo, ExtSupportedGroups,
		ExtECPointFormats, ExtSessionTicket, ExtALPN, ExtStatusRequest, ExtSCT,
		ExtSignatureAlgorithms, ExtSignatureAlgorithmsCert, ExtKeyShare,
		ExtPSKKeyExchangeModes, ExtSupportedVersions, ExtCookie, ExtEarlyData,
		ExtCertificateAuthorities, ExtPostHandshakeAuth, ExtRecordSizeLimit,
		0x1a1a, 0x4469, ExtPadding, ExtPreSharedKey,
	}
	if !slices.Equal(got.Extensions, wantOrder) {
		t.Fatalf("default order\n got %v\nwant %v", got.Extensions, wantOrder)
	}
	got.Extensions = nil
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip\n got %+v\nwant %+v", got, m)
	}

	// An explicit order is honoured exactly, with pre_shared_key moved
	// last and types that have no value skipped.
	m.Extensions = []uint16{ExtPreSharedKey, 0x4469, ExtKeyShare, ExtCookie, 0x1a1a, ExtSupportedVersions, 0x0a0a, ExtServerName}
	got = roundTrip(t, m, ParseClientHello)
	want := []uint16{0x4469, ExtKeyShare, ExtCookie, 0x1a1a, ExtSupportedVersions, ExtServerName, ExtPreSharedKey}
	if !slices.Equal(got.Extensions, want) {
		t.Fatalf("explicit order\n got %v\nwant %v", got.Extensions, want)
	}
	if got.ECPointFormats != nil || got.PaddingLen != 0 || !got.HasKeyShare || got.ServerName != "example.com" {
		t.Fatalf("explicit order wrote the wrong extensions: %+v", got)
	}

	// BindersLen covers exactly the binders list at the end.
	out := m.Marshal()
	n := m.BindersLen()
	if n != 2+1+32+1+48 || !bytes.Equal(out[len(out)-n:], cat(vec16(cat(vec8(fill(32, 0xb1)...), vec8(fill(48, 0xb2)...))...))) {
		t.Fatalf("BindersLen %d does not frame the binders", n)
	}
}

func TestClientHelloEdgeForms(t *testing.T) {
	// A TLS 1.2 ClientHello without any extensions block.
	tls12 := &ClientHello{LegacyVersion: 0x0303, CipherSuites: []uint16{0xc02f}, CompressionMethods: []uint8{0}}
	msg := tls12.Marshal()
	if len(msg) != HeaderLen+2+32+1+4+2 {
		t.Fatalf("extension-less ClientHello is %d bytes: %x", len(msg), msg)
	}
	got := roundTrip(t, tls12, ParseClientHello)
	if got.Extensions != nil {
		t.Fatalf("absent block parsed as %v", got.Extensions)
	}

	// An explicitly empty block is kept distinct from an absent one.
	tls12.Extensions = []uint16{}
	got = roundTrip(t, tls12, ParseClientHello)
	if got.Extensions == nil || len(got.Extensions) != 0 {
		t.Fatalf("empty block parsed as %#v", got.Extensions)
	}

	// An empty key_share list (asking for HelloRetryRequest), an empty
	// padding extension and a non-OCSP status_request all survive.
	m := &ClientHello{
		LegacyVersion: 0x0303, CipherSuites: []uint16{0x1301}, CompressionMethods: []uint8{0},
		HasKeyShare: true,
		Extensions:  []uint16{ExtKeyShare, ExtStatusRequest, ExtPadding},
		Unknown:     map[uint16][]byte{ExtStatusRequest: {2, 0, 0}, ExtPadding: {}},
	}
	got = roundTrip(t, m, ParseClientHello)
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("edge forms\n got %+v\nwant %+v", got, m)
	}
}

func TestServerHelloRoundTrip(t *testing.T) {
	var random [32]byte
	copy(random[:], fill(32, 0x77))
	tests := []struct {
		name  string
		m     *ServerHello
		order []uint16
	}{
		{"TLS 1.3", &ServerHello{
			LegacyVersion: 0x0303, Random: random, SessionID: fill(32, 1), CipherSuite: 0x1301,
			SupportedVersion: 0x0304, KeyShare: KeyShare{0x001d, fill(32, 9)}, HasPSK: true, SelectedIdentity: 1,
		}, []uint16{ExtPreSharedKey, ExtKeyShare, ExtSupportedVersions}},
		{"HelloRetryRequest", &ServerHello{
			LegacyVersion: 0x0303, Random: HelloRetryRequestRandom, CipherSuite: 0x1302,
			SupportedVersion: 0x0304, SelectedGroup: 0x0017, Cookie: []byte("state"),
		}, []uint16{ExtKeyShare, ExtCookie, ExtSupportedVersions}},
		{"TLS 1.2", &ServerHello{
			LegacyVersion: 0x0303, Random: random, SessionID: fill(32, 2), CipherSuite: 0xc02f,
			ExtendedMasterSecret: true, SecureRenegotiationSupported: true, SecureRenegotiation: fill(24, 3),
			TicketSupported: true, ALPN: "h2", ECPointFormats: []uint8{0}, StatusRequest: true,
			ServerNameAck: true, RecordSizeLimit: 4096,
			SCTs:    [][]byte{[]byte("sct-1"), []byte("sct-2")},
			Unknown: map[uint16][]byte{0xfe00: []byte("x")},
		}, []uint16{ExtRenegotiationInfo, ExtServerName, ExtExtendedMasterSecret, ExtSessionTicket, ExtECPointFormats, ExtALPN, ExtStatusRequest, ExtRecordSizeLimit, ExtSCT, 0xfe00}},
		{"TLS 1.2 without extensions", &ServerHello{
			LegacyVersion: 0x0303, Random: random, CipherSuite: 0x009c,
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := roundTrip(t, tt.m, ParseServerHello)
			if !slices.Equal(got.Extensions, tt.order) {
				t.Fatalf("order\n got %v\nwant %v", got.Extensions, tt.order)
			}
			got.Extensions = nil
			if !reflect.DeepEqual(got, tt.m) {
				t.Fatalf("round trip\n got %+v\nwant %+v", got, tt.m)
			}
		})
	}
}

func TestEncryptedExtensionsRoundTrip(t *testing.T) {
	m := &EncryptedExtensions{
		ServerNameAck: true, ALPN: "h2", SupportedGroups: []uint16{0x001d, 0x0017},
		EarlyData: true, RecordSizeLimit: 16385,
		Unknown: map[uint16][]byte{57: []byte("quic-params")},
	}
	got := roundTrip(t, m, ParseEncryptedExtensions)
	want := []uint16{ExtServerName, ExtSupportedGroups, ExtALPN, ExtRecordSizeLimit, ExtEarlyData, 57}
	if !slices.Equal(got.Extensions, want) {
		t.Fatalf("order %v", got.Extensions)
	}
	got.Extensions = nil
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip\n got %+v\nwant %+v", got, m)
	}
	empty := roundTrip(t, &EncryptedExtensions{}, ParseEncryptedExtensions)
	if !reflect.DeepEqual(empty, &EncryptedExtensions{Extensions: []uint16{}}) {
		t.Fatalf("empty: %+v", empty)
	}
}

func TestCertificateRoundTrip(t *testing.T) {
	for _, m := range []*Certificate{
		{Entries: []CertificateEntry{
			{Data: fill(300, 0x30), OCSPStaple: fill(100, 0x0c), SCTs: [][]byte{fill(40, 1), fill(41, 2)}},
			{Data: fill(200, 0x31)},
		}},
		{RequestContext: []byte{1, 2, 3, 4}}, // a client with no certificate to offer
	} {
		got := roundTrip(t, m, ParseCertificate)
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("round trip\n got %+v\nwant %+v", got, m)
		}
	}
}

func TestCertificateRequestRoundTrip(t *testing.T) {
	m := &CertificateRequest{
		Context: []byte("post-handshake-1"), SignatureSchemes: []uint16{0x0804, 0x0403},
		SignatureSchemesCert: []uint16{0x0403}, CertificateAuthorities: [][]byte{fill(20, 0x30)},
		StatusRequest: true, SCT: true,
	}
	if got := roundTrip(t, m, ParseCertificateRequest); !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip\n got %+v\nwant %+v", got, m)
	}
}

func TestSmallMessagesRoundTrip(t *testing.T) {
	cv := &CertificateVerify{Scheme: 0x0804, Signature: fill(256, 0x5a)}
	if got := roundTrip(t, cv, ParseCertificateVerify); !reflect.DeepEqual(got, cv) {
		t.Fatalf("CertificateVerify %+v", got)
	}
	fin := &Finished{VerifyData: fill(48, 0xf1)}
	if got := roundTrip(t, fin, ParseFinished); !reflect.DeepEqual(got, fin) {
		t.Fatalf("Finished %+v", got)
	}
	for _, nst := range []*NewSessionTicket{
		{Lifetime: 604800, AgeAdd: 0xdeadbeef, Nonce: []byte{0, 1}, Ticket: fill(120, 0x7e), MaxEarlyData: 16384},
		{Lifetime: 3600, Ticket: []byte{1}},
	} {
		if got := roundTrip(t, nst, ParseNewSessionTicket); !reflect.DeepEqual(got, nst) {
			t.Fatalf("NewSessionTicket %+v", got)
		}
	}
	for _, ku := range []*KeyUpdate{{}, {RequestUpdate: true}} {
		if got := roundTrip(t, ku, ParseKeyUpdate); *got != *ku {
			t.Fatalf("KeyUpdate %+v", got)
		}
	}
	roundTrip(t, &EndOfEarlyData{}, ParseEndOfEarlyData)
}

func TestNames(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{MessageName(TypeClientHello), "ClientHello"},
		{MessageName(TypeKeyUpdate), "KeyUpdate"},
		{MessageName(99), "unknown(99)"},
		{ExtensionName(ExtServerName), "server_name"},
		{ExtensionName(ExtRenegotiationInfo), "renegotiation_info"},
		{ExtensionName(0x3a3a), "GREASE"},
		{ExtensionName(0x3a3b), "unknown(14907)"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	n := 0
	for v := 0; v <= 0xffff; v++ {
		if IsGREASE(uint16(v)) {
			n++
			if v&0xff != v>>8 || v&0x0f != 0x0a {
				t.Errorf("IsGREASE(%#04x)", v)
			}
		}
	}
	if n != 16 {
		t.Errorf("%d GREASE values, want 16", n)
	}
}

func TestHeader(t *testing.T) {
	b := AppendHeader([]byte{0xee}, TypeCertificate, 0x012345)
	typ, n, ok := Header(b[1:])
	if !ok || typ != TypeCertificate || n != 0x012345 {
		t.Fatalf("Header(%x) = %d %d %v", b, typ, n, ok)
	}
	if _, _, ok := Header([]byte{1, 0, 0}); ok {
		t.Fatal("3-byte header accepted")
	}
}

func TestMarshalOverflowReturnsNil(t *testing.T) {
	m := &ClientHello{CipherSuites: []uint16{0x1301}, CompressionMethods: []uint8{0}, SessionID: fill(256, 0)}
	if m.Marshal() != nil {
		t.Fatal("a 256-byte session ID was encoded")
	}
	cv := &CertificateVerify{Signature: fill(1<<16, 0)}
	if cv.Marshal() != nil {
		t.Fatal("a 65536-byte signature was encoded")
	}
	ch := &ClientHello{PaddingLen: 1 << 16}
	if ch.Marshal() != nil {
		t.Fatal("65536 bytes of padding were encoded")
	}
}
