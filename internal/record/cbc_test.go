package record

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"testing"

	"lucid/internal/alert"
)

var (
	_ Sealer = (*CBC)(nil)
	_ Opener = (*CBC)(nil)
)

// cbcSuite is the record protection of a TLS 1.2 CBC cipher suite under a
// fixed test key (RFC 5246 §6.3: the MAC key is as long as the hash).
type cbcSuite struct {
	name    string
	encKey  []byte
	newHash func() hash.Hash
}

var cbcSuites = []cbcSuite{
	// Also TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA and
	// TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (RFC 4492): the record layer is
	// the same.
	{"AES_128_CBC_SHA", seqBytes(0x30, 16), sha1.New},
	{"AES_128_CBC_SHA256", seqBytes(0x50, 16), sha256.New},
	{"AES_256_CBC_SHA", seqBytes(0x60, 32), sha1.New},
	// SHA-384 has 128-byte blocks and a 16-byte length field.
	{"AES_256_CBC_SHA384", seqBytes(0x70, 32), sha512.New384},
}

func (s cbcSuite) macKey() []byte { return seqBytes(0x80, s.newHash().Size()) }

func (s cbcSuite) block(t testing.TB) cipher.Block {
	t.Helper()
	b, err := aes.NewCipher(s.encKey)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fresh returns protection at sequence number 0 drawing IVs from rand.
func (s cbcSuite) fresh(t testing.TB, rand io.Reader) *CBC {
	t.Helper()
	return NewCBC(s.block(t), s.macKey(), s.newHash, rand)
}

func (s cbcSuite) macLen() int { return s.newHash().Size() }

// ivStream is a predictable IV source for known-answer tests.
type ivStream struct{ next byte }

func (r *ivStream) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.next
		r.next += 7
	}
	return len(p), nil
}

// byHand protects data || MAC || pad as record seq with the raw cipher
// and HMAC, following RFC 5246 §6.2.3.2 independently of CBC. The MAC is
// the true one over data, with its first byte flipped when badMAC. pad is
// used as given, so it can be malformed.
func (s cbcSuite) byHand(t testing.TB, seq uint64, typ uint8, iv, data []byte, badMAC bool, pad []byte) []byte {
	t.Helper()
	m := hmac.New(s.newHash, s.macKey())
	hdr := binary.BigEndian.AppendUint64(nil, seq)
	hdr = append(hdr, typ, 0x03, 0x03, byte(len(data)>>8), byte(len(data)))
	m.Write(hdr)
	m.Write(data)
	plain := append(bytes.Clone(data), m.Sum(nil)...)
	if badMAC {
		plain[len(data)] ^= 1
	}
	plain = append(plain, pad...)
	if len(plain)%aes.BlockSize != 0 {
		t.Fatalf("crafted plaintext of %d bytes is not whole blocks", len(plain))
	}
	ct := make([]byte, len(plain))
	cipher.NewCBCEncrypter(s.block(t), iv).CryptBlocks(ct, plain)
	rec := AppendHeader(nil, typ, 0x0303, len(iv)+len(ct))
	rec = append(rec, iv...)
	return append(rec, ct...)
}

// goodPad returns padding of padLen bytes plus the padding_length byte.
func goodPad(padLen int) []byte { return bytes.Repeat([]byte{byte(padLen)}, padLen+1) }

// minPad returns the least padding for data under s, as Seal writes it.
func (s cbcSuite) minPad(dataLen int) []byte {
	return goodPad(aes.BlockSize - (dataLen+s.macLen())%aes.BlockSize - 1)
}

