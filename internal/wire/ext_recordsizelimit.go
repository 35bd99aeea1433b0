package wire

import "lucid/internal/alert"

// record_size_limit (RFC 8449 §4): uint16 RecordSizeLimit. Sent by the
// client in ClientHello and answered in EncryptedExtensions (TLS 1.3) or
// ServerHello (TLS 1.2).
var extRecordSizeLimit = &extension{
	typ:  ExtRecordSizeLimit,
	ch:   recordSizeLimitHook(func(m *ClientHello) *uint16 { return &m.RecordSizeLimit }),
	sh12: recordSizeLimitHook(func(m *ServerHello) *uint16 { return &m.RecordSizeLimit }),
	ee:   recordSizeLimitHook(func(m *EncryptedExtensions) *uint16 { return &m.RecordSizeLimit }),
}

// minRecordSizeLimit is the smallest value RFC 8449 §4 allows.
const minRecordSizeLimit = 64

func recordSizeLimitHook[M any](field func(*M) *uint16) *hook[M] {
	return &hook[M]{
		parse: func(m *M, r *reader) {
			v := r.u16("RecordSizeLimit")
			r.end() // a malformed body is a decode_error before its value is judged
			// RFC 8449 §4: an endpoint MUST treat receipt of a value
			// smaller than 64 as a fatal error and generate an
			// "illegal_parameter" alert.
			if r.ok() && v < minRecordSizeLimit {
				r.failf(alert.IllegalParameter, "record size limit %d is below %d", v, minRecordSizeLimit)
				return
			}
			*field(m) = v
		},
		has:   func(m *M) bool { return *field(m) != 0 },
		write: func(b *builder, m *M) { b.u16(*field(m)) },
	}
}
