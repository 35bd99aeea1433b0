package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// ClientHello is the client's first flight (RFC 8446 §4.1.2; RFC 5246
// §7.4.1.2), with the extensions Lucid understands decoded into fields.
// For an extension held in a field, the zero value means absent unless a
// Has/Supported flag says otherwise.
type ClientHello struct {
	LegacyVersion      uint16
	Random             [32]byte
	SessionID          []byte   // legacy_session_id, 0..32 bytes
	CipherSuites       []uint16 // never empty when parsed
	CompressionMethods []uint8  // never empty when parsed

	ServerName                   string   // host_name from server_name (RFC 6066 §3); other name types are skipped
	ServerNameIP                 string   // an IP literal sent as host_name, which names no host and is not ServerName
	SupportedGroups              []uint16 // supported_groups
	ECPointFormats               []uint8  // ec_point_formats (TLS 1.2)
	SignatureSchemes             []uint16 // signature_algorithms
	SignatureSchemesCert         []uint16 // signature_algorithms_cert
	ALPN                         []string // application_layer_protocol_negotiation; each name non-empty
	SupportedVersions            []uint16 // supported_versions
	KeyShares                    []KeyShare
	HasKeyShare                  bool // key_share present, possibly with an empty list (asking for HelloRetryRequest)
	Cookie                       []byte
	PSKModes                     []uint8 // psk_key_exchange_modes
	PSKIdentities                []PSKIdentity
	PSKBinders                   [][]byte // one per identity, same order
	EarlyData                    bool
	ExtendedMasterSecret         bool
	SecureRenegotiationSupported bool   // renegotiation_info present
	SecureRenegotiation          []byte // its renegotiated_connection (empty on an initial handshake)
	TicketSupported              bool   // session_ticket present
	SessionTicket                []byte // its contents (empty when asking for a new ticket)
	StatusRequest                bool   // status_request present with status_type ocsp
	SCT                          bool   // signed_certificate_timestamp present
	RecordSizeLimit              uint16 // 0 = absent; received values below 64 are rejected
	CertificateAuthorities       [][]byte
	PostHandshakeAuth            bool     // post_handshake_auth present
	CertCompressionAlgorithms    []uint16 // compress_certificate (RFC 8879 §3), in preference order
	PaddingLen                   int      // padding extension length; when marshalling, 0 = no padding
	// ECH is encrypted_client_hello (RFC 9849 §5): the outer variant with
	// the encrypted inner hello, or the inner variant; nil when absent.
	ECH *ECHClientHello

	// Extensions lists the extension types in the order received, GREASE
	// included, for fingerprinting (JA3/JA4). When marshalling, nil means
	// "every extension that has a value, in a fixed sensible order"; a
	// non-nil list means exactly the listed types in that order, each
	// written from its field or, failing that, from Unknown. A non-nil
	// list also forces an extensions block even if it ends up empty. In
	// every case pre_shared_key is written last (RFC 8446 §4.2.11).
	Extensions []uint16

	// Unknown holds the bodies of extensions without a field: unknown and
	// GREASE types, and recognised ones whose content no field can hold
	// (a non-OCSP status_request, a server_name with no host_name, an
	// empty padding). Marshal writes them back.
	Unknown map[uint16][]byte
}

// Type returns TypeClientHello.
func (m *ClientHello) Type() uint8 { return TypeClientHello }

// clientHelloOrder is the order used when Extensions is nil. padding and
// pre_shared_key are moved behind any unknown extensions afterwards.
var clientHelloOrder = []*extension{
	extServerName, extExtendedMasterSecret, extRenegotiationInfo,
	extSupportedGroups, extECPointFormats, extSessionTicket, extALPN,
	extStatusRequest, extSCT, extSignatureAlgorithms,
	extSignatureAlgorithmsCert, extKeyShare, extPSKKeyExchangeModes,
	extSupportedVersions, extCookie, extEarlyData, extCertificateAuthorities,
	extPostHandshakeAuth, extCompressCertificate, extRecordSizeLimit, extECH, extPadding, extPreSharedKey,
}

