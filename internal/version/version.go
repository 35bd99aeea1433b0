// Package version holds the TLS protocol version numbers as they travel on
// the wire (RFC 8446 §4.2.1, RFC 5246 §6.2.1) and their names. It is a leaf
// so that every layer, from the record framing to the public tls package,
// refers to the one definition.
package version

import "fmt"

// Protocol versions. They are untyped, as crypto/tls's are, so that the
// public tls constants can be these without changing their kind. Only
// TLS 1.2 and TLS 1.3 are negotiated; the older ones are named so that they
// can be recognised and refused (RFC 8996).
const (
	SSL30 = 0x0300
	TLS10 = 0x0301
	TLS11 = 0x0302
	TLS12 = 0x0303
	TLS13 = 0x0304
)

// names is indexed by the minor version byte.
var names = [...]string{"SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}

// Name returns the name of a version, such as "TLS 1.3", or its value in
// hexadecimal when it is not one of the versions above.
func Name(v uint16) string {
	if v>>8 == 3 && int(v&0xff) < len(names) {
		return names[v&0xff]
	}
	return fmt.Sprintf("0x%04X", v)
}
