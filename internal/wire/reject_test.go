package wire

import (
	"errors"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/rfc8448"
)

// chBody builds a minimal ClientHello body carrying the given raw
// extensions.
func chBody(exts ...[]byte) []byte {
	return cat([]byte{3, 3}, make([]byte, 32), vec8(), vec16(0x13, 0x01), vec8(0), vec16(cat(exts...)...))
}

// shBody builds a ServerHello body with the given random and extensions.
func shBody(random [32]byte, exts ...[]byte) []byte {
	return cat([]byte{3, 3}, random[:], vec8(), []byte{0x13, 0x01, 0}, vec16(cat(exts...)...))
}

var (
	plainRandom [32]byte
	svTLS13     = ext(ExtSupportedVersions, 3, 4)
	chSV        = ext(ExtSupportedVersions, 2, 3, 4)
	x25519Share = cat([]byte{0, 0x1d}, vec16(fill(32, 9)...))
	goodPSK     = ext(ExtPreSharedKey, cat(vec16(cat(vec16('t', 'k'), []byte{0, 0, 0, 1})...), vec16(vec8(fill(32, 0xbb)...)...))...)
	certEntry   = func(exts ...[]byte) []byte { return cat([]byte{0, 0, 3, 0x30, 0x01, 0x00}, vec16(cat(exts...)...)) }
	certBody    = func(entries ...[]byte) []byte {
		e := cat(entries...)
		return cat(vec8(), []byte{0, byte(len(e) >> 8), byte(len(e))}, e)
	}
	crSigAlgs = ext(ExtSignatureAlgorithms, vec16(8, 4)...)
	nstBody   = func(exts ...[]byte) []byte {
		return cat(make([]byte, 8), vec8(), vec16(1, 2, 3), vec16(cat(exts...)...))
	}
	parseByType = func(typ uint8) func([]byte) error {
		return func(b []byte) error { _, err := parsers[typ](b); return err }
	}
	parseCH        = parseByType(TypeClientHello)
	parseSH        = parseByType(TypeServerHello)
	parseEE        = parseByType(TypeEncryptedExtensions)
	parseCert      = parseByType(TypeCertificate)
	parseCR        = parseByType(TypeCertificateRequest)
	parseCV        = parseByType(TypeCertificateVerify)
	parseNST       = parseByType(TypeNewSessionTicket)
	parseKU        = parseByType(TypeKeyUpdate)
	parseFin       = parseByType(TypeFinished)
	parseEOED      = parseByType(TypeEndOfEarlyData)
	decodeError    = alert.DecodeError
	illegalParam   = alert.IllegalParameter
	missingExtensn = alert.MissingExtension
)

