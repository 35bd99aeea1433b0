package bench

import (
	"fmt"
	"io"
	"testing"
)

// Handshake returns a benchmark of one handshake of kind s made by stack
// st, both ends in this process over loopback TCP. An operation is a whole
// connection: dial, handshake on both ends, one byte from server to client
// (which, in TLS 1.3, carries any session ticket before it), close. With a
// resumption kind, one full handshake first fills the client's cache and
// every measured one must resume.
func Handshake(st Stack, s Setup) func(*testing.B) {
	return func(b *testing.B) {
		p, t := benchPair(b, st, s)
		defer t.close()
		resume := s.Resume != NoResumption
		if resume {
			if err := connectOnce(t, p, s, false); err != nil {
				fail(b, fmt.Errorf("%v, priming full handshake: %w", st, err))
			}
		}
		b.ReportAllocs()
		clock := startCPU(b)
		for range b.N {
			if err := connectOnce(t, p, s, resume); err != nil {
				fail(b, fmt.Errorf("%v: %w", st, err))
			}
		}
		clock.report(b)
	}
}

// connectOnce makes one connection, checks what it negotiated and closes it.
func connectOnce(t *transport, p pair, s Setup, wantResume bool) error {
	c, sc, err := t.dial()
	if err != nil {
		return err
	}
	defer c.Close()
	defer sc.Close()
	client, server := p.client(c), p.server(sc)
	done := make(chan error, 1)
	go func() {
		err := server.Handshake()
		if err == nil {
			_, err = server.Write([]byte{1})
		}
		done <- err
	}()
	var one [1]byte
	err = client.Handshake()
	if err == nil {
		_, err = io.ReadFull(client, one[:])
	}
	if serr := <-done; err == nil && serr != nil {
		err = fmt.Errorf("server: %w", serr)
	}
	if err != nil {
		return err
	}
	if err := s.check(client, wantResume); err != nil {
		return err
	}
	client.Close()
	server.Close()
	return nil
}

// Transport returns a benchmark of what every handshake figure's operation
// spends besides TLS: a loopback TCP connection made, one byte sent and
// both ends closed. It is the same for both stacks, and it is why a
// resumption, whose primitives are cheap, costs far more than its floor.
func Transport() func(*testing.B) {
	return func(b *testing.B) {
		t, err := newTransport()
		if err != nil {
			fail(b, err)
		}
		defer t.close()
		b.ReportAllocs()
		clock := startCPU(b)
		for range b.N {
			c, sc, err := t.dial()
			if err != nil {
				fail(b, err)
			}
			done := make(chan error, 1)
			go func() {
				_, err := sc.Write([]byte{1})
				done <- err
			}()
			var one [1]byte
			_, err = io.ReadFull(c, one[:])
			if werr := <-done; err == nil {
				err = werr
			}
			c.Close()
			sc.Close()
			if err != nil {
				fail(b, err)
			}
		}
		clock.report(b)
	}
}
