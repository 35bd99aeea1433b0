package handshake

import (
	"fmt"

	"lucid/internal/alert"
	"lucid/internal/record"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// DecisionRecordSizeLimit: both sides sent record_size_limit (RFC 8449),
// and these are the limits each now keeps to.
const DecisionRecordSizeLimit EventName = "record_size_limit"

// recordLimitMax is the largest record_size_limit the version allows (RFC
// 8449 §4): the TLSInnerPlaintext, content type included, in TLS 1.3; the
// plaintext in TLS 1.2.
func recordLimitMax(v uint16) uint16 {
	if v == version.TLS13 {
		return record.MaxPlaintext + 1
	}
	return record.MaxPlaintext
}

// offerRecordSizeLimit puts the configured limit in the client's hello,
// no higher than the newest version offered allows (RFC 8449 §4: nothing
// above the protocol maximum is sent).
func (c *client) offerRecordSizeLimit(h *wire.ClientHello, tls13 bool) {
	if c.cfg.RecordSizeLimit == 0 {
		return
	}
	top := recordLimitMax(version.TLS12)
	if tls13 {
		top = recordLimitMax(version.TLS13)
	}
	h.RecordSizeLimit = min(max(c.cfg.RecordSizeLimit, 64), top)
}

// acceptRecordSizeLimit takes the server's record_size_limit, from
// EncryptedExtensions or a TLS 1.2 ServerHello, which the caller has
// checked the client offered. A value above the version's maximum is
// refused, as RFC 8449 §4 lets a client do.
func (c *client) acceptRecordSizeLimit(theirs, v uint16) error {
	if theirs > recordLimitMax(v) {
		return alert.New(alert.IllegalParameter, "server's record_size_limit %d exceeds %d, the most %s allows", theirs, recordLimitMax(v), version.Name(v))
	}
	c.result.RecordSizeLimit = min(c.hello.RecordSizeLimit, recordLimitMax(v))
	c.result.PeerRecordSizeLimit = theirs
	c.reportRecordSizeLimit()
	return nil
}

// answerRecordSizeLimit is the record_size_limit a server sends for a
// hello that carried one, 0 for none, and records the limits both sides
// keep to. A server always answers a client that sent one, so that a
// constrained client (a browser sends it) gets records it can take even
// from a server configured with no limit of its own, which then
// advertises the version's maximum. RFC 8449 §4: a server does not refuse
// a client's value above the version's maximum (it may mean an extension
// the server lacks), it only never sends larger records than the version
// allows.
func (e *Engine) answerRecordSizeLimit(hello *wire.ClientHello, v uint16) uint16 {
	if hello.RecordSizeLimit == 0 {
		return 0
	}
	top := recordLimitMax(v)
	own := e.cfg.RecordSizeLimit
	if own == 0 {
		own = top
	}
	e.result.RecordSizeLimit = min(max(own, 64), top)
	e.result.PeerRecordSizeLimit = min(hello.RecordSizeLimit, top)
	e.reportRecordSizeLimit()
	return e.result.RecordSizeLimit
}

func (e *Engine) reportRecordSizeLimit() {
	if e.cfg.Observe == nil {
		return
	}
	e.cfg.decide(DecisionRecordSizeLimit, fmt.Sprintf("protected records to this side at most %d bytes, to the peer at most %d (RFC 8449)", e.result.RecordSizeLimit, e.result.PeerRecordSizeLimit))
}