func TestRejections(t *testing.T) {
	tests := []struct {
		name  string
		parse func([]byte) error
		body  []byte
		want  alert.Description
	}{
		// ClientHello framing.
		{"CH odd cipher_suites", parseCH, cat([]byte{3, 3}, make([]byte, 32), vec8(), vec16(0x13, 0x01, 0x13), vec8(0)), decodeError},
		{"CH empty cipher_suites", parseCH, cat([]byte{3, 3}, make([]byte, 32), vec8(), vec16(), vec8(0)), decodeError},
		{"CH empty compression_methods", parseCH, cat([]byte{3, 3}, make([]byte, 32), vec8(), vec16(0x13, 0x01), vec8()), decodeError},
		{"CH 33-byte session ID", parseCH, cat([]byte{3, 3}, make([]byte, 32), vec8(fill(33, 1)...), vec16(0x13, 0x01), vec8(0)), decodeError},
		{"CH one stray byte instead of extensions", parseCH, cat(chBody()[:39], []byte{0}), decodeError},
		{"CH trailing byte", parseCH, cat(chBody(chSV), []byte{0}), decodeError},
		{"CH extension overruns block", parseCH, cat([]byte{3, 3}, make([]byte, 32), vec8(), vec16(0x13, 0x01), vec8(0), vec16(0, 43, 0, 9, 2, 3, 4)), decodeError},
		{"CH duplicate extension", parseCH, chBody(chSV, ext(ExtCookie, vec16(1)...), chSV), decodeError},
		{"CH duplicate unknown extension", parseCH, chBody(ext(0x1a1a), ext(0x1a1a)), decodeError},
		// Extension contents.
		{"CH supported_versions 1 byte", parseCH, chBody(ext(ExtSupportedVersions, 1, 3)), decodeError},
		{"CH supported_versions odd", parseCH, chBody(ext(ExtSupportedVersions, 3, 3, 4, 3)), decodeError},
		{"CH supported_versions trailing", parseCH, chBody(ext(ExtSupportedVersions, 2, 3, 4, 0)), decodeError},
		{"CH supported_groups odd", parseCH, chBody(ext(ExtSupportedGroups, vec16(0, 0x1d, 0)...)), decodeError},
		{"CH supported_groups empty", parseCH, chBody(ext(ExtSupportedGroups, vec16()...)), decodeError},
		{"CH signature_algorithms odd", parseCH, chBody(ext(ExtSignatureAlgorithms, vec16(4, 3, 8)...)), decodeError},
		{"CH key_share same group twice", parseCH, chBody(ext(ExtKeyShare, vec16(cat(x25519Share, x25519Share)...)...)), illegalParam},
		{"CH key_share empty key_exchange", parseCH, chBody(ext(ExtKeyShare, vec16(0, 0x1d, 0, 0)...)), decodeError},
		{"CH pre_shared_key not last", parseCH, chBody(goodPSK, chSV), illegalParam},
		{"CH pre_shared_key binder count", parseCH, chBody(ext(ExtPreSharedKey, cat(vec16(cat(vec16('a'), []byte{0, 0, 0, 0}, vec16('b'), []byte{0, 0, 0, 0})...), vec16(vec8(fill(32, 1)...)...))...)), illegalParam},
		{"CH pre_shared_key binder too short", parseCH, chBody(ext(ExtPreSharedKey, cat(vec16(cat(vec16('a'), []byte{0, 0, 0, 0})...), vec16(vec8(fill(31, 1)...)...))...)), decodeError},
		{"CH pre_shared_key no identities", parseCH, chBody(ext(ExtPreSharedKey, cat(vec16(), vec16(vec8(fill(32, 1)...)...))...)), decodeError},
		{"CH record_size_limit 63", parseCH, chBody(ext(ExtRecordSizeLimit, 0, 63)), illegalParam},
		{"CH record_size_limit 3 bytes", parseCH, chBody(ext(ExtRecordSizeLimit, 0, 64, 0)), decodeError},
		{"CH server_name empty host_name", parseCH, chBody(ext(ExtServerName, vec16(cat([]byte{0}, vec16())...)...)), decodeError},
		{"CH server_name two host_names", parseCH, chBody(ext(ExtServerName, vec16(cat([]byte{0}, vec16('a'), []byte{0}, vec16('b'))...)...)), illegalParam},
		{"CH server_name empty list", parseCH, chBody(ext(ExtServerName, vec16()...)), decodeError},
		{"CH ALPN empty protocol", parseCH, chBody(ext(ExtALPN, vec16(vec8()...)...)), decodeError},
		{"CH extended_master_secret with data", parseCH, chBody(ext(ExtExtendedMasterSecret, 0)), decodeError},
		{"CH early_data with data", parseCH, chBody(ext(ExtEarlyData, 0, 0, 0, 0)), decodeError},
		{"CH cookie empty", parseCH, chBody(ext(ExtCookie, vec16()...)), decodeError},
		{"CH psk_key_exchange_modes empty", parseCH, chBody(ext(ExtPSKKeyExchangeModes, vec8()...)), decodeError},
		{"CH certificate_authorities empty name", parseCH, chBody(ext(ExtCertificateAuthorities, vec16(vec16()...)...)), decodeError},
		{"CH renegotiation_info trailing", parseCH, chBody(ext(ExtRenegotiationInfo, 0, 0)), decodeError},
		// ServerHello and HelloRetryRequest.
		{"SH compression 1", parseSH, cat([]byte{3, 3}, make([]byte, 32), vec8(), []byte{0x13, 0x01, 1}), illegalParam},
		{"SH trailing byte", parseSH, cat(shBody(plainRandom, svTLS13), []byte{0}), decodeError},
		{"SH duplicate extension", parseSH, shBody(plainRandom, svTLS13, ext(ExtKeyShare, x25519Share...), svTLS13), decodeError},
		{"SH HelloRetryRequest key_share form", parseSH, shBody(plainRandom, svTLS13, ext(ExtKeyShare, 0, 0x1d)), decodeError},
		{"HRR ServerHello key_share form", parseSH, shBody(HelloRetryRequestRandom, svTLS13, ext(ExtKeyShare, x25519Share...)), decodeError},
		{"HRR pre_shared_key", parseSH, shBody(HelloRetryRequestRandom, svTLS13, ext(ExtPreSharedKey, 0, 0)), illegalParam},
		{"SH early_data", parseSH, shBody(plainRandom, svTLS13, ext(ExtEarlyData)), illegalParam},
		{"HRR early_data", parseSH, shBody(HelloRetryRequestRandom, svTLS13, ext(ExtEarlyData)), illegalParam},
		{"SH cookie", parseSH, shBody(plainRandom, svTLS13, ext(ExtCookie, vec16(1)...)), illegalParam},
		{"SH TLS 1.3 with extended_master_secret", parseSH, shBody(plainRandom, ext(ExtExtendedMasterSecret), svTLS13), illegalParam},
		{"SH TLS 1.2 with key_share", parseSH, shBody(plainRandom, ext(ExtKeyShare, x25519Share...)), illegalParam},
		{"SH supported_versions TLS 1.2", parseSH, shBody(plainRandom, ext(ExtSupportedVersions, 3, 3)), illegalParam},
		{"SH supported_versions list form", parseSH, shBody(plainRandom, ext(ExtSupportedVersions, 2, 3, 4)), decodeError},
		{"SH key_share group 0", parseSH, shBody(plainRandom, svTLS13, ext(ExtKeyShare, cat([]byte{0, 0}, vec16(1))...)), illegalParam},
		{"HRR selected_group 0", parseSH, shBody(HelloRetryRequestRandom, svTLS13, ext(ExtKeyShare, 0, 0)), illegalParam},
		{"HRR duplicate extension", parseSH, shBody(HelloRetryRequestRandom, svTLS13, ext(ExtCookie, vec16(1)...), ext(ExtCookie, vec16(1)...)), illegalParam},
		{"TLS 1.3 SH compression 1", parseSH, cat([]byte{3, 3}, make([]byte, 32), vec8(), []byte{0x13, 0x01, 1}, vec16(svTLS13...)), decodeError},
		{"HRR compression 1", parseSH, cat([]byte{3, 3}, HelloRetryRequestRandom[:], vec8(), []byte{0x13, 0x01, 1}), decodeError},
		{"SH TLS 1.2 ALPN two protocols", parseSH, shBody(plainRandom, ext(ExtALPN, vec16(cat(vec8('a'), vec8('b'))...)...)), illegalParam},
		{"SH TLS 1.2 padding", parseSH, shBody(plainRandom, ext(ExtPadding)), illegalParam},
		// EncryptedExtensions.
		{"EE key_share", parseEE, vec16(ext(ExtKeyShare, x25519Share...)...), illegalParam},
		{"EE supported_versions", parseEE, vec16(svTLS13...), illegalParam},
		{"EE extended_master_secret", parseEE, vec16(ext(ExtExtendedMasterSecret)...), illegalParam},
		{"EE server_name with data", parseEE, vec16(ext(ExtServerName, 0)...), decodeError},
		{"EE early_data with data", parseEE, vec16(ext(ExtEarlyData, 0)...), decodeError},
		{"EE duplicate", parseEE, vec16(cat(ext(ExtEarlyData), ext(ExtEarlyData))...), decodeError},
		{"EE trailing byte", parseEE, cat(vec16(), []byte{0}), decodeError},
		{"EE empty body", parseEE, nil, decodeError},
		{"EE record_size_limit 0", parseEE, vec16(ext(ExtRecordSizeLimit, 0, 0)...), illegalParam},
		// Certificate.
		{"Cert empty cert_data", parseCert, certBody([]byte{0, 0, 0, 0, 0}), decodeError},
		{"Cert key_share in entry", parseCert, certBody(certEntry(ext(ExtKeyShare, x25519Share...))), illegalParam},
		{"Cert OCSP status_type 2", parseCert, certBody(certEntry(ext(ExtStatusRequest, 2, 0, 0, 1, 0))), illegalParam},
		{"Cert OCSP empty response", parseCert, certBody(certEntry(ext(ExtStatusRequest, 1, 0, 0, 0))), decodeError},
		{"Cert empty SCT list", parseCert, certBody(certEntry(ext(ExtSCT, vec16()...))), decodeError},
		{"Cert duplicate entry extension", parseCert, certBody(certEntry(ext(0x7777), ext(0x7777))), decodeError},
		{"Cert list overruns", parseCert, cat(vec8(), []byte{0, 0, 9}, certEntry()), decodeError},
		{"Cert trailing byte", parseCert, cat(certBody(certEntry()), []byte{0}), decodeError},
		// CertificateRequest.
		{"CR without signature_algorithms", parseCR, cat(vec8(), vec16(ext(ExtSignatureAlgorithmsCert, vec16(8, 4)...)...)), missingExtensn},
		{"CR empty extensions", parseCR, cat(vec8(), vec16()), decodeError},
		{"CR key_share", parseCR, cat(vec8(), vec16(cat(crSigAlgs, ext(ExtKeyShare, x25519Share...))...)), illegalParam},
		{"CR status_request with data", parseCR, cat(vec8(), vec16(cat(crSigAlgs, ext(ExtStatusRequest, 1, 0, 0, 0, 0))...)), decodeError},
		{"CR trailing byte", parseCR, cat(vec8(), vec16(crSigAlgs...), []byte{0}), decodeError},
		// CertificateVerify, Finished, NewSessionTicket, KeyUpdate.
		{"CV signature overruns", parseCV, []byte{8, 4, 0, 3, 1, 2}, decodeError},
		{"CV trailing byte", parseCV, []byte{8, 4, 0, 1, 1, 0}, decodeError},
		{"Finished empty", parseFin, nil, decodeError},
		{"NST empty ticket", parseNST, cat(make([]byte, 8), vec8(), vec16(), vec16()), decodeError},
		{"NST early_data 2 bytes", parseNST, nstBody(ext(ExtEarlyData, 0, 1)), decodeError},
		{"NST early_data empty", parseNST, nstBody(ext(ExtEarlyData)), decodeError},
		{"NST early_data 5 bytes", parseNST, nstBody(ext(ExtEarlyData, 0, 0, 4, 0, 0)), decodeError},
		{"NST key_share", parseNST, nstBody(ext(ExtKeyShare, x25519Share...)), illegalParam},
		{"NST duplicate", parseNST, nstBody(ext(0x9999), ext(0x9999)), illegalParam},
		{"NST trailing byte", parseNST, cat(nstBody(), []byte{0}), decodeError},
		{"KeyUpdate 2", parseKU, []byte{2}, illegalParam},
		{"KeyUpdate 255", parseKU, []byte{255}, illegalParam},
		{"KeyUpdate empty", parseKU, nil, decodeError},
		{"KeyUpdate trailing", parseKU, []byte{1, 0}, decodeError},
		{"EndOfEarlyData with data", parseEOED, []byte{0}, decodeError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse(tt.body)
			if err == nil {
				t.Fatalf("accepted %x", tt.body)
			}
			wantAlert(t, err, tt.want)
			t.Log(err)
		})
	}
}

