package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// Finished carries verify_data (RFC 8446 §4.4.4, RFC 5246 §7.4.9). Its
// length is fixed by the negotiated hash (or 12 bytes in TLS 1.2), which
// only the engine knows, so the engine checks it, with decode_error like
// any other malformed message.
type Finished struct {
	VerifyData []byte
}

// Type returns TypeFinished.
func (m *Finished) Type() uint8 { return TypeFinished }

// Marshal returns the complete Finished message, header included.
func (m *Finished) Marshal() []byte { return m.AppendMarshal(nil) }

// AppendMarshal appends what Marshal returns to dst, so that a flight is
// built in one buffer; on an encoding failure dst comes back unchanged.
func (m *Finished) AppendMarshal(dst []byte) []byte {
	return appendMessage(dst, TypeFinished, func(b *builder) { b.raw(m.VerifyData) })
}

// ParseFinished parses a Finished body, which is verify_data and nothing
// else. An empty body cannot be verify_data under any cipher suite and is
// rejected. The result does not alias body.
func ParseFinished(body []byte) (*Finished, error) { return ParseFinishedOwned(bytes.Clone(body)) }

// ParseFinishedOwned is ParseFinished for a body the caller hands over:
// the result aliases body, which must not change afterwards.
func ParseFinishedOwned(body []byte) (*Finished, error) {
	return parseNew(ParseFinishedInto, body)
}

// ParseFinishedInto is ParseFinishedOwned filling m, which a caller keeps
// where it costs no allocation of its own.
func ParseFinishedInto(m *Finished, body []byte) error {
	if len(body) == 0 {
		return alert.New(alert.DecodeError, "Finished: verify_data is empty")
	}
	*m = Finished{VerifyData: body}
	return nil
}
