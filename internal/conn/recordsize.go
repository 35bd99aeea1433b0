package conn

import (
	"lucid/internal/alert"
	"lucid/internal/record"
)

// minFragment is the smallest Config.MaxFragment honoured: the floor RFC
// 8449 §4 sets for record_size_limit, so a careless setting cannot cut a
// handshake into thousands of records.
const minFragment = 64

// sendLimits is how much data one record sealed now may carry, and, in
// TLS 1.3, how large its TLSInnerPlaintext (data, content type, padding)
// may grow. The peer's record_size_limit (RFC 8449 §4) binds protected
// records only; Config.MaxFragment binds every record.
func (c *Core) sendLimits(aead13 bool) (data, inner int) {
	data, inner = record.MaxPlaintext, record.MaxPlaintext+1
	if c.maxFragment > 0 {
		data = int(c.maxFragment)
	}
	if _, plain := c.out.sealer.(*record.Plain); plain {
		return data, inner
	}
	if l := int(c.engine.Result().PeerRecordSizeLimit); l > 0 {
		if aead13 {
			inner = min(inner, l)
			l-- // the content type byte counts too
		}
		data = min(data, l)
	}
	return data, inner
}

// checkReceivedSize refuses a protected record whose plaintext exceeds the
// record_size_limit this side advertised (RFC 8449 §4: record_overflow).
// In TLS 1.3 the limit counts the whole TLSInnerPlaintext, which is the
// record's body less the AEAD tag; body is that length as received. 0-RTT
// data is exempt: the client sent it before it could know the limit.
func (c *Core) checkReceivedSize(body, plaintext int) error {
	limit := int(c.engine.Result().RecordSizeLimit)
	if limit == 0 || c.in.early {
		return nil
	}
	size := plaintext
	if o, ok := c.in.opener.(*record.AEAD13); ok {
		size = body - (o.Overhead() - 1)
	}
	if size > limit {
		return alert.New(alert.RecordOverflow, "protected record with %d bytes of plaintext exceeds the record_size_limit of %d this side advertised", size, limit)
	}
	return nil
}
