package record

import (
	"bytes"
	"crypto/cipher"
	"errors"
	"strconv"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/suites"
)

var (
	testKey = []byte{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f}
	testIV  = []byte{0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab}
)

// testAEAD returns the raw AES-128-GCM AEAD under testKey.
func testAEAD(t testing.TB) cipher.AEAD {
	t.Helper()
	aead, err := suites.Lookup13(suites.TLS_AES_128_GCM_SHA256).NewAEAD(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return aead
}

// fresh returns record protection under testKey at sequence number 0.
func fresh(t *testing.T) *AEAD13 {
	t.Helper()
	return NewAEAD13(testAEAD(t), testIV)
}

// wantAlert fails unless err carries alert want.
func wantAlert(t *testing.T, what string, err error, want alert.Description) {
	t.Helper()
	var ae *alert.Error
	if !errors.As(err, &ae) {
		t.Errorf("%s: error %v, want alert %s", what, err, want)
		return
	}
	if ae.Desc != want {
		t.Errorf("%s: alert %s (%v), want %s", what, ae.Desc, err, want)
	}
}

// sealThree seals three distinct application_data records under testKey.
func sealThree(t *testing.T) (recs, payloads [][]byte) {
	t.Helper()
	s := fresh(t)
	for i := range 3 {
		p := bytes.Repeat([]byte{byte('a' + i)}, 10+i)
		rec, err := s.Seal(nil, TypeApplicationData, p, 0)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
		payloads = append(payloads, p)
	}
	return recs, payloads
}

// craft protects inner (a TLSInnerPlaintext: content, type, padding) with
// the raw AEAD as sequence number 0 under testKey, bypassing Seal's checks.
func craft(t *testing.T, inner []byte) []byte {
	t.Helper()
	aead := testAEAD(t)
	rec := AppendHeader(nil, TypeApplicationData, 0x0303, len(inner)+aead.Overhead())
	// Sequence number 0: the nonce is the IV itself.
	return aead.Seal(rec, testIV, inner, rec[:HeaderLen])
}

// TestSequenceNumbers: records open in order; a replayed, reordered or
// dropped record fails authentication because its sequence number, and so
// its nonce, is not the one the opener expects.
func TestSequenceNumbers(t *testing.T) {
	recs, payloads := sealThree(t)

	o := fresh(t)
	for i, rec := range recs {
		typ, p, err := open(o, rec)
		if err != nil {
			t.Fatalf("record %d in order: %v", i, err)
		}
		if typ != TypeApplicationData || !bytes.Equal(p, payloads[i]) {
			t.Errorf("record %d: got type %d payload %q, want %d %q", i, typ, p, TypeApplicationData, payloads[i])
		}
	}
	if o.Seq() != 3 {
		t.Errorf("Seq() = %d after three records, want 3", o.Seq())
	}

	o = fresh(t)
	if _, _, err := open(o, recs[0]); err != nil {
		t.Fatalf("record 0: %v", err)
	}
	_, _, err := open(o, recs[0])
	wantAlert(t, "replayed record 0", err, alert.BadRecordMAC)

	_, _, err = open(fresh(t), recs[1])
	wantAlert(t, "record 1 before record 0", err, alert.BadRecordMAC)

	o = fresh(t)
	if _, _, err := open(o, recs[0]); err != nil {
		t.Fatalf("record 0: %v", err)
	}
	_, _, err = open(o, recs[2])
	wantAlert(t, "record 2 after record 0 (record 1 dropped)", err, alert.BadRecordMAC)
}

// TestBitFlips flips every bit of a record, one at a time, and opens it
// with a fresh opener: the ciphertext, tag and the header (the additional
// data) are all authenticated. A flip in the outer content type is refused
// before that, for the type: a protected record is application_data, and
// any other type is unexpected_message (RFC 8446 §5, §5.2).
func TestBitFlips(t *testing.T) {
	recs, _ := sealThree(t)
	rec := recs[0]
	for i := range rec {
		for bit := range 8 {
			bad := bytes.Clone(rec)
			bad[i] ^= 1 << bit
			_, _, err := open(fresh(t), bad)
			want := alert.BadRecordMAC
			if i == 0 {
				want = alert.UnexpectedMessage
			}
			if err == nil {
				t.Errorf("byte %d bit %d flipped: Open succeeded", i, bit)
				continue
			}
			wantAlert(t, "bit flip", err, want)
		}
	}
}

// TestTruncated opens every proper prefix of a record: each must fail,
// none may panic.
func TestTruncated(t *testing.T) {
	recs, _ := sealThree(t)
	rec := recs[0]
	for n := range len(rec) {
		_, _, err := open(fresh(t), rec[:n])
		if err == nil {
			t.Errorf("record truncated to %d of %d bytes: Open succeeded", n, len(rec))
			continue
		}
		if n >= HeaderLen {
			wantAlert(t, "truncated record", err, alert.BadRecordMAC)
		} else if alert.Of(err) == alert.InternalError {
			// open reports a panic as a plain error.
			t.Errorf("record truncated to %d bytes: %v", n, err)
		}
	}
}

// TestNoContentType: an inner plaintext of only zeros has no content type
// (RFC 8446 §5.4): unexpected_message.
func TestNoContentType(t *testing.T) {
	_, _, err := open(fresh(t), craft(t, make([]byte, 10)))
	wantAlert(t, "all-zero inner plaintext", err, alert.UnexpectedMessage)

	// The same construction with a content type opens, so the failure
	// above is the missing type and not the crafting.
	typ, p, err := open(fresh(t), craft(t, []byte{'h', 'i', TypeAlert, 0, 0}))
	if err != nil || typ != TypeAlert || string(p) != "hi" {
		t.Errorf("crafted record: got %d %q %v, want %d \"hi\"", typ, p, err, TypeAlert)
	}
}

// TestOverflow: a protected record body over 2^14+256 bytes is
// record_overflow before any decryption; so is an authentic record whose
// content exceeds 2^14 bytes (RFC 8446 §5.2, §5.4).
func TestOverflow(t *testing.T) {
	for _, tt := range []struct {
		body int
		want alert.Description
	}{
		{MaxCiphertext13 + 1, alert.RecordOverflow},
		{MaxCiphertext13 + 100, alert.RecordOverflow},
		{MaxCiphertext13, alert.BadRecordMAC}, // at the limit: garbage, so the tag fails
	} {
		rec := AppendHeader(nil, TypeApplicationData, 0x0303, tt.body)
		rec = append(rec, make([]byte, tt.body)...)
		_, _, err := open(fresh(t), rec)
		wantAlert(t, "record body of "+strconv.Itoa(tt.body)+" bytes", err, tt.want)
	}

	content := bytes.Repeat([]byte{'x'}, MaxPlaintext+1)
	_, _, err := open(fresh(t), craft(t, append(content, TypeApplicationData)))
	wantAlert(t, "authentic record with 2^14+1 bytes of content", err, alert.RecordOverflow)

	typ, p, err := open(fresh(t), craft(t, append(content[:MaxPlaintext:MaxPlaintext], TypeApplicationData)))
	if err != nil || typ != TypeApplicationData || len(p) != MaxPlaintext {
		t.Errorf("authentic record with 2^14 bytes of content: type %d, %d bytes, %v", typ, len(p), err)
	}
}

func TestParseHeader(t *testing.T) {
	for _, tt := range []struct {
		name string
		hdr  []byte
		want alert.Description // 0: no error
	}{
		{"application_data", []byte{23, 3, 3, 0x40, 0x11}, 0},
		{"ClientHello with version 0x0301", []byte{22, 3, 1, 0, 0xc4}, 0},
		{"length 2^14+2048", []byte{23, 3, 3, 0x48, 0x00}, 0},
		{"unknown content type", []byte{24, 3, 3, 0, 10}, alert.UnexpectedMessage},
		{"HTTP request", []byte("GET /"), alert.UnexpectedMessage},
		{"version 0x0200", []byte{22, 2, 0, 0, 10}, alert.ProtocolVersion},
		{"length 2^14+2049", []byte{23, 3, 3, 0x48, 0x01}, alert.RecordOverflow},
		{"length 65535", []byte{23, 3, 3, 0xff, 0xff}, alert.RecordOverflow},
	} {
		h, err := ParseHeader(tt.hdr)
		if tt.want == 0 {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			} else if h.Type != tt.hdr[0] || h.Version != uint16(tt.hdr[1])<<8|uint16(tt.hdr[2]) || h.Length != int(tt.hdr[3])<<8|int(tt.hdr[4]) {
				t.Errorf("%s: parsed %+v from % x", tt.name, h, tt.hdr)
			}
			continue
		}
		wantAlert(t, tt.name, err, tt.want)
	}
}

