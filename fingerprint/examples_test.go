package fingerprint_test

import (
	"strings"
	"testing"

	"lucid/fingerprint"
	"lucid/internal/wire"
)

// checkIndependent fails the test if JA3 or JA4 of body differ from the
// independent implementation in independent_test.go.
func checkIndependent(t *testing.T, body []byte) {
	t.Helper()
	ch := parse(t, body)
	w, err := walk(body)
	if err != nil {
		t.Fatalf("byte walker: %v", err)
	}
	raw3, hash3 := fingerprint.JA3(ch)
	wantRaw3, wantHash3 := indepJA3(w)
	if raw3 != wantRaw3 || hash3 != wantHash3 {
		t.Errorf("JA3 = %q %s\nindependent %q %s", raw3, hash3, wantRaw3, wantHash3)
	}
	for _, tr := range []byte{'t', 'q'} {
		fp, raw := fingerprint.JA4(ch, tr)
		want := indepJA4(w, string(tr))
		if fp != want.fp || raw != want.r {
			t.Errorf("JA4(%c) = %s\n  %s\nindependent %s\n  %s", tr, fp, raw, want.fp, want.r)
		}
	}
}

// TestJA4SpecExample reproduces the worked example of JA4.md ("Example" and
// "Raw Output"), from a ClientHello carrying exactly its values plus GREASE.
func TestJA4SpecExample(t *testing.T) {
	body := specHello(specSigAlgs...)
	ch := parse(t, body)

	// First check the test vector against the document: its original-order
	// forms (JA4_ro, JA4_o) are what JA4.md prints for these inputs.
	w, err := walk(body)
	if err != nil {
		t.Fatal(err)
	}
	parts := indepJA4(w, "t")
	const docRO = "t13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601"
	const docO = "t13d1516h2_acb858a92679_18f69afefd3d"
	if parts.ro != docRO || parts.o != docO {
		t.Fatalf("test vector does not match JA4.md:\nJA4_ro %s\nwant   %s\nJA4_o  %s\nwant   %s", parts.ro, docRO, parts.o, docO)
	}

	fp, raw := fingerprint.JA4(ch, 't')
	const docFP = "t13d1516h2_8daaf6152771_e5627efa2ab1"
	const docR = "t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601"
	if fp != docFP {
		t.Errorf("JA4 = %s, JA4.md says %s", fp, docFP)
	}
	if raw != docR {
		t.Errorf("JA4_r = %s\nJA4.md says %s", raw, docR)
	}

	// Over QUIC only the first character changes.
	fpQ, rawQ := fingerprint.JA4(ch, 'q')
	if fpQ != "q"+docFP[1:] || rawQ != "q"+docR[1:] {
		t.Errorf("JA4 over QUIC = %s, %s", fpQ, rawQ)
	}

	// The same hello's JA3: legacy_version 771, everything in sent order,
	// GREASE dropped.
	raw3, _ := fingerprint.JA3(ch)
	const want3 = "771,4865-4866-4867-49195-49199-49196-49200-52393-52392-49171-49172-156-157-47-53,27-0-51-16-17513-23-45-13-5-35-18-43-65281-11-10-21,29-23-24,0"
	if raw3 != want3 {
		t.Errorf("JA3 = %s\nwant  %s", raw3, want3)
	}
	checkIndependent(t, body)
}

// TestJA4SpecNoSignatureAlgorithms reproduces JA4.md's "no signature
// algorithms" case: the extension list is the example's (000d included)
// but, GREASE aside, no algorithm is listed, so nothing follows it.
func TestJA4SpecNoSignatureAlgorithms(t *testing.T) {
	body := specHello(0x0a0a) // signature_algorithms holding only GREASE
	fp, raw := fingerprint.JA4(parse(t, body), 't')
	const docFP = "t13d1516h2_8daaf6152771_6d807ffa2a79"
	if fp != docFP {
		t.Errorf("JA4 = %s, JA4.md says %s", fp, docFP)
	}
	if !strings.HasSuffix(raw, "_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01") {
		t.Errorf("JA4_r = %s, want it to end with the extension list and no underscore", raw)
	}
	checkIndependent(t, body)
}

