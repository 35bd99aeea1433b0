package record

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/suites"
)

var (
	_ Sealer = (*AEAD12)(nil)
	_ Opener = (*AEAD12)(nil)
)

// aead12Suite is one TLS 1.2 AEAD construction under a fixed test key.
type aead12Suite struct {
	name    string
	key, iv []byte
	newAEAD func(key []byte) (cipher.AEAD, error)
}

// newGCM12 is AES-GCM with the standard 12-byte nonce and 16-byte tag,
// as RFC 5288 uses it.
func newGCM12(key []byte) (cipher.AEAD, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

// seqBytes returns n bytes counting up from start, distinct keys and IVs
// for the suites.
func seqBytes(start byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = start + byte(i)
	}
	return b
}

var aead12Suites = []aead12Suite{
	// TLS_ECDHE_*_WITH_AES_128_GCM_SHA256 (RFC 5289): 4-byte salt.
	{"AES-128-GCM", seqBytes(0x10, 16), seqBytes(0xc0, 4), newGCM12},
	// TLS_ECDHE_*_WITH_AES_256_GCM_SHA384 (RFC 5289).
	{"AES-256-GCM", seqBytes(0x20, 32), seqBytes(0xd0, 4), newGCM12},
	// TLS_ECDHE_*_WITH_CHACHA20_POLY1305_SHA256 (RFC 7905): 12-byte IV.
	{"ChaCha20-Poly1305", seqBytes(0x40, 32), seqBytes(0xe0, 12), suites.Lookup13(suites.TLS_CHACHA20_POLY1305_SHA256).NewAEAD},
}

// raw returns the suite's bare AEAD.
func (s aead12Suite) raw(t testing.TB) cipher.AEAD {
	t.Helper()
	aead, err := s.newAEAD(s.key)
	if err != nil {
		t.Fatal(err)
	}
	return aead
}

// fresh returns protection under the suite's key at sequence number 0.
func (s aead12Suite) fresh(t testing.TB) *AEAD12 {
	t.Helper()
	return NewAEAD12(s.raw(t), s.iv)
}

// byHand protects payload as record seq with the raw AEAD, following
// RFC 5246 §6.2.3.3 with the nonce of RFC 5288 §3 (explicit part = seq)
// or RFC 7905 §2, independently of AEAD12.
func (s aead12Suite) byHand(t testing.TB, seq uint64, typ uint8, payload []byte) []byte {
	t.Helper()
	nonce := make([]byte, 12)
	copy(nonce, s.iv)
	var explicit []byte
	if len(s.iv) == 4 {
		binary.BigEndian.PutUint64(nonce[4:], seq)
		explicit = nonce[4:]
	} else {
		for i := range 8 {
			nonce[4+i] ^= byte(seq >> (56 - 8*i))
		}
	}
	ad := binary.BigEndian.AppendUint64(nil, seq)
	ad = append(ad, typ, 0x03, 0x03, byte(len(payload)>>8), byte(len(payload)))
	ct := s.raw(t).Seal(nil, nonce, payload, ad)
	n := len(explicit) + len(ct)
	rec := []byte{typ, 0x03, 0x03, byte(n >> 8), byte(n)}
	rec = append(rec, explicit...)
	return append(rec, ct...)
}

