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

// String returns the constant's name, as crypto/tls does ("X25519",
// "CurveP256"), so logs read the same after switching imports; unknown
// values print as their IANA name or code point.
func (c CurveID) String() string {
	switch c {
	case CurveP256:
		return "CurveP256"
	case CurveP384:
		return "CurveP384"
	case CurveP521:
		return "CurveP521"
	case X25519:
		return "X25519"
	}
	return kex.Name(uint16(c))
}

// defaultCurves offers the post-quantum hybrid first, as current browsers
// do, then the classical groups, strongest-needed last: P-521 is there, as
// in crypto/tls, for the peers that accept nothing else.
var defaultCurves = []CurveID{X25519MLKEM768, X25519, CurveP256, CurveP384, CurveP521}
