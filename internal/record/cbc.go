package record

import (
	"crypto/cipher"
	"crypto/hmac"
	cryptorand "crypto/rand"
	"crypto/subtle"
	"hash"
	"io"
	"math/bits"
	"slices"

	"lucid/internal/alert"
	"lucid/internal/version"
)

// maxMACLen bounds the HMAC output CBC supports (SHA-512's 64 bytes), so
// that Open's scratch space needs no allocation.
const maxMACLen = 64

// maxPadding is the most bytes of CBC padding a record can end with,
// counting the padding_length byte itself, which is one byte
// (RFC 5246 §6.2.3.2).
const maxPadding = 256

// CBC is TLS 1.2 MAC-then-encrypt block cipher protection
// (RFC 5246 §6.2.3.2) for one direction:
//
//	MAC      = HMAC(mac_key, seq_num || type || version || length || fragment)
//	record   = IV || CBC-encrypt(fragment || MAC || padding)
//
// where every padding byte, the final padding_length byte included, holds
// the padding length, and the IV is fresh and random for every record.
//
// Open must not reveal, by its error or by its running time, whether the
// padding or the MAC was wrong: either one is a padding oracle that
// decrypts records (Vaudenay 2002; Lucky Thirteen, AlFardan and Paterson
// 2013; RFC 5246 §6.2.3.2 implementation note). Open therefore
//
//   - checks the padding with masks over the last min(256, n) bytes of the
//     n-byte decrypted fragment, whatever the padding length byte says,
//     and on bad padding carries on as if the padding were empty;
//   - computes the HMAC over the data length that follows from the
//     (secret) padding length, then feeds the inner hash as many dummy
//     blocks as make the number of compression-function calls equal to
//     that of the longest possible data length, n-MAC-1. The count for a
//     length is derived from the Merkle–Damgård padding rule with shifts,
//     not divisions, whose timing can depend on operands;
//   - reads the received MAC from its secret offset by scanning every
//     byte where it could start, accumulating under masks into a rotated
//     buffer and unrotating with masks, so no address depends on secrets;
//   - compares with subtle.ConstantTimeCompare and only then branches, on
//     the single bit "record good", which the peer learns anyway.
//
// Dummy blocks were chosen over computing the MAC of the maximal data and
// extracting an intermediate hash state: the latter needs the compression
// function, which the standard library does not expose, whereas the former
// needs only hash.Hash and holds for any Merkle–Damgård hash (SHA-1,
// SHA-256, SHA-384). What remains length-dependent is bookkeeping below the
// granularity of a compression call: Go's hash copies a partial block of
// secret length into its buffer, and Sum writes padding of secret length.
// Those differ by a few nanoseconds at most, against the hundreds that a
// compression call costs and that Lucky Thirteen measured.
type CBC struct {
	block    cipher.Block
	blockLen int
	mac      hash.Hash
	macLen   int
	// minBody is the shortest ciphertext after the IV: whole blocks that
	// hold at least the MAC and the padding_length byte.
	minBody int
	// hashShift is log2 of the hash's block size and lenField the size of
	// its Merkle–Damgård length field (block size / 8 for SHA-1 and the
	// SHA-2 family).
	hashShift uint
	lenField  int
	// dummy is the zero data hashed to even out compression calls.
	dummy []byte
	sum   [maxMACLen]byte
	// ph is the MAC's pseudo-header for the record in hand, kept here
	// because the hash, behind an interface, would make a local escape
	// to the heap on every record.
	ph   [pseudoHeaderLen]byte
	rand io.Reader
	seq  uint64
	// err records unusable constructor arguments; Seal and Open return it.
	err error
}

// NewCBC returns TLS 1.2 CBC protection under block (the cipher keyed with
// the write key) and HMAC-newHash keyed with macKey, starting at sequence
// number 0 (RFC 5246 §6.1). Seal draws each record's explicit IV from rand,
// or from crypto/rand when rand is nil. newHash must be a Merkle–Damgård
// hash with a power-of-two block size and at most 64-byte output (SHA-1,
// SHA-256, SHA-384); unusable arguments make every Seal and Open fail with
// internal_error.
func NewCBC(block cipher.Block, macKey []byte, newHash func() hash.Hash, rand io.Reader) *CBC {
	c := &CBC{block: block, rand: rand}
	if c.rand == nil {
		c.rand = cryptorand.Reader
	}
	if block == nil {
		c.err = alert.New(alert.InternalError, "TLS 1.2 CBC protection without a block cipher")
		return c
	}
	c.blockLen = block.BlockSize()
	if c.blockLen < 8 || c.blockLen > maxPadding {
		c.err = alert.New(alert.InternalError, "TLS 1.2 CBC with a %d-byte block cipher", c.blockLen)
		return c
	}
	mac, err := newHMAC(newHash, macKey)
	if err != nil {
		c.err = err
		return c
	}
	c.mac, c.macLen = mac, mac.Size()
	hb := mac.BlockSize()
	if c.macLen < 1 || c.macLen > maxMACLen || hb < 16 || hb&(hb-1) != 0 {
		c.err = alert.New(alert.InternalError, "TLS 1.2 CBC with an unsupported MAC (%d-byte output, %d-byte blocks)", c.macLen, hb)
		return c
	}
	c.hashShift = uint(bits.TrailingZeros(uint(hb)))
	c.lenField = hb / 8
	c.minBody = (c.macLen/c.blockLen + 1) * c.blockLen
	// Data lengths differ by at most maxPadding-1, so at most this many
	// blocks ever need evening out (see blocksFor).
	c.dummy = make([]byte, ((maxPadding-1)>>c.hashShift+1)<<c.hashShift)
	return c
}