// TestAccepted checks inputs that look odd but that the RFCs allow.
func TestAccepted(t *testing.T) {
	tests := []struct {
		name  string
		parse func([]byte) error
		body  []byte
	}{
		{"CH empty key_share list", parseCH, chBody(ext(ExtKeyShare, vec16()...))},
		{"CH unknown server name type", parseCH, chBody(ext(ExtServerName, vec16(cat([]byte{7}, vec16(1, 2))...)...))},
		{"CH pre_shared_key last", parseCH, chBody(chSV, goodPSK)},
		{"CH empty padding", parseCH, chBody(ext(ExtPadding))},
		{"CH GREASE extensions", parseCH, chBody(ext(0x0a0a), ext(0xfafa, 0))},
		{"SH pre_shared_key anywhere", parseSH, shBody(plainRandom, ext(ExtPreSharedKey, 0, 0), svTLS13)},
		{"SH unknown extension recorded", parseSH, shBody(plainRandom, svTLS13, ext(0x1234, 1))},
		{"EE unknown extension recorded", parseEE, vec16(ext(0x1234, 1)...)},
		{"Cert unknown entry extension ignored", parseCert, certBody(certEntry(ext(0x1234, 1)))},
		{"Cert no entries", parseCert, certBody()},
		{"CR oid_filters ignored", parseCR, cat(vec8(), vec16(cat(crSigAlgs, ext(48, vec16()...))...))},
		{"NST early_data 0", parseNST, nstBody(ext(ExtEarlyData, 0, 0, 0, 0))},
		{"CV empty signature", parseCV, []byte{8, 4, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.parse(tt.body); err != nil {
				t.Fatalf("rejected %x: %v", tt.body, err)
			}
		})
	}
}

