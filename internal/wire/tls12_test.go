package wire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"lucid/internal/alert"
)

// vec24 prefixes b with its 3-byte length.
func vec24(b ...byte) []byte {
	return append([]byte{byte(len(b) >> 16), byte(len(b) >> 8), byte(len(b))}, b...)
}

// parsers12 maps the name of each TLS 1.2 message parser (the fuzz target
// name without "FuzzParse") to a function that parses a body and, on
// success, returns the message re-marshalled. TLS 1.2 and 1.3 share
// message types, so these are kept apart from parsers.
var parsers12 = map[string]func([]byte) ([]byte, error){
	"Certificate12":          func(b []byte) ([]byte, error) { return remarshal(ParseCertificate12(b)) },
	"ServerKeyExchangeECDHE": func(b []byte) ([]byte, error) { return remarshal(ParseServerKeyExchangeECDHE(b)) },
	"ServerHelloDone":        func(b []byte) ([]byte, error) { return remarshal(ParseServerHelloDone(b)) },
	"ClientKeyExchange":      func(b []byte) ([]byte, error) { return remarshal(ParseClientKeyExchange(b)) },
	"CertificateRequest12":   func(b []byte) ([]byte, error) { return remarshal(ParseCertificateRequest12(b)) },
	"NewSessionTicket12":     func(b []byte) ([]byte, error) { return remarshal(ParseNewSessionTicket12(b)) },
	"CertificateStatus":      func(b []byte) ([]byte, error) { return remarshal(ParseCertificateStatus(b)) },
	"HelloRequest":           func(b []byte) ([]byte, error) { return remarshal(ParseHelloRequest(b)) },
}

// Sample TLS 1.2 messages used by the round-trip, rejection and seed
// tables.
func sampleCertificate12() *Certificate12 {
	return &Certificate12{Certificates: [][]byte{fill(300, 0x30), fill(1, 0x31), fill(70000, 0x32)}}
}

func sampleSKE() *ServerKeyExchangeECDHE {
	return &ServerKeyExchangeECDHE{Group: 0x0017, PublicKey: append([]byte{4}, fill(64, 0xa1)...), Scheme: 0x0403, Signature: fill(71, 0x5c)}
}

func sampleCertificateRequest12() *CertificateRequest12 {
	return &CertificateRequest12{
		CertificateTypes:       []uint8{1, 64},
		SignatureSchemes:       []uint16{0x0403, 0x0804, 0x0401},
		CertificateAuthorities: [][]byte{fill(26, 0x30), fill(1, 0x31)},
	}
}

// validBodies12 returns valid bodies for every TLS 1.2 parser: the
// OpenSSL captures plus the samples.
func validBodies12(t testing.TB) map[string][][]byte {
	out := map[string][][]byte{}
	add := func(name string, msg []byte) {
		if msg == nil {
			t.Fatalf("%s sample does not marshal", name)
		}
		out[name] = append(out[name], msg[HeaderLen:])
	}
	for _, v := range []struct{ name, hex string }{
		{"Certificate12", opensslECDSACertificate},
		{"Certificate12", opensslECDSAClientCertificate},
		{"Certificate12", opensslRSACertificate},
		{"ServerKeyExchangeECDHE", opensslECDSAServerKeyExchange},
		{"ServerKeyExchangeECDHE", opensslRSAServerKeyExchange},
		{"ServerHelloDone", opensslECDSAServerHelloDone},
		{"ClientKeyExchange", opensslECDSAClientKeyExchange},
		{"ClientKeyExchange", opensslRSAClientKeyExchange},
		{"ClientKeyExchange", opensslRSAKexClientKeyExchange},
		{"CertificateRequest12", opensslECDSACertificateRequest},
		{"NewSessionTicket12", opensslECDSANewSessionTicket},
		{"CertificateStatus", opensslECDSACertificateStatus},
	} {
		add(v.name, unhex(t, v.hex))
	}
	add("Certificate12", sampleCertificate12().Marshal())
	add("ServerKeyExchangeECDHE", sampleSKE().Marshal())
	add("ServerKeyExchangeECDHE", (&ServerKeyExchangeECDHE{Group: 0x001d, PublicKey: fill(32, 9), Scheme: 0x0807, Signature: fill(64, 1)}).Marshal())
	add("ClientKeyExchange", NewClientKeyExchangeECDHE(fill(32, 0x11)).Marshal())
	add("ClientKeyExchange", NewClientKeyExchangeRSA(fill(256, 0x22)).Marshal())
	add("CertificateRequest12", sampleCertificateRequest12().Marshal())
	add("CertificateRequest12", (&CertificateRequest12{CertificateTypes: []uint8{1}, SignatureSchemes: []uint16{0x0401}}).Marshal())
	add("NewSessionTicket12", (&NewSessionTicket12{LifetimeHint: 3600, Ticket: fill(160, 0x7e)}).Marshal())
	add("NewSessionTicket12", (&NewSessionTicket12{}).Marshal())
	add("CertificateStatus", (&CertificateStatus{OCSPResponse: fill(100, 0x30)}).Marshal())
	add("HelloRequest", (&HelloRequest{}).Marshal())
	return out
}

