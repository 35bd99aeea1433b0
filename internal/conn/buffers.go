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
// that gathers data to write (tls.Conn.ReadFrom) gathers at most this much
// at a time, so each gathering leaves in one batch of records.
const WriteBatch = writeBatch

// Gathering buffers have pools of their own, apart from the record
// buffers: only a writer gathers, so its buffers never wait in a pool
// that a reader on another processor drains.
var gatherPools [2]sync.Pool

// GetGather returns a pooled buffer for a caller to gather application
// data in before WriteApp seals it: record.MaxPlaintext bytes when n is at
// most that, WriteBatch otherwise. A steady stream allocates nothing. Give
// it back with PutGather.
func GetGather(n int) *[]byte {
	i, size := 0, record.MaxPlaintext
	if n > record.MaxPlaintext {
		i, size = 1, writeBatch
	}
	if p, ok := gatherPools[i].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, size)
	return &b
}

// PutGather gives back a buffer GetGather returned; the caller must not
// touch it after.
func PutGather(p *[]byte) {
	switch len(*p) {
	case record.MaxPlaintext:
		gatherPools[0].Put(p)
	case writeBatch:
		gatherPools[1].Put(p)
	}
}
