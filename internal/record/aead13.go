package record

import (
	"crypto/cipher"
	"encoding/binary"
	"slices"
	"weak"

	"lucid/internal/alert"
	"lucid/internal/version"
)

// AEAD13 is TLS 1.3 record protection (RFC 8446 §5.2, §5.3) for one
// direction: every record is an application_data record whose encrypted
// inner plaintext ends with the real content type and optional zero padding,
// and whose nonce is the IV XOR the 64-bit sequence number.
type AEAD13 struct {
	aead cipher.AEAD // nil while resting (rest.go)
	// box and rest keep aead while the protection rests: only weakly,
	// so that the garbage collector may take it (rest.go).
	box   *cipherBox
	rest  weak.Pointer[cipherBox]
	tag   int // aead.Overhead(), known while resting too
	iv    [12]byte
	nonce [12]byte
	seq   uint64
}

// NewAEAD13 returns protection under aead with the 12-byte IV iv, starting at
// sequence number 0 as every new key does (RFC 8446 §5.3).
func NewAEAD13(aead cipher.AEAD, iv []byte) *AEAD13 {
	a := &AEAD13{aead: aead, tag: aead.Overhead()}
	copy(a.iv[:], iv)
	return a
}

// Seq implements Sealer and Opener.
func (a *AEAD13) Seq() uint64 { return a.seq }

// Overhead implements Sealer: the content type byte and the AEAD tag.
func (a *AEAD13) Overhead() int { return 1 + a.tag }

func (a *AEAD13) nextNonce() error {
	// RFC 8446 §5.3: the sequence number must not wrap; the connection
	// must be rekeyed or closed first. Conn rekeys long before this.
	if a.seq == ^uint64(0) {
		return alert.New(alert.InternalError, "record sequence number exhausted")
	}
	a.nonce = a.iv
	var s [8]byte
	binary.BigEndian.PutUint64(s[:], a.seq)
	for i := range s {
		a.nonce[4+i] ^= s[i]
	}
	a.seq++
	return nil
}

// Seal implements Sealer.
func (a *AEAD13) Seal(dst []byte, typ uint8, payload []byte, padding int) ([]byte, error) {
	if len(payload) > MaxPlaintext || len(payload)+1+padding > MaxPlaintext+1 {
		return dst, alert.New(alert.InternalError, "record payload of %d bytes plus %d padding is too large", len(payload), padding)
	}
	if a.aead == nil {
		return dst, errResting
	}
	if err := a.nextNonce(); err != nil {
		return dst, err
	}
	inner := len(payload) + 1 + padding
	// Room for the whole record up front, so the in-place Seal below
	// writes its tag into dst rather than into a new allocation.
	dst = slices.Grow(dst, HeaderLen+inner+a.tag)
	start := len(dst)
	// RFC 8446 §5.2: the outer header of a protected record always says
	// application_data and TLS 1.2, whatever the record holds.
	dst = AppendHeader(dst, TypeApplicationData, version.TLS12, inner+a.tag)
	body := len(dst)
	dst = append(dst, payload...)
	dst = append(dst, typ)
	for range padding {
		dst = append(dst, 0)
	}
	// Seal in place: the plaintext already sits where the ciphertext goes,
	// so a reused dst buffer means no allocation per record.
	out := a.aead.Seal(dst[body:body], a.nonce[:], dst[body:], dst[start:body])
	return dst[:body+len(out)], nil
}

// Open implements Opener.
func (a *AEAD13) Open(rec []byte) (uint8, []byte, error) { return a.open(nil, rec) }

// OpenInto implements IntoOpener.
func (a *AEAD13) OpenInto(dst, rec []byte) (uint8, []byte, error) { return a.open(dst, rec) }

// open opens rec into dst[:0], or in place when dst is nil.
func (a *AEAD13) open(dst, rec []byte) (uint8, []byte, error) {
	if len(rec) < HeaderLen {
		return 0, nil, alert.New(alert.DecodeError, "record of %d bytes is shorter than its header", len(rec))
	}
	body := rec[HeaderLen:]
	if len(body) > MaxCiphertext13 {
		return 0, nil, alert.New(alert.RecordOverflow, "protected record of %d bytes exceeds %d", len(body), MaxCiphertext13)
	}
	// RFC 8446 §5.2: the outer type of a protected record is always
	// application_data, and §5 answers an unexpected record type with
	// unexpected_message. A record of another type here was not sealed
	// by a peer that follows the RFC — most often it is a message sent in
	// the clear after keys were installed — so it is refused for its
	// type, before any decryption.
	if rec[0] != TypeApplicationData {
		return 0, nil, alert.New(alert.UnexpectedMessage, "%s record where only protected application_data records may come", TypeName(rec[0]))
	}
	if len(body) < a.tag {
		return 0, nil, alert.New(alert.BadRecordMAC, "protected record of %d bytes is shorter than its tag", len(body))
	}
	if a.aead == nil {
		return 0, nil, errResting
	}
	if err := a.nextNonce(); err != nil {
		return 0, nil, err
	}
	if dst == nil {
		dst = body
	}
	plain, err := a.aead.Open(dst[:0], a.nonce[:], body, rec[:HeaderLen])
	if err != nil {
		// Which record failed is all the detail we can give: a wrong key,
		// a flipped bit, a replay and a reordering look the same here,
		// which is the point of putting the sequence number in the nonce.
		// The number is not spent: a server skipping 0-RTT data it will
		// not read (RFC 8446 §4.2.10) goes on with the next record at
		// the same number.
		a.seq--
		return 0, nil, alert.New(alert.BadRecordMAC, "record %d failed authentication (tampered, replayed, reordered or wrong key)", a.seq)
	}
	// RFC 8446 §5.4: the whole TLSInnerPlaintext, content, type and
	// padding, MUST NOT exceed 2^14 + 1 bytes; padding cannot smuggle in
	// a larger record.
	if len(plain) > MaxPlaintext+1 {
		return 0, nil, alert.New(alert.RecordOverflow, "decrypted record of %d bytes (with padding) exceeds %d", len(plain), MaxPlaintext+1)
	}
	// RFC 8446 §5.4: strip zero padding from the end; the last non-zero
	// byte is the content type.
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 {
		return 0, nil, alert.New(alert.UnexpectedMessage, "protected record has no content type (all padding)")
	}
	if i > MaxPlaintext {
		return 0, nil, alert.New(alert.RecordOverflow, "decrypted record of %d bytes exceeds %d", i, MaxPlaintext)
	}
	return plain[i], plain[:i], nil
}