// sealN seals n records of distinct content types and payloads.
func (s aead12Suite) sealN(t testing.TB, n int) (recs [][]byte) {
	t.Helper()
	se := s.fresh(t)
	for i := range n {
		rec, err := seal(se, nil, TypeHandshake+uint8(i%2), bytes.Repeat([]byte{byte('a' + i)}, 10+i), 0)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

var contentTypes = []uint8{TypeChangeCipherSpec, TypeAlert, TypeHandshake, TypeApplicationData}

// TestAEAD12RoundTrip seals payloads from empty to 2^14 bytes under each
// content type and opens them in order; the header keeps the real type and
// version 0x0303, and the record grows by exactly Overhead.
func TestAEAD12RoundTrip(t *testing.T) {
	sizes := []int{0, 1, 16, 17, 1000, MaxPlaintext}
	for _, s := range aead12Suites {
		t.Run(s.name, func(t *testing.T) {
			se, op := s.fresh(t), s.fresh(t)
			i := 0
			for _, size := range sizes {
				for _, typ := range contentTypes {
					payload := seqBytes(byte(i), size)
					prefix := []byte("prefix")
					rec, err := seal(se, bytes.Clone(prefix), typ, payload, 7)
					if err != nil {
						t.Fatalf("%d-byte %s: %v", size, TypeName(typ), err)
					}
					if !bytes.HasPrefix(rec, prefix) {
						t.Fatalf("Seal did not append to dst")
					}
					rec = rec[len(prefix):]
					h, err := ParseHeader(rec)
					if err != nil || h.Type != typ || h.Version != 0x0303 || h.Length != len(rec)-HeaderLen || h.Length != size+se.Overhead() {
						t.Fatalf("%d-byte %s: header %+v, %v; record %d bytes, overhead %d", size, TypeName(typ), h, err, len(rec), se.Overhead())
					}
					if size > 16 && bytes.Contains(rec, payload) {
						t.Fatalf("%d-byte %s: payload in the clear", size, TypeName(typ))
					}
					gotTyp, got, err := open(op, rec)
					if err != nil || gotTyp != typ || !bytes.Equal(got, payload) {
						t.Fatalf("%d-byte %s: opened %s, %d bytes, %v", size, TypeName(typ), TypeName(gotTyp), len(got), err)
					}
					i++
					if se.Seq() != uint64(i) || op.Seq() != uint64(i) {
						t.Fatalf("after %d records: Seq %d and %d", i, se.Seq(), op.Seq())
					}
				}
			}
		})
	}
}

// TestAEAD12KnownAnswer compares Seal's output with records built by hand
// from the raw AEAD: the header, the explicit nonce (GCM) or its absence
// (ChaCha20-Poly1305), the nonce and the additional_data layout. A large
// starting sequence number checks the byte order of all three.
func TestAEAD12KnownAnswer(t *testing.T) {
	for _, s := range aead12Suites {
		t.Run(s.name, func(t *testing.T) {
			for _, start := range []uint64{0, 0x0102030405060708} {
				se, op := s.fresh(t), s.fresh(t)
				se.seq, op.seq = start, start
				for i, p := range [][]byte{{}, []byte("hello"), seqBytes(0, 300)} {
					seq := start + uint64(i)
					typ := contentTypes[i%len(contentTypes)]
					want := s.byHand(t, seq, typ, p)
					got, err := seal(se, nil, typ, p, 0)
					if err != nil || !bytes.Equal(got, want) {
						t.Fatalf("record %d: Seal =\n%x (%v)\nwant\n%x", seq, got, err, want)
					}
					gotTyp, plain, err := open(op, want)
					if err != nil || gotTyp != typ || !bytes.Equal(plain, p) {
						t.Fatalf("record %d built by hand: Open = %d %q %v", seq, gotTyp, plain, err)
					}
				}
			}
		})
	}
}

// TestAEAD12ExplicitNonceFromWire: an AES-GCM receiver uses whatever
// explicit nonce the record carries (RFC 5288 §3 lets the sender choose),
// while the sequence number still has to match through additional_data.
func TestAEAD12ExplicitNonceFromWire(t *testing.T) {
	s := aead12Suites[0]
	raw := s.raw(t)
	payload := []byte("random explicit nonce")
	nonce := append(bytes.Clone(s.iv), 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04)
	ad := append(make([]byte, 8), TypeApplicationData, 3, 3, 0, byte(len(payload)))
	body := append(nonce[4:], raw.Seal(nil, nonce, payload, ad)...)
	rec := append(AppendHeader(nil, TypeApplicationData, 0x0303, len(body)), body...)
	typ, got, err := open(s.fresh(t), rec)
	if err != nil || typ != TypeApplicationData || !bytes.Equal(got, payload) {
		t.Fatalf("Open = %d %q %v", typ, got, err)
	}
	o := s.fresh(t)
	o.seq = 1
	_, _, err = open(o, rec)
	wantAlert(t, "same record as sequence number 1", err, alert.BadRecordMAC)
}

// TestAEAD12Sequence: replayed, reordered and dropped records fail with
// bad_record_mac because the receiver's sequence number is in
// additional_data.
func TestAEAD12Sequence(t *testing.T) {
	for _, s := range aead12Suites {
		t.Run(s.name, func(t *testing.T) {
			recs := s.sealN(t, 3)
			o := s.fresh(t)
			for i, rec := range recs {
				if _, _, err := open(o, rec); err != nil {
					t.Fatalf("record %d in order: %v", i, err)
				}
			}
			o = s.fresh(t)
			open(o, recs[0])
			_, _, err := open(o, recs[0])
			wantAlert(t, "replay", err, alert.BadRecordMAC)

			_, _, err = open(s.fresh(t), recs[1])
			wantAlert(t, "reorder", err, alert.BadRecordMAC)

			o = s.fresh(t)
			open(o, recs[0])
			_, _, err = open(o, recs[2])
			wantAlert(t, "drop", err, alert.BadRecordMAC)

			_, _, err = open(NewAEAD12(s.raw(t), seqBytes(0x99, len(s.iv))), recs[0])
			wantAlert(t, "wrong IV", err, alert.BadRecordMAC)
		})
	}
}

// TestAEAD12BitFlips flips every bit of a record, header included, and
// opens it with a fresh opener: all bad_record_mac, none panics. The type
// and version are in additional_data, the length is checked against the
// body, and the explicit nonce feeds the nonce.
func TestAEAD12BitFlips(t *testing.T) {
	for _, s := range aead12Suites {
		t.Run(s.name, func(t *testing.T) {
			rec := s.sealN(t, 1)[0]
			for i := range rec {
				for bit := range 8 {
					bad := bytes.Clone(rec)
					bad[i] ^= 1 << bit
					_, _, err := open(s.fresh(t), bad)
					if err == nil {
						t.Errorf("byte %d bit %d flipped: Open succeeded", i, bit)
						continue
					}
					wantAlert(t, fmt.Sprintf("byte %d bit %d", i, bit), err, alert.BadRecordMAC)
				}
			}
		})
	}
}

// TestAEAD12Truncated opens every proper prefix of a record, with the
// header as sent and with its length fixed up to match, and the record
// with a byte appended: all fail, none panics.
func TestAEAD12Truncated(t *testing.T) {
	for _, s := range aead12Suites {
		t.Run(s.name, func(t *testing.T) {
			rec := s.sealN(t, 1)[0]
			for n := range len(rec) {
				_, _, err := open(s.fresh(t), rec[:n])
				if n < HeaderLen {
					wantAlert(t, fmt.Sprintf("%d-byte prefix", n), err, alert.DecodeError)
					continue
				}
				wantAlert(t, fmt.Sprintf("%d-byte prefix", n), err, alert.BadRecordMAC)
				fixed := AppendHeader(nil, rec[0], 0x0303, n-HeaderLen)
				_, _, err = open(s.fresh(t), append(fixed, rec[HeaderLen:n]...))
				wantAlert(t, fmt.Sprintf("%d-byte prefix, header fixed", n), err, alert.BadRecordMAC)
			}
			_, _, err := open(s.fresh(t), append(bytes.Clone(rec), 0))
			wantAlert(t, "extended record", err, alert.BadRecordMAC)
		})
	}
}

// TestAEAD12Overflow: a body over 2^14+2048 bytes is record_overflow
// before any decryption, as is an authentic record carrying 2^14+1 bytes
// (RFC 5246 §6.2.1, §6.2.3); Seal refuses such a payload.
func TestAEAD12Overflow(t *testing.T) {
	for _, s := range aead12Suites {
		t.Run(s.name, func(t *testing.T) {
			big := AppendHeader(nil, TypeApplicationData, 0x0303, MaxCiphertext+1)
			big = append(big, make([]byte, MaxCiphertext+1)...)
			_, _, err := open(s.fresh(t), big)
			wantAlert(t, "2^14+2049-byte body", err, alert.RecordOverflow)

			_, _, err = open(s.fresh(t), s.byHand(t, 0, TypeApplicationData, make([]byte, MaxPlaintext+1)))
			wantAlert(t, "authentic 2^14+1-byte plaintext", err, alert.RecordOverflow)

			_, err = seal(s.fresh(t), nil, TypeApplicationData, make([]byte, MaxPlaintext+1), 0)
			wantAlert(t, "sealing 2^14+1 bytes", err, alert.InternalError)
		})
	}
}

// TestAEAD12SeqExhausted: the sequence number never wraps; the last value
// is refused by both directions (RFC 5246 §6.1).
func TestAEAD12SeqExhausted(t *testing.T) {
	s := aead12Suites[2]
	se, op := s.fresh(t), s.fresh(t)
	se.seq, op.seq = ^uint64(0)-1, ^uint64(0)-1
	rec, err := seal(se, nil, TypeApplicationData, []byte("last"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := open(op, rec); err != nil {
		t.Fatal(err)
	}
	_, err = seal(se, nil, TypeApplicationData, []byte("wrapped"), 0)
	wantAlert(t, "Seal at 2^64-1", err, alert.InternalError)
	_, _, err = open(op, rec)
	wantAlert(t, "Open at 2^64-1", err, alert.InternalError)
	if se.Seq() != ^uint64(0) || op.Seq() != ^uint64(0) {
		t.Errorf("sequence numbers moved: %x %x", se.Seq(), op.Seq())
	}
}

// TestAEAD12BadParams: unusable constructor arguments make Seal and Open
// fail with internal_error instead of panicking.
func TestAEAD12BadParams(t *testing.T) {
	gcm := newGCMNonce(t, 12)
	for name, a := range map[string]*AEAD12{
		"nil AEAD":        NewAEAD12(nil, make([]byte, 4)),
		"5-byte IV":       NewAEAD12(gcm, make([]byte, 5)),
		"nil IV":          NewAEAD12(gcm, nil),
		"16-byte nonces":  NewAEAD12(newGCMNonce(t, 16), make([]byte, 4)),
		"16-byte nonces2": NewAEAD12(newGCMNonce(t, 16), make([]byte, 12)),
	} {
		_, err := seal(a, nil, TypeApplicationData, []byte("x"), 0)
		wantAlert(t, name+": Seal", err, alert.InternalError)
		_, _, err = open(a, AppendHeader(nil, TypeApplicationData, 0x0303, 0))
		wantAlert(t, name+": Open", err, alert.InternalError)
		if a.Overhead() != 0 {
			t.Errorf("%s: Overhead %d", name, a.Overhead())
		}
	}
}

// newGCMNonce is AES-128-GCM taking nonceSize-byte nonces.
func newGCMNonce(t *testing.T, nonceSize int) cipher.AEAD {
	t.Helper()
	b, err := aes.NewCipher(make([]byte, 16))
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCMWithNonceSize(b, nonceSize)
	if err != nil {
		t.Fatal(err)
	}
	return aead
}

// FuzzAEAD12Open: Open never panics and fails only with bad_record_mac,
// decode_error or record_overflow, whatever the record.
func FuzzAEAD12Open(f *testing.F) {
	for _, s := range aead12Suites {
		for _, rec := range s.sealN(f, 2) {
			f.Add(rec)
		}
	}
	f.Fuzz(func(t *testing.T, rec []byte) {
		for _, s := range aead12Suites {
			typ, payload, err := open(s.fresh(t), rec)
			switch d := alert.Of(err); {
			case err == nil, d == alert.BadRecordMAC, d == alert.DecodeError, d == alert.RecordOverflow:
			default:
				t.Fatalf("%s Open: %v", s.name, err)
			}
			// Opened into a buffer of the caller's, the record gives
			// the same answer.
			dst := make([]byte, max(len(rec)-HeaderLen, 0))
			ityp, ipayload, ierr := s.fresh(t).OpenInto(dst, append([]byte(nil), rec...))
			if alert.Of(ierr) != alert.Of(err) || (ierr == nil) != (err == nil) || ityp != typ || !bytes.Equal(ipayload, payload) {
				t.Fatalf("%s OpenInto gave type %d, %x, %v; Open gave type %d, %x, %v", s.name, ityp, ipayload, ierr, typ, payload, err)
			}
		}
	})
}
