package conn

import "lucid/internal/record"

// Limits on what a peer can make a connection do without progress (DESIGN:
// limits as policy). Each count resets when a record carries application
// data.
const (
	maxEmptyRecords   = 32
	maxWarningAlerts  = 4
	maxCCSRecords     = 1
	maxKeyUpdatesIdle = 32
	// keyUpdateAfter is how many records are protected under one key
	// before TLS 1.3 moves to the next; far below AES-GCM's 2^24.5 limit
	// (RFC 8446 §5.5). TLS 1.2, which has no KeyUpdate, stops instead.
	keyUpdateAfter = 1 << 23
	// maxEarlySkip bounds the 0-RTT data a server that declined it skips,
	// counted in protected record bytes: 16 KiB, BoringSSL's bound too,
	// is what RFC 8446 §4.2.10's "configured max_early_data_size"
	// amounts to for a server that accepts none.
	maxEarlySkip = record.MaxPlaintext
	// earlyRecordExpansion is the most a TLS 1.3 record's protection adds
	// to its plaintext (RFC 8446 §5.2), for counting skipped 0-RTT data.
	earlyRecordExpansion = 256
	// writeBatch bounds the application data one WriteApp seals, so a
	// large write is handed to the network in pieces rather than all
	// buffered. Eight full records: measured on loopback (bench bulk
	// figures, io.Copy of 256 MiB), batches of 4, 8 and 16 records made
	// 4265, 2387 and 1371 write calls and cost the same CPU per MiB
	// within the noise, since the kernel's copy of the bytes, not the
	// call, is most of a write's cost. Past 8 the calls saved are few,
	// while each busy writer holds two batch-sized buffers (ReadFrom's
	// plaintext and the sealed records) and its first record waits for
	// the whole batch to be sealed, and a batch larger than the socket's
	// send buffer parks the writer halfway.
	writeBatch = 8 * record.MaxPlaintext
)

// ccsAllowed is how many compatibility change_cipher_spec records the peer
// may send before its Finished (RFC 8446 §5 has them dropped). One is all
// RFC 8446 §D.4 has a peer send, except that a client offering 0-RTT data
// sends its one right after the first ClientHello, and, when a
// HelloRetryRequest rejects that data, some clients (BoringSSL's) send
// another before their second flight: a server that sent a
// HelloRetryRequest drops two.
func (c *Core) ccsAllowed() int {
	if !c.in.client && c.engine.Result().DidHRR {
		return maxCCSRecords + 1
	}
	return maxCCSRecords
}
