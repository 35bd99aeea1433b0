// Package record is the TLS record layer (RFC 8446 §5, RFC 5246 §6.2):
// framing, the protection of each record under the current traffic keys
// (TLS 1.3's AEAD, TLS 1.2's AEAD and MAC-then-encrypt CBC), and the
// per-direction sequence numbers that make a replayed, reordered or dropped
// record fail authentication.
package record

import (
	"lucid/internal/alert"
)

// Content types (RFC 8446 §5.1).
const (
	TypeChangeCipherSpec uint8 = 20
	TypeAlert            uint8 = 21
	TypeHandshake        uint8 = 22
	TypeApplicationData  uint8 = 23
)

// Size limits (RFC 8446 §5.1, §5.2).
const (
	HeaderLen = 5
	// MaxPlaintext is the largest fragment a record may carry.
	MaxPlaintext = 1 << 14
	// MaxCiphertext13 bounds a protected TLS 1.3 record's body.
	MaxCiphertext13 = MaxPlaintext + 256
	// MaxCiphertext bounds any record body we accept (TLS 1.2 allows
	// 2048 bytes of expansion, RFC 5246 §6.2.3).
	MaxCiphertext = MaxPlaintext + 2048
)

// TypeName names a content type for events and errors.
func TypeName(t uint8) string {
	switch t {
	case TypeChangeCipherSpec:
		return "change_cipher_spec"
	case TypeAlert:
		return "alert"
	case TypeHandshake:
		return "handshake"
	case TypeApplicationData:
		return "application_data"
	}
	return "unknown"
}

// Header is a parsed record header.
type Header struct {
	Type    uint8
	Version uint16
	Length  int
}

// ParseHeader checks the five header bytes before anything is read into
// memory: an unknown content type is unexpected_message, an oversized length
// record_overflow, so a peer cannot make us buffer more than one record.
func ParseHeader(b []byte) (Header, error) {
	h := Header{Type: b[0], Version: uint16(b[1])<<8 | uint16(b[2]), Length: int(b[3])<<8 | int(b[4])}
	switch h.Type {
	case TypeChangeCipherSpec, TypeAlert, TypeHandshake, TypeApplicationData:
	default:
		// A first byte that is not a content type is usually not TLS at
		// all (an HTTP request sent to a TLS port).
		return h, alert.New(alert.UnexpectedMessage, "record type %d is not a TLS content type (is the peer speaking TLS?)", h.Type)
	}
	// RFC 8446 §5.1: legacy_record_version is ignored except that it must
	// look like TLS; 0x03xx covers every version that could appear.
	if h.Version>>8 != 3 {
		return h, alert.New(alert.ProtocolVersion, "record version 0x%04x is not TLS", h.Version)
	}
	if h.Length > MaxCiphertext {
		return h, alert.New(alert.RecordOverflow, "record of %d bytes exceeds the %d-byte limit", h.Length, MaxCiphertext)
	}
	return h, nil
}

// AppendHeader writes a record header.
func AppendHeader(dst []byte, typ uint8, version uint16, length int) []byte {
	return append(dst, typ, byte(version>>8), byte(version), byte(length>>8), byte(length))
}

// Sealer protects outgoing records for one direction.
type Sealer interface {
	// Seal appends one record carrying payload as content type typ, with
	// padding zero bytes of TLS 1.3 padding where the protection has any.
	Seal(dst []byte, typ uint8, payload []byte, padding int) ([]byte, error)
	// Overhead is the most bytes Seal adds beyond payload and padding.
	Overhead() int
	// Seq is the sequence number of the next record.
	Seq() uint64
}

// Opener removes the protection of incoming records for one direction.
type Opener interface {
	// Open authenticates and decrypts the record (header included) in
	// place and returns the inner content type and plaintext.
	Open(rec []byte) (typ uint8, plaintext []byte, err error)
	// Seq is the sequence number of the next record.
	Seq() uint64
}

// IntoOpener is an Opener that can also write a record's plaintext into
// a buffer of the caller's, such as the one a Read was given, so the data
// is not copied there after. dst must have room for the record's body
// (len(rec)-HeaderLen) and must not overlap rec; the plaintext returned
// is in dst. On failure dst holds nothing of use.
type IntoOpener interface {
	Opener
	OpenInto(dst, rec []byte) (typ uint8, plaintext []byte, err error)
}

// Plain is the null protection of the first flight: records carry their
// content in the clear.
type Plain struct {
	// Version is the legacy_record_version to write.
	Version uint16
}

// Seal implements Sealer.
func (p *Plain) Seal(dst []byte, typ uint8, payload []byte, _ int) ([]byte, error) {
	if len(payload) > MaxPlaintext {
		return dst, alert.New(alert.InternalError, "record payload of %d bytes is too large", len(payload))
	}
	dst = AppendHeader(dst, typ, p.Version, len(payload))
	return append(dst, payload...), nil
}

// Overhead implements Sealer.
func (p *Plain) Overhead() int { return 0 }

// Seq implements Sealer and Opener: plaintext records are not numbered
// in any way the peer can check.
func (p *Plain) Seq() uint64 { return 0 }

// Open implements Opener.
func (p *Plain) Open(rec []byte) (uint8, []byte, error) {
	if len(rec) < HeaderLen {
		return 0, nil, alert.New(alert.DecodeError, "record of %d bytes is shorter than its header", len(rec))
	}
	body := rec[HeaderLen:]
	if len(body) > MaxPlaintext {
		return 0, nil, alert.New(alert.RecordOverflow, "plaintext record of %d bytes exceeds %d", len(body), MaxPlaintext)
	}
	return rec[0], body, nil
}
