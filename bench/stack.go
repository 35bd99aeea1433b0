package bench

import (
	stdtls "crypto/tls"
	"errors"
	"fmt"
	"net"
	"testing"

	"lucid/tls"
)

// Stack names one of the two TLS implementations a figure compares.
type Stack int

// The two stacks.
const (
	Lucid Stack = iota
	Std         // Go's crypto/tls
)

// Stacks lists both, Lucid first.
var Stacks = []Stack{Lucid, Std}

func (s Stack) String() string {
	if s == Lucid {
		return "lucid"
	}
	return "crypto-tls"
}

// Resumption says whether and how a handshake resumes a session.
type Resumption int

// The resumption kinds a figure can measure.
const (
	NoResumption Resumption = iota
	Ticket                  // a session ticket (TLS 1.3 PSK, TLS 1.2 RFC 5077)
	SessionID               // TLS 1.2 stateful session ID
)

// Setup is what both stacks are configured to negotiate for one figure, so
// that the ratio compares code, not choices.
type Setup struct {
	Version    uint16 // tls.VersionTLS13 or tls.VersionTLS12
	Group      tls.CurveID
	RSALeaf    bool   // RSA-2048 server leaf instead of ECDSA P-256
	Suite      uint16 // the one cipher suite offered
	ClientAuth bool   // the server requires and verifies an ECDSA client certificate
	Resume     Resumption
	// NoCertCompression turns Lucid's certificate compression (RFC 8879,
	// on by default) off at both ends; crypto/tls has none to turn off.
	NoCertCompression bool
	// NoChainMemo has Lucid verify every chain in full, as crypto/tls
	// does (Config.ChainMemoDisabled): a peer met for the first time.
	NoChainMemo bool
}

// endpoint is what both stacks' connections offer the benchmarks.
type endpoint interface {
	net.Conn
	Handshake() error
}

// pair makes client and server connections of one stack over given
// transports. A pair is made per benchmark run: it holds that run's
// client session cache and server ticket keys.
type pair struct {
	client, server func(net.Conn) endpoint
}

// newPair configures st for s. crypto/tls has no TLS 1.2 session-ID
// resumption; for SessionID its side resumes with a ticket instead, the
// nearest thing it does, and the figure says so.
func newPair(st Stack, s Setup) (pair, error) {
	p, err := certs()
	if err != nil {
		return pair{}, err
	}
	leaf := p.ecdsa
	if s.RSALeaf {
		leaf = p.rsa
	}
	// Full handshakes are measured without tickets on either side, so
	// that neither server seals one nobody will use.
	noTickets := s.Resume == NoResumption || s.Resume == SessionID
	// In TLS 1.2 the client's groups also name the curves its peer's
	// ECDSA certificate may use (RFC 8422 §5.1), so P-256 is listed
	// after the group the figure names; the server still picks that one.
	groups := []tls.CurveID{s.Group}
	if s.Version == tls.VersionTLS12 {
		groups = append(groups, tls.CurveP256)
	}
	var stdGroups []stdtls.CurveID
	for _, g := range groups {
		stdGroups = append(stdGroups, stdtls.CurveID(g))
	}
	switch st {
	case Lucid:
		cli := &tls.Config{RootCAs: p.roots, ServerName: "localhost", MinVersion: s.Version, MaxVersion: s.Version,
			CurvePreferences: groups, CipherSuites: []uint16{s.Suite}, SessionTicketsDisabled: noTickets}
		srv := &tls.Config{Certificates: []tls.Certificate{p.lucid[leaf]}, MinVersion: s.Version, MaxVersion: s.Version,
			CurvePreferences: groups, CipherSuites: []uint16{s.Suite}, SessionTicketsDisabled: noTickets}
		if s.Resume != NoResumption {
			cli.ClientSessionCache = tls.NewLRUClientSessionCache(4)
		}
		if s.NoCertCompression {
			cli.CertCompression, srv.CertCompression = []tls.CertCompressionAlgorithm{}, []tls.CertCompressionAlgorithm{}
		}
		cli.ChainMemoDisabled, srv.ChainMemoDisabled = s.NoChainMemo, s.NoChainMemo
		if s.ClientAuth {
			cli.Certificates = []tls.Certificate{p.lucid[p.client]}
			srv.ClientAuth, srv.ClientCAs = tls.RequireAndVerifyClientCert, p.roots
		}
		return pair{
			client: func(c net.Conn) endpoint { return tls.Client(c, cli) },
			server: func(c net.Conn) endpoint { return tls.Server(c, srv) },
		}, nil
	default:
		stdTickets := noTickets && s.Resume != SessionID
		// crypto/tls offers no choice of TLS 1.3 suite; with AES
		// hardware it picks AES-128-GCM, and Check verifies that it
		// negotiated the suite the figure names.
		cli := &stdtls.Config{RootCAs: p.roots, ServerName: "localhost", MinVersion: s.Version, MaxVersion: s.Version,
			CurvePreferences: stdGroups, CipherSuites: []uint16{s.Suite}, SessionTicketsDisabled: stdTickets}
		srv := &stdtls.Config{Certificates: []stdtls.Certificate{p.std[leaf]}, MinVersion: s.Version, MaxVersion: s.Version,
			CurvePreferences: stdGroups, CipherSuites: []uint16{s.Suite}, SessionTicketsDisabled: stdTickets}
		if s.Resume != NoResumption {
			cli.ClientSessionCache = stdtls.NewLRUClientSessionCache(4)
		}
		if s.ClientAuth {
			cli.Certificates = []stdtls.Certificate{p.std[p.client]}
			srv.ClientAuth, srv.ClientCAs = stdtls.RequireAndVerifyClientCert, p.roots
		}
		return pair{
			client: func(c net.Conn) endpoint { return stdtls.Client(c, cli) },
			server: func(c net.Conn) endpoint { return stdtls.Server(c, srv) },
		}, nil
	}
}

