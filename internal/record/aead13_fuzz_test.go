package record

import (
	"bytes"
	"testing"

	"lucid/internal/alert"
)

// FuzzAEAD13Open feeds TLS 1.3 record protection two kinds of input: raw
// records, which almost never authenticate and so exercise the header,
// length and tag checks, and arbitrary inner plaintexts sealed under the
// right key, which reach the content-type and padding scan behind the tag
// that a fuzzer could not otherwise get past.
func FuzzAEAD13Open(f *testing.F) {
	sealer := NewAEAD13(testAEAD(f), testIV)
	for _, p := range []struct {
		typ     uint8
		payload []byte
		pad     int
	}{{TypeApplicationData, []byte("hello"), 0}, {TypeHandshake, []byte{20, 0, 0, 0}, 7}, {TypeAlert, []byte{2, 40}, 0}} {
		rec, err := sealer.Seal(nil, p.typ, p.payload, p.pad)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(rec, append(append([]byte{}, p.payload...), p.typ))
	}
	f.Add(AppendHeader(nil, TypeApplicationData, 0x0303, 16), []byte{0, 0, 0})
	f.Add([]byte{TypeHandshake, 3, 3, 0, 0}, make([]byte, MaxPlaintext+2))
	f.Fuzz(func(t *testing.T, rec, inner []byte) {
		typ, payload, err := fresh(t).Open(append([]byte(nil), rec...))
		if err == nil {
			if typ == 0 || len(payload) > MaxPlaintext {
				t.Fatalf("raw record opened to type %d with %d bytes", typ, len(payload))
			}
		} else if d := alert.Of(err); d != alert.BadRecordMAC && d != alert.DecodeError && d != alert.RecordOverflow && d != alert.UnexpectedMessage {
			t.Fatalf("raw record: %v", err)
		}

		if len(inner) > MaxCiphertext13 {
			return
		}
		aead := testAEAD(t)
		sealed := AppendHeader(nil, TypeApplicationData, 0x0303, len(inner)+aead.Overhead())
		sealed = aead.Seal(sealed, testIV, inner, sealed[:HeaderLen])
		// Opened into a buffer of the caller's, the record must give the
		// same answer as opened in place.
		dst := make([]byte, len(sealed)-HeaderLen)
		ityp, ipayload, ierr := fresh(t).OpenInto(dst, append([]byte(nil), sealed...))
		typ, payload, err = fresh(t).Open(sealed)
		if (ierr == nil) != (err == nil) || alert.Of(ierr) != alert.Of(err) || ityp != typ || !bytes.Equal(ipayload, payload) {
			t.Fatalf("OpenInto gave type %d, %x, %v; Open gave type %d, %x, %v", ityp, ipayload, ierr, typ, payload, err)
		}
		if ierr == nil && len(ipayload) > 0 && &ipayload[0] != &dst[0] {
			t.Fatal("OpenInto returned plaintext outside dst")
		}

		last := -1
		for i := len(inner) - 1; i >= 0; i-- {
			if inner[i] != 0 {
				last = i
				break
			}
		}
		switch {
		case len(inner) > MaxPlaintext+1:
			if alert.Of(err) != alert.RecordOverflow {
				t.Fatalf("inner plaintext of %d bytes: %v, want record_overflow", len(inner), err)
			}
		case last < 0:
			if alert.Of(err) != alert.UnexpectedMessage {
				t.Fatalf("all-padding inner plaintext: %v, want unexpected_message", err)
			}
		case last > MaxPlaintext:
			if alert.Of(err) != alert.RecordOverflow {
				t.Fatalf("content of %d bytes: %v, want record_overflow", last, err)
			}
		default:
			if err != nil || typ != inner[last] || !bytes.Equal(payload, inner[:last]) {
				t.Fatalf("inner %x opened to type %d, payload %x, err %v", inner, typ, payload, err)
			}
		}
	})
}
