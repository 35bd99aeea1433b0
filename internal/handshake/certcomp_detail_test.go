package handshake_test

import (
	"testing"

	"lucid/internal/handshake"
)

// A Certificate event's Detail reads back into the algorithm and both
// sizes; a Detail that is not a compressed certificate's shape yields
// nothing, never a size read from the wrong place.
func TestParseCompressedCertificateDetail(t *testing.T) {
	for _, c := range []struct {
		detail    string
		alg       string
		unc, comp int
	}{
		{"CompressedCertificate brotli: 482 bytes sent as 461", "brotli", 482, 461},
		{"CompressedCertificate zstd: 2950 bytes sent as 1710", "zstd", 2950, 1710},
	} {
		alg, unc, comp, ok := handshake.ParseCompressedCertificateDetail(c.detail)
		if !ok || alg != c.alg || unc != c.unc || comp != c.comp {
			t.Errorf("%q: got %q %d %d %v", c.detail, alg, unc, comp, ok)
		}
	}
	for _, bad := range []string{
		"", "brotli: 482 bytes sent as 461", "CompressedCertificate : 1 bytes sent as 1", "CompressedCertificate zlib: many bytes",
		"CompressedCertificate ", "CompressedCertificate brotli", "CompressedCertificate brotli: bytes sent as 1",
		"CompressedCertificate brotli: 12 bytes", "CompressedCertificate brotli: -5 bytes sent as 3", "CompressedCertificate brotli: 5 bytes sent as -3",
	} {
		if _, _, _, ok := handshake.ParseCompressedCertificateDetail(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