// newHMAC is hmac.New without its panics (on a nil hash constructor, or
// one that returns the same hash twice): NewCBC must not panic.
func newHMAC(newHash func() hash.Hash, key []byte) (h hash.Hash, err error) {
	defer func() {
		if r := recover(); r != nil {
			h, err = nil, alert.New(alert.InternalError, "TLS 1.2 CBC MAC: %v", r)
		}
	}()
	if newHash == nil || newHash() == nil {
		return nil, alert.New(alert.InternalError, "TLS 1.2 CBC protection without a MAC hash")
	}
	return hmac.New(newHash, key), nil
}

// Seq implements Sealer and Opener.
func (c *CBC) Seq() uint64 { return c.seq }

// Overhead implements Sealer: the IV, the MAC, and at most one block of
// padding, since Seal pads only up to the next block boundary.
func (c *CBC) Overhead() int {
	if c.err != nil {
		return 0
	}
	return c.blockLen + c.macLen + c.blockLen
}

// Seal implements Sealer. padding is ignored: Seal uses the least CBC
// padding, and TLS 1.2 has no other.
func (c *CBC) Seal(dst []byte, typ uint8, payload []byte, _ int) ([]byte, error) {
	if c.err != nil {
		return dst, c.err
	}
	if len(payload) > MaxPlaintext {
		return dst, alert.New(alert.InternalError, "record payload of %d bytes is too large", len(payload))
	}
	// padTotal counts the padding bytes and the padding_length byte, in
	// [1, blockLen], bringing fragment || MAC to a whole number of blocks.
	padTotal := c.blockLen - (len(payload)+c.macLen)%c.blockLen
	bodyLen := c.blockLen + len(payload) + c.macLen + padTotal
	dst = slices.Grow(dst, HeaderLen+bodyLen)
	start := len(dst)
	dst = AppendHeader(dst, typ, version.TLS12, bodyLen)
	iv := len(dst)
	dst = dst[:iv+c.blockLen]
	// RFC 5246 §6.2.3.2: the IV must be unpredictable. TLS 1.0 chained
	// IVs across records, which is what BEAST exploited.
	if _, err := io.ReadFull(c.rand, dst[iv:]); err != nil {
		return dst[:start], alert.New(alert.InternalError, "reading a CBC record IV: %v", err)
	}
	// The sequence number is taken only once nothing else can fail, so a
	// failed Seal leaves the numbering as it was.
	seq, err := takeSeq(&c.seq)
	if err != nil {
		return dst[:start], err
	}
	pt := len(dst)
	dst = append(dst, payload...)
	pseudoHeader(&c.ph, seq, typ, version.TLS12, len(payload))
	c.mac.Reset()
	c.mac.Write(c.ph[:])
	c.mac.Write(dst[pt:])
	dst = c.mac.Sum(dst)
	for range padTotal {
		dst = append(dst, byte(padTotal-1))
	}
	cipher.NewCBCEncrypter(c.block, dst[iv:pt]).CryptBlocks(dst[pt:], dst[pt:])
	return dst, nil
}

// Open implements Opener: it decrypts rec in place and authenticates it
// without revealing whether padding or MAC failed (see CBC). The header's
// version enters the MAC as received, so a record whose header differs in
// any bit from what the sender wrote fails with bad_record_mac.
func (c *CBC) Open(rec []byte) (uint8, []byte, error) {
	if c.err != nil {
		return 0, nil, c.err
	}
	h, body, consistent, err := splitRecord(rec)
	if err != nil {
		return 0, nil, err
	}
	seq, err := takeSeq(&c.seq)
	if err != nil {
		return 0, nil, err
	}
	// These lengths are on the wire, so checking them early leaks
	// nothing; the error is still the same one as for a bad MAC.
	if !consistent || len(body)%c.blockLen != 0 || len(body) < c.blockLen+c.minBody {
		return 0, nil, cbcFailure(seq)
	}
	p := body[c.blockLen:]
	cipher.NewCBCDecrypter(c.block, body[:c.blockLen]).CryptBlocks(p, p)

	// From here until the final branch, p's padding length is secret.
	n := len(p)
	maxLen := n - c.macLen - 1
	minLen := max(0, maxLen-(maxPadding-1))
	length, good := c.unpad(p)
	computed := c.macEvenCost(seq, h.Type, h.Version, p, length, maxLen)
	var got [maxMACLen]byte
	c.extractMAC(got[:c.macLen], p, length, minLen, n-1)
	good &= subtle.ConstantTimeCompare(got[:c.macLen], computed)
	if good != 1 {
		return 0, nil, cbcFailure(seq)
	}
	// Authentic, so the length is no longer secret.
	if length > MaxPlaintext {
		return 0, nil, alert.New(alert.RecordOverflow, "decrypted record of %d bytes exceeds %d", length, MaxPlaintext)
	}
	return h.Type, p[:length], nil
}

