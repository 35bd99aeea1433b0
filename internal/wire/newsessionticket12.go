package wire

import "bytes"

// NewSessionTicket12 is the TLS 1.2 session ticket message (RFC 5077
// §3.3). Its message type is the same as TLS 1.3's NewSessionTicket; the
// engine knows which version it is reading.
type NewSessionTicket12 struct {
	LifetimeHint uint32 // ticket_lifetime_hint, seconds; 0 = unspecified
	// Ticket is opaque to the client, at most 65535 bytes. It may be
	// empty: a server that announced a ticket but then decides not to
	// issue one sends a zero-length ticket (RFC 5077 §3.3).
	Ticket []byte
}

// Type returns TypeNewSessionTicket.
func (m *NewSessionTicket12) Type() uint8 { return TypeNewSessionTicket }

// Marshal returns the complete NewSessionTicket message, header included,
// or nil if the ticket is longer than 65535 bytes.
func (m *NewSessionTicket12) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *NewSessionTicket12) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeNewSessionTicket, func(b *builder) {
		b.u32(m.LifetimeHint)
		b.bytesVec(2, m.Ticket)
	})
}

// ParseNewSessionTicket12 parses a TLS 1.2 NewSessionTicket body: uint32
// ticket_lifetime_hint; opaque ticket<0..2^16-1>. An empty ticket gives a
// nil Ticket. The result does not alias body.
func ParseNewSessionTicket12(body []byte) (*NewSessionTicket12, error) {
	r := newPooledReader("NewSessionTicket", bytes.Clone(body))
	defer r.release()
	m := &NewSessionTicket12{}
	m.LifetimeHint = r.u32("ticket_lifetime_hint")
	m.Ticket = r.vec(2, "ticket", 0, 0xffff)
	r.end()
	if err := r.err(); err != nil {
		return nil, err
	}
	return m, nil
}
