package wire

import (
	"bytes"
	"strconv"

	"lucid/internal/alert"
)

// TypeCompressedCertificate is the handshake type of CompressedCertificate
// (RFC 8879 §4), which stands where a TLS 1.3 Certificate would.
const TypeCompressedCertificate uint8 = 25

// Certificate compression algorithms (RFC 8879 §3 and §7.3).
const (
	CertCompressionZlib   uint16 = 1
	CertCompressionBrotli uint16 = 2
	CertCompressionZstd   uint16 = 3
)

// CertCompressionName returns the registry name of a certificate
// compression algorithm, or "unknown(N)".
func CertCompressionName(alg uint16) string {
	switch alg {
	case CertCompressionZlib:
		return "zlib"
	case CertCompressionBrotli:
		return "brotli"
	case CertCompressionZstd:
		return "zstd"
	}
	return "unknown(" + strconv.Itoa(int(alg)) + ")"
}

// CompressedCertificate is the RFC 8879 §4 message: a Certificate message
// body (without its handshake header) compressed with Algorithm.
type CompressedCertificate struct {
	Algorithm uint16
	// UncompressedLength is the declared length of the Certificate body.
	// The receiver checks it against its own cap before decompressing
	// and against the decompressed result afterwards.
	UncompressedLength uint32
	Compressed         []byte // compressed_certificate_message<1..2^24-1>
}

// Type returns TypeCompressedCertificate.
func (m *CompressedCertificate) Type() uint8 { return TypeCompressedCertificate }

// Marshal returns the complete CompressedCertificate message, header
// included, or nil if a field is too long for its length prefix.
func (m *CompressedCertificate) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst; on an encoding failure
// dst comes back unchanged.
func (m *CompressedCertificate) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeCompressedCertificate, func(b *builder) {
		b.u16(m.Algorithm)
		if m.UncompressedLength >= 1<<24 {
			b.fail("uncompressed_length %d does not fit 24 bits", m.UncompressedLength)
			return
		}
		b.raw([]byte{byte(m.UncompressedLength >> 16), byte(m.UncompressedLength >> 8), byte(m.UncompressedLength)})
		if len(m.Compressed) == 0 {
			b.fail("empty compressed_certificate_message")
			return
		}
		b.bytesVec(3, m.Compressed)
	})
}

// ParseCompressedCertificate parses a CompressedCertificate body. It checks
// framing only: whether the algorithm was offered and whether the declared
// length is acceptable are the engine's decisions. The result does not
// alias body.
func ParseCompressedCertificate(body []byte) (*CompressedCertificate, error) {
	r := newReader("CompressedCertificate", bytes.Clone(body))
	m := &CompressedCertificate{}
	m.Algorithm = r.u16("algorithm")
	m.UncompressedLength = r.number(3, "uncompressed_length")
	m.Compressed = r.vec(3, "compressed_certificate_message", 1, 0xffffff)
	r.end()
	// A Certificate body is at least a context length and a list length;
	// a declared zero cannot be one (RFC 8879 §4 lets the receiver judge
	// the length, and this one is never right).
	if r.ok() && m.UncompressedLength == 0 {
		r.failf(alert.BadCertificate, "uncompressed_length is 0")
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