// unpad checks the padding at the end of the decrypted fragment p
// (len(p) > macLen) in constant time. It returns good = 1 and the data
// length before the MAC when the padding is well formed; otherwise good = 0
// and the length as if the padding were empty, so that the MAC is computed
// all the same (RFC 5246 §6.2.3.2 implementation note).
func (c *CBC) unpad(p []byte) (length, good int) {
	n := len(p)
	padLen := int(p[n-1])
	// The padding must fit after the MAC.
	good = subtle.ConstantTimeLessOrEq(padLen+1+c.macLen, n)
	// Every byte that could be padding is examined, whatever padLen says;
	// those beyond the padding pass through the mask. The loop bound is
	// public.
	for i := 1; i < min(maxPadding, n); i++ {
		beyond := subtle.ConstantTimeLessOrEq(i, padLen) ^ 1
		good &= beyond | subtle.ConstantTimeByteEq(p[n-1-i], byte(padLen))
	}
	padLen = subtle.ConstantTimeSelect(good, padLen, 0)
	return n - c.macLen - 1 - padLen, good
}

// blocksFor is, up to a constant, how many times the inner hash of HMAC
// calls its compression function for a record with length data bytes: the
// hashed message is the ipad block, the 13-byte pseudo-header, the data, a
// 0x80 byte and the length field, rounded up to whole blocks, which is
// floor((13 + length + lenField) / blockSize) + 2 blocks. The division is
// a shift because the block size is a power of two.
func (c *CBC) blocksFor(length int) int {
	return (pseudoHeaderLen + length + c.lenField) >> c.hashShift
}

// macEvenCost returns the MAC of the record whose data is p[:length], then
// hashes dummy blocks into the (finished) inner hash so that the total
// number of compression calls is that of a record with maxLen data bytes,
// whatever length is. hash.Hash's Sum leaves the state as it was, so the
// later Write really runs the compression function on the dummy blocks.
func (c *CBC) macEvenCost(seq uint64, typ uint8, version uint16, p []byte, length, maxLen int) []byte {
	pseudoHeader(&c.ph, seq, typ, version, length)
	c.mac.Reset()
	c.mac.Write(c.ph[:])
	c.mac.Write(p[:length])
	sum := c.mac.Sum(c.sum[:0])
	// Writing k whole blocks into a hash holding a partial block runs
	// exactly k compressions, whatever the partial block holds.
	extra := c.blocksFor(maxLen) - c.blocksFor(length)
	c.mac.Write(c.dummy[:extra<<c.hashShift])
	return sum
}

// extractMAC copies into out the macLen bytes of p at the secret offset
// start, known to lie in [lo, hi-macLen], without an address or branch that
// depends on start. Each byte of p[lo:hi] is read once and ORed, masked,
// into slot (i-lo) mod macLen of a rotated copy; the rotation, recorded
// under a mask when i reaches start, is then undone by reading every slot
// for every output byte.
func (c *CBC) extractMAC(out, p []byte, start, lo, hi int) {
	var rot [maxMACLen]byte
	m := c.macLen
	end := start + m
	rotation, slot := 0, 0
	for i := lo; i < hi; i++ {
		in := subtle.ConstantTimeLessOrEq(start, i) & subtle.ConstantTimeLessOrEq(i+1, end)
		rot[slot] |= p[i] & byte(-in)
		rotation |= slot & -subtle.ConstantTimeEq(int32(i), int32(start))
		slot++
		if slot == m { // depends on i only
			slot = 0
		}
	}
	// MAC byte k sits in slot (rotation + k) mod m.
	for k := range m {
		from := rotation + k
		from -= m & -subtle.ConstantTimeLessOrEq(m, from)
		var b byte
		for s := range m {
			b |= rot[s] & byte(-subtle.ConstantTimeEq(int32(s), int32(from)))
		}
		out[k] = b
	}
}

// cbcFailure is the one error for every CBC record that does not
// authenticate, whether its length, padding or MAC was wrong: the same
// alert and the same words, so the error is no padding oracle.
func cbcFailure(seq uint64) error {
	return alert.New(alert.BadRecordMAC, "record %d failed authentication (tampered, replayed, reordered, truncated or wrong key)", seq)
}