// validBodies returns one or more valid bodies of every parsed message
// type: the RFC 8448 vectors plus the round-trip test values.
func validBodies(t testing.TB) map[uint8][][]byte {
	out := map[uint8][][]byte{}
	add := func(msg []byte) {
		typ, _, _ := Header(msg)
		out[typ] = append(out[typ], msg[HeaderLen:])
	}
	for _, h := range []string{
		rfc8448.SimpleClientHello, rfc8448.SimpleServerHello, rfc8448.SimpleEncryptedExtensions, rfc8448.SimpleServerCertificate,
		rfc8448.SimpleServerCertificateVerify, rfc8448.SimpleServerFinished, rfc8448.SimpleNewSessionTicket,
		rfc8448.ResumedClientHello, rfc8448.ResumedServerHello, rfc8448.HRRHelloRetryRequest,
		rfc8448.ClientAuthCertificateRequest, rfc8448.ResumedEndOfEarlyData,
	} {
		add(unhex(t, h))
	}
	add(fullClientHello().Marshal())
	add((&ServerHello{LegacyVersion: 0x0303, CipherSuite: 0xc02f, ExtendedMasterSecret: true, ALPN: "h2",
		ECPointFormats: []uint8{0}, SecureRenegotiationSupported: true, RecordSizeLimit: 512}).Marshal())
	add((&Certificate{Entries: []CertificateEntry{{Data: fill(10, 0x30), OCSPStaple: fill(5, 1), SCTs: [][]byte{fill(3, 2)}}}}).Marshal())
	add((&CertificateRequest{Context: []byte{9}, SignatureSchemes: []uint16{0x0804}, CertificateAuthorities: [][]byte{fill(4, 0x30)}, StatusRequest: true}).Marshal())
	add((&EncryptedExtensions{ALPN: "h2", ServerNameAck: true, RecordSizeLimit: 64}).Marshal())
	add((&KeyUpdate{RequestUpdate: true}).Marshal())
	add((&ClientHello{LegacyVersion: 0x0303, CipherSuites: []uint16{0x1301}, CompressionMethods: []uint8{0},
		CertCompressionAlgorithms: []uint16{CertCompressionBrotli, CertCompressionZstd, CertCompressionZlib}}).Marshal())
	add((&CertificateRequest{SignatureSchemes: []uint16{0x0403}, CertCompressionAlgorithms: []uint16{CertCompressionZlib}}).Marshal())
	add((&CompressedCertificate{Algorithm: CertCompressionBrotli, UncompressedLength: 1200, Compressed: fill(40, 0x5a)}).Marshal())
	return out
}

