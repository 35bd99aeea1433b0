package record

import (
	"crypto/cipher"
	"encoding/binary"
	"slices"

	"lucid/internal/alert"
	"lucid/internal/version"
)

// AEAD12 is TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3) for one
// direction. Unlike TLS 1.3, records keep their real content type in the
// header, and the header fields enter the tag through
// additional_data = seq_num(8) || type(1) || version(2) || plaintext length(2).
//
// Two nonce constructions exist and the length of the fixed IV picks one:
//   - AES-GCM (RFC 5288 §3): nonce = 4-byte salt || 8-byte explicit nonce,
//     the explicit part travelling in front of each record's ciphertext.
//   - ChaCha20-Poly1305 (RFC 7905 §2): nonce = 12-byte IV XOR the
//     left-padded sequence number, with nothing explicit on the wire.
type AEAD12 struct {
	aead cipher.AEAD
	// iv is the 4-byte salt (GCM, in iv[:4]) or the whole 12-byte IV.
	iv [12]byte
	// explicit is how many nonce bytes each record carries: 8 or 0.
	explicit int
	nonce    [12]byte
	// ad is the additional data of the record in hand, kept here
	// because the AEAD, behind an interface, would make a local escape
	// to the heap on every record.
	ad  [pseudoHeaderLen]byte
	seq uint64
	// err records unusable constructor arguments; Seal and Open return it,
	// since a constructor without an error result must not panic either.
	err error
}

// NewAEAD12 returns TLS 1.2 protection under aead, starting at sequence
// number 0 as every new key does (RFC 5246 §6.1). fixedIV is the
// client_write_IV or server_write_IV of the key block (RFC 5246 §6.3):
// 4 bytes for AES-GCM, whose records then carry an 8-byte explicit nonce,
// or 12 bytes for ChaCha20-Poly1305, whose records carry none. aead must
// take 12-byte nonces. Unusable arguments make every Seal and Open fail
// with internal_error.
func NewAEAD12(aead cipher.AEAD, fixedIV []byte) *AEAD12 {
	a := &AEAD12{}
	a.init(aead, fixedIV)
	return a
}

// NewAEAD12Pair is NewAEAD12 for both directions of a connection, made
// in one allocation, as a handshake makes them together.
func NewAEAD12Pair(aeadA cipher.AEAD, fixedIVA []byte, aeadB cipher.AEAD, fixedIVB []byte) (a, b *AEAD12) {
	pair := new([2]AEAD12)
	pair[0].init(aeadA, fixedIVA)
	pair[1].init(aeadB, fixedIVB)
	return &pair[0], &pair[1]
}

func (a *AEAD12) init(aead cipher.AEAD, fixedIV []byte) {
	*a = AEAD12{aead: aead}
	switch {
	case aead == nil:
		a.err = alert.New(alert.InternalError, "TLS 1.2 AEAD protection without an AEAD")
	case aead.NonceSize() != len(a.nonce):
		a.err = alert.New(alert.InternalError, "TLS 1.2 AEAD with %d-byte nonces, want 12", aead.NonceSize())
	case len(fixedIV) == 4:
		a.explicit = 8
		copy(a.iv[:], fixedIV)
	case len(fixedIV) == 12:
		copy(a.iv[:], fixedIV)
	default:
		a.err = alert.New(alert.InternalError, "TLS 1.2 AEAD fixed IV of %d bytes, want 4 (GCM) or 12 (ChaCha20-Poly1305)", len(fixedIV))
	}
}

// Seq implements Sealer and Opener.
func (a *AEAD12) Seq() uint64 { return a.seq }

// Overhead implements Sealer: the explicit nonce, if any, and the tag.
// Unusable protection reports 0; its Seal fails anyway.
func (a *AEAD12) Overhead() int {
	if a.err != nil {
		return 0
	}
	return a.explicit + a.aead.Overhead()
}

// setSealNonce builds the nonce for sending record seq.
func (a *AEAD12) setSealNonce(seq uint64) {
	a.nonce = a.iv
	if a.explicit != 0 {
		// RFC 5288 §3 leaves the explicit part to the sender but requires
		// it never repeat under one key; the sequence number already has
		// that property, so it is reused rather than drawn at random.
		binary.BigEndian.PutUint64(a.nonce[4:], seq)
		return
	}
	a.xorSeq(seq)
}

