package bench

import (
	"fmt"
	"io"
	"testing"
)

// BulkChunk is what one bulk operation moves: 1 MiB of application data,
// client to server, written 16 KiB at a time (one full record each).
const (
	BulkChunk = 1 << 20
	bulkWrite = 16 << 10
)

// Bulk returns a benchmark of one-way application data over one connection
// of kind s: the client writes BulkChunk bytes per operation while a
// server goroutine reads and discards them. The CPU time counts both ends'
// record protection and the reader's last records (the loop ends with
// close_notify and waits for the reader to see it).
func Bulk(st Stack, s Setup) func(*testing.B) {
	return func(b *testing.B) {
		p, t := benchPair(b, st, s)
		defer t.close()
		c, sc, err := t.dial()
		if err != nil {
			fail(b, err)
		}
		defer c.Close()
		defer sc.Close()
		client, server := p.client(c), p.server(sc)
		read := make(chan readResult, 1)
		go func() {
			buf := make([]byte, 64<<10)
			var n int64
			var err error
			if err = server.Handshake(); err == nil {
				for {
					var m int
					m, err = server.Read(buf)
					n += int64(m)
					if err != nil {
						break
					}
				}
			}
			read <- readResult{n, err}
		}()
		if err := client.Handshake(); err != nil {
			fail(b, fmt.Errorf("%v: %w", st, err))
		}
		if err := s.check(client, false); err != nil {
			fail(b, fmt.Errorf("%v: %w", st, err))
		}
		buf := make([]byte, bulkWrite)
		b.SetBytes(BulkChunk)
		b.ReportAllocs()
		clock := startCPU(b)
		for range b.N {
			for range BulkChunk / bulkWrite {
				if _, err := client.Write(buf); err != nil {
					fail(b, fmt.Errorf("%v: write: %w", st, err))
				}
			}
		}
		client.Close()
		r := <-read
		clock.report(b)
		if r.err != io.EOF {
			fail(b, fmt.Errorf("%v: reader stopped with %v, want EOF after close_notify", st, r.err))
		}
		if want := int64(b.N) * BulkChunk; r.n != want {
			fail(b, fmt.Errorf("%v: server read %d bytes, want %d", st, r.n, want))
		}
	}
}

type readResult struct {
	n   int64
	err error
}