func TestTLS12RoundTrip(t *testing.T) {
	eq := func(t *testing.T, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("round trip\n got %+v\nwant %+v", got, want)
		}
	}
	t.Run("Certificate12", func(t *testing.T) {
		m := sampleCertificate12()
		eq(t, roundTrip(t, m, ParseCertificate12), m)
		// A client with no certificate: an empty list, however written.
		eq(t, roundTrip(t, &Certificate12{}, ParseCertificate12), &Certificate12{})
		if got := (&Certificate12{Certificates: [][]byte{}}).Marshal(); !bytes.Equal(got, []byte{11, 0, 0, 3, 0, 0, 0}) {
			t.Fatalf("empty list: %x", got)
		}
	})
	t.Run("ServerKeyExchangeECDHE", func(t *testing.T) {
		m := sampleSKE()
		eq(t, roundTrip(t, m, ParseServerKeyExchangeECDHE), m)
		msg := m.Marshal()
		params := m.Params()
		if want := cat([]byte{3, 0, 0x17}, vec8(m.PublicKey...)); !bytes.Equal(params, want) {
			t.Fatalf("Params %x, want %x", params, want)
		}
		if !bytes.Equal(msg[HeaderLen:HeaderLen+len(params)], params) {
			t.Fatal("Params is not the start of the body")
		}
		if want := cat(params, []byte{4, 3}, vec16(m.Signature...)); !bytes.Equal(msg[HeaderLen:], want) {
			t.Fatalf("body %x, want %x", msg[HeaderLen:], want)
		}
	})
	t.Run("ServerHelloDone", func(t *testing.T) {
		if msg := (&ServerHelloDone{}).Marshal(); !bytes.Equal(msg, []byte{14, 0, 0, 0}) {
			t.Fatalf("%x", msg)
		}
		roundTrip(t, &ServerHelloDone{}, ParseServerHelloDone)
	})
	t.Run("HelloRequest", func(t *testing.T) {
		if msg := (&HelloRequest{}).Marshal(); !bytes.Equal(msg, []byte{0, 0, 0, 0}) {
			t.Fatalf("%x", msg)
		}
		roundTrip(t, &HelloRequest{}, ParseHelloRequest)
	})
	t.Run("ClientKeyExchange", func(t *testing.T) {
		point := append([]byte{4}, fill(64, 0xcc)...)
		m := NewClientKeyExchangeECDHE(point)
		if !bytes.Equal(m.Data, cat(vec8(point...))) {
			t.Fatalf("ECDHE Data %x", m.Data)
		}
		got := roundTrip(t, m, ParseClientKeyExchange)
		eq(t, got, m)
		if p, err := got.ECDHEPoint(); err != nil || !bytes.Equal(p, point) {
			t.Fatalf("ECDHEPoint %x %v", p, err)
		}
		if _, err := got.EncryptedPreMaster(); err == nil {
			t.Fatal("an ECDHE ClientKeyExchange read as RSA")
		}

		enc := fill(512, 0xe5)
		m = NewClientKeyExchangeRSA(enc)
		if !bytes.Equal(m.Data, vec16(enc...)) {
			t.Fatalf("RSA Data %x", m.Data)
		}
		got = roundTrip(t, m, ParseClientKeyExchange)
		eq(t, got, m)
		if p, err := got.EncryptedPreMaster(); err != nil || !bytes.Equal(p, enc) {
			t.Fatalf("EncryptedPreMaster %x %v", p, err)
		}
		if _, err := got.ECDHEPoint(); err == nil {
			t.Fatal("an RSA ClientKeyExchange read as ECDHE")
		}

		// The accessors' results own their bytes.
		p, _ := got.EncryptedPreMaster()
		p[0] ^= 0xff
		if got.Data[2] != 0xe5 {
			t.Fatal("EncryptedPreMaster aliases Data")
		}
	})
	t.Run("CertificateRequest12", func(t *testing.T) {
		m := sampleCertificateRequest12()
		eq(t, roundTrip(t, m, ParseCertificateRequest12), m)
		min := &CertificateRequest12{CertificateTypes: []uint8{64}, SignatureSchemes: []uint16{0x0403}}
		eq(t, roundTrip(t, min, ParseCertificateRequest12), min)
		if want := []byte{13, 0, 0, 8, 1, 64, 0, 2, 4, 3, 0, 0}; !bytes.Equal(min.Marshal(), want) {
			t.Fatalf("%x, want %x", min.Marshal(), want)
		}
	})
	t.Run("NewSessionTicket12", func(t *testing.T) {
		for _, m := range []*NewSessionTicket12{
			{LifetimeHint: 0xfedcba98, Ticket: fill(0xffff, 0x7e)},
			{LifetimeHint: 7200}, // the server declines to issue a ticket
		} {
			eq(t, roundTrip(t, m, ParseNewSessionTicket12), m)
		}
		if want := []byte{4, 0, 0, 6, 0, 0, 0x1c, 0x20, 0, 0}; !bytes.Equal((&NewSessionTicket12{LifetimeHint: 7200}).Marshal(), want) {
			t.Fatal("empty ticket encoding")
		}
	})
	t.Run("CertificateStatus", func(t *testing.T) {
		m := &CertificateStatus{OCSPResponse: fill(700, 0x30)}
		eq(t, roundTrip(t, m, ParseCertificateStatus), m)
		if msg := m.Marshal(); !bytes.Equal(msg[:8], []byte{22, 0, 2, 0xc0, 1, 0, 2, 0xbc}) {
			t.Fatalf("header %x", msg[:8])
		}
	})
}

