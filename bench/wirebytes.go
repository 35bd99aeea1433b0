package bench

import (
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
)

// WireBytes is what one full handshake puts on the wire in each direction,
// TLS record headers included, TCP's not.
type WireBytes struct {
	Server float64 // server to client
	Client float64 // client to server
}

// countingConn counts the bytes written through it. Atomic because a stack
// may write from a goroutine other than the one that reads the count.
type countingConn struct {
	net.Conn
	n atomic.Int64
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// wireChains are the two server chains the byte figure measures: the
// TLS 1.3 headline setup with its ECDSA P-256 leaf, and with the RSA-2048
// leaf, whose larger key and signature give compression less to find.
var wireChains = []struct {
	ID    string
	Setup Setup
}{
	{"ecdsa", tls13},
	{"rsa", tls13RSA},
}

// HandshakeBytes returns a benchmark of the bytes one full handshake of
// kind s by stack st sends each way, reported as server-B/op and
// client-B/op, and stored in *out for a caller that compares runs. Only
// the handshake is counted, no application data or closing alerts; s must
// be a full handshake, whose server sends no ticket after it.
func HandshakeBytes(st Stack, s Setup, out *WireBytes) func(*testing.B) {
	return func(b *testing.B) {
		if s.Resume != NoResumption {
			fail(b, errors.New("bench: HandshakeBytes measures full handshakes only"))
		}
		p, t := benchPair(b, st, s)
		defer t.close()
		var total WireBytes
		for range b.N {
			w, err := handshakeBytes(t, p, s)
			if err != nil {
				fail(b, fmt.Errorf("%v: %w", st, err))
			}
			total.Server += w.Server
			total.Client += w.Client
		}
		*out = WireBytes{Server: total.Server / float64(b.N), Client: total.Client / float64(b.N)}
		b.ReportMetric(out.Server, "server-B/op")
		b.ReportMetric(out.Client, "client-B/op")
	}
}

// handshakeBytes makes one connection, handshakes on both ends, checks
// what it negotiated and returns the bytes each end wrote. Both counts are
// read once both handshakes have returned: the server's has read the
// client's Finished, so everything the client sends in the handshake has
// been written, and the client's has read the server's.
func handshakeBytes(t *transport, p pair, s Setup) (WireBytes, error) {
	c, sc, err := t.dial()
	if err != nil {
		return WireBytes{}, err
	}
	defer c.Close()
	defer sc.Close()
	cc, scc := &countingConn{Conn: c}, &countingConn{Conn: sc}
	client, server := p.client(cc), p.server(scc)
	done := make(chan error, 1)
	go func() { done <- server.Handshake() }()
	err = client.Handshake()
	if err != nil {
		// Unblock a server still waiting for the client's next flight.
		c.Close()
	}
	if serr := <-done; err == nil && serr != nil {
		err = fmt.Errorf("server: %w", serr)
	}
	if err != nil {
		return WireBytes{}, err
	}
	if err := s.check(client, false); err != nil {
		return WireBytes{}, err
	}
	w := WireBytes{Server: float64(scc.n.Load()), Client: float64(cc.n.Load())}
	if w.Server == 0 || w.Client == 0 {
		return WireBytes{}, fmt.Errorf("bench: a handshake counted %v bytes from the server and %v from the client", w.Server, w.Client)
	}
	return w, nil
}
