package record

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"unicode"

	"lucid/internal/rfc8448"
	"lucid/internal/suites"
)

// hexBytes decodes hex, ignoring whitespace.
func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s))
	if err != nil {
		t.Fatalf("bad hex in test: %v", err)
	}
	return b
}

// newAEAD13 returns fresh TLS_AES_128_GCM_SHA256 record protection, at
// sequence number 0, for a key and IV given in hex.
func newAEAD13(t *testing.T, key, iv string) *AEAD13 {
	t.Helper()
	aead, err := suites.Lookup13(suites.TLS_AES_128_GCM_SHA256).NewAEAD(hexBytes(t, key))
	if err != nil {
		t.Fatal(err)
	}
	return NewAEAD13(aead, hexBytes(t, iv))
}

// seal calls s.Seal, turning a panic into an error so that one failure does
// not hide the others.
func seal(s Sealer, dst []byte, typ uint8, payload []byte, padding int) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Seal panicked: %v", r)
		}
	}()
	return s.Seal(dst, typ, payload, padding)
}

// open calls o.Open on a copy of rec (Open decrypts in place), turning a
// panic into an error.
func open(o Opener, rec []byte) (typ uint8, plaintext []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Open panicked: %v", r)
		}
	}()
	return o.Open(bytes.Clone(rec))
}

type rfcRecord struct {
	name            string
	typ             uint8
	payload, record string
}

// rfc8448Protected lists the protected records of §3 by traffic key, in
// the order they are sent: each key's sequence numbers run on from record
// to record (the server's application data is its second record under the
// application key, after the NewSessionTicket, so sequence number 1).
var rfc8448Protected = []struct {
	name    string
	key, iv string
	records []rfcRecord
}{
	{"server handshake", rfc8448.SimpleServerHandshakeKey, rfc8448.SimpleServerHandshakeIV, []rfcRecord{
		{"EncryptedExtensions..Finished", TypeHandshake, rfc8448.SimpleServerFlight, rfc8448.SimpleServerFlightRecord},
	}},
	{"client handshake", rfc8448.SimpleClientHandshakeKey, rfc8448.SimpleClientHandshakeIV, []rfcRecord{
		{"Finished", TypeHandshake, rfc8448.SimpleClientFinished, rfc8448.SimpleClientFinishedRecord},
	}},
	{"server application", rfc8448.SimpleServerApplicationKey, rfc8448.SimpleServerApplicationIV, []rfcRecord{
		{"NewSessionTicket", TypeHandshake, rfc8448.SimpleNewSessionTicket, rfc8448.SimpleNewSessionTicketRecord},
		{"application_data", TypeApplicationData, rfc8448.SimpleServerApplicationData, rfc8448.SimpleServerApplicationDataRecord},
		{"alert", TypeAlert, rfc8448.SimpleServerAlert, rfc8448.SimpleServerAlertRecord},
	}},
	{"client application", rfc8448.SimpleClientApplicationKey, rfc8448.SimpleClientApplicationIV, []rfcRecord{
		{"application_data", TypeApplicationData, rfc8448.SimpleClientApplicationData, rfc8448.SimpleClientApplicationDataRecord},
		{"alert", TypeAlert, rfc8448.SimpleClientAlert, rfc8448.SimpleClientAlertRecord},
	}},
}

func TestRFC8448Payloads(t *testing.T) {
	want := make([]byte, 50)
	for i := range want {
		want[i] = byte(i)
	}
	for _, p := range []string{rfc8448.SimpleClientApplicationData, rfc8448.SimpleServerApplicationData} {
		if got := hexBytes(t, p); !bytes.Equal(got, want) {
			t.Errorf("application data payload %x, want 00 01 .. 31", got)
		}
	}
	for _, p := range []string{rfc8448.SimpleClientAlert, rfc8448.SimpleServerAlert} {
		if got := hexBytes(t, p); !bytes.Equal(got, []byte{1, 0}) {
			t.Errorf("alert payload %x, want 01 00 (warning close_notify)", got)
		}
	}
}

