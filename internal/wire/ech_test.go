package wire

import (
	"bytes"
	"testing"

	"lucid/internal/alert"
)

func testECHConfig() *ECHConfig {
	return &ECHConfig{
		ConfigID:   7,
		KEM:        0x0020,
		PublicKey:  bytes.Repeat([]byte{0x42}, 32),
		Suites:     []ECHSuite{{1, 1}, {1, 3}},
		MaxNameLen: 64,
		PublicName: "public.example",
		Extensions: []ECHConfigExtension{{0x0a0a, []byte{1, 2}}},
	}
}

func TestECHConfigListRoundTrip(t *testing.T) {
	c := testECHConfig()
	raw, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	unknown := []byte{0xff, 0x01, 0, 3, 9, 9, 9} // a future version, skipped whole
	list, err := MarshalECHConfigList(unknown, raw)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseECHConfigList(list)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Known() || !bytes.Equal(got[0].Raw, unknown) {
		t.Fatalf("unknown version entry not kept as is: %+v", got)
	}
	g := got[1]
	if !g.Known() || g.ConfigID != 7 || g.KEM != 0x20 || g.PublicName != "public.example" || g.MaxNameLen != 64 ||
		len(g.Suites) != 2 || g.Suites[1] != (ECHSuite{1, 3}) || !bytes.Equal(g.Raw, raw) || g.HasMandatoryExtension() {
		t.Fatalf("parsed config differs: %+v", g)
	}
	one, err := ParseECHConfig(raw)
	if err != nil || one.PublicName != "public.example" {
		t.Fatalf("ParseECHConfig: %v %+v", err, one)
	}
	c.Extensions = append(c.Extensions, ECHConfigExtension{0x8001, nil})
	raw2, _ := c.Marshal()
	one, _ = ParseECHConfig(raw2)
	if !one.HasMandatoryExtension() {
		t.Fatal("mandatory extension not reported")
	}
}

func TestECHConfigListRejects(t *testing.T) {
	raw, _ := testECHConfig().Marshal()
	good, _ := MarshalECHConfigList(raw)
	for name, b := range map[string][]byte{
		"empty":          {0, 0},
		"short":          good[:len(good)-1],
		"trailing":       append(bytes.Clone(good), 0),
		"bad length":     append([]byte{byte((len(good) - 1) >> 8), byte(len(good) - 1)}, good[2:]...),
		"suites not x4":  mutateSuites(raw),
		"empty name":     emptyName(),
		"dup extensions": dupExt(),
	} {
		if _, err := ParseECHConfigList(b); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			wantAlert(t, err, alert.DecodeError)
		}
	}
}

func mutateSuites(raw []byte) []byte {
	c := testECHConfig()
	c.Suites = nil
	b := &builder{}
	b.u16(ECHConfigVersion)
	b.vec(2, func(b *builder) {
		b.u8(c.ConfigID)
		b.u16(c.KEM)
		b.bytesVec(2, c.PublicKey)
		b.bytesVec(2, []byte{0, 1, 0, 1, 0, 1})
		b.u8(0)
		b.bytesVec(1, []byte("a"))
		b.u16(0)
	})
	l, _ := MarshalECHConfigList(b.buf)
	return l
}

func emptyName() []byte {
	b := &builder{}
	b.u16(ECHConfigVersion)
	b.vec(2, func(b *builder) {
		b.u8(1)
		b.u16(0x20)
		b.bytesVec(2, []byte{1})
		b.bytesVec(2, []byte{0, 1, 0, 1})
		b.u8(0)
		b.u8(0)
		b.u16(0)
	})
	l, _ := MarshalECHConfigList(b.buf)
	return l
}

func dupExt() []byte {
	c := testECHConfig()
	c.Extensions = []ECHConfigExtension{{5, nil}, {5, nil}}
	raw, _ := c.Marshal()
	l, _ := MarshalECHConfigList(raw)
	return l
}

// echHellos returns an inner hello and an outer one that carries copies of
// its key_share and supported_groups, with an outer ECH extension.
func echHellos() (inner, outer *ClientHello) {
	inner = &ClientHello{
		LegacyVersion:      0x0303,
		SessionID:          bytes.Repeat([]byte{3}, 32),
		CipherSuites:       []uint16{0x1301},
		CompressionMethods: []uint8{0},
		ServerName:         "secret.example",
		SupportedGroups:    []uint16{29},
		SignatureSchemes:   []uint16{0x0807},
		SupportedVersions:  []uint16{0x0304},
		KeyShares:          []KeyShare{{Group: 29, Data: bytes.Repeat([]byte{9}, 32)}},
		HasKeyShare:        true,
		ECH:                &ECHClientHello{Inner: true},
	}
	inner.Random[0] = 1
	o := *inner
	o.ServerName = "public.example"
	o.Random[0] = 2
	o.ECH = &ECHClientHello{Suite: ECHSuite{1, 1}, ConfigID: 7, Enc: []byte{1, 2, 3}, Payload: bytes.Repeat([]byte{0xee}, 40)}
	return inner, &o
}

