package tls

import "lucid/internal/kex"

// CurveID is a TLS named group (RFC 8446 §4.2.7), with crypto/tls's values.
type CurveID uint16

// Named groups Lucid implements.
const (
	CurveP256      CurveID = CurveID(kex.P256)
	CurveP384      CurveID = CurveID(kex.P384)
	CurveP521      CurveID = CurveID(kex.P521)
	X25519         CurveID = CurveID(kex.X25519)
	X25519MLKEM768 CurveID = CurveID(kex.X25519MLKEM768)
)

// String returns the group's IANA name.
func (c CurveID) String() string { return kex.Name(uint16(c)) }

// defaultCurves offers the post-quantum hybrid first, as current browsers
// do, then the classical groups.
var defaultCurves = []CurveID{X25519MLKEM768, X25519, CurveP256, CurveP384}
