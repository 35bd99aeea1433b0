package wire

import "lucid/internal/alert"

// HelloRequest is a TLS 1.2 server's invitation to renegotiate (RFC 5246
// §7.4.1.1). It has an empty body and is never part of the transcript.
type HelloRequest struct{}

// Type returns TypeHelloRequest.
func (m *HelloRequest) Type() uint8 { return TypeHelloRequest }

// Marshal returns the complete HelloRequest message: a header only.
func (m *HelloRequest) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst.
func (m *HelloRequest) AppendMarshal(dst []byte) []byte {
	return AppendHeader(dst, TypeHelloRequest, 0)
}

// ParseHelloRequest checks that a HelloRequest body is empty.
func ParseHelloRequest(body []byte) (*HelloRequest, error) {
	if len(body) != 0 {
		return nil, alert.New(alert.DecodeError, "HelloRequest: %d unexpected bytes in an empty message", len(body))
	}
	return &HelloRequest{}, nil
}
