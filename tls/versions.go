package tls

import "fmt"

// Protocol versions, with crypto/tls's names and values.
const (
	VersionTLS10 = 0x0301
	VersionTLS11 = 0x0302
	VersionTLS12 = 0x0303
	VersionTLS13 = 0x0304
	// VersionSSL30 is named only so that it can be recognised and refused.
	VersionSSL30 = 0x0300
)

// VersionName returns the name of a TLS version, such as "TLS 1.3", or a
// hexadecimal fallback for values it does not know.
func VersionName(version uint16) string {
	switch version {
	case VersionSSL30:
		return "SSLv3"
	case VersionTLS10:
		return "TLS 1.0"
	case VersionTLS11:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	case VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04X", version)
}