func TestTLS12Types(t *testing.T) {
	for _, tt := range []struct {
		got, want uint8
	}{
		{(&Certificate12{}).Type(), TypeCertificate},
		{(&ServerKeyExchangeECDHE{}).Type(), TypeServerKeyExchange},
		{(&ServerHelloDone{}).Type(), TypeServerHelloDone},
		{(&ClientKeyExchange{}).Type(), TypeClientKeyExchange},
		{(&CertificateRequest12{}).Type(), TypeCertificateRequest},
		{(&NewSessionTicket12{}).Type(), TypeNewSessionTicket},
		{(&CertificateStatus{}).Type(), TypeCertificateStatus},
		{(&HelloRequest{}).Type(), TypeHelloRequest},
	} {
		if tt.got != tt.want {
			t.Errorf("Type %d, want %d", tt.got, tt.want)
		}
	}
}

func TestTLS12MarshalOverflowReturnsNil(t *testing.T) {
	bigPoint := &ServerKeyExchangeECDHE{Group: 0x17, PublicKey: fill(256, 4), Signature: []byte{1}}
	for _, tt := range []struct {
		name string
		msg  []byte
	}{
		{"SKE 256-byte point", bigPoint.Marshal()},
		{"SKE Params 256-byte point", bigPoint.Params()},
		{"SKE 65536-byte signature", (&ServerKeyExchangeECDHE{PublicKey: []byte{1}, Signature: fill(1<<16, 0)}).Marshal()},
		{"Cert12 2^24-byte certificate", (&Certificate12{Certificates: [][]byte{fill(1<<24, 0)}}).Marshal()},
		{"CR12 256 certificate types", (&CertificateRequest12{CertificateTypes: fill(256, 1), SignatureSchemes: []uint16{0x0403}}).Marshal()},
		{"CR12 65536-byte name", (&CertificateRequest12{CertificateTypes: []uint8{1}, SignatureSchemes: []uint16{0x0403}, CertificateAuthorities: [][]byte{fill(1<<16, 0)}}).Marshal()},
		{"NST12 65536-byte ticket", (&NewSessionTicket12{Ticket: fill(1<<16, 0)}).Marshal()},
		{"CertificateStatus 2^24-byte response", (&CertificateStatus{OCSPResponse: fill(1<<24, 0)}).Marshal()},
		{"CKE ECDHE 256-byte point", NewClientKeyExchangeECDHE(fill(256, 4)).Marshal()},
		{"CKE ECDHE empty point", NewClientKeyExchangeECDHE(nil).Marshal()},
		{"CKE RSA 65536 bytes", NewClientKeyExchangeRSA(fill(1<<16, 0)).Marshal()},
		{"CKE RSA empty", NewClientKeyExchangeRSA(nil).Marshal()},
		{"CKE empty Data", (&ClientKeyExchange{}).Marshal()},
	} {
		if tt.msg != nil {
			t.Errorf("%s: encoded %d bytes", tt.name, len(tt.msg))
		}
	}
	// The largest values that fit are encoded.
	if NewClientKeyExchangeECDHE(fill(255, 4)).Marshal() == nil || NewClientKeyExchangeRSA(fill(0xffff, 4)).Marshal() == nil {
		t.Error("a maximal ClientKeyExchange was refused")
	}
}