// TestCBCRoundTrip seals payloads from empty to 2^14 bytes, around block
// and hash-block boundaries, under each content type and opens them in
// order.
func TestCBCRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 11, 12, 15, 16, 17, 31, 32, 33, 55, 56, 63, 64, 65, 127, 128, 255, 256, 1000, MaxPlaintext - 1, MaxPlaintext}
	for _, s := range cbcSuites {
		t.Run(s.name, func(t *testing.T) {
			se, op := s.fresh(t, nil), s.fresh(t, nil)
			i := 0
			for _, size := range sizes {
				for _, typ := range contentTypes {
					payload := seqBytes(byte(i), size)
					prefix := []byte("prefix")
					rec, err := seal(se, bytes.Clone(prefix), typ, payload, 9)
					if err != nil {
						t.Fatalf("%d-byte %s: %v", size, TypeName(typ), err)
					}
					if !bytes.HasPrefix(rec, prefix) {
						t.Fatalf("Seal did not append to dst")
					}
					rec = rec[len(prefix):]
					h, err := ParseHeader(rec)
					body := h.Length
					if err != nil || h.Type != typ || h.Version != 0x0303 || body != len(rec)-HeaderLen ||
						body%aes.BlockSize != 0 || body > size+se.Overhead() || body <= size+s.macLen()+aes.BlockSize {
						t.Fatalf("%d-byte %s: header %+v, %v; record %d bytes, overhead %d", size, TypeName(typ), h, err, len(rec), se.Overhead())
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

// TestCBCKnownAnswer compares Seal's output with records built by hand
// from cipher.NewCBCEncrypter and hmac with the same IVs: header, IV, MAC
// input, padding. A large starting sequence number checks its byte order.
func TestCBCKnownAnswer(t *testing.T) {
	for _, s := range cbcSuites {
		t.Run(s.name, func(t *testing.T) {
			for _, start := range []uint64{0, 0x0102030405060708} {
				ivs, sealIVs := &ivStream{next: 3}, &ivStream{next: 3}
				se, op := s.fresh(t, sealIVs), s.fresh(t, nil)
				se.seq, op.seq = start, start
				for i, p := range [][]byte{{}, []byte("hello"), seqBytes(0, 300), seqBytes(1, 16-s.macLen()%16)} {
					seq := start + uint64(i)
					typ := contentTypes[i%len(contentTypes)]
					iv := make([]byte, aes.BlockSize)
					ivs.Read(iv)
					want := s.byHand(t, seq, typ, iv, p, false, s.minPad(len(p)))
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

// TestCBCPaddingLengths: a receiver must accept every well-formed padding
// up to 255 bytes, not only the least (RFC 5246 §6.2.3.2). This also
// puts the MAC at every offset Open's constant-time extraction handles,
// in records shorter and longer than the 256-byte padding window.
func TestCBCPaddingLengths(t *testing.T) {
	for _, s := range cbcSuites {
		t.Run(s.name, func(t *testing.T) {
			iv := seqBytes(0xaa, aes.BlockSize)
			for _, extra := range []int{0, 16, 1024} {
				for padLen := range 256 {
					dataLen := (32-(s.macLen()+padLen+1)%16)%16 + extra
					data := seqBytes(byte(padLen), dataLen)
					rec := s.byHand(t, 0, TypeApplicationData, iv, data, false, goodPad(padLen))
					typ, got, err := open(s.fresh(t, nil), rec)
					if err != nil || typ != TypeApplicationData || !bytes.Equal(got, data) {
						t.Fatalf("%d bytes with %d bytes of padding: %d, %d bytes, %v", dataLen, padLen, typ, len(got), err)
					}
				}
			}
		})
	}
}

// TestCBCPaddingOracle crafts records of one length at sequence number 0
// that fail in different ways: a valid MAC under bad padding, valid
// padding under a bad MAC, both, and wrong lengths. Every one must produce
// the very same error, alert and words, or the error is a padding oracle.
func TestCBCPaddingOracle(t *testing.T) {
	for _, s := range cbcSuites {
		t.Run(s.name, func(t *testing.T) {
			iv := seqBytes(0x11, aes.BlockSize)
			m := s.macLen()
			// Every variant is 64 bytes of data, MAC and padding after m.
			dataFor := func(padTotal int) []byte { return seqBytes(0x41, 64+16*((m+15)/16)-m-padTotal) }
			good := s.byHand(t, 0, TypeApplicationData, iv, dataFor(4), false, goodPad(3))
			if _, _, err := open(s.fresh(t, nil), good); err != nil {
				t.Fatalf("the well-formed record does not open: %v", err)
			}
			cases := map[string][]byte{
				"bad MAC, good padding":               s.byHand(t, 0, TypeApplicationData, iv, dataFor(4), true, goodPad(3)),
				"bad MAC, good 1-byte padding":        s.byHand(t, 0, TypeApplicationData, iv, dataFor(1), true, goodPad(0)),
				"bad MAC, good 20-byte padding":       s.byHand(t, 0, TypeApplicationData, iv, dataFor(21), true, goodPad(20)),
				"good MAC, padding byte wrong":        s.byHand(t, 0, TypeApplicationData, iv, dataFor(4), false, []byte{3, 2, 3, 3}),
				"good MAC, first padding byte wrong":  s.byHand(t, 0, TypeApplicationData, iv, dataFor(4), false, []byte{4, 3, 3, 3}),
				"good MAC, padding zeros":             s.byHand(t, 0, TypeApplicationData, iv, dataFor(4), false, []byte{0, 0, 0, 3}),
				"good MAC, padding longer than all":   s.byHand(t, 0, TypeApplicationData, iv, dataFor(4), false, []byte{200, 200, 200, 200}),
				"good MAC, padding 255 bytes claimed": s.byHand(t, 0, TypeApplicationData, iv, dataFor(4), false, []byte{255, 255, 255, 255}),
				// The MAC is right for the data if the padding were
				// empty, but the length byte claims 5 bytes of padding
				// that are really MAC bytes.
				"good MAC for empty padding, length byte 5": s.byHand(t, 0, TypeApplicationData, iv, dataFor(1), false, []byte{5}),
				"bad MAC, bad padding":                      s.byHand(t, 0, TypeApplicationData, iv, dataFor(4), true, []byte{3, 9, 3, 3}),
				"not whole blocks":                          fixLength(good[:len(good)-1]),
				"too short":                                 fixLength(good[:HeaderLen+aes.BlockSize+16*(m/16)]),
				"header length wrong":                       good[:len(good)-16],
				"IV only":                                   fixLength(good[:HeaderLen+aes.BlockSize]),
			}
			want := ""
			for name, rec := range cases {
				_, _, err := open(s.fresh(t, nil), rec)
				var ae *alert.Error
				if !errors.As(err, &ae) || ae.Desc != alert.BadRecordMAC {
					t.Errorf("%s: %v, want bad_record_mac", name, err)
					continue
				}
				if want == "" {
					want = err.Error()
				}
				if err.Error() != want {
					t.Errorf("%s: error %q differs from %q", name, err, want)
				}
			}
		})
	}
}

// fixLength rewrites a record's header length to match its body.
func fixLength(rec []byte) []byte {
	rec = bytes.Clone(rec)
	n := len(rec) - HeaderLen
	rec[3], rec[4] = byte(n>>8), byte(n)
	return rec
}

// sealN seals n records of distinct content types and payloads.
func (s cbcSuite) sealN(t testing.TB, n int) (recs [][]byte) {
	t.Helper()
	se := s.fresh(t, nil)
	for i := range n {
		rec, err := seal(se, nil, TypeHandshake+uint8(i%2), bytes.Repeat([]byte{byte('a' + i)}, 5+i), 0)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// TestCBCSequence: replayed, reordered and dropped records fail with
// bad_record_mac because the receiver's sequence number is in the MAC.
func TestCBCSequence(t *testing.T) {
	for _, s := range cbcSuites {
		t.Run(s.name, func(t *testing.T) {
			recs := s.sealN(t, 3)
			o := s.fresh(t, nil)
			for i, rec := range recs {
				if _, _, err := open(o, rec); err != nil {
					t.Fatalf("record %d in order: %v", i, err)
				}
			}
			o = s.fresh(t, nil)
			open(o, recs[0])
			_, _, err := open(o, recs[0])
			wantAlert(t, "replay", err, alert.BadRecordMAC)

			_, _, err = open(s.fresh(t, nil), recs[1])
			wantAlert(t, "reorder", err, alert.BadRecordMAC)

			o = s.fresh(t, nil)
			open(o, recs[0])
			_, _, err = open(o, recs[2])
			wantAlert(t, "drop", err, alert.BadRecordMAC)

			_, _, err = open(NewCBC(s.block(t), seqBytes(0x99, s.macLen()), s.newHash, nil), recs[0])
			wantAlert(t, "wrong MAC key", err, alert.BadRecordMAC)
		})
	}
}

// TestCBCBitFlips flips every bit of a record, header, IV, ciphertext,
// MAC and padding, and opens it with a fresh opener: all bad_record_mac,
// none panics.
func TestCBCBitFlips(t *testing.T) {
	for _, s := range cbcSuites {
		t.Run(s.name, func(t *testing.T) {
			rec := s.sealN(t, 1)[0]
			for i := range rec {
				for bit := range 8 {
					bad := bytes.Clone(rec)
					bad[i] ^= 1 << bit
					_, _, err := open(s.fresh(t, nil), bad)
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

// TestCBCTruncated opens every proper prefix of a two-block record, with
// the header as sent and with its length fixed up, the record without its
// first ciphertext block, and the record with a block appended: all fail,
// none panics.
func TestCBCTruncated(t *testing.T) {
	for _, s := range cbcSuites {
		t.Run(s.name, func(t *testing.T) {
			se := s.fresh(t, nil)
			rec, err := se.Seal(nil, TypeHandshake, seqBytes(0, 40), 0)
			if err != nil {
				t.Fatal(err)
			}
			for n := range len(rec) {
				_, _, err := open(s.fresh(t, nil), rec[:n])
				if n < HeaderLen {
					wantAlert(t, fmt.Sprintf("%d-byte prefix", n), err, alert.DecodeError)
					continue
				}
				wantAlert(t, fmt.Sprintf("%d-byte prefix", n), err, alert.BadRecordMAC)
				_, _, err = open(s.fresh(t, nil), fixLength(rec[:n]))
				wantAlert(t, fmt.Sprintf("%d-byte prefix, header fixed", n), err, alert.BadRecordMAC)
			}
			// Dropping the first ciphertext block makes it the IV of the
			// rest: the tail decrypts as before, padding and all.
			cut := append(bytes.Clone(rec[:HeaderLen]), rec[HeaderLen+aes.BlockSize:]...)
			_, _, err = open(s.fresh(t, nil), fixLength(cut))
			wantAlert(t, "first block dropped", err, alert.BadRecordMAC)
			_, _, err = open(s.fresh(t, nil), fixLength(append(bytes.Clone(rec), rec[len(rec)-16:]...)))
			wantAlert(t, "block appended", err, alert.BadRecordMAC)
		})
	}
}

// TestCBCOverflow: a body over 2^14+2048 bytes is record_overflow before
// decryption; an authentic record carrying 2^14+1 bytes is record_overflow
// after it (RFC 5246 §6.2.1, §6.2.3); Seal refuses such a payload.
func TestCBCOverflow(t *testing.T) {
	for _, s := range cbcSuites {
		t.Run(s.name, func(t *testing.T) {
			big := AppendHeader(nil, TypeApplicationData, 0x0303, MaxCiphertext+16)
			big = append(big, make([]byte, MaxCiphertext+16)...)
			_, _, err := open(s.fresh(t, nil), big)
			wantAlert(t, "2^14+2064-byte body", err, alert.RecordOverflow)

			data := make([]byte, MaxPlaintext+1)
			rec := s.byHand(t, 0, TypeApplicationData, make([]byte, 16), data, false, s.minPad(len(data)))
			_, _, err = open(s.fresh(t, nil), rec)
			wantAlert(t, "authentic 2^14+1-byte plaintext", err, alert.RecordOverflow)

			_, err = seal(s.fresh(t, nil), nil, TypeApplicationData, data, 0)
			wantAlert(t, "sealing 2^14+1 bytes", err, alert.InternalError)
		})
	}
}

// TestCBCSeqExhausted: the sequence number never wraps (RFC 5246 §6.1).
func TestCBCSeqExhausted(t *testing.T) {
	s := cbcSuites[1]
	se, op := s.fresh(t, nil), s.fresh(t, nil)
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

// failingReader is a randomness source that has run dry.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("no entropy") }

// TestCBCRandFailure: a failed IV read is internal_error and leaves both
// dst and the sequence number untouched.
func TestCBCRandFailure(t *testing.T) {
	se := cbcSuites[0].fresh(t, failingReader{})
	dst := []byte("kept")
	out, err := seal(se, dst, TypeApplicationData, []byte("x"), 0)
	wantAlert(t, "Seal without randomness", err, alert.InternalError)
	if string(out) != "kept" || se.Seq() != 0 {
		t.Errorf("after a failed Seal: dst %q, Seq %d", out, se.Seq())
	}
}

// oddBlock is a block cipher with a block size TLS cannot use.
type oddBlock struct{ cipher.Block }

func (oddBlock) BlockSize() int { return 3 }

// oddHash is SHA-256 claiming a block size that is not a power of two.
type oddHash struct{ hash.Hash }

func (oddHash) BlockSize() int { return 72 }

// TestCBCBadParams: unusable constructor arguments make Seal and Open fail
// with internal_error instead of panicking.
func TestCBCBadParams(t *testing.T) {
	b := cbcSuites[0].block(t)
	shared := sha256.New()
	for name, c := range map[string]*CBC{
		"nil block":          NewCBC(nil, make([]byte, 20), sha1.New, nil),
		"3-byte blocks":      NewCBC(oddBlock{b}, make([]byte, 20), sha1.New, nil),
		"nil hash":           NewCBC(b, make([]byte, 20), nil, nil),
		"hash returning nil": NewCBC(b, make([]byte, 20), func() hash.Hash { return nil }, nil),
		"shared hash":        NewCBC(b, make([]byte, 20), func() hash.Hash { return shared }, nil),
		"72-byte hash block": NewCBC(b, make([]byte, 20), func() hash.Hash { return oddHash{sha256.New()} }, nil),
	} {
		_, err := seal(c, nil, TypeApplicationData, []byte("x"), 0)
		wantAlert(t, name+": Seal", err, alert.InternalError)
		rec := AppendHeader(nil, TypeApplicationData, 0x0303, 64)
		_, _, err = open(c, append(rec, make([]byte, 64)...))
		wantAlert(t, name+": Open", err, alert.InternalError)
		if c.Overhead() != 0 {
			t.Errorf("%s: Overhead %d", name, c.Overhead())
		}
	}
}

// countingHash counts the compression-function calls a Merkle–Damgård
// hash makes, modelled independently of CBC: one per whole block absorbed
// by Write, and at Sum the blocks needed for the buffered bytes, the 0x80
// byte and the length field (blockSize/8 bytes).
type countingHash struct {
	hash.Hash
	calls    *int
	buffered int
}

func (h *countingHash) Write(p []byte) (int, error) {
	total := h.buffered + len(p)
	*h.calls += total / h.BlockSize()
	h.buffered = total % h.BlockSize()
	return h.Hash.Write(p)
}

func (h *countingHash) Sum(b []byte) []byte {
	*h.calls += (h.buffered + 1 + h.BlockSize()/8 + h.BlockSize() - 1) / h.BlockSize()
	return h.Hash.Sum(b)
}

func (h *countingHash) Reset() {
	h.buffered = 0
	h.Hash.Reset()
}

// TestCBCCompressionCount is the deterministic part of the timing argument:
// for records of one length, Open makes the same number of compression
// calls (inner and outer HMAC hashes together) whatever the padding length
// and whether padding or MAC is bad.
func TestCBCCompressionCount(t *testing.T) {
	for _, s := range cbcSuites {
		for _, bodyLen := range []int{48, 64, 160, 512, 1024 + 16} {
			t.Run(fmt.Sprintf("%s/%d", s.name, bodyLen), func(t *testing.T) {
				m := s.macLen()
				if bodyLen < m+1 {
					t.Skip("shorter than the MAC")
				}
				calls := 0
				counted := func() hash.Hash { return &countingHash{Hash: s.newHash(), calls: &calls} }
				iv := seqBytes(0x5a, aes.BlockSize)
				type variant struct {
					rec  []byte
					good bool
				}
				recs := map[string]variant{}
				for padLen := 0; padLen < 256 && m+padLen+1 <= bodyLen; padLen++ {
					data := seqBytes(0, bodyLen-m-padLen-1)
					recs[fmt.Sprintf("padding %d", padLen)] = variant{s.byHand(t, 0, TypeApplicationData, iv, data, false, goodPad(padLen)), true}
					recs[fmt.Sprintf("padding %d, bad MAC", padLen)] = variant{s.byHand(t, 0, TypeApplicationData, iv, data, true, goodPad(padLen)), false}
				}
				data := seqBytes(0, bodyLen-m-4)
				recs["bad padding"] = variant{s.byHand(t, 0, TypeApplicationData, iv, data, false, []byte{3, 1, 3, 3}), false}
				recs["padding past the MAC"] = variant{s.byHand(t, 0, TypeApplicationData, iv, data, false, []byte{255, 255, 255, 255}), false}
				want, first := -1, ""
				for name, v := range recs {
					o := NewCBC(s.block(t), s.macKey(), counted, nil)
					calls = 0
					if _, _, err := open(o, v.rec); (err == nil) != v.good {
						t.Fatalf("%s: Open returned %v", name, err)
					}
					if want < 0 {
						want, first = calls, name
					}
					if calls != want {
						t.Errorf("%s: %d compression calls, %s: %d", name, calls, first, want)
					}
				}
			})
		}
	}
}

// FuzzCBCOpen: Open never panics and fails only with bad_record_mac,
// decode_error or record_overflow, whatever the record.
func FuzzCBCOpen(f *testing.F) {
	s := cbcSuites[0]
	for _, rec := range s.sealN(f, 2) {
		f.Add(rec)
	}
	f.Add(AppendHeader(nil, TypeApplicationData, 0x0303, 48))
	f.Fuzz(func(t *testing.T, rec []byte) {
		_, _, err := open(s.fresh(t, nil), rec)
		switch d := alert.Of(err); {
		case err == nil, d == alert.BadRecordMAC, d == alert.DecodeError, d == alert.RecordOverflow:
		default:
			t.Fatalf("Open: %v", err)
		}
	})
}

// benchCBCOpen opens rec with a fresh sequence number on every iteration.
func benchCBCOpen(b *testing.B, s cbcSuite, rec []byte) {
	o := s.fresh(b, nil)
	buf := make([]byte, len(rec))
	b.SetBytes(int64(len(rec)))
	for b.Loop() {
		copy(buf, rec)
		o.seq = 0
		o.Open(buf)
	}
}

// BenchmarkCBCOpen compares Open on records of one length that fail
// differently, or succeed with the least and the most padding. With the
// constant-time Open the times should agree within noise:
//
//	go test -run '^$' -bench CBCOpen ./internal/record/
func BenchmarkCBCOpen(b *testing.B) {
	for _, s := range []cbcSuite{cbcSuites[0], cbcSuites[1]} {
		m := s.macLen()
		for _, bodyLen := range []int{512, 16384} {
			iv := seqBytes(0x5a, aes.BlockSize)
			at := func(padLen int) []byte { return seqBytes(0, bodyLen-m-padLen-1) }
			for _, v := range []struct {
				name string
				rec  []byte
			}{
				{"bad-padding", s.byHand(b, 0, TypeApplicationData, iv, at(3), false, []byte{3, 1, 3, 3})},
				{"bad-mac", s.byHand(b, 0, TypeApplicationData, iv, at(3), true, goodPad(3))},
				{"bad-mac-padding-255", s.byHand(b, 0, TypeApplicationData, iv, at(255), true, goodPad(255))},
				{"good-padding-0", s.byHand(b, 0, TypeApplicationData, iv, at(0), false, goodPad(0))},
				{"good-padding-255", s.byHand(b, 0, TypeApplicationData, iv, at(255), false, goodPad(255))},
			} {
				b.Run(fmt.Sprintf("%s/%d/%s", s.name, bodyLen, v.name), func(b *testing.B) { benchCBCOpen(b, s, v.rec) })
			}
		}
	}
}
