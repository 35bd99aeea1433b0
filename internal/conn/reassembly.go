package conn

import (
	"lucid/internal/alert"
	"lucid/internal/wire"
)

// reassembly joins the payloads of handshake records into whole handshake
// messages (RFC 8446 §5.1: a message may span records, and a record may
// hold several). It refuses a message whose header announces more than
// wire.MaxMessageLen as soon as the header is in, so a peer cannot make it
// buffer more than one message and one record.
type reassembly struct {
	buf []byte
}

// add appends one record's handshake payload.
func (r *reassembly) add(payload []byte) { r.buf = append(r.buf, payload...) }

// next takes the next whole message, header included, or returns nil when
// none is complete yet.
func (r *reassembly) next() ([]byte, error) {
	typ, n, ok := wire.Header(r.buf)
	if !ok {
		return nil, nil
	}
	if n > wire.MaxMessageLen {
		return nil, alert.New(alert.DecodeError, "handshake message %d of %d bytes exceeds the %d-byte limit", typ, n, wire.MaxMessageLen)
	}
	if len(r.buf) < wire.HeaderLen+n {
		return nil, nil
	}
	msg := r.buf[:wire.HeaderLen+n]
	r.buf = r.buf[wire.HeaderLen+n:]
	if len(r.buf) == 0 {
		// A fresh array for what comes next: whoever holds msg may
		// keep it, as an engine keeps parts of a parsed hello.
		r.buf = nil
	}
	return msg, nil
}

// pending is how many bytes of an incomplete message are buffered.
func (r *reassembly) pending() int { return len(r.buf) }
