package wire

import (
	"bytes"
	"crypto/sha256"
	"slices"
	"testing"

	"lucid/internal/rfc8448"
)

// TestRFC8448RoundTrip parses every handshake message copied from the RFC
// 8448 traces and checks that marshalling the result reproduces the exact
// bytes, extension order included.
func TestRFC8448RoundTrip(t *testing.T) {
	vectors := []struct {
		name string
		hex  string
	}{
		{"ClientHello", rfc8448.SimpleClientHello},
		{"ServerHello", rfc8448.SimpleServerHello},
		{"EncryptedExtensions", rfc8448.SimpleEncryptedExtensions},
		{"Certificate", rfc8448.SimpleServerCertificate},
		{"CertificateVerify", rfc8448.SimpleServerCertificateVerify},
		{"Finished", rfc8448.SimpleServerFinished},
		{"NewSessionTicket", rfc8448.SimpleNewSessionTicket},
		{"ResumptionClientHello", rfc8448.ResumedClientHello},
		{"ResumptionServerHello", rfc8448.ResumedServerHello},
		{"ResumptionEncryptedExtensions", rfc8448.ResumedEncryptedExtensions},
		{"EndOfEarlyData", rfc8448.ResumedEndOfEarlyData},
		{"HRRClientHello", rfc8448.HRRClientHello1},
		{"HelloRetryRequest", rfc8448.HRRHelloRetryRequest},
		{"HRRClientHello2", rfc8448.HRRClientHello2},
		{"HRRServerHello", rfc8448.HRRServerHello},
		{"HRREncryptedExtensions", rfc8448.HRREncryptedExtensions},
		{"CertificateRequest", rfc8448.ClientAuthCertificateRequest},
		{"ClientAuthServerCertificate", rfc8448.ClientAuthServerCertificate},
		{"ClientAuthServerCertificateVerify", rfc8448.ClientAuthServerCertificateVerify},
		{"ClientAuthClientCertificate", rfc8448.ClientAuthClientCertificate},
		{"ClientAuthClientCertificateVerify", rfc8448.ClientAuthClientCertificateVerify},
		{"CompatClientHello", rfc8448.CompatClientHello},
		{"CompatServerHello", rfc8448.CompatServerHello},
	}
	for _, v := range vectors {
		t.Run(v.name, func(t *testing.T) {
			msg := unhex(t, v.hex)
			typ, _, _ := Header(msg)
			parse := parsers[typ]
			if parse == nil {
				t.Fatalf("no parser for %s", MessageName(typ))
			}
			out, err := parse(splitMessage(t, msg, typ))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if !bytes.Equal(out, msg) {
				t.Fatalf("re-marshalled bytes differ\n got %x\nwant %x", out, msg)
			}
		})
	}
}

func TestRFC8448ClientHello(t *testing.T) {
	msg := unhex(t, rfc8448.SimpleClientHello)
	m, err := ParseClientHello(splitMessage(t, msg, TypeClientHello))
	if err != nil {
		t.Fatal(err)
	}
	if m.LegacyVersion != 0x0303 {
		t.Errorf("LegacyVersion %#x", m.LegacyVersion)
	}
	if m.Random[0] != 0xcb || m.Random[31] != 0xe7 {
		t.Errorf("Random %x", m.Random)
	}
	if len(m.SessionID) != 0 {
		t.Errorf("SessionID %x", m.SessionID)
	}
	if !slices.Equal(m.CipherSuites, []uint16{0x1301, 0x1303, 0x1302}) {
		t.Errorf("CipherSuites %x", m.CipherSuites)
	}
	if !slices.Equal(m.CompressionMethods, []uint8{0}) {
		t.Errorf("CompressionMethods %x", m.CompressionMethods)
	}
	if m.ServerName != "server" {
		t.Errorf("ServerName %q", m.ServerName)
	}
	if !m.SecureRenegotiationSupported || len(m.SecureRenegotiation) != 0 {
		t.Errorf("renegotiation_info %v %x", m.SecureRenegotiationSupported, m.SecureRenegotiation)
	}
	if !slices.Equal(m.SupportedGroups, []uint16{0x001d, 0x0017, 0x0018, 0x0019, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104}) {
		t.Errorf("SupportedGroups %x", m.SupportedGroups)
	}
	if !m.TicketSupported || m.SessionTicket != nil {
		t.Errorf("session_ticket %v %x", m.TicketSupported, m.SessionTicket)
	}
	wantShare := unhex(t, "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c")
	if !m.HasKeyShare || len(m.KeyShares) != 1 || m.KeyShares[0].Group != 0x001d || !bytes.Equal(m.KeyShares[0].Data, wantShare) {
		t.Errorf("KeyShares %+v", m.KeyShares)
	}
	if !slices.Equal(m.SupportedVersions, []uint16{0x0304}) {
		t.Errorf("SupportedVersions %x", m.SupportedVersions)
	}
	wantSchemes := []uint16{0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202}
	if !slices.Equal(m.SignatureSchemes, wantSchemes) {
		t.Errorf("SignatureSchemes %x", m.SignatureSchemes)
	}
	if !slices.Equal(m.PSKModes, []uint8{1}) {
		t.Errorf("PSKModes %x", m.PSKModes)
	}
	if m.RecordSizeLimit != 0x4001 {
		t.Errorf("RecordSizeLimit %#x", m.RecordSizeLimit)
	}
	wantOrder := []uint16{ExtServerName, ExtRenegotiationInfo, ExtSupportedGroups, ExtSessionTicket, ExtKeyShare, ExtSupportedVersions, ExtSignatureAlgorithms, ExtPSKKeyExchangeModes, ExtRecordSizeLimit}
	if !slices.Equal(m.Extensions, wantOrder) {
		t.Errorf("Extensions %v", m.Extensions)
	}
	if m.Unknown != nil || m.PSKIdentities != nil || m.EarlyData || m.BindersLen() != 0 {
		t.Errorf("unexpected extras: %+v", m)
	}
}