// TestJA3SpecExamples reproduces both strings and MD5s of the JA3 README.
func TestJA3SpecExamples(t *testing.T) {
	withExts := helloBody(0x0301,
		[]uint16{47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4},
		[]ext{
			{0, sniBody("example.com")},
			{10, list16(23, 24, 25)},
			{11, []byte{1, 0}},
		})
	// The same with GREASE in every list, which JA3 must not see.
	greased := helloBody(0x0301,
		[]uint16{0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4, 0xfafa},
		[]ext{
			{0x5a5a, nil},
			{0, sniBody("example.com")},
			{10, list16(0x8a8a, 23, 24, 25)},
			{0xeaea, []byte{0}},
			{11, []byte{1, 0}},
		})
	noExts := helloBody(0x0301, []uint16{4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99}, nil)

	for _, tc := range []struct {
		name      string
		body      []byte
		raw, hash string
	}{
		{"extensions", withExts, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0", "ada70206e40642a3e4461f35503241d5"},
		{"extensions with GREASE", greased, "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0", "ada70206e40642a3e4461f35503241d5"},
		{"no extensions", noExts, "769,4-5-10-9-100-98-3-6-19-18-99,,,", "de350869b8c85de67a350c8d186f11e6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, hash := fingerprint.JA3(parse(t, tc.body))
			if raw != tc.raw || hash != tc.hash {
				t.Errorf("JA3 = %q %s\nREADME: %q %s", raw, hash, tc.raw, tc.hash)
			}
			checkIndependent(t, tc.body)
		})
	}
}

// TestJA4ALPN covers every example of JA4.md's "ALPN Extension Value".
func TestJA4ALPN(t *testing.T) {
	for _, tc := range []struct {
		names []string // nil: no ALPN extension
		want  string
	}{
		{[]string{"h2"}, "h2"},
		{[]string{"http/1.1"}, "h1"},
		{[]string{"http/1.1", "h2"}, "h1"}, // only the first value counts
		{nil, "00"},
		{[]string{"x"}, "xx"},  // a single character is both first and last
		{[]string{"H2"}, "H2"}, // 0x41-0x5A are alphanumeric too
		{[]string{"\xab"}, "ab"},
		{[]string{"\x20"}, "20"},
		{[]string{"\xab\xcd"}, "ad"},
		{[]string{"\x20\x61"}, "21"},
		{[]string{"\x30\xab"}, "3b"},
		{[]string{"\x61\x20"}, "60"},
		{[]string{"\x30\x31\xab\xcd"}, "3d"},
		{[]string{"\x30\xab\xcd\x31"}, "01"},
	} {
		exts := []ext{{0x000a, list16(0x001d)}}
		if tc.names != nil {
			exts = append(exts, ext{0x0010, alpnBody(tc.names...)})
		}
		body := helloBody(0x0303, []uint16{0x1301}, exts)
		fp, _ := fingerprint.JA4(parse(t, body), 't')
		if got := fp[8:10]; got != tc.want {
			t.Errorf("ALPN %q: JA4 %s has %q, want %q", tc.names, fp, got, tc.want)
		}
		checkIndependent(t, body)
	}
}