// extensionOrder returns the types Marshal will consider, in order.
func (m *ClientHello) extensionOrder(dst []uint16) []uint16 {
	order := extensionOrder(dst, m, m.Extensions, clientHelloOrder, pickCH, m.Unknown)
	if m.Extensions == nil {
		// Padding conventionally sits at the end, where it can be sized
		// once everything else is known.
		order = moveToEnd(order, ExtPadding)
	}
	// RFC 8446 §4.2.11: pre_shared_key MUST be the last extension, which
	// is what lets binders be computed over everything before them.
	return moveToEnd(order, ExtPreSharedKey)
}

// Marshal returns the complete ClientHello message, header included, or nil
// if a field is too long for its length prefix.
func (m *ClientHello) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *ClientHello) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeClientHello, func(b *builder) {
		b.u16(m.LegacyVersion)
		b.raw(m.Random[:])
		b.bytesVec(1, m.SessionID)
		b.u16s(2, m.CipherSuites)
		b.bytesVec(1, m.CompressionMethods)
		var room orderRoom
		order := m.extensionOrder(room[:0])
		// A TLS 1.2 ClientHello may omit the extensions block entirely
		// (RFC 5246 §7.4.1.2); we do so only when there is nothing to
		// say and the caller did not ask for an explicit block.
		if m.Extensions != nil || len(order) > 0 {
			writeExtensions(b, m, order, pickCH, m.Unknown)
		}
	})
}

// BindersLen returns the length in bytes of the binders list, including
// its 2-byte length prefix, as Marshal writes it; 0 if Marshal writes no
// pre_shared_key from PSKIdentities and PSKBinders. Because pre_shared_key
// is always last, Marshal()[:len-BindersLen()] is the truncated ClientHello
// that RFC 8446 §4.2.11.2 binders are computed over.
func (m *ClientHello) BindersLen() int {
	if len(m.PSKIdentities) == 0 {
		return 0
	}
	var room orderRoom
	order := m.extensionOrder(room[:0])
	if len(order) == 0 || order[len(order)-1] != ExtPreSharedKey {
		return 0
	}
	n := 2
	for _, b := range m.PSKBinders {
		n += 1 + len(b)
	}
	return n
}

// ParseClientHello parses a ClientHello body (the bytes after the handshake
// header). The result does not alias body.
func ParseClientHello(body []byte) (*ClientHello, error) { return parseClientHello(bytes.Clone(body)) }

// ParseClientHelloOwned is ParseClientHello for a body the caller hands over, as an
// engine does with each whole message it is given: the result may alias
// body, which must not change afterwards, and no copy is made.
func ParseClientHelloOwned(body []byte) (*ClientHello, error) { return parseClientHello(body) }

func parseClientHello(body []byte) (*ClientHello, error) {
	r := newPooledReader("ClientHello", body)
	defer r.release()
	m := &ClientHello{}
	m.LegacyVersion = r.u16("legacy_version")
	copy(m.Random[:], r.take(32, "random"))
	m.SessionID = r.vec(1, "legacy_session_id", 0, 32)
	m.CipherSuites = r.u16s(2, "cipher_suites", 2, 0xfffe)
	m.CompressionMethods = r.vec(1, "legacy_compression_methods", 1, 0xff)
	// RFC 5246 §7.4.1.2: a ClientHello may end here; the presence of
	// extensions is detected by bytes following the compression methods.
	if r.more() {
		var room extensionRoom
		exts := readExtensionBlock(room[:0], r, 0, 0xffff, alert.DecodeError)
		r.end()
		if !r.ok() {
			return nil, r.err()
		}
		// RFC 8446 §4.2.11: servers MUST check that pre_shared_key is
		// the last extension and otherwise fail with illegal_parameter.
		for i, e := range exts {
			if e.typ == ExtPreSharedKey && i != len(exts)-1 {
				r.failf(alert.IllegalParameter, "pre_shared_key is extension %d of %d; it must be last", i+1, len(exts))
				return nil, r.err()
			}
		}
		m.Extensions = extensionTypes(r.st, exts)
		dispatch(r, m, "a ClientHello", exts, pickCH, keepInto(&m.Unknown, exts))
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