func TestRFC8448ServerHello(t *testing.T) {
	msg := unhex(t, rfc8448.SimpleServerHello)
	m, err := ParseServerHello(splitMessage(t, msg, TypeServerHello))
	if err != nil {
		t.Fatal(err)
	}
	if m.IsHelloRetryRequest() {
		t.Error("ServerHello taken for a HelloRetryRequest")
	}
	if m.LegacyVersion != 0x0303 || m.CipherSuite != 0x1301 || m.CompressionMethod != 0 || len(m.SessionID) != 0 {
		t.Errorf("fixed fields: %+v", m)
	}
	if m.Random[0] != 0xa6 || m.Random[31] != 0x28 {
		t.Errorf("Random %x", m.Random)
	}
	if m.SupportedVersion != 0x0304 {
		t.Errorf("SupportedVersion %#x", m.SupportedVersion)
	}
	wantShare := unhex(t, "c9828876112095fe66762bdbf7c672e156d6cc253b833df1dd69b1b04e751f0f")
	if m.KeyShare.Group != 0x001d || !bytes.Equal(m.KeyShare.Data, wantShare) {
		t.Errorf("KeyShare %+v", m.KeyShare)
	}
	if m.HasPSK || m.SelectedGroup != 0 || m.Cookie != nil {
		t.Errorf("unexpected extras: %+v", m)
	}
	if !slices.Equal(m.Extensions, []uint16{ExtKeyShare, ExtSupportedVersions}) {
		t.Errorf("Extensions %v", m.Extensions)
	}
}

