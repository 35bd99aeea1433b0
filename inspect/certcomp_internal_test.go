package inspect

import "testing"

// A Certificate detail that is not the handshake's shape yields nothing,
// never a size read from the wrong place.
func TestParseCompressionDetail(t *testing.T) {
	alg, unc, comp, ok := parseCompressionDetail("zstd: 2950 bytes sent as 1710")
	if !ok || alg != "zstd" || unc != 2950 || comp != 1710 {
		t.Errorf("got %q %d %d %v", alg, unc, comp, ok)
	}
	for _, bad := range []string{"", "brotli", ": 1 bytes sent as 1", "brotli: bytes sent as 1", "brotli: 12 bytes", "brotli: -5 bytes sent as 3", "brotli: 5 bytes sent as -3"} {
		if _, _, _, ok := parseCompressionDetail(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