// TestTruncation cuts every valid message at every offset. A truncated
// message must be rejected with an *alert.Error (never a panic), except
// where the RFC grammar makes the prefix itself a complete message: a
// Hello may end after its compression method(s) (RFC 5246 §7.4.1.2,
// §7.4.1.3), and Finished is any non-empty verify_data.
func TestTruncation(t *testing.T) {
	for typ, bodies := range validBodies(t) {
		for _, body := range bodies {
			for i := 0; i < len(body); i++ {
				cut := body[:i]
				_, err := parsers[typ](cut)
				if err == nil {
					if typ == TypeFinished && i > 0 || helloWithoutExtensions(typ, cut) {
						continue
					}
					t.Fatalf("%s truncated to %d of %d bytes was accepted", MessageName(typ), i, len(body))
				}
				var ae *alert.Error
				if !errors.As(err, &ae) {
					t.Fatalf("%s truncated to %d bytes: %T %v", MessageName(typ), i, err, err)
				}
			}
		}
	}
}

// helloWithoutExtensions reports whether b is exactly a Hello up to and
// including its compression method(s).
func helloWithoutExtensions(typ uint8, b []byte) bool {
	if len(b) < 35 || len(b) < 35+int(b[34]) {
		return false
	}
	rest := b[35+int(b[34]):]
	switch typ {
	case TypeServerHello:
		return len(rest) == 3
	case TypeClientHello:
		if len(rest) < 2 {
			return false
		}
		n := int(rest[0])<<8 | int(rest[1])
		if len(rest) < 2+n+1 {
			return false
		}
		return len(rest) == 2+n+1+int(rest[2+n])
	}
	return false
}