func TestRFC8448Resumption(t *testing.T) {
	msg := unhex(t, rfc8448.ResumedClientHello)
	ch, err := ParseClientHello(splitMessage(t, msg, TypeClientHello))
	if err != nil {
		t.Fatal(err)
	}
	if !ch.EarlyData || ch.PaddingLen != 87 || len(ch.PSKIdentities) != 1 || len(ch.PSKBinders) != 1 {
		t.Fatalf("resumption fields: early %v padding %d ids %d binders %d", ch.EarlyData, ch.PaddingLen, len(ch.PSKIdentities), len(ch.PSKBinders))
	}
	if ch.PSKIdentities[0].ObfuscatedTicketAge != 0xfad6aacb || len(ch.PSKIdentities[0].Identity) != 178 {
		t.Errorf("identity: age %#x, %d bytes", ch.PSKIdentities[0].ObfuscatedTicketAge, len(ch.PSKIdentities[0].Identity))
	}
	if ch.Extensions[len(ch.Extensions)-1] != ExtPreSharedKey {
		t.Errorf("Extensions %v", ch.Extensions)
	}
	// RFC 8448 §4 shows the binder computed over everything up to the
	// identities; the binders list is 2 + 1 + 32 bytes.
	if got := ch.BindersLen(); got != 35 {
		t.Fatalf("BindersLen %d, want 35", got)
	}
	out := ch.Marshal()
	if truncated := out[:len(out)-ch.BindersLen()]; !bytes.Equal(truncated, unhex(t, rfc8448.ResumedClientHelloPrefix)) {
		t.Errorf("truncated ClientHello differs from RFC 8448's prefix\n got %x", truncated)
	}

	sh, err := ParseServerHello(splitMessage(t, unhex(t, rfc8448.ResumedServerHello), TypeServerHello))
	if err != nil {
		t.Fatal(err)
	}
	if !sh.HasPSK || sh.SelectedIdentity != 0 || sh.KeyShare.Group != 0x001d {
		t.Errorf("ServerHello: %+v", sh)
	}

	ee, err := ParseEncryptedExtensions(splitMessage(t, unhex(t, rfc8448.ResumedEncryptedExtensions), TypeEncryptedExtensions))
	if err != nil {
		t.Fatal(err)
	}
	if !ee.EarlyData || !ee.ServerNameAck || ee.RecordSizeLimit != 0x4001 || len(ee.SupportedGroups) != 9 {
		t.Errorf("EncryptedExtensions: %+v", ee)
	}

	nst, err := ParseNewSessionTicket(splitMessage(t, unhex(t, rfc8448.SimpleNewSessionTicket), TypeNewSessionTicket))
	if err != nil {
		t.Fatal(err)
	}
	if nst.Lifetime != 30 || nst.AgeAdd != 0xfad6aac5 || !bytes.Equal(nst.Nonce, []byte{0, 0}) || len(nst.Ticket) != 178 || nst.MaxEarlyData != 0x400 {
		t.Errorf("NewSessionTicket: lifetime %d ageadd %#x nonce %x ticket %d early %#x", nst.Lifetime, nst.AgeAdd, nst.Nonce, len(nst.Ticket), nst.MaxEarlyData)
	}
	// The ticket the server issued is the identity the client offers.
	if !bytes.Equal(nst.Ticket, ch.PSKIdentities[0].Identity) {
		t.Error("ticket and PSK identity differ")
	}
}

func TestRFC8448HelloRetryRequest(t *testing.T) {
	if HelloRetryRequestRandom != sha256.Sum256([]byte("HelloRetryRequest")) {
		t.Fatal("HelloRetryRequestRandom is not SHA-256(\"HelloRetryRequest\")")
	}
	hrr, err := ParseServerHello(splitMessage(t, unhex(t, rfc8448.HRRHelloRetryRequest), TypeServerHello))
	if err != nil {
		t.Fatal(err)
	}
	if !hrr.IsHelloRetryRequest() || hrr.SelectedGroup != 0x0017 || hrr.KeyShare.Group != 0 || len(hrr.Cookie) != 114 || hrr.SupportedVersion != 0x0304 {
		t.Errorf("HelloRetryRequest: %+v", hrr)
	}
	ch2, err := ParseClientHello(splitMessage(t, unhex(t, rfc8448.HRRClientHello2), TypeClientHello))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(ch2.Cookie, hrr.Cookie) || len(ch2.KeyShares) != 1 || ch2.KeyShares[0].Group != 0x0017 {
		t.Errorf("second ClientHello: cookie %x shares %+v", ch2.Cookie, ch2.KeyShares)
	}
}

func TestRFC8448CertificateMessages(t *testing.T) {
	cert, err := ParseCertificate(splitMessage(t, unhex(t, rfc8448.SimpleServerCertificate), TypeCertificate))
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.RequestContext) != 0 || len(cert.Entries) != 1 || len(cert.Entries[0].Data) != 432 || cert.Entries[0].Data[0] != 0x30 {
		t.Errorf("Certificate: context %x, %d entries", cert.RequestContext, len(cert.Entries))
	}
	cv, err := ParseCertificateVerify(splitMessage(t, unhex(t, rfc8448.SimpleServerCertificateVerify), TypeCertificateVerify))
	if err != nil {
		t.Fatal(err)
	}
	if cv.Scheme != 0x0804 || len(cv.Signature) != 128 {
		t.Errorf("CertificateVerify: scheme %#x, %d-byte signature", cv.Scheme, len(cv.Signature))
	}
	cr, err := ParseCertificateRequest(splitMessage(t, unhex(t, rfc8448.ClientAuthCertificateRequest), TypeCertificateRequest))
	if err != nil {
		t.Fatal(err)
	}
	if len(cr.Context) != 0 || len(cr.SignatureSchemes) != 15 || cr.SignatureSchemes[0] != 0x0403 {
		t.Errorf("CertificateRequest: %+v", cr)
	}
	fin, err := ParseFinished(splitMessage(t, unhex(t, rfc8448.SimpleServerFinished), TypeFinished))
	if err != nil {
		t.Fatal(err)
	}
	if len(fin.VerifyData) != 32 {
		t.Errorf("Finished: %d bytes", len(fin.VerifyData))
	}
}