func TestClientHelloInnerCompression(t *testing.T) {
	inner, outer := echHellos()
	outerBody := outer.Marshal()[HeaderLen:]
	for _, compress := range [][]uint16{nil, {ExtSupportedGroups}, {ExtSignatureAlgorithms, ExtKeyShare}} {
		// RFC 9849 §5.1 wants compressed extensions next to each other:
		// here they are in Marshal's default order.
		in := *inner
		if len(compress) == 2 {
			in.Extensions = []uint16{ExtServerName, ExtSupportedGroups, ExtSignatureAlgorithms, ExtKeyShare, ExtSupportedVersions, ExtEncryptedClientHello}
		}
		enc := EncodeClientHelloInner(&in, compress, 64)
		if enc == nil || len(enc)%32 != 0 {
			t.Fatalf("compress %v: encoding of %d bytes, want a multiple of 32", compress, len(enc))
		}
		msg, err := DecodeClientHelloInner(enc, outerBody)
		if err != nil {
			t.Fatalf("compress %v: %v", compress, err)
		}
		got, err := ParseClientHello(msg[HeaderLen:])
		if err != nil {
			t.Fatal(err)
		}
		if got.ServerName != "secret.example" || !bytes.Equal(got.SessionID, outer.SessionID) || got.ECH == nil || !got.ECH.Inner ||
			len(got.KeyShares) != 1 || got.SupportedGroups[0] != 29 {
			t.Fatalf("compress %v: rebuilt hello differs: %+v", compress, got)
		}
		want := in.Marshal()
		if !bytes.Equal(msg, want) {
			t.Fatalf("compress %v: rebuilt hello is not the inner hello", compress)
		}
	}
}

func TestClientHelloInnerDecodeRejects(t *testing.T) {
	inner, outer := echHellos()
	outerBody := outer.Marshal()[HeaderLen:]
	enc := EncodeClientHelloInner(inner, []uint16{ExtSupportedGroups}, 0)
	listAt := bytes.Index(enc, []byte{0xfd, 0x00, 0, 3, 2, 0, 10})
	if listAt < 0 {
		t.Fatal("no ech_outer_extensions in the encoding")
	}
	bad := func(f func(b []byte)) []byte { b := bytes.Clone(enc); f(b); return b }
	cases := map[string][]byte{
		"nonzero padding": bad(func(b []byte) { b[len(b)-1] = 1 }),
		"refers to ech":   bad(func(b []byte) { b[listAt+5], b[listAt+6] = 0xfe, 0x0d }),
		"missing in outer": bad(func(b []byte) {
			b[listAt+5], b[listAt+6] = 0, 21 // padding, which the outer lacks
		}),
	}
	for name, b := range cases {
		_, err := DecodeClientHelloInner(b, outerBody)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		wantAlert(t, err, alert.IllegalParameter)
	}
	// A reference list naming one extension twice, and two out of order.
	twice := EncodeClientHelloInner(inner, []uint16{ExtSupportedGroups}, 0)
	i := bytes.Index(twice, []byte{0xfd, 0x00, 0, 3, 2, 0, 10})
	twice = append(twice[:i:i], append([]byte{0xfd, 0x00, 0, 5, 4, 0, 10, 0, 10}, twice[i+7:]...)...)
	fixExtLen(twice, 2)
	if _, err := DecodeClientHelloInner(twice, outerBody); err == nil {
		t.Error("duplicate reference accepted")
	} else {
		wantAlert(t, err, alert.IllegalParameter)
	}
	order := EncodeClientHelloInner(inner, []uint16{ExtSupportedGroups}, 0)
	i = bytes.Index(order, []byte{0xfd, 0x00, 0, 3, 2, 0, 10})
	order = append(order[:i:i], append([]byte{0xfd, 0x00, 0, 5, 4, 0, 13, 0, 10}, order[i+7:]...)...)
	fixExtLen(order, 2)
	if _, err := DecodeClientHelloInner(order, outerBody); err == nil {
		t.Error("out-of-order references accepted")
	} else {
		wantAlert(t, err, alert.IllegalParameter)
	}
}

// fixExtLen adds delta to the extensions block length of an encoded inner
// hello (no session ID, as the encoding has).
func fixExtLen(enc []byte, delta int) {
	at := 2 + 32 + 1
	at += 2 + (int(enc[at])<<8 | int(enc[at+1]))
	at += 1 + int(enc[at])
	n := (int(enc[at])<<8 | int(enc[at+1])) + delta
	enc[at], enc[at+1] = byte(n>>8), byte(n)
}

