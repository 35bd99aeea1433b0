package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// ClientKeyExchange is the TLS 1.2 client's key exchange message (RFC 5246
// §7.4.7). Its body has no self-describing form: what it holds depends on
// the negotiated key exchange, which only the engine knows. Data is the raw
// body; ECDHEPoint and EncryptedPreMaster decode it for the two key
// exchanges Lucid speaks.
type ClientKeyExchange struct {
	Data []byte // the whole body, never empty when parsed
}

// Type returns TypeClientKeyExchange.
func (m *ClientKeyExchange) Type() uint8 { return TypeClientKeyExchange }

// NewClientKeyExchangeECDHE returns the ClientKeyExchange of an ECDHE key
// exchange carrying point as ClientECDiffieHellmanPublic.ecdh_Yc (RFC 8422
// §5.7). If point is empty or longer than 255 bytes, Data is left empty
// and Marshal returns nil.
func NewClientKeyExchangeECDHE(point []byte) *ClientKeyExchange {
	m := &ClientKeyExchange{}
	m.SetECDHE(nil, point)
	return m
}

// SetECDHE makes m what NewClientKeyExchangeECDHE returns, appending Data
// to buf (with room for the point and its length byte, nothing is
// allocated).
func (m *ClientKeyExchange) SetECDHE(buf, point []byte) {
	if len(point) == 0 || len(point) > 0xff {
		*m = ClientKeyExchange{}
		return
	}
	*m = ClientKeyExchange{Data: append(append(buf[:0], byte(len(point))), point...)}
}

// NewClientKeyExchangeRSA returns the ClientKeyExchange of the RSA key
// exchange carrying encrypted, the RSA-encrypted PreMasterSecret, with
// its 2-byte length (RFC 5246 §7.4.7.1). If encrypted is empty or longer
// than 65535 bytes, Data is left empty and Marshal returns nil.
func NewClientKeyExchangeRSA(encrypted []byte) *ClientKeyExchange {
	if len(encrypted) == 0 || len(encrypted) > 0xffff {
		return &ClientKeyExchange{}
	}
	return &ClientKeyExchange{Data: append([]byte{byte(len(encrypted) >> 8), byte(len(encrypted))}, encrypted...)}
}

// Marshal returns the complete ClientKeyExchange message, header included.
// It returns nil if Data is empty, which no key exchange Lucid speaks
// produces (and which is what the constructors leave for a value that
// does not fit), or too long for a handshake message.
func (m *ClientKeyExchange) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst; where Marshal returns
// nil, dst comes back unchanged.
func (m *ClientKeyExchange) AppendMarshal(dst []byte) []byte {
	if len(m.Data) == 0 {
		return dst
	}
	return appendMessage(dst, TypeClientKeyExchange, func(b *builder) { b.raw(m.Data) })
}

// ParseClientKeyExchange takes a ClientKeyExchange body as it is. An empty
// body is rejected: the only key exchanges with an empty one use fixed
// (EC)DH client certificates (RFC 5246 §7.4.7.2, RFC 8422 §5.7 implicit),
// which Lucid does not support. The result does not alias body.
func ParseClientKeyExchange(body []byte) (*ClientKeyExchange, error) {
	return ParseClientKeyExchangeOwned(bytes.Clone(body))
}

// ParseClientKeyExchangeOwned is ParseClientKeyExchange for a body the
// caller hands over, as an engine does with a reassembled message: Data
// is body, which must not change afterwards.
func ParseClientKeyExchangeOwned(body []byte) (*ClientKeyExchange, error) {
	return parseNew(ParseClientKeyExchangeInto, body)
}

// ParseClientKeyExchangeInto is ParseClientKeyExchangeOwned filling m,
// which a caller keeps where it costs no allocation of its own.
func ParseClientKeyExchangeInto(m *ClientKeyExchange, body []byte) error {
	if len(body) == 0 {
		return alert.New(alert.DecodeError, "ClientKeyExchange: empty body")
	}
	*m = ClientKeyExchange{Data: body}
	return nil
}

// ECDHEPoint returns the point of an ECDHE ClientKeyExchange: Data read as
// ClientECDiffieHellmanPublic, an ECPoint with opaque point<1..2^8-1>
// (RFC 8422 §5.7). The point itself is not validated; that is the key
// agreement's job. The result does not alias Data.
func (m *ClientKeyExchange) ECDHEPoint() ([]byte, error) {
	p, err := m.ECDHEPointView()
	if err != nil {
		return nil, err
	}
	return bytes.Clone(p), nil
}

// ECDHEPointView is ECDHEPoint aliasing Data, for a caller that uses the
// point at once (a key agreement copies what it keeps).
func (m *ClientKeyExchange) ECDHEPointView() ([]byte, error) {
	r := newPooledReader("ClientKeyExchange", m.Data)
	defer r.release()
	p := r.vec(1, "ecdh_Yc", 1, 0xff)
	r.end()
	if err := r.err(); err != nil {
		return nil, err
	}
	return p, nil
}

// EncryptedPreMaster returns the RSA-encrypted PreMasterSecret of an RSA
// ClientKeyExchange: Data read as an opaque vector with a 2-byte length
// (RFC 5246 §7.4.7.1). Only the framing is checked here; those bytes are
// public. The engine must treat every failure of the decryption itself
// alike (RFC 5246 §7.4.7.1). The result does not alias Data.
func (m *ClientKeyExchange) EncryptedPreMaster() ([]byte, error) {
	r := newPooledReader("ClientKeyExchange", m.Data)
	defer r.release()
	p := r.vec(2, "EncryptedPreMasterSecret", 1, 0xffff)
	r.end()
	if err := r.err(); err != nil {
		return nil, err
	}
	return bytes.Clone(p), nil
}
