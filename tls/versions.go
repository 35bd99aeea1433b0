package tls

import "lucid/internal/version"

// Protocol versions, with crypto/tls's names and values. Only TLS 1.2 and
// TLS 1.3 are ever negotiated; the older ones are named so that they can be
// recognised and refused (RFC 8996).
const (
	VersionSSL30 = version.SSL30
	VersionTLS10 = version.TLS10
	VersionTLS11 = version.TLS11
	VersionTLS12 = version.TLS12
	VersionTLS13 = version.TLS13
)

// VersionName returns the name of a TLS version, such as "TLS 1.3", or a
// hexadecimal fallback for values it does not know.
func VersionName(v uint16) string { return version.Name(v) }
