// Package testproxy is a TCP relay for tests of 0-RTT: it keeps the
// client's first flight, to be replayed, and can hold back what the client
// sends once the server has spoken, so that a test sees the server act on
// early data before the handshake is confirmed — without sleeping.
package testproxy

import (
	"bytes"
	"net"
	"sync"
	"sync/atomic"
	"testing"
)

// Flight relays TCP connections from its own loopback address to a
// target. It keeps the last connection's first flight: what the client
// sent before the server first spoke (a ClientHello and any early data).
// After Hold, the next connection relays the client's later bytes (its
// Finished, and all that follows) only once the gate is released.
type Flight struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	gate   chan struct{}
	flight []byte
}

// New starts a relay to target, closed when the test ends.
func New(t testing.TB, target string) *Flight {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Flight{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go p.serve()
	return p
}

// Addr is the address clients dial.
func (p *Flight) Addr() string { return p.ln.Addr().String() }

// Hold makes the next connection wait, once the server has spoken, until
// release is called. The test's end releases it too, so that a failed
// test leaves no relay stuck.
func (p *Flight) Hold(t testing.TB) (release func()) {
	ch := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	t.Cleanup(release)
	p.mu.Lock()
	p.gate = ch
	p.mu.Unlock()
	return release
}

// FirstFlight returns a copy of the last connection's first flight.
func (p *Flight) FirstFlight() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.flight)
}

func (p *Flight) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		s, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		gate := p.gate
		p.gate = nil
		p.flight = nil
		p.mu.Unlock()
		var spoke atomic.Bool
		go p.toClient(s, c, &spoke)
		go p.toServer(c, s, &spoke, gate)
	}
}

// toClient relays the server's bytes, noting that it has spoken.
func (p *Flight) toClient(s, c net.Conn, spoke *atomic.Bool) {
	defer c.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := s.Read(buf)
		if n > 0 {
			spoke.Store(true)
			if _, werr := c.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// toServer relays the client's bytes: before the server spoke they are
// the first flight, kept; after, they wait for the gate, if any. The
// client's end of stream is passed on as a half-close, so the server can
// still answer.
func (p *Flight) toServer(c, s net.Conn, spoke *atomic.Bool, gate chan struct{}) {
	defer func() {
		if cw, ok := s.(*net.TCPConn); ok {
			cw.CloseWrite()
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := c.Read(buf)
		if n > 0 {
			if !spoke.Load() {
				p.mu.Lock()
				p.flight = append(p.flight, buf[:n]...)
				p.mu.Unlock()
			} else if gate != nil {
				<-gate
			}
			if _, werr := s.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}
