package handshake

import (
	"lucid/internal/version"

	"bytes"
)

// Downgrade sentinels (RFC 8446 §4.1.3): a server that could speak TLS 1.3
// but negotiates TLS 1.2 ends its random with these bytes, so a client that
// offered 1.3 detects an attacker who stripped it from the ClientHello.
var (
	downgradeTLS12 = []byte("DOWNGRD\x01")
	downgradeTLS11 = []byte("DOWNGRD\x00")
)

// hasDowngradeSentinel reports whether a ServerHello random says the server
// was pushed below the version the client offered.
func hasDowngradeSentinel(random [32]byte) bool {
	tail := random[24:]
	return bytes.Equal(tail, downgradeTLS12) || bytes.Equal(tail, downgradeTLS11)
}

// allows reports whether v is within the configured range. A zero range
// means TLS 1.3 alone, what the engines spoke before TLS 1.2 existed here.
func (c *Config) allows(v uint16) bool {
	lo, hi := c.MinVersion, c.MaxVersion
	if lo == 0 {
		lo = version.TLS13
	}
	if hi == 0 {
		hi = version.TLS13
	}
	return lo <= v && v <= hi
}