// TestPadding: padding lengthens the record by exactly its size, and the
// opener strips it and finds the content type.
func TestPadding(t *testing.T) {
	payload := []byte("padded payload")
	plain, err := fresh(t).Seal(nil, TypeHandshake, payload, 0)
	if err != nil {
		t.Fatal(err)
	}
	padded, err := fresh(t).Seal(nil, TypeHandshake, payload, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(padded) != len(plain)+100 {
		t.Errorf("padded record is %d bytes, want %d+100", len(padded), len(plain))
	}
	h, err := ParseHeader(padded[:HeaderLen])
	if err != nil || h.Type != TypeApplicationData || h.Version != 0x0303 || h.Length != len(padded)-HeaderLen {
		t.Errorf("padded record header %+v, %v", h, err)
	}
	typ, p, err := open(fresh(t), padded)
	if err != nil || typ != TypeHandshake || !bytes.Equal(p, payload) {
		t.Errorf("Open of padded record: type %d payload %q %v", typ, p, err)
	}

	// The inner plaintext may reach 2^14+1 bytes, not more.
	if _, err := fresh(t).Seal(nil, TypeApplicationData, payload, MaxPlaintext-len(payload)); err != nil {
		t.Errorf("padding up to the limit: %v", err)
	}
	if _, err := fresh(t).Seal(nil, TypeApplicationData, payload, MaxPlaintext-len(payload)+1); err == nil {
		t.Error("padding past the limit: Seal succeeded")
	}
}

// TestSealCapacity seals into buffers with no room for the tag, and with
// bytes already in them: the record must be appended whole either way.
func TestSealCapacity(t *testing.T) {
	for _, n := range []int{0, 1, 15, 16, 17, 50, 1000, MaxPlaintext} {
		payload := bytes.Repeat([]byte{7}, n)
		want, err := fresh(t).Seal(nil, TypeApplicationData, payload, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, dst := range [][]byte{
			make([]byte, 0, HeaderLen+n+1),
			append(make([]byte, 0, 3+HeaderLen+n+1), 'a', 'b', 'c'),
		} {
			prefix := bytes.Clone(dst)
			got, err := seal(fresh(t), dst, TypeApplicationData, payload, 0)
			if err != nil {
				t.Errorf("n=%d cap=%d: %v", n, cap(dst), err)
				continue
			}
			if !bytes.Equal(got, append(prefix, want...)) {
				t.Errorf("n=%d cap=%d: record differs from one sealed into nil", n, cap(dst))
			}
		}
	}
}

// A record the peer itself sealed with an outer type other than
// application_data authenticates but is still refused.
func TestSealedWithWrongOuterType(t *testing.T) {
	aead := testAEAD(t)
	inner := []byte{'h', 'i', TypeApplicationData}
	rec := AppendHeader(nil, TypeHandshake, 0x0303, len(inner)+aead.Overhead())
	rec = aead.Seal(rec, testIV, inner, rec[:HeaderLen])
	_, _, err := fresh(t).Open(rec)
	wantAlert(t, "outer type handshake", err, alert.UnexpectedMessage)
}