// xorSeq XORs the big-endian sequence number into the last 8 nonce bytes,
// the RFC 7905 §2 construction (the same as TLS 1.3's, RFC 8446 §5.3).
func (a *AEAD12) xorSeq(seq uint64) {
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], seq)
	for i, b := range s {
		a.nonce[4+i] ^= b
	}
}

// Seal implements Sealer. TLS 1.2 has no record padding, so padding is
// ignored.
func (a *AEAD12) Seal(dst []byte, typ uint8, payload []byte, _ int) ([]byte, error) {
	if a.err != nil {
		return dst, a.err
	}
	if len(payload) > MaxPlaintext {
		return dst, alert.New(alert.InternalError, "record payload of %d bytes is too large", len(payload))
	}
	seq, err := takeSeq(&a.seq)
	if err != nil {
		return dst, err
	}
	a.setSealNonce(seq)
	pseudoHeader(&a.ad, seq, typ, version.TLS12, len(payload))

	bodyLen := a.explicit + len(payload) + a.aead.Overhead()
	// Room for the whole record first, so the in-place Seal writes the tag
	// into dst instead of a fresh allocation.
	dst = slices.Grow(dst, HeaderLen+bodyLen)
	dst = AppendHeader(dst, typ, version.TLS12, bodyLen)
	// The explicit nonce is the tail of the full nonce (empty for
	// ChaCha20-Poly1305).
	dst = append(dst, a.nonce[len(a.nonce)-a.explicit:]...)
	ct := len(dst)
	// Unlike TLS 1.3 there is nothing to append to the content, so the
	// AEAD reads payload where it is and writes the ciphertext straight
	// into dst: no copy of the plaintext first. (payload never shares
	// dst's spare room; the core seals callers' data or constants.)
	out := a.aead.Seal(dst[ct:ct], a.nonce[:], payload, a.ad[:])
	return dst[:ct+len(out)], nil
}

// Open implements Opener: it authenticates and decrypts rec in place. The
// header's version enters additional_data as received, so a record whose
// header differs in any bit from what the sender wrote fails with
// bad_record_mac.
func (a *AEAD12) Open(rec []byte) (uint8, []byte, error) { return a.open(nil, rec) }

// OpenInto implements IntoOpener.
func (a *AEAD12) OpenInto(dst, rec []byte) (uint8, []byte, error) { return a.open(dst, rec) }

// open opens rec into dst[:0], or in place when dst is nil.
func (a *AEAD12) open(dst, rec []byte) (uint8, []byte, error) {
	if a.err != nil {
		return 0, nil, a.err
	}
	h, body, consistent, err := splitRecord(rec)
	if err != nil {
		return 0, nil, err
	}
	seq, err := takeSeq(&a.seq)
	if err != nil {
		return 0, nil, err
	}
	if !consistent || len(body) < a.explicit+a.aead.Overhead() {
		return 0, nil, aead12Failure(seq)
	}
	plainLen := len(body) - a.explicit - a.aead.Overhead()
	if plainLen > MaxPlaintext {
		// The plaintext length is public for an AEAD, so this needs no
		// decryption (RFC 5246 §6.2.1 caps fragments at 2^14).
		return 0, nil, alert.New(alert.RecordOverflow, "protected record with %d bytes of plaintext exceeds %d", plainLen, MaxPlaintext)
	}
	a.nonce = a.iv
	if a.explicit != 0 {
		// RFC 5288 §3: the receiver takes the explicit part from the
		// record, whatever the sender chose; the sequence number still
		// binds the record through additional_data.
		copy(a.nonce[4:], body[:a.explicit])
	} else {
		a.xorSeq(seq)
	}
	pseudoHeader(&a.ad, seq, h.Type, h.Version, plainLen)
	ct := body[a.explicit:]
	if dst == nil {
		dst = ct
	}
	plain, err := a.aead.Open(dst[:0], a.nonce[:], ct, a.ad[:])
	if err != nil {
		return 0, nil, aead12Failure(seq)
	}
	return h.Type, plain, nil
}

// aead12Failure is the one error for every record that does not
// authenticate: a wrong key, a flipped bit, a replay, a reordering and a
// truncation are indistinguishable here, by design of the sequence number
// in additional_data.
func aead12Failure(seq uint64) error {
	return alert.New(alert.BadRecordMAC, "record %d failed authentication (tampered, replayed, reordered, truncated or wrong key)", seq)
}