// TestJA4Edges covers the rules JA4.md states for unusual hellos.
func TestJA4Edges(t *testing.T) {
	many := func(n int, from uint16) []uint16 {
		var out []uint16
		for i := range n {
			out = append(out, from+uint16(i))
		}
		return out
	}
	var manyExts []ext
	for _, typ := range many(110, 0x1000) {
		manyExts = append(manyExts, ext{typ, nil})
	}
	otherNameType := prefixed(2, append([]byte{7}, prefixed(2, []byte("x"))...))

	for _, tc := range []struct {
		name string
		body []byte
		want string // the fingerprint, "…" standing for what the independent check covers
	}{
		{"no extensions block", helloBody(0x0301, []uint16{4, 5}, nil), "t10i020000_"},
		{"only GREASE ciphers", helloBody(0x0303, []uint16{0x0a0a, 0x1a1a}, []ext{{0x0017, nil}}), "t12i000100_000000000000_"},
		{"only SNI and ALPN", helloBody(0x0303, []uint16{0x1301}, []ext{{0, sniBody("a.example")}, {0x10, alpnBody("h2")}}), "t12d0102h2_"},
		{"SNI without a host_name", helloBody(0x0303, []uint16{0x1301}, []ext{{0, otherNameType}}), "t12d0101"},
		{"supported_versions only GREASE", helloBody(0x0303, []uint16{0x1301}, []ext{{0x2b, list8of16(0x7a7a)}}), "t12i0101"},
		{"supported_versions unordered", helloBody(0x0301, []uint16{0x1301}, []ext{{0x2b, list8of16(0x0303, 0x0304, 0x0a0a)}}), "t13i0101"},
		{"supported_versions draft", helloBody(0x0303, []uint16{0x1301}, []ext{{0x2b, list8of16(0x7f1c, 0x0303)}}), "t00i0101"},
		{"SSL 3.0", helloBody(0x0300, []uint16{4}, nil), "ts3i0100"},
		{"SSL 2.0 version", helloBody(0x0002, []uint16{4}, nil), "ts2i0100"},
		{"unknown version", helloBody(0x0305, []uint16{4}, nil), "t00i0100"},
		{"over 99 of each", helloBody(0x0303, many(120, 0x0100), manyExts), "t12i9999"},
		{"SCSV and reserved counted", helloBody(0x0303, []uint16{0x00ff, 0x5600, 0xfe00, 0x2a2a}, []ext{{0x3a3a, nil}}), "t12i030000_"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fp, raw := fingerprint.JA4(parse(t, tc.body), 't')
			if !strings.HasPrefix(fp, tc.want) {
				t.Errorf("JA4 = %s, want it to start %s (raw %s)", fp, tc.want, raw)
			}
			checkIndependent(t, tc.body)
		})
	}

	// No extensions at all: part c is all zeros and JA4_r's third list is
	// empty.
	fp, raw := fingerprint.JA4(parse(t, helloBody(0x0301, []uint16{4, 5}, nil)), 't')
	if !strings.HasSuffix(fp, "_000000000000") || raw != "t10i020000_0004,0005_" {
		t.Errorf("no extensions: JA4 %s, JA4_r %q", fp, raw)
	}
	// Only SNI and ALPN: nothing left to sort, so zeros as well.
	fp, _ = fingerprint.JA4(parse(t, helloBody(0x0303, []uint16{0x1301}, []ext{{0, sniBody("a.example")}, {0x10, alpnBody("h2")}})), 't')
	if !strings.HasSuffix(fp, "_000000000000") {
		t.Errorf("only SNI and ALPN: JA4 %s", fp)
	}
}

// TestNoInput checks the empty answers for inputs JA3 and JA4 cannot use.
func TestNoInput(t *testing.T) {
	if raw, hash := fingerprint.JA3(nil); raw != "" || hash != "" {
		t.Errorf("JA3(nil) = %q, %q", raw, hash)
	}
	if fp, raw := fingerprint.JA4(nil, 't'); fp != "" || raw != "" {
		t.Errorf("JA4(nil) = %q, %q", fp, raw)
	}
	ch := parse(t, specHello(specSigAlgs...))
	for _, tr := range []byte{0, 'd', 'T', 'x'} {
		if fp, raw := fingerprint.JA4(ch, tr); fp != "" || raw != "" {
			t.Errorf("JA4 with transport %q = %q, %q", tr, fp, raw)
		}
	}
	// A zero ClientHello is nonsense, but still no panic.
	fingerprint.JA3(&wire.ClientHello{})
	fingerprint.JA4(&wire.ClientHello{}, 'q')
}

// TestHandBuilt checks that a ClientHello built in code, with Extensions
// nil, is fingerprinted as Marshal would send it.
func TestHandBuilt(t *testing.T) {
	ch := &wire.ClientHello{
		LegacyVersion:      0x0303,
		CipherSuites:       []uint16{0x1301, 0x1302},
		CompressionMethods: []uint8{0},
		ServerName:         "example.com",
		SupportedGroups:    []uint16{0x001d},
		SignatureSchemes:   []uint16{0x0804, 0x0403},
		ALPN:               []string{"http/1.1"},
		SupportedVersions:  []uint16{0x0304},
		KeyShares:          []wire.KeyShare{{Group: 0x001d, Data: make([]byte, 32)}},
	}
	sent := parse(t, ch.Marshal()[wire.HeaderLen:])
	fp, raw := fingerprint.JA4(ch, 't')
	wantFP, wantRaw := fingerprint.JA4(sent, 't')
	if fp != wantFP || raw != wantRaw {
		t.Errorf("hand-built JA4 %s (%s)\nas sent %s (%s)", fp, raw, wantFP, wantRaw)
	}
	if !strings.HasPrefix(fp, "t13d0206h1_") {
		t.Errorf("hand-built JA4 %s, want prefix t13d0206h1_", fp)
	}
	raw3, _ := fingerprint.JA3(ch)
	want3, _ := fingerprint.JA3(sent)
	if raw3 != want3 {
		t.Errorf("hand-built JA3 %s, as sent %s", raw3, want3)
	}
	checkIndependent(t, ch.Marshal()[wire.HeaderLen:])
}
