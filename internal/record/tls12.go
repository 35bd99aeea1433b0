package record

import (
	"encoding/binary"

	"lucid/internal/alert"
)

// pseudoHeaderLen is the size of seq_num || type || version || length.
const pseudoHeaderLen = 13

// pseudoHeader fills b with the 13 bytes that TLS 1.2 authenticates ahead
// of every fragment: the MAC input of RFC 5246 §6.2.3.1 and the
// additional_data of §6.2.3.3 are both seq_num(8) || type(1) || version(2)
// || length(2). The implicit sequence number is what makes a replayed,
// reordered or dropped record fail to verify even though it never travels.
func pseudoHeader(b *[pseudoHeaderLen]byte, seq uint64, typ uint8, version uint16, length int) {
	binary.BigEndian.PutUint64(b[:8], seq)
	b[8] = typ
	b[9] = byte(version >> 8)
	b[10] = byte(version)
	b[11] = byte(length >> 8)
	b[12] = byte(length)
}

// takeSeq returns the sequence number for the record being processed and
// advances *seq. RFC 5246 §6.1: sequence numbers must not wrap; the
// connection has to renegotiate or close first, so the last value is
// refused rather than followed by a reused 0.
func takeSeq(seq *uint64) (uint64, error) {
	if *seq == ^uint64(0) {
		return 0, alert.New(alert.InternalError, "record sequence number exhausted")
	}
	s := *seq
	*seq++
	return s, nil
}

// splitRecord separates a TLS 1.2 protected record into its header and body.
// A missing header is decode_error and an oversized body record_overflow
// (RFC 5246 §6.2.3: at most 2^14+2048 bytes), as for the other openers.
// consistent reports whether the header's length field matches the body:
// TLS 1.2 authenticates the plaintext length rather than the header
// itself, so without this check a flipped length bit would go unnoticed.
func splitRecord(rec []byte) (h Header, body []byte, consistent bool, err error) {
	if len(rec) < HeaderLen {
		return h, nil, false, alert.New(alert.DecodeError, "record of %d bytes is shorter than its header", len(rec))
	}
	h = Header{Type: rec[0], Version: uint16(rec[1])<<8 | uint16(rec[2]), Length: int(rec[3])<<8 | int(rec[4])}
	body = rec[HeaderLen:]
	if len(body) > MaxCiphertext {
		return h, nil, false, alert.New(alert.RecordOverflow, "protected record of %d bytes exceeds %d", len(body), MaxCiphertext)
	}
	return h, body, h.Length == len(body), nil
}