func TestTLS12Rejections(t *testing.T) {
	parse := func(name string) func([]byte) error {
		return func(b []byte) error { _, err := parsers12[name](b); return err }
	}
	ecdhePoint := func(b []byte) error { _, err := (&ClientKeyExchange{Data: b}).ECDHEPoint(); return err }
	rsaPreMaster := func(b []byte) error { _, err := (&ClientKeyExchange{Data: b}).EncryptedPreMaster(); return err }
	var (
		cert   = parse("Certificate12")
		ske    = parse("ServerKeyExchangeECDHE")
		shd    = parse("ServerHelloDone")
		cke    = parse("ClientKeyExchange")
		cr     = parse("CertificateRequest12")
		nst    = parse("NewSessionTicket12")
		cs     = parse("CertificateStatus")
		hr     = parse("HelloRequest")
		point  = vec8(fill(32, 9)...)
		sig    = cat([]byte{4, 3}, vec16(fill(8, 1)...))
		skeFor = func(curveType byte) []byte { return cat([]byte{curveType, 0, 0x1d}, point, sig) }
		crCAs  = vec16(cat(vec16(0x30, 0), vec16(0x30, 1))...)
	)
	tests := []struct {
		name  string
		parse func([]byte) error
		body  []byte
		want  alert.Description
	}{
		// Certificate.
		{"Cert empty body", cert, nil, decodeError},
		{"Cert empty ASN.1Cert", cert, vec24(0, 0, 0), decodeError},
		{"Cert second ASN.1Cert empty", cert, vec24(cat(vec24(0x30), vec24())...), decodeError},
		{"Cert entry overruns list", cert, vec24(0, 0, 2, 0x30), decodeError},
		{"Cert list overruns body", cert, cat([]byte{0, 0, 5}, vec24(0x30)), decodeError},
		{"Cert stray byte in list", cert, vec24(cat(vec24(0x30), []byte{0})...), decodeError},
		{"Cert trailing byte", cert, cat(vec24(vec24(0x30)...), []byte{0}), decodeError},
		{"Cert TLS 1.3 form", cert, cat(vec8(), vec24(cat(vec24(0x30), vec16())...)), decodeError},
		// ServerKeyExchange.
		{"SKE empty body", ske, nil, decodeError},
		{"SKE curve_type 0", ske, skeFor(0), illegalParam},
		{"SKE curve_type explicit_prime", ske, skeFor(1), illegalParam},
		{"SKE curve_type explicit_char2", ske, skeFor(2), illegalParam},
		{"SKE curve_type 4", ske, skeFor(4), illegalParam},
		{"SKE curve_type private use", ske, skeFor(248), illegalParam},
		{"SKE curve_type explicit_prime alone", ske, []byte{1}, illegalParam},
		{"SKE empty point", ske, cat([]byte{3, 0, 0x1d}, vec8(), sig), decodeError},
		{"SKE point overruns", ske, []byte{3, 0, 0x1d, 33, 1, 2}, decodeError},
		{"SKE no signature", ske, cat([]byte{3, 0, 0x1d}, point), decodeError},
		{"SKE algorithm without signature", ske, cat([]byte{3, 0, 0x1d}, point, []byte{4, 3}), decodeError},
		{"SKE empty signature", ske, cat([]byte{3, 0, 0x1d}, point, []byte{4, 3, 0, 0}), decodeError},
		{"SKE signature overruns", ske, cat([]byte{3, 0, 0x1d}, point, []byte{4, 3, 0, 9}, fill(8, 1)), decodeError},
		{"SKE trailing byte", ske, cat(skeFor(3), []byte{0}), decodeError},
		// ServerHelloDone, HelloRequest.
		{"SHD with data", shd, []byte{0}, decodeError},
		{"HelloRequest with data", hr, []byte{0, 0}, decodeError},
		// ClientKeyExchange and its two readings.
		{"CKE empty", cke, nil, decodeError},
		{"CKE empty slice", cke, []byte{}, decodeError},
		{"ECDHEPoint no data", ecdhePoint, nil, decodeError},
		{"ECDHEPoint empty point", ecdhePoint, []byte{0}, decodeError},
		{"ECDHEPoint overruns", ecdhePoint, cat([]byte{33}, fill(32, 9)), decodeError},
		{"ECDHEPoint trailing byte", ecdhePoint, cat(point, []byte{0}), decodeError},
		{"EncryptedPreMaster no data", rsaPreMaster, nil, decodeError},
		{"EncryptedPreMaster one byte", rsaPreMaster, []byte{1}, decodeError},
		{"EncryptedPreMaster empty", rsaPreMaster, []byte{0, 0}, decodeError},
		{"EncryptedPreMaster overruns", rsaPreMaster, cat([]byte{1, 1}, fill(256, 1)), decodeError},
		{"EncryptedPreMaster trailing byte", rsaPreMaster, cat(vec16(fill(256, 1)...), []byte{0}), decodeError},
		{"EncryptedPreMaster SSL 3.0 form", rsaPreMaster, fill(256, 0x5a), decodeError},
		// CertificateRequest.
		{"CR empty body", cr, nil, decodeError},
		{"CR empty certificate_types", cr, cat(vec8(), vec16(4, 3), vec16()), decodeError},
		{"CR empty supported_signature_algorithms", cr, cat(vec8(64), vec16(), vec16()), decodeError},
		{"CR odd supported_signature_algorithms", cr, cat(vec8(64), vec16(4, 3, 8), vec16()), decodeError},
		{"CR supported_signature_algorithms 65535 bytes", cr, cat(vec8(64), vec16(fill(0xffff, 4)...), vec16()), decodeError},
		{"CR empty DistinguishedName", cr, cat(vec8(64), vec16(4, 3), vec16(0, 0)), decodeError},
		{"CR DistinguishedName overruns list", cr, cat(vec8(64), vec16(4, 3), vec16(0, 3, 0x30, 0)), decodeError},
		{"CR stray byte in authorities", cr, cat(vec8(64), vec16(4, 3), vec16(0, 1, 0x30, 0)), decodeError},
		{"CR no certificate_authorities", cr, cat(vec8(64), vec16(4, 3)), decodeError},
		{"CR certificate_types overruns", cr, []byte{2, 64}, decodeError},
		{"CR trailing byte", cr, cat(vec8(64), vec16(4, 3), crCAs, []byte{0}), decodeError},
		{"CR TLS 1.3 form", cr, cat(vec8(), vec16(ext(ExtSignatureAlgorithms, vec16(4, 3)...)...)), decodeError},
		// NewSessionTicket.
		{"NST empty body", nst, nil, decodeError},
		{"NST short lifetime hint", nst, []byte{0, 0, 1}, decodeError},
		{"NST no ticket length", nst, []byte{0, 0, 1, 0}, decodeError},
		{"NST ticket overruns", nst, cat([]byte{0, 0, 1, 0}, []byte{0, 5}, fill(4, 1)), decodeError},
		{"NST trailing byte", nst, cat([]byte{0, 0, 1, 0}, vec16(1, 2), []byte{0}), decodeError},
		{"NST TLS 1.3 form", nst, cat(make([]byte, 8), vec8(), vec16(1, 2, 3), vec16()), decodeError},
		// CertificateStatus.
		{"CS empty body", cs, nil, decodeError},
		{"CS status_type 0", cs, cat([]byte{0}, vec24(0x30)), illegalParam},
		{"CS status_type ocsp_multi", cs, cat([]byte{2}, vec24(vec24(0x30)...)), illegalParam},
		{"CS status_type 255 alone", cs, []byte{255}, illegalParam},
		{"CS empty response", cs, []byte{1, 0, 0, 0}, decodeError},
		{"CS no response", cs, []byte{1}, decodeError},
		{"CS response overruns", cs, []byte{1, 0, 0, 3, 0x30, 0}, decodeError},
		{"CS trailing byte", cs, cat([]byte{1}, vec24(0x30), []byte{0}), decodeError},
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

// TestTLS12Accepted checks inputs that look odd but that the RFCs allow.
func TestTLS12Accepted(t *testing.T) {
	parse := func(name string) func([]byte) error {
		return func(b []byte) error { _, err := parsers12[name](b); return err }
	}
	tests := []struct {
		name  string
		parse func([]byte) error
		body  []byte
	}{
		{"Cert empty list", parse("Certificate12"), vec24()},
		{"Cert one-byte certificate", parse("Certificate12"), vec24(vec24(0)...)},
		{"SKE unknown group and scheme", parse("ServerKeyExchangeECDHE"), cat([]byte{3, 0xfe, 0xfe}, vec8(1), []byte{0xff, 0xff}, vec16(1))},
		{"SKE 255-byte point", parse("ServerKeyExchangeECDHE"), cat([]byte{3, 0, 0x17}, vec8(fill(255, 4)...), []byte{4, 3}, vec16(1))},
		{"CKE one byte", parse("ClientKeyExchange"), []byte{0}},
		{"CR unknown types and schemes", parse("CertificateRequest12"), cat(vec8(0, 255, 20), vec16(0xff, 0xff, 0, 0), vec16())},
		{"CR 255 certificate types", parse("CertificateRequest12"), cat(vec8(fill(255, 1)...), vec16(4, 3), vec16())},
		{"CR one-byte name", parse("CertificateRequest12"), cat(vec8(1), vec16(4, 1), vec16(vec16(0)...))},
		{"NST empty ticket", parse("NewSessionTicket12"), []byte{0, 0, 0, 0, 0, 0}},
		{"CS one-byte response", parse("CertificateStatus"), []byte{1, 0, 0, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.parse(tt.body); err != nil {
				t.Fatalf("rejected %x: %v", tt.body, err)
			}
		})
	}
	// The accessors accept the extremes of their length ranges.
	for _, data := range [][]byte{vec8(1), vec8(fill(255, 4)...)} {
		if _, err := (&ClientKeyExchange{Data: data}).ECDHEPoint(); err != nil {
			t.Errorf("ECDHEPoint of %d bytes: %v", len(data), err)
		}
	}
	for _, data := range [][]byte{vec16(1), vec16(fill(0xffff, 4)...)} {
		if _, err := (&ClientKeyExchange{Data: data}).EncryptedPreMaster(); err != nil {
			t.Errorf("EncryptedPreMaster of %d bytes: %v", len(data), err)
		}
	}
}

// TestTLS12Truncation cuts every valid message at every offset. Each cut
// must be rejected with an *alert.Error, except that a ClientKeyExchange
// is any non-empty body; for it, its ECDHE and RSA readings are cut
// instead.
func TestTLS12Truncation(t *testing.T) {
	check := func(t *testing.T, what string, n, i int, err error) {
		t.Helper()
		if err == nil {
			t.Fatalf("%s truncated to %d of %d bytes was accepted", what, i, n)
		}
		var ae *alert.Error
		if !errors.As(err, &ae) {
			t.Fatalf("%s truncated to %d bytes: %T %v", what, i, err, err)
		}
		if ae.Desc != alert.DecodeError {
			t.Fatalf("%s truncated to %d bytes: %v, want decode_error", what, i, err)
		}
	}
	for name, bodies := range validBodies12(t) {
		for _, body := range bodies {
			for i := 0; i < len(body); i++ {
				cut := body[:i]
				if name == "ClientKeyExchange" {
					m := &ClientKeyExchange{Data: cut}
					if _, err := m.ECDHEPoint(); len(body) < 256 {
						check(t, "ECDHE ClientKeyExchange", len(body), i, err)
					}
					if _, err := m.EncryptedPreMaster(); len(body) >= 256 {
						check(t, "RSA ClientKeyExchange", len(body), i, err)
					}
					if _, err := ParseClientKeyExchange(cut); (err == nil) != (i > 0) {
						t.Fatalf("ClientKeyExchange of %d bytes: %v", i, err)
					}
					continue
				}
				_, err := parsers12[name](cut)
				check(t, name, len(body), i, err)
			}
		}
	}
}

// TestTLS12TrailingByte appends a byte to every valid message.
func TestTLS12TrailingByte(t *testing.T) {
	for name, bodies := range validBodies12(t) {
		for _, body := range bodies {
			if name == "ClientKeyExchange" {
				m := &ClientKeyExchange{Data: cat(body, []byte{0})}
				_, errE := m.ECDHEPoint()
				_, errR := m.EncryptedPreMaster()
				if errE == nil || errR == nil {
					t.Fatalf("ClientKeyExchange with a trailing byte was accepted: %v %v", errE, errR)
				}
				wantAlert(t, errE, alert.DecodeError)
				wantAlert(t, errR, alert.DecodeError)
				continue
			}
			_, err := parsers12[name](cat(body, []byte{0}))
			if err == nil {
				t.Fatalf("%s with a trailing byte was accepted", name)
			}
			wantAlert(t, err, alert.DecodeError)
		}
	}
}

// TestTLS12ParseDoesNotAlias checks that parsed TLS 1.2 messages own
// their bytes.
func TestTLS12ParseDoesNotAlias(t *testing.T) {
	for name, bodies := range validBodies12(t) {
		for _, body := range bodies {
			body = bytes.Clone(body)
			before, err := parsers12[name](body)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			// Re-parse into a value, scribble over the input, and check
			// the value still marshals to the same bytes.
			var m marshaler
			switch name {
			case "Certificate12":
				m, err = ParseCertificate12(body)
			case "ServerKeyExchangeECDHE":
				m, err = ParseServerKeyExchangeECDHE(body)
			case "ClientKeyExchange":
				m, err = ParseClientKeyExchange(body)
			case "CertificateRequest12":
				m, err = ParseCertificateRequest12(body)
			case "NewSessionTicket12":
				m, err = ParseNewSessionTicket12(body)
			case "CertificateStatus":
				m, err = ParseCertificateStatus(body)
			default:
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range body {
				body[i] ^= 0xff
			}
			if !bytes.Equal(m.Marshal(), before) {
				t.Fatalf("parsed %s changed with its input buffer", name)
			}
		}
	}
	// Appending to one field must not overwrite the next.
	m := sampleSKE()
	got, err := ParseServerKeyExchangeECDHE(m.Marshal()[HeaderLen:])
	if err != nil {
		t.Fatal(err)
	}
	_ = append(got.PublicKey, 1, 2, 3)
	if !reflect.DeepEqual(got, m) {
		t.Fatal("append to PublicKey overwrote Signature")
	}
}

// A TLS 1.2 ServerHello that echoes supported_groups parses: RFC 8422 gives
// the extension no meaning there, and some servers send it anyway.
func TestServerHello12WithSupportedGroups(t *testing.T) {
	var random [32]byte
	random[0] = 1
	body := shBody(random, ext(ExtSupportedGroups, vec16(0, 29)...))
	m, err := ParseServerHello(body)
	if err != nil {
		t.Fatalf("TLS 1.2 ServerHello with supported_groups: %v", err)
	}
	if len(m.Extensions) != 1 || m.Extensions[0] != ExtSupportedGroups {
		t.Errorf("extensions %v", m.Extensions)
	}
}
