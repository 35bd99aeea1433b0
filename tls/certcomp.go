package tls

import (
	"strconv"

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

// defaultCertCompression is brotli first, as browsers offer it, then
// zstd, then zlib, the one every RFC 8879 implementation has.
var defaultCertCompression = []uint16{wire.CertCompressionBrotli, wire.CertCompressionZstd, wire.CertCompressionZlib}

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
