package bench

import (
	"fmt"
	"io"
	"testing"
)

// BulkChunk is what one bulk operation moves: 1 MiB of application data,
// client to server.
const BulkChunk = 1 << 20

// fullRecord is the plaintext of a full record, the unit of the floor's
// seals and opens whichever way a figure writes.
const fullRecord = 16 << 10

// Bulk returns a benchmark of one-way application data over one connection
// of kind s: the client sends BulkChunk bytes per operation while a
// server goroutine reads and discards them. With perWrite 0 the client
// sends as Go programs send a stream, io.Copy(conn, src) from a reader of
// BulkChunk bytes, so each stack gets what io.Copy gives it: a stack with
// ReadFrom (Lucid) chooses its own read size, one without (crypto/tls)
// gets io.Copy's 32 KiB writes. Otherwise it calls Write with perWrite
// bytes at a time. The CPU time counts both ends' record protection and
// the reader's last records (the loop ends with close_notify and waits for
// the reader to see it).
func Bulk(st Stack, s Setup, perWrite int) func(*testing.B) {
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
		data := make([]byte, BulkChunk)
		src := &chunkReader{}
		b.SetBytes(BulkChunk)
		b.ReportAllocs()
		clock := startCPU(b)
		for range b.N {
			if perWrite == 0 {
				src.rest = data
				if _, err := io.Copy(client, src); err != nil {
					fail(b, fmt.Errorf("%v: copy: %w", st, err))
				}
				continue
			}
			for rest := data; len(rest) > 0; rest = rest[min(perWrite, len(rest)):] {
				if _, err := client.Write(rest[:min(perWrite, len(rest))]); err != nil {
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

// chunkReader is a stream source for io.Copy: it gives what is left of
// rest, as much as each Read asks for. It has no WriteTo, as a socket or
// pipe source offers none that io.Copy into a TLS connection could use.
type chunkReader struct{ rest []byte }

func (r *chunkReader) Read(p []byte) (int, error) {
	if len(r.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.rest)
	r.rest = r.rest[n:]
	return n, nil
}

type readResult struct {
	n   int64
	err error
}
