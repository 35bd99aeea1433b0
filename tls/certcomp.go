package tls

import (
	"strconv"

	"lucid/internal/certcomp"
	"lucid/internal/wire"
)

// CertCompressionAlgorithm is a certificate compression algorithm of RFC
// 8879, as listed in Config.CertCompression. A Lucid addition.
type CertCompressionAlgorithm uint16

// The algorithms of RFC 8879 §3, all three implemented.
const (
	CertCompressionZlib   CertCompressionAlgorithm = CertCompressionAlgorithm(wire.CertCompressionZlib)
	CertCompressionBrotli CertCompressionAlgorithm = CertCompressionAlgorithm(wire.CertCompressionBrotli)
	CertCompressionZstd   CertCompressionAlgorithm = CertCompressionAlgorithm(wire.CertCompressionZstd)
)

// defaultCertCompression is zstd first, because a client decodes on
// every full handshake. On the benchmarks' one-leaf chains zstd decodes
// in under a microsecond against brotli's 6 to 8 (warm; more when the
// brotli decoder's 64 KB of tables must be made again after a
// collection), for about 5% more bytes (413 against 392 for an ECDSA
// P-256 leaf); on a chain of two public roots, in 1.9 µs against 19.7,
// for 1.6% more (1,984 against 1,952 bytes). Brotli follows, as browsers
// offer it (Chromium offers nothing else), then zlib, the one every RFC
// 8879 implementation has.
var defaultCertCompression = []uint16{wire.CertCompressionZstd, wire.CertCompressionBrotli, wire.CertCompressionZlib}

// String returns the algorithm's registry name, such as "brotli".
func (a CertCompressionAlgorithm) String() string {
	name := wire.CertCompressionName(uint16(a))
	if name == "unknown("+strconv.Itoa(int(a))+")" {
		return "CertCompressionAlgorithm(" + strconv.Itoa(int(a)) + ")"
	}
	return name
}

// certCompression resolves Config.CertCompression for the engines: nil is
// the default list, an empty list is off (nil to the engines). Algorithms
// Lucid does not implement are dropped there.
func (c *Config) certCompression() []uint16 {
	if c.CertCompression == nil {
		return defaultCertCompression
	}
	out := make([]uint16, 0, len(c.CertCompression))
	for _, a := range c.CertCompression {
		out = append(out, uint16(a))
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// CertCompressionCodec codes a certificate compression algorithm that
// Lucid does not build in, such as one of RFC 8879's private-use
// identifiers, for RegisterCertCompression. A Lucid addition.
type CertCompressionCodec struct {
	// Compress returns the compressed form of a Certificate message body
	// (the message without its four-byte handshake header, RFC 8879 §4).
	// A server calls it once per certificate chain and keeps the result,
	// so it may be slow; it must not keep certificate.
	Compress func(certificate []byte) ([]byte, error)
	// Decompress fills dst from compressed. dst is exactly the
	// uncompressed_length the peer declared, which Lucid has already
	// refused above its handshake-message limit (80 KiB), so a codec never
	// needs more memory than that. It must return an error when the
	// stream does not make exactly len(dst) bytes; the handshake then
	// ends with bad_certificate.
	Decompress func(dst, compressed []byte) error
}

// RegisterCertCompression makes alg an algorithm Lucid can compress and
// decompress with, for every Config in the process: a Config then uses it
// when its CertCompression lists it, in the place it is listed, and
// ignores it otherwise. Register at start-up, before the handshakes that
// use it; registering is safe for concurrent use. It refuses zlib, brotli
// and zstd (Lucid's own), 0, GREASE values, an algorithm already
// registered and a codec without both functions. A Lucid addition.
func RegisterCertCompression(alg CertCompressionAlgorithm, codec CertCompressionCodec) error {
	return certcomp.Register(uint16(alg), certcomp.Codec{Compress: codec.Compress, Decompress: codec.Decompress})
}