// TestTrailingByte appends a byte to every valid message.
func TestTrailingByte(t *testing.T) {
	for typ, bodies := range validBodies(t) {
		if typ == TypeFinished {
			continue // verify_data has no internal length to overrun
		}
		for _, body := range bodies {
			_, err := parsers[typ](cat(body, []byte{0}))
			if err == nil {
				t.Fatalf("%s with a trailing byte was accepted", MessageName(typ))
			}
			wantAlert(t, err, alert.DecodeError)
		}
	}
}

// TestParseDoesNotAlias checks that parsed messages own their bytes.
func TestParseDoesNotAlias(t *testing.T) {
	body := unhex(t, rfc8448.SimpleClientHello)[HeaderLen:]
	m, err := ParseClientHello(body)
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		body[i] = 0xff
	}
	if m.ServerName != "server" || m.KeyShares[0].Data[0] != 0x99 {
		t.Fatal("parsed ClientHello changed with its input buffer")
	}
	// Appending to one field must not overwrite the next.
	before := append([]byte(nil), m.KeyShares[0].Data...)
	_ = append(m.SessionID, 1, 2, 3, 4, 5, 6, 7, 8)
	_ = append(m.Cookie, 1, 2, 3)
	if string(before) != string(m.KeyShares[0].Data) {
		t.Fatal("append to a field overwrote another")
	}
}
