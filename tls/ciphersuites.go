package tls

import (
	"fmt"

	"lucid/internal/suites"
)

// TLS 1.3 cipher suites (RFC 8446 §B.4), with crypto/tls's names and values.
const (
	TLS_AES_128_GCM_SHA256       = suites.TLS_AES_128_GCM_SHA256
	TLS_AES_256_GCM_SHA384       = suites.TLS_AES_256_GCM_SHA384
	TLS_CHACHA20_POLY1305_SHA256 = suites.TLS_CHACHA20_POLY1305_SHA256
)

// TLS 1.2 cipher suites, named with crypto/tls's names and values so that
// configurations carry over; the TLS 1.2 engine negotiates them. The ECDHE
// AEAD suites (the first group) are the defaults; the others are legacy,
// used only when named in Config.CipherSuites.
const (
	TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256       = suites.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
	TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384       = suites.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
	TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 = suites.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
	TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256         = suites.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
	TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384         = suites.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
	TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256   = suites.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256

	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA    = suites.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
	TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA    = suites.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
	TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 = suites.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA      = suites.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
	TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA      = suites.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
	TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256   = suites.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256
	TLS_RSA_WITH_AES_128_GCM_SHA256         = suites.TLS_RSA_WITH_AES_128_GCM_SHA256
	TLS_RSA_WITH_AES_256_GCM_SHA384         = suites.TLS_RSA_WITH_AES_256_GCM_SHA384
	TLS_RSA_WITH_AES_128_CBC_SHA            = suites.TLS_RSA_WITH_AES_128_CBC_SHA
	TLS_RSA_WITH_AES_256_CBC_SHA            = suites.TLS_RSA_WITH_AES_256_CBC_SHA
	TLS_RSA_WITH_AES_128_CBC_SHA256         = suites.TLS_RSA_WITH_AES_128_CBC_SHA256
)

// CipherSuiteName returns the standard name of a cipher suite, such as
// "TLS_AES_128_GCM_SHA256", or a hexadecimal fallback.
func CipherSuiteName(id uint16) string {
	if s := suites.Lookup13(id); s != nil {
		return s.Name
	}
	if s := suites.Lookup12(id); s != nil {
		return s.Name
	}
	return fmt.Sprintf("0x%04X", id)
}
