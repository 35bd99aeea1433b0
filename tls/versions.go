package tls

import "fmt"

// Protocol versions, with crypto/tls's names and values. Only TLS 1.2 and
// TLS 1.3 are ever negotiated; the older ones are named so that they can be
// recognised and refused (RFC 8996).
const (
	VersionSSL30 = 0x0300
	VersionTLS10 = 0x0301
	VersionTLS11 = 0x0302
	VersionTLS12 = 0x0303
	VersionTLS13 = 0x0304
)

// versionNames is indexed by the minor version byte.
var versionNames = [...]string{"SSLv3", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// VersionName returns the name of a TLS version, such as "TLS 1.3", or a
// hexadecimal fallback for values it does not know.
func VersionName(version uint16) string {
	if version>>8 == 3 && int(version&0xff) < len(versionNames) {
		return versionNames[version&0xff]
	}
	return fmt.Sprintf("0x%04X", version)
}
