package conn

import (
	"crypto"
	"hash"

	"lucid/internal/version"
	"lucid/internal/wire"
)

// decodeTranscript is the handshake's running transcript hash as a
// decoder sees it (RFC 8446 §4.4.1, RFC 5246 §7.4.9): messages wait as
// bytes until the ServerHello fixes the hash, a HelloRetryRequest replaces
// the first ClientHello by its message_hash, and the post-handshake
// messages never join.
type decodeTranscript struct {
	h       hash.Hash
	pending []byte
	count   int  // messages added
	broken  bool // more came before the hash was known than a ClientHello
	done    bool // both Finished are in
}

// maxPendingTranscript is what may wait for the hash: one ClientHello.
const maxPendingTranscript = wire.HeaderLen + wire.MaxMessageLen

// hash is the transcript hash of the suite chosen, 0 before one is.
func (d *Decoder) hash() crypto.Hash {
	switch {
	case d.suite13 != nil:
		return d.suite13.Hash
	case d.suite12 != nil:
		return d.suite12.PRF
	}
	return 0
}

// message sets m.Transcript and m.Expected and adds m to the transcript.
func (t *decodeTranscript) message(d *Decoder, m *DecodedMessage) {
	if t.done || t.broken || m.Type == wire.TypeHelloRequest {
		return
	}
	if d.version == version.TLS13 && (m.Type == wire.TypeNewSessionTicket || m.Type == wire.TypeKeyUpdate) {
		return
	}
	if t.h == nil {
		if alg := d.hash(); alg != 0 && alg.Available() {
			t.h = alg.New()
			t.h.Write(t.pending)
			t.pending = nil
		}
	}
	if t.h == nil {
		if len(t.pending)+len(m.Raw) > maxPendingTranscript {
			t.broken, t.pending = true, nil
			return
		}
		t.pending = append(t.pending, m.Raw...)
		t.count++
		return
	}
	if m.HelloRetry && t.count == 1 {
		first := t.h.Sum(nil)
		t.h.Reset()
		t.h.Write(wire.AppendHeader(nil, wire.TypeMessageHash, len(first)))
		t.h.Write(first)
	}
	m.Transcript = t.h.Sum(nil)
	m.Expected = d.finished(m)
	t.h.Write(m.Raw)
	t.count++
	if d.dirs[0].finished && d.dirs[1].finished {
		t.done = true
	}
}
