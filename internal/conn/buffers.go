package conn

import (
	"sync"

	"lucid/internal/record"
)

// A connection holds record buffers only while it has bytes in them: an
// idle connection, of which a server may keep thousands, costs no buffer
// at all. Buffers come from pools shared by every connection in a few
// fixed sizes, so the steady state of a busy connection allocates nothing
// either: it takes a buffer for a burst and gives it back after.

// Buffer sizes.
const (
	// smallBuf holds a handshake flight or the records of a short
	// message: most requests and answers.
	smallBuf = 4<<10 + 256
	// recordBuf holds the largest record there is, header included.
	recordBuf = record.HeaderLen + record.MaxCiphertext
	// inputBuf is what the read side takes while a peer streams large
	// records: room for a few, so a stream of them is read in few calls.
	inputBuf = 4 * recordBuf
	// batchBuf holds what one WriteApp seals at most: a batch of full
	// records, each with the most any protection adds.
	batchBuf = writeBatch + writeBatch/record.MaxPlaintext*(recordBuf-record.MaxPlaintext)
)

// streamingRecord is the record body from which a peer is taken to be
// streaming: its next records are read into an inputBuf rather than a
// smallBuf.
const streamingRecord = 4 << 10

var bufSizes = [...]int{smallBuf, recordBuf, inputBuf, batchBuf}

var bufPools [len(bufSizes)]sync.Pool

// getBuf returns an empty buffer with room for at least n bytes: one of
// the pooled sizes, or one made to measure beyond the largest.
func getBuf(n int) *[]byte {
	for i, size := range bufSizes {
		if n <= size {
			if p, ok := bufPools[i].Get().(*[]byte); ok {
				return p
			}
			b := make([]byte, 0, size)
			return &b
		}
	}
	b := make([]byte, 0, n)
	return &b
}

// putBuf gives back a buffer getBuf returned, or one grown from it: only
// the pooled sizes are kept.
func putBuf(p *[]byte) {
	if p == nil {
		return
	}
	for i, size := range bufSizes {
		if cap(*p) == size {
			*p = (*p)[:0]
			bufPools[i].Put(p)
			return
		}
	}
}

// WriteBatch is the most application data one WriteApp seals: a caller
// that gathers data to write (tls.Conn.ReadFrom) gathers this much at a
// time, so each gathering leaves in one batch of records.
const WriteBatch = writeBatch

// GetBatch returns a pooled buffer of WriteBatch bytes for a caller to
// gather application data in before WriteApp seals it. It shares the
// record buffers' pools, so a steady stream of batches allocates nothing.
// Give it back with PutBatch.
func GetBatch() *[]byte {
	p := getBuf(writeBatch)
	*p = (*p)[:writeBatch]
	return p
}

// PutBatch gives back a buffer GetBatch returned; the caller must not
// touch it after.
func PutBatch(p *[]byte) { putBuf(p) }
