package wire

import "lucid/internal/alert"

// KeyUpdate announces that the sender is switching to new traffic keys
// (RFC 8446 §4.6.3).
type KeyUpdate struct {
	RequestUpdate bool // update_requested: the peer must answer with its own KeyUpdate
}

// Type returns TypeKeyUpdate.
func (m *KeyUpdate) Type() uint8 { return TypeKeyUpdate }

// KeyUpdateRequest values (RFC 8446 §4.6.3).
const (
	updateNotRequested = 0
	updateRequested    = 1
)

// Marshal returns the complete KeyUpdate message, header included.
func (m *KeyUpdate) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *KeyUpdate) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeKeyUpdate, func(b *builder) {
		if m.RequestUpdate {
			b.u8(updateRequested)
		} else {
			b.u8(updateNotRequested)
		}
	})
}

// ParseKeyUpdate parses a KeyUpdate body: one KeyUpdateRequest byte.
func ParseKeyUpdate(body []byte) (*KeyUpdate, error) {
	r := newPooledReader("KeyUpdate", body)
	defer r.release()
	v := r.u8("request_update")
	r.end()
	if err := r.err(); err != nil {
		return nil, err
	}
	// RFC 8446 §4.6.3: a request_update other than 0 or 1 MUST be
	// answered with illegal_parameter.
	switch v {
	case updateNotRequested:
		return &KeyUpdate{}, nil
	case updateRequested:
		return &KeyUpdate{RequestUpdate: true}, nil
	}
	return nil, alert.New(alert.IllegalParameter, "KeyUpdate: request_update %d is neither 0 nor 1", v)
}
