package pki

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
)

// serialBytes is the length of the serial numbers this CA makes. RFC 5280
// §4.1.2.2 allows up to 20 octets; 16 leaves room and, random, far exceeds
// the 64 bits of entropy the CA/Browser Forum asks for (BR §7.1).
const serialBytes = 16

// newSerial returns a random positive serial of exactly 16 octets in DER.
// The top bit of the first byte is cleared so the number is positive
// without a leading zero byte (which would make it 17 octets), and the
// next bit is set so it never shrinks to 15: every serial then prints as
// 32 hex digits, the same width in `lucid ca list` and `openssl x509
// -serial`. That leaves 126 random bits.
func newSerial() (*big.Int, error) {
	b := make([]byte, serialBytes)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("reading random bytes for a serial number: %w", err)
	}
	b[0] = b[0]&0x7f | 0x40
	return new(big.Int).SetBytes(b), nil
}

// FormatSerial writes a serial number the way `openssl x509 -serial -noout`
// does: upper-case hex, two digits per byte, no colons.
func FormatSerial(n *big.Int) string {
	s := strings.ToUpper(n.Text(16))
	if len(s)%2 == 1 {
		s = "0" + s
	}
	return s
}

// ParseSerial reads a serial number in hex, in either case, with or
// without colons between bytes (as `openssl x509 -text` shows them) and
// with or without the "serial=" that `openssl x509 -serial` prints.
func ParseSerial(s string) (*big.Int, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "serial=")
	t = strings.ReplaceAll(t, ":", "")
	if t == "" {
		return nil, fmt.Errorf("serial number %q is empty; give it in hex, as 'lucid ca list' prints it", s)
	}
	for _, r := range t {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return nil, fmt.Errorf("serial number %q is not hexadecimal (found %q); give it as 'lucid ca list' prints it", s, r)
		}
	}
	if len(t) > 2*20 {
		return nil, fmt.Errorf("serial number %q is longer than the 20 octets RFC 5280 allows", s)
	}
	n, _ := new(big.Int).SetString(t, 16)
	if n.Sign() == 0 {
		return nil, fmt.Errorf("serial number %q is zero; serial numbers are positive", s)
	}
	return n, nil
}