// TestRFC8448Seal protects each payload with one AEAD13 per traffic key,
// into a fresh (nil) buffer, and compares the record byte for byte.
func TestRFC8448Seal(t *testing.T) {
	for _, d := range rfc8448Protected {
		t.Run(d.name, func(t *testing.T) {
			s := newAEAD13(t, d.key, d.iv)
			for i, r := range d.records {
				if s.Seq() != uint64(i) {
					t.Errorf("%s: Seq() = %d before sealing, want %d", r.name, s.Seq(), i)
				}
				got, err := seal(s, nil, r.typ, hexBytes(t, r.payload), 0)
				if err != nil {
					t.Errorf("%s (seq %d): %v", r.name, i, err)
					continue
				}
				if want := hexBytes(t, r.record); !bytes.Equal(got, want) {
					t.Errorf("%s (seq %d):\n got %x\nwant %x", r.name, i, got, want)
				}
			}
		})
	}
}

// TestRFC8448SealAppend protects each direction's records one after another
// into one buffer with room to spare, as a connection's output buffer does:
// Seal must append each record after the ones before it.
func TestRFC8448SealAppend(t *testing.T) {
	for _, d := range rfc8448Protected {
		t.Run(d.name, func(t *testing.T) {
			s := newAEAD13(t, d.key, d.iv)
			prefix := []byte("unrelated bytes already buffered")
			buf := append(make([]byte, 0, 4096), prefix...)
			want := bytes.Clone(prefix)
			for _, r := range d.records {
				var err error
				buf, err = seal(s, buf, r.typ, hexBytes(t, r.payload), 0)
				if err != nil {
					t.Fatalf("%s: %v", r.name, err)
				}
				want = append(want, hexBytes(t, r.record)...)
			}
			if !bytes.Equal(buf, want) {
				t.Errorf("buffer:\n got %x\nwant %x", buf, want)
			}
		})
	}
}

// TestRFC8448Open opens the trace's records with one fresh AEAD13 per
// traffic key, in order, and gets back each content type and payload.
func TestRFC8448Open(t *testing.T) {
	for _, d := range rfc8448Protected {
		t.Run(d.name, func(t *testing.T) {
			o := newAEAD13(t, d.key, d.iv)
			for i, r := range d.records {
				if o.Seq() != uint64(i) {
					t.Errorf("%s: Seq() = %d before opening, want %d", r.name, o.Seq(), i)
				}
				typ, got, err := open(o, hexBytes(t, r.record))
				if err != nil {
					t.Fatalf("%s (seq %d): %v", r.name, i, err)
				}
				if typ != r.typ {
					t.Errorf("%s: content type %d, want %d", r.name, typ, r.typ)
				}
				if want := hexBytes(t, r.payload); !bytes.Equal(got, want) {
					t.Errorf("%s: plaintext\n got %x\nwant %x", r.name, got, want)
				}
			}
			if o.Seq() != uint64(len(d.records)) {
				t.Errorf("Seq() = %d after %d records", o.Seq(), len(d.records))
			}
		})
	}
}

// TestRFC8448Plain checks the unprotected ClientHello and ServerHello
// records of the trace (legacy_record_version 0x0301 and 0x0303).
func TestRFC8448Plain(t *testing.T) {
	for _, tt := range []struct {
		name            string
		version         uint16
		payload, record string
	}{
		{"ClientHello", 0x0301, rfc8448.SimpleClientHello, rfc8448.SimpleClientHelloRecord},
		{"ServerHello", 0x0303, rfc8448.SimpleServerHello, rfc8448.SimpleServerHelloRecord},
	} {
		p := &Plain{Version: tt.version}
		payload, want := hexBytes(t, tt.payload), hexBytes(t, tt.record)
		got, err := seal(p, nil, TypeHandshake, payload, 0)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s record:\n got %x\nwant %x", tt.name, got, want)
		}
		h, err := ParseHeader(want[:HeaderLen])
		if err != nil || h.Type != TypeHandshake || h.Version != tt.version || h.Length != len(payload) {
			t.Errorf("%s: ParseHeader = %+v, %v", tt.name, h, err)
		}
		typ, body, err := open(p, want)
		if err != nil || typ != TypeHandshake || !bytes.Equal(body, payload) {
			t.Errorf("%s: Open = %d, %x, %v", tt.name, typ, body, err)
		}
	}
}
