package wire

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/rfc8448"
)

var writeSeeds = flag.Bool("write-seeds", false, "rewrite testdata/fuzz seed corpora from the test vectors")

// fuzzTargets names the fuzz target for each parsed message type.
var fuzzTargets = map[uint8]string{
	TypeClientHello:           "FuzzParseClientHello",
	TypeServerHello:           "FuzzParseServerHello",
	TypeEncryptedExtensions:   "FuzzParseEncryptedExtensions",
	TypeCertificate:           "FuzzParseCertificate",
	TypeCertificateRequest:    "FuzzParseCertificateRequest",
	TypeCertificateVerify:     "FuzzParseCertificateVerify",
	TypeFinished:              "FuzzParseFinished",
	TypeNewSessionTicket:      "FuzzParseNewSessionTicket",
	TypeKeyUpdate:             "FuzzParseKeyUpdate",
	TypeCompressedCertificate: "FuzzParseCompressedCertificate",
}

// seedBodies is validBodies plus forms it lacks, one list per fuzz target.
func seedBodies(t testing.TB) map[uint8][][]byte {
	seeds := validBodies(t)
	add := func(msg []byte) {
		typ, _, _ := Header(msg)
		seeds[typ] = append(seeds[typ], msg[HeaderLen:])
	}
	for _, h := range []string{rfc8448.HRRClientHello2, rfc8448.CompatServerHello, rfc8448.ClientAuthServerCertificateVerify, rfc8448.ResumedEncryptedExtensions} {
		add(unhex(t, h))
	}
	add((&KeyUpdate{}).Marshal())
	add((&Finished{VerifyData: fill(12, 0xf)}).Marshal())
	add((&NewSessionTicket{Lifetime: 7200, AgeAdd: 1, Ticket: fill(16, 0x7e)}).Marshal())
	// The largest max_early_data_size, so the fuzzer starts from the
	// extension at its bound.
	add((&NewSessionTicket{Lifetime: 7200, AgeAdd: 1, Ticket: fill(16, 0x7e), MaxEarlyData: 0xffffffff}).Marshal())
	add((&CertificateVerify{Scheme: 0x0403}).Marshal())
	add((&ClientHello{LegacyVersion: 0x0303, CipherSuites: []uint16{0xc02f, 0x009c}, CompressionMethods: []uint8{0}}).Marshal())
	add(heavyClientHello().Marshal())
	return seeds
}

// heavyClientHello is a ClientHello at the limits a server must still
// handle quickly: the longest server_name accepted and some two thousand
// key shares, each for a group in a long supported_groups list.
func heavyClientHello() *ClientHello {
	ch := &ClientHello{
		LegacyVersion:      0x0303,
		CipherSuites:       []uint16{0x1301},
		CompressionMethods: []uint8{0},
		ServerName:         longName(MaxHostNameLen),
		SupportedVersions:  []uint16{0x0304},
		SignatureSchemes:   []uint16{0x0403},
		HasKeyShare:        true,
	}
	for i := range 2000 {
		g := uint16(0x2000 + i)
		ch.SupportedGroups = append(ch.SupportedGroups, g, 0x8000+uint16(i))
		ch.KeyShares = append(ch.KeyShares, KeyShare{Group: g, Data: []byte{byte(i)}})
	}
	return ch
}

// TestWriteSeedCorpus regenerates testdata/fuzz/<target>/ when run with
// -write-seeds; otherwise it only checks that every target has seeds.
func TestWriteSeedCorpus(t *testing.T) {
	seeds := seedBodies(t)
	for typ, target := range fuzzTargets {
		if len(seeds[typ]) == 0 {
			t.Errorf("no seeds for %s", target)
		}
		if !*writeSeeds {
			continue
		}
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for i, body := range seeds[typ] {
			content := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", body)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%02d", i)), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// fuzzParser checks, for arbitrary input, that parse never panics, fails
// only with an *alert.Error, and that anything it accepts survives
// Marshal and a second parse unchanged.
func fuzzParser[M interface {
	Marshal() []byte
	Type() uint8
}](f *testing.F, typ uint8, parse func([]byte) (M, error)) {
	for _, b := range seedBodies(f)[typ] {
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
		m2, err := parse(splitMessage(t, msg, typ))
		if err != nil {
			t.Fatalf("re-parse of marshalled message failed: %v\ninput %x\noutput %x", err, body, msg)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip changed the message\nfirst  %+v\nsecond %+v", m, m2)
		}
	})
}

func FuzzParseClientHello(f *testing.F) { fuzzParser(f, TypeClientHello, ParseClientHello) }

func FuzzParseServerHello(f *testing.F) { fuzzParser(f, TypeServerHello, ParseServerHello) }

func FuzzParseEncryptedExtensions(f *testing.F) {
	fuzzParser(f, TypeEncryptedExtensions, ParseEncryptedExtensions)
}

// FuzzParseCertificate compares round trips without CertificateEntry.Unknown,
// which lists extensions Marshal does not write back (the fuzzer found the
// round trip otherwise differs; testdata keeps its input).
func FuzzParseCertificate(f *testing.F) {
	fuzzParser(f, TypeCertificate, func(b []byte) (*Certificate, error) {
		m, err := ParseCertificate(b)
		if m != nil {
			for i := range m.Entries {
				m.Entries[i].Unknown = nil
			}
		}
		return m, err
	})
}

func FuzzParseCertificateRequest(f *testing.F) {
	fuzzParser(f, TypeCertificateRequest, ParseCertificateRequest)
}

func FuzzParseCertificateVerify(f *testing.F) {
	fuzzParser(f, TypeCertificateVerify, ParseCertificateVerify)
}

func FuzzParseFinished(f *testing.F) { fuzzParser(f, TypeFinished, ParseFinished) }

func FuzzParseNewSessionTicket(f *testing.F) {
	fuzzParser(f, TypeNewSessionTicket, ParseNewSessionTicket)
}

func FuzzParseKeyUpdate(f *testing.F) { fuzzParser(f, TypeKeyUpdate, ParseKeyUpdate) }
