package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// EncryptedExtensions carries the TLS 1.3 server's answers to extensions
// that do not establish keys (RFC 8446 §4.3.1).
type EncryptedExtensions struct {
	ServerNameAck   bool     // empty server_name: the server used the client's name
	ALPN            string   // the single selected protocol; "" = absent
	SupportedGroups []uint16 // the server's preference, for the client's next connection
	EarlyData       bool     // the server accepted 0-RTT data
	RecordSizeLimit uint16   // 0 = absent
	// ECHRetryConfigs is encrypted_client_hello's retry_configs, an
	// ECHConfigList with its length prefix (RFC 9849 §5); nil = absent.
	ECHRetryConfigs []byte

	// Extensions lists the extension types in the order received, for the
	// engine to check each was offered (RFC 8446 §4.2: otherwise
	// unsupported_extension). Marshal treats it as ClientHello.Extensions
	// does.
	Extensions []uint16

	// Unknown holds the bodies of extensions without a field.
	Unknown map[uint16][]byte
}

// Type returns TypeEncryptedExtensions.
func (m *EncryptedExtensions) Type() uint8 { return TypeEncryptedExtensions }

var encryptedExtensionsOrder = []*extension{
	extServerName, extSupportedGroups, extALPN, extRecordSizeLimit, extEarlyData, extECH,
}

// Marshal returns the complete EncryptedExtensions message, header
// included, or nil if a field is too long for its length prefix.
func (m *EncryptedExtensions) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *EncryptedExtensions) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeEncryptedExtensions, func(b *builder) {
		var room orderRoom
		order := extensionOrder(room[:0], m, m.Extensions, encryptedExtensionsOrder, pickEE, m.Unknown)
		writeExtensions(b, m, order, pickEE, m.Unknown)
	})
}

// ParseEncryptedExtensions parses an EncryptedExtensions body:
// Extension extensions<0..2^16-1>. The result does not alias body.
func ParseEncryptedExtensions(body []byte) (*EncryptedExtensions, error) {
	return parseEncryptedExtensions(bytes.Clone(body))
}

// ParseEncryptedExtensionsOwned is ParseEncryptedExtensions for a body the caller hands over, as an
// engine does with each whole message it is given: the result may alias
// body, which must not change afterwards, and no copy is made.
func ParseEncryptedExtensionsOwned(body []byte) (*EncryptedExtensions, error) {
	return parseEncryptedExtensions(body)
}

func parseEncryptedExtensions(body []byte) (*EncryptedExtensions, error) {
	r := newPooledReader("EncryptedExtensions", body)
	defer r.release()
	m := &EncryptedExtensions{}
	var room extensionRoom
	exts := readExtensionBlock(room[:0], r, 0, 0xffff, alert.DecodeError)
	r.end()
	m.Extensions = extensionTypes(r.st, exts)
	dispatch(r, m, "EncryptedExtensions", exts, pickEE, keepInto(&m.Unknown, exts))
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