func TestECHPayloadSpan(t *testing.T) {
	_, outer := echHellos()
	body := outer.Marshal()[HeaderLen:]
	s, e, ok := ECHPayloadSpan(body)
	if !ok || e-s != 40 || !bytes.Equal(body[s:e], outer.ECH.Payload) {
		t.Fatalf("span %d..%d ok=%v", s, e, ok)
	}
	inner, _ := echHellos()
	if _, _, ok := ECHPayloadSpan(inner.Marshal()[HeaderLen:]); ok {
		t.Fatal("span found in an inner hello")
	}
}

func TestECHExtensionContexts(t *testing.T) {
	// HelloRetryRequest: exactly 8 bytes; EncryptedExtensions: a valid list.
	hrr := &ServerHello{LegacyVersion: 0x0303, Random: HelloRetryRequestRandom, CipherSuite: 0x1301, SupportedVersion: 0x0304,
		SelectedGroup: 29, ECHConfirmation: []byte{1, 2, 3, 4, 5, 6, 7, 8}}
	got, err := ParseServerHello(hrr.Marshal()[HeaderLen:])
	if err != nil || !bytes.Equal(got.ECHConfirmation, hrr.ECHConfirmation) {
		t.Fatalf("HRR confirmation: %v %x", err, got.ECHConfirmation)
	}
	hrr.ECHConfirmation = []byte{1, 2, 3}
	if _, err := ParseServerHello(hrr.Marshal()[HeaderLen:]); err == nil {
		t.Fatal("short confirmation accepted")
	} else {
		wantAlert(t, err, alert.DecodeError)
	}
	raw, _ := testECHConfig().Marshal()
	list, _ := MarshalECHConfigList(raw)
	ee := &EncryptedExtensions{ECHRetryConfigs: list}
	gee, err := ParseEncryptedExtensions(ee.Marshal()[HeaderLen:])
	if err != nil || !bytes.Equal(gee.ECHRetryConfigs, list) {
		t.Fatalf("retry_configs: %v", err)
	}
	ee.ECHRetryConfigs = list[:len(list)-2]
	if _, err := ParseEncryptedExtensions(ee.Marshal()[HeaderLen:]); err == nil {
		t.Fatal("bad retry_configs accepted")
	} else {
		wantAlert(t, err, alert.DecodeError)
	}
	// An unknown ECHClientHelloType is illegal_parameter (RFC 9849 §7).
	inner, _ := echHellos()
	inner.ECH = nil
	inner.Unknown = map[uint16][]byte{ExtEncryptedClientHello: {2}}
	if _, err := ParseClientHello(inner.Marshal()[HeaderLen:]); err == nil {
		t.Fatal("ECH type 2 accepted")
	} else {
		wantAlert(t, err, alert.IllegalParameter)
	}
}

func FuzzParseECHConfigList(f *testing.F) {
	raw, _ := testECHConfig().Marshal()
	list, _ := MarshalECHConfigList(raw, []byte{0xff, 0x01, 0, 0})
	f.Add(list)
	f.Add(mutateSuites(raw))
	f.Add(dupExt())
	f.Fuzz(func(t *testing.T, b []byte) {
		configs, err := ParseECHConfigList(b)
		if err != nil {
			return
		}
		var raws [][]byte
		for _, c := range configs {
			raws = append(raws, c.Raw)
			if c.Known() {
				again, err := c.Marshal()
				if err != nil || !bytes.Equal(again, c.Raw) {
					t.Fatalf("config does not re-encode to its bytes: %v", err)
				}
			}
		}
		again, err := MarshalECHConfigList(raws...)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("list does not re-encode: %v", err)
		}
	})
}

func FuzzDecodeClientHelloInner(f *testing.F) {
	inner, outer := echHellos()
	outerBody := outer.Marshal()[HeaderLen:]
	f.Add(EncodeClientHelloInner(inner, nil, 0), outerBody)
	f.Add(EncodeClientHelloInner(inner, []uint16{ExtSupportedGroups}, 32), outerBody)
	in := *inner
	in.Extensions = []uint16{ExtServerName, ExtSupportedGroups, ExtSignatureAlgorithms, ExtKeyShare, ExtSupportedVersions, ExtEncryptedClientHello}
	f.Add(EncodeClientHelloInner(&in, []uint16{ExtSignatureAlgorithms, ExtKeyShare}, 0), outerBody)
	f.Fuzz(func(t *testing.T, encoded, outerBody []byte) {
		msg, err := DecodeClientHelloInner(encoded, outerBody)
		if err != nil {
			return
		}
		// Expansion never grows past the two inputs together.
		if len(msg) > HeaderLen+len(encoded)+len(outerBody) {
			t.Fatalf("rebuilt %d bytes from %d + %d", len(msg), len(encoded), len(outerBody))
		}
		if typ, n, _ := Header(msg); typ != TypeClientHello || n != len(msg)-HeaderLen {
			t.Fatal("bad header")
		}
		_, _ = ParseClientHello(msg[HeaderLen:])
	})
}
