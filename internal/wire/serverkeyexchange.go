package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// curveTypeNamed is ECCurveType named_curve (RFC 8422 §5.4), the only
// value left once explicit curves were deprecated.
const curveTypeNamed = 3

// ServerKeyExchangeECDHE is the ServerKeyExchange of the ECDHE_ECDSA and
// ECDHE_RSA key exchanges in TLS 1.2 (RFC 8422 §5.4, RFC 5246 §7.4.3):
// ServerECDHParams for a named curve followed by a digitally-signed
// Signature over the two hello randoms and those params.
type ServerKeyExchangeECDHE struct {
	Group     uint16 // NamedCurve (NamedGroup), not checked against any list
	PublicKey []byte // ECPoint.point, 1..255 bytes
	Scheme    uint16 // SignatureAndHashAlgorithm as hash<<8 | signature (RFC 5246 §7.4.1.4.1)
	Signature []byte // never empty when parsed
}

// Type returns TypeServerKeyExchange.
func (m *ServerKeyExchangeECDHE) Type() uint8 { return TypeServerKeyExchange }

// writeParams appends ServerECDHParams: curve_type, namedcurve, and the
// point with its 1-byte length.
func (m *ServerKeyExchangeECDHE) writeParams(b *builder) {
	b.u8(curveTypeNamed)
	b.u16(m.Group)
	b.bytesVec(1, m.PublicKey)
}

// Params returns the encoded ServerECDHParams (curve_type, namedcurve,
// length-prefixed point): the bytes that signed_params covers after
// ClientHello.random and ServerHello.random (RFC 8422 §5.4). The encoding
// has exactly one form, so for a parsed message these are the bytes that
// were received. It returns nil if PublicKey is longer than 255 bytes.
func (m *ServerKeyExchangeECDHE) Params() []byte { return m.AppendParams(nil) }

// AppendParams appends what Params returns to dst, so that the signed
// content (the randoms, then the params) is built in one buffer; for a
// point longer than 255 bytes dst comes back unchanged, and nil if it
// was nil.
func (m *ServerKeyExchangeECDHE) AppendParams(dst []byte) []byte {
	if len(m.PublicKey) > 0xff {
		return dst
	}
	dst = append(dst, curveTypeNamed, byte(m.Group>>8), byte(m.Group), byte(len(m.PublicKey)))
	return append(dst, m.PublicKey...)
}

// Marshal returns the complete ServerKeyExchange message, header included,
// or nil if the point or the signature is too long for its length prefix.
func (m *ServerKeyExchangeECDHE) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *ServerKeyExchangeECDHE) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeServerKeyExchange, func(b *builder) {
		m.writeParams(b)
		b.u16(m.Scheme)
		b.bytesVec(2, m.Signature)
	})
}

// ParseServerKeyExchangeECDHE parses an ECDHE ServerKeyExchange body:
// ServerECDHParams then a TLS 1.2 digitally-signed Signature
// (SignatureAndHashAlgorithm, opaque signature<1..2^16-1>). A curve_type
// other than named_curve is answered with illegal_parameter: the explicit
// curve types are deprecated (RFC 8422 §5.4) and nothing else is defined.
// The anonymous form, which has no signature, is not accepted. The result
// does not alias body.
func ParseServerKeyExchangeECDHE(body []byte) (*ServerKeyExchangeECDHE, error) {
	return ParseServerKeyExchangeECDHEOwned(bytes.Clone(body))
}

// ParseServerKeyExchangeECDHEOwned is ParseServerKeyExchangeECDHE for a
// body the caller hands over, as an engine does with a reassembled
// message: the result aliases body, which must not change afterwards.
func ParseServerKeyExchangeECDHEOwned(body []byte) (*ServerKeyExchangeECDHE, error) {
	return parseNew(ParseServerKeyExchangeECDHEInto, body)
}

// ParseServerKeyExchangeECDHEInto is ParseServerKeyExchangeECDHEOwned
// filling m, which a caller keeps where it costs no allocation of its own.
func ParseServerKeyExchangeECDHEInto(m *ServerKeyExchangeECDHE, body []byte) error {
	r := newPooledReader("ServerKeyExchange", body)
	defer r.release()
	*m = ServerKeyExchangeECDHE{}
	if t := r.u8("curve_type"); r.ok() && t != curveTypeNamed {
		r.failf(alert.IllegalParameter, "curve_type %d is not named_curve(3)", t)
	}
	m.Group = r.u16("namedcurve")
	m.PublicKey = r.vec(1, "point", 1, 0xff)
	m.Scheme = r.u16("algorithm")
	m.Signature = r.vec(2, "signature", 1, 0xffff)
	r.end()
	return r.err()
}
