package wire

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"lucid/internal/alert"
)

// fuzzTargets12 lists the TLS 1.2 parsers (keys of parsers12) that have a
// fuzz target, FuzzParse<name>, and a seed corpus under testdata/fuzz.
var fuzzTargets12 = []string{
	"Certificate12", "ServerKeyExchangeECDHE", "ClientKeyExchange",
	"CertificateRequest12", "NewSessionTicket12", "CertificateStatus",
}

// maxSeedLen keeps the committed corpora small: longer bodies (the
// 70000-byte sample certificate) are left to the unit tests.
const maxSeedLen = 4096

// seedBodies12 is validBodies12, bounded in size, plus near misses that
// lead the fuzzer into the illegal_parameter paths.
func seedBodies12(t testing.TB) map[string][][]byte {
	seeds := map[string][][]byte{}
	for name, bodies := range validBodies12(t) {
		for _, b := range bodies {
			if len(b) <= maxSeedLen {
				seeds[name] = append(seeds[name], b)
			}
		}
	}
	add := func(name string, body []byte) { seeds[name] = append(seeds[name], body) }
	add("ServerKeyExchangeECDHE", cat([]byte{1, 0, 0x17}, vec8(4, 1), []byte{4, 3}, vec16(1)))
	add("CertificateStatus", cat([]byte{2}, vec24(vec24(0x30)...)))
	add("ClientKeyExchange", vec8(fill(255, 4)...))
	return seeds
}

// TestWriteSeedCorpus12 regenerates testdata/fuzz/FuzzParse<name>/ for the
// TLS 1.2 targets when run with -write-seeds; otherwise it only checks
// that every target has seeds.
func TestWriteSeedCorpus12(t *testing.T) {
	seeds := seedBodies12(t)
	for _, name := range fuzzTargets12 {
		if len(seeds[name]) == 0 {
			t.Errorf("no seeds for FuzzParse%s", name)
		}
		if !*writeSeeds {
			continue
		}
		dir := filepath.Join("testdata", "fuzz", "FuzzParse"+name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, body := range seeds[name] {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", body)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fuzzParser12 is fuzzParser for a TLS 1.2 parser: no panic, only
// *alert.Error failures, and anything accepted survives Marshal and a
// second parse unchanged.
func fuzzParser12[M interface {
	Marshal() []byte
	Type() uint8
}](f *testing.F, name string, parse func([]byte) (M, error)) {
	for _, b := range seedBodies12(f)[name] {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := parse(body)
		if err != nil {
			var ae *alert.Error
			if !errors.As(err, &ae) {
				t.Fatalf("error is %T, not *alert.Error: %v", err, err)
			}
			return
		}
		msg := m.Marshal()
		if msg == nil {
			t.Fatalf("accepted message cannot be marshalled: %+v", m)
		}
		m2, err := parse(splitMessage(t, msg, m.Type()))
		if err != nil {
			t.Fatalf("re-parse of marshalled message failed: %v\ninput %x\noutput %x", err, body, msg)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip changed the message\nfirst  %+v\nsecond %+v", m, m2)
		}
	})
}

func FuzzParseCertificate12(f *testing.F) { fuzzParser12(f, "Certificate12", ParseCertificate12) }

func FuzzParseServerKeyExchangeECDHE(f *testing.F) {
	fuzzParser12(f, "ServerKeyExchangeECDHE", func(b []byte) (*ServerKeyExchangeECDHE, error) {
		m, err := ParseServerKeyExchangeECDHE(b)
		if err == nil {
			// Params is the start of the body as received.
			if p := m.Params(); len(p) > len(b) || string(p) != string(b[:len(p)]) {
				panic(fmt.Sprintf("Params %x is not a prefix of %x", p, b))
			}
		}
		return m, err
	})
}

// FuzzParseClientKeyExchange also runs both readings of the body, which
// must fail cleanly or return what the matching constructor re-encodes.
func FuzzParseClientKeyExchange(f *testing.F) {
	fuzzParser12(f, "ClientKeyExchange", func(b []byte) (*ClientKeyExchange, error) {
		m, err := ParseClientKeyExchange(b)
		if err != nil {
			return m, err
		}
		check := func(v []byte, err error, rebuild func([]byte) *ClientKeyExchange) {
			var ae *alert.Error
			switch {
			case err != nil && !errors.As(err, &ae):
				panic(fmt.Sprintf("error is %T, not *alert.Error: %v", err, err))
			case err == nil && !reflect.DeepEqual(rebuild(v), m):
				panic(fmt.Sprintf("reading %x does not rebuild %x", v, m.Data))
			}
		}
		p, perr := m.ECDHEPoint()
		check(p, perr, NewClientKeyExchangeECDHE)
		e, eerr := m.EncryptedPreMaster()
		check(e, eerr, NewClientKeyExchangeRSA)
		return m, nil
	})
}

func FuzzParseCertificateRequest12(f *testing.F) {
	fuzzParser12(f, "CertificateRequest12", ParseCertificateRequest12)
}

func FuzzParseNewSessionTicket12(f *testing.F) {
	fuzzParser12(f, "NewSessionTicket12", ParseNewSessionTicket12)
}

func FuzzParseCertificateStatus(f *testing.F) {
	fuzzParser12(f, "CertificateStatus", ParseCertificateStatus)
}
