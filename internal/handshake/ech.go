package handshake

import (
	"crypto/hpke"
	"strings"

	"lucid/internal/wire"
)

// ECHKey is one of a server's Encrypted Client Hello keys: the ECHConfig it
// published and the KEM private key for that config's public key.
type ECHKey struct {
	Config wire.ECHConfig
	Key    hpke.PrivateKey
	// SendAsRetry puts Config in the retry_configs of a hello the server
	// could not decrypt (RFC 9849 §7.1).
	SendAsRetry bool
}

// DecisionECH is the Encrypted Client Hello decision: offered (to which
// public name, under which config), GREASE, accepted, or rejected and why.
const DecisionECH EventName = "ech"

// InnerClientHello is the Name of the events that show the inner
// ClientHello: sent encrypted inside the outer one by a client, decrypted
// by a server. The outer hello, the one on the wire, is an ordinary
// ClientHello event.
const InnerClientHello = "ClientHelloInner"

// emitInner reports the inner hello, which no record carries in the clear.
func (c *Config) emitInner(kind EventKind, length int, m *wire.ClientHello) {
	if c.Observe == nil {
		return
	}
	c.emit(Event{Kind: kind, Name: InnerClientHello, Length: length, Message: m,
		Detail: "the real ClientHello, encrypted inside the outer one's encrypted_client_hello extension"})
}

// echInfoPrefix starts HPKE's info for ECH: "tls ech", a zero byte, then
// the ECHConfig (RFC 9849 §6.1).
const echInfoPrefix = "tls ech\x00"

func echInfo(config []byte) []byte {
	return append([]byte(echInfoPrefix), config...)
}

// echTagLen is the expansion of every AEAD ECH uses here (RFC 9180 §7.3:
// Nt is 16 for AES-GCM and ChaCha20-Poly1305).
const echTagLen = 16

// echSuite returns the HPKE KDF and AEAD for s if Lucid offers them: the
// HKDF KDFs and the three AEADs of RFC 9180 §7.2, §7.3.
func echSuite(s wire.ECHSuite) (hpke.KDF, hpke.AEAD, bool) {
	switch s.KDF {
	case 0x0001, 0x0002, 0x0003:
	default:
		return nil, nil, false
	}
	switch s.AEAD {
	case 0x0001, 0x0002, 0x0003:
	default:
		return nil, nil, false
	}
	kdf, err := hpke.NewKDF(s.KDF)
	if err != nil {
		return nil, nil, false
	}
	aead, err := hpke.NewAEAD(s.AEAD)
	if err != nil {
		return nil, nil, false
	}
	return kdf, aead, true
}

// echKEM returns the KEM for id if Lucid offers it: DHKEM over X25519,
// P-256, P-384 or P-521 (RFC 9180 §7.1).
func echKEM(id uint16) (hpke.KEM, bool) {
	switch id {
	case 0x0010, 0x0011, 0x0012, 0x0020:
	default:
		return nil, false
	}
	kem, err := hpke.NewKEM(id)
	return kem, err == nil
}

// ValidPublicName reports whether name may serve as an ECHConfig's
// public_name (RFC 9849 §6.1.7): a dot-separated sequence of LDH labels
// (RFC 5890 §2.3.1: letters, digits and hyphens, no hyphen at either end,
// at most 63 octets), neither beginning nor ending with a dot, whose last
// label does not read as an IPv4 number. Server names may carry more
// (an underscore, say); a public name may not.
func ValidPublicName(name string) bool {
	if name == "" || len(name) > 253 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if !ldhLabel(label) {
			return false
		}
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	digits := true
	for _, c := range last {
		digits = digits && c >= '0' && c <= '9'
	}
	if digits {
		return false
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		hex := true
		for _, c := range last[2:] {
			hex = hex && strings.ContainsRune("0123456789abcdefABCDEF", c)
		}
		if hex {
			return false
		}
	}
	return true
}

// ldhLabel reports whether label is an LDH label (RFC 5890 §2.3.1).
func ldhLabel(label string) bool {
	if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
