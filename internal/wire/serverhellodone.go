package wire

import "lucid/internal/alert"

// ServerHelloDone ends the server's part of a TLS 1.2 full handshake
// flight (RFC 5246 §7.4.5). It has an empty body.
type ServerHelloDone struct{}

// Type returns TypeServerHelloDone.
func (m *ServerHelloDone) Type() uint8 { return TypeServerHelloDone }

// Marshal returns the complete ServerHelloDone message: a header only.
func (m *ServerHelloDone) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst.
func (m *ServerHelloDone) AppendMarshal(dst []byte) []byte {
	return AppendHeader(dst, TypeServerHelloDone, 0)
}

// ParseServerHelloDone checks that a ServerHelloDone body is empty.
func ParseServerHelloDone(body []byte) (*ServerHelloDone, error) {
	if len(body) != 0 {
		return nil, alert.New(alert.DecodeError, "ServerHelloDone: %d unexpected bytes in an empty message", len(body))
	}
	return &ServerHelloDone{}, nil
}
