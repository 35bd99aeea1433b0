package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// ServerHello is the server's reply to ClientHello (RFC 8446 §4.1.3, RFC
// 5246 §7.4.1.3), including its HelloRetryRequest form, which differs only
// in Random and in which extensions it may carry.
//
// Which extensions are legal depends on the form: a HelloRetryRequest
// (Random == HelloRetryRequestRandom) may carry key_share (as
// SelectedGroup), cookie and supported_versions; a TLS 1.3 ServerHello (one
// with supported_versions) may carry key_share (as KeyShare),
// pre_shared_key and supported_versions; any other ServerHello is TLS 1.2
// and may carry only the TLS 1.2 extensions. A recognised extension outside
// its form is rejected with illegal_parameter (RFC 8446 §4.2). Marshal picks
// the form the same way, from Random and SupportedVersion.
type ServerHello struct {
	LegacyVersion     uint16
	Random            [32]byte
	SessionID         []byte // legacy_session_id_echo
	CipherSuite       uint16
	CompressionMethod uint8

	SupportedVersion uint16   // supported_versions selected_version; 0 = absent
	KeyShare         KeyShare // ServerHello form of key_share; Group == 0 means absent
	SelectedGroup    uint16   // HelloRetryRequest form of key_share; 0 = absent
	Cookie           []byte   // HelloRetryRequest only
	HasPSK           bool     // pre_shared_key present
	SelectedIdentity uint16   // its selected_identity
	// ECHConfirmation is a HelloRetryRequest's encrypted_client_hello:
	// the 8-byte acceptance confirmation (RFC 9849 §7.2.1); nil = absent.
	ECHConfirmation []byte

	// TLS 1.2 extensions.
	ExtendedMasterSecret         bool
	SecureRenegotiationSupported bool
	SecureRenegotiation          []byte
	TicketSupported              bool
	ALPN                         string
	ECPointFormats               []uint8
	StatusRequest                bool
	SCTs                         [][]byte // signed_certificate_timestamp list
	ServerNameAck                bool     // empty server_name: the server used the client's name
	RecordSizeLimit              uint16   // 0 = absent

	// Extensions lists the extension types in the order received; the
	// engine checks each against what the client offered. Marshal treats
	// it as ClientHello.Extensions does.
	Extensions []uint16

	// Unknown holds the bodies of extensions without a field.
	Unknown map[uint16][]byte
}

// HelloRetryRequestRandom is the fixed Random of a HelloRetryRequest:
// SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3).
var HelloRetryRequestRandom = [32]byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// Type returns TypeServerHello; a HelloRetryRequest is a ServerHello on
// the wire.
func (m *ServerHello) Type() uint8 { return TypeServerHello }

// IsHelloRetryRequest reports whether m is a HelloRetryRequest, which RFC
// 8446 §4.1.3 identifies solely by its Random.
func (m *ServerHello) IsHelloRetryRequest() bool {
	return m.Random == HelloRetryRequestRandom
}

// pick returns the extension context for m's form.
func (m *ServerHello) pick() func(*extension) *hook[ServerHello] {
	switch {
	case m.IsHelloRetryRequest():
		return pickHRR
	case m.SupportedVersion != 0:
		return pickSH
	default:
		return pickSH12
	}
}

// serverHelloOrder is the order used when Extensions is nil; each form
// writes only the entries legal for it.
var serverHelloOrder = []*extension{
	extPreSharedKey, extKeyShare, extCookie, extSupportedVersions,
	extRenegotiationInfo, extServerName, extExtendedMasterSecret,
	extSessionTicket, extECPointFormats, extALPN, extStatusRequest,
	extRecordSizeLimit, extSCT, extECH,
}

// Marshal returns the complete ServerHello message, header included, or
// nil if a field is too long for its length prefix.
func (m *ServerHello) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *ServerHello) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeServerHello, func(b *builder) {
		b.u16(m.LegacyVersion)
		b.raw(m.Random[:])
		b.bytesVec(1, m.SessionID)
		b.u16(m.CipherSuite)
		b.u8(m.CompressionMethod)
		pick := m.pick()
		var room orderRoom
		order := extensionOrder(room[:0], m, m.Extensions, serverHelloOrder, pick, m.Unknown)
		if m.Extensions != nil || len(order) > 0 {
			writeExtensions(b, m, order, pick, m.Unknown)
		}
	})
}

// ParseServerHello parses a ServerHello or HelloRetryRequest body (the
// bytes after the handshake header). The result does not alias body.
func ParseServerHello(body []byte) (*ServerHello, error) { return parseServerHello(bytes.Clone(body)) }

// ParseServerHelloOwned is ParseServerHello for a body the caller hands over, as an
// engine does with each whole message it is given: the result may alias
// body, which must not change afterwards, and no copy is made.
func ParseServerHelloOwned(body []byte) (*ServerHello, error) { return parseServerHello(body) }

func parseServerHello(body []byte) (*ServerHello, error) {
	r := newPooledReader("ServerHello", body)
	defer r.release()
	m := &ServerHello{}
	m.LegacyVersion = r.u16("legacy_version")
	copy(m.Random[:], r.take(32, "random"))
	if m.IsHelloRetryRequest() {
		r.field = "HelloRetryRequest"
	}
	m.SessionID = r.vec(1, "legacy_session_id_echo", 0, 32)
	m.CipherSuite = r.u16("cipher_suite")
	m.CompressionMethod = r.u8("legacy_compression_method")
	// A TLS 1.2 ServerHello may omit the extensions block (RFC 5246
	// §7.4.1.3).
	if r.more() {
		duplicate := alert.DecodeError
		if m.IsHelloRetryRequest() {
			duplicate = alert.IllegalParameter
		}
		var room extensionRoom
		exts := readExtensionBlock(room[:0], r, 0, 0xffff, duplicate)
		r.end()
		if !r.ok() {
			return nil, r.err()
		}
		m.Extensions = extensionTypes(r.st, exts)
		pick, in := pickSH12, "a TLS 1.2 ServerHello"
		if m.IsHelloRetryRequest() {
			pick, in = pickHRR, "a HelloRetryRequest"
		} else {
			// RFC 8446 §4.1.3: supported_versions is what makes a
			// ServerHello a TLS 1.3 one; its position in the block
			// is irrelevant, hence the look-ahead.
			for _, e := range exts {
				if e.typ == ExtSupportedVersions {
					pick, in = pickSH, "a TLS 1.3 ServerHello"
				}
			}
		}
		dispatch(r, m, in, exts, pick, keepInto(&m.Unknown, exts))
	}
	// RFC 8446 §4.1.3: legacy_compression_method MUST have the value 0.
	// In TLS 1.2 it must be one the client offered, and Lucid only
	// offers null compression. Which version this is shows only in the
	// extensions, so the check comes after them: in TLS 1.3 a non-zero
	// value is out of its range (decode_error), in TLS 1.2 it names a
	// method never offered (illegal_parameter).
	if r.ok() && m.CompressionMethod != 0 {
		bad := alert.IllegalParameter
		if m.IsHelloRetryRequest() || m.SupportedVersion != 0 {
			bad = alert.DecodeError
		}
		r.failf(bad, "compression method %d is not null(0)", m.CompressionMethod)
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
