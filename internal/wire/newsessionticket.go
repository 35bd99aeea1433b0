package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// NewSessionTicket is the TLS 1.3 post-handshake ticket (RFC 8446 §4.6.1).
type NewSessionTicket struct {
	Lifetime     uint32 // ticket_lifetime, seconds
	AgeAdd       uint32 // ticket_age_add
	Nonce        []byte // ticket_nonce, 0..255 bytes
	Ticket       []byte // never empty when parsed
	MaxEarlyData uint32 // early_data max_early_data_size; 0 = absent
}

// Type returns TypeNewSessionTicket.
func (m *NewSessionTicket) Type() uint8 { return TypeNewSessionTicket }

var newSessionTicketOrder = []*extension{extEarlyData}

// Marshal returns the complete NewSessionTicket message, header included,
// or nil if a field is too long for its length prefix.
func (m *NewSessionTicket) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *NewSessionTicket) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeNewSessionTicket, func(b *builder) {
		b.u32(m.Lifetime)
		b.u32(m.AgeAdd)
		b.bytesVec(1, m.Nonce)
		b.bytesVec(2, m.Ticket)
		var room orderRoom
		order := extensionOrder(room[:0], m, nil, newSessionTicketOrder, pickNST, nil)
		writeExtensions(b, m, order, pickNST, nil)
	})
}

// ParseNewSessionTicket parses a TLS 1.3 NewSessionTicket body. Unknown
// extensions are ignored. The result does not alias body.
func ParseNewSessionTicket(body []byte) (*NewSessionTicket, error) {
	r := newPooledReader("NewSessionTicket", bytes.Clone(body))
	defer r.release()
	m := &NewSessionTicket{}
	m.Lifetime = r.u32("ticket_lifetime")
	m.AgeAdd = r.u32("ticket_age_add")
	m.Nonce = r.vec(1, "ticket_nonce", 0, 0xff)
	m.Ticket = r.vec(2, "ticket", 1, 0xffff)
	var room extensionRoom
	exts := readExtensionBlock(room[:0], r, 0, 0xfffe, alert.IllegalParameter)
	r.end()
	dispatch(r, m, "a NewSessionTicket", exts, pickNST, nil)
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
