package wire

import "lucid/internal/alert"

// EndOfEarlyData marks the end of the client's 0-RTT data (RFC 8446
// §4.5). It has an empty body.
type EndOfEarlyData struct{}

// Type returns TypeEndOfEarlyData.
func (m *EndOfEarlyData) Type() uint8 { return TypeEndOfEarlyData }

// Marshal returns the complete EndOfEarlyData message: a header only.
func (m *EndOfEarlyData) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst.
func (m *EndOfEarlyData) AppendMarshal(dst []byte) []byte {
	return AppendHeader(dst, TypeEndOfEarlyData, 0)
}

// ParseEndOfEarlyData checks that an EndOfEarlyData body is empty.
func ParseEndOfEarlyData(body []byte) (*EndOfEarlyData, error) {
	if len(body) != 0 {
		return nil, alert.New(alert.DecodeError, "EndOfEarlyData: %d unexpected bytes in an empty message", len(body))
	}
	return &EndOfEarlyData{}, nil
}