// negotiated is what a handshake agreed, read the same way from both stacks.
type negotiated struct {
	version, suite uint16
	resumed        bool
	group          uint16 // 0 where the stack does not say (Lucid)
}

func stateOf(e endpoint) negotiated {
	switch c := e.(type) {
	case *tls.Conn:
		cs := c.ConnectionState()
		return negotiated{version: cs.Version, suite: cs.CipherSuite, resumed: cs.DidResume}
	case *stdtls.Conn:
		cs := c.ConnectionState()
		return negotiated{version: cs.Version, suite: cs.CipherSuite, resumed: cs.DidResume, group: uint16(cs.CurveID)}
	}
	return negotiated{}
}

// check reports an error unless the client's handshake negotiated what s
// asks for, so that a figure never silently compares different things.
func (s Setup) check(e endpoint, wantResume bool) error {
	n := stateOf(e)
	switch {
	case n.version != s.Version:
		return fmt.Errorf("negotiated version %#04x, want %#04x", n.version, s.Version)
	case n.suite != s.Suite:
		return fmt.Errorf("negotiated cipher suite %#04x, want %#04x", n.suite, s.Suite)
	case n.group != 0 && !n.resumed && n.group != uint16(s.Group):
		return fmt.Errorf("negotiated group %d, want %d", n.group, s.Group)
	case n.resumed != wantResume:
		return fmt.Errorf("resumed %v, want %v", n.resumed, wantResume)
	}
	return nil
}

// transport hands out connected loopback TCP pairs from one listener.
// TCP rather than net.Pipe, so that both stacks see what a socket gives.
type transport struct {
	l        net.Listener
	accepted chan net.Conn
}

func newTransport() (*transport, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &transport{l: l, accepted: make(chan net.Conn, 1)}
	go func() {
		defer close(t.accepted)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.accepted <- c
		}
	}()
	return t, nil
}

// dial returns a connected pair: the client's end and the server's.
func (t *transport) dial() (net.Conn, net.Conn, error) {
	c, err := net.Dial("tcp", t.l.Addr().String())
	if err != nil {
		return nil, nil, err
	}
	s, ok := <-t.accepted
	if !ok {
		c.Close()
		return nil, nil, errors.New("bench: listener closed")
	}
	return c, s, nil
}

func (t *transport) close() { t.l.Close() }

// benchPair makes the stacks' configurations for s and a loopback
// transport for them, stopping the benchmark if either fails.
func benchPair(b *testing.B, st Stack, s Setup) (pair, *transport) {
	p, err := newPair(st, s)
	if err != nil {
		fail(b, err)
	}
	t, err := newTransport()
	if err != nil {
		fail(b, err)
	}
	return p, t
}
