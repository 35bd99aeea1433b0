package fingerprint_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"lucid/fingerprint"
	"lucid/internal/wire"
)

// ja4Pattern is the shape of every JA4 over TCP or QUIC. The ALPN pair
// admits capitals: JA4.md counts 0x41-0x5A as alphanumeric and prints them
// as they are ("H2" stays "H2").
var ja4Pattern = regexp.MustCompile(`^[tq][0-9a-z]{2}[di][0-9]{4}[0-9A-Za-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$`)

// FuzzFingerprint feeds raw ClientHello bodies to wire.ParseClientHello and
// fingerprints whatever parses: JA3 and JA4 must not panic, JA4 must have
// its documented shape, and both must agree with the independent byte
// walker. Besides the seeds below, testdata/fuzz/FuzzFingerprint holds real
// ClientHellos from curl 7.88.1 and OpenSSL 3.0.19.
func FuzzFingerprint(f *testing.F) {
	f.Add(specHello(specSigAlgs...))
	f.Add(specHello(0x0a0a))
	f.Add(helloBody(0x0301, []uint16{4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99}, nil))
	f.Add(helloBody(0x0303, []uint16{0x0a0a, 0x1301}, []ext{
		{0x0010, alpnBody("\x30\xab\xcd\x31", "h2")},
		{0x002b, list8of16(0x1a1a)},
		{0x000d, list16(0x2a2a)},
	}))
	f.Add(helloBody(0x0300, []uint16{0x00ff}, []ext{}))
	f.Fuzz(func(t *testing.T, body []byte) {
		ch, err := wire.ParseClientHello(body)
		if err != nil {
			return
		}
		raw3, hash3 := fingerprint.JA3(ch)
		w, err := walk(body)
		if err != nil {
			t.Fatalf("wire parsed a ClientHello the byte walker cannot: %v", err)
		}
		if wantRaw, wantHash := indepJA3(w); raw3 != wantRaw || hash3 != wantHash {
			t.Errorf("JA3 %q %s, independent %q %s", raw3, hash3, wantRaw, wantHash)
		}
		for _, tr := range []byte{'t', 'q'} {
			fp, raw := fingerprint.JA4(ch, tr)
			if !ja4Pattern.MatchString(fp) {
				t.Errorf("JA4 %q does not have the JA4 shape", fp)
			}
			if !strings.HasPrefix(raw, fp[:min(len(fp), 11)]) {
				t.Errorf("JA4_r %q does not start with JA4 %q's part a", raw, fp)
			}
			if want := indepJA4(w, string(tr)); fp != want.fp || raw != want.r {
				t.Errorf("JA4 %s (%s), independent %s (%s)", fp, raw, want.fp, want.r)
			}
		}
	})
}

// TestCapturedSeeds pins the fingerprints of the real ClientHellos kept as
// fuzz seeds, so that they are checked even where curl and openssl are
// missing. JA3 agreed with tshark 4.0.17 on each when they were captured.
func TestCapturedSeeds(t *testing.T) {
	for _, tc := range []struct{ file, ja3, ja4 string }{
		{"curl-7.88.1-ip", "78f0dc5ac5b19daf131a133cfdee9691", "t13i3111h2_e8f1e7e78f70_b26ce05bbdd6"},
		{"curl-7.88.1-sni-http1.1", "0149f47eabf9a20d0893e2a44e5a6323", "t13d3112h1_e8f1e7e78f70_b26ce05bbdd6"},
		{"openssl-3.0.19", "c216e752cae6f8755fd27f561d031636", "t13i310900_e8f1e7e78f70_1f22a2ca17c4"},
		{"openssl-3.0.19-tls1.2-alpn", "22558766122974704364c9c75c5cce0a", "t12d2808h1_d943125447b4_e7e480e5a997"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			body := readSeed(t, filepath.Join("testdata", "fuzz", "FuzzFingerprint", tc.file))
			ch := parse(t, body)
			if _, hash := fingerprint.JA3(ch); hash != tc.ja3 {
				t.Errorf("JA3 %s, want %s", hash, tc.ja3)
			}
			if fp, _ := fingerprint.JA4(ch, 't'); fp != tc.ja4 {
				t.Errorf("JA4 %s, want %s", fp, tc.ja4)
			}
			checkIndependent(t, body)
		})
	}
}

// readSeed reads a one-value []byte fuzz corpus file.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "go test fuzz v1\n[]byte(")
	if !ok || !strings.HasSuffix(s, ")") {
		t.Fatalf("%s is not a []byte fuzz corpus file", path)
	}
	v, err := strconv.Unquote(strings.TrimSuffix(s, ")"))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return []byte(v)
}
