//go:build unix

package tls_test

// Quick benchmarks of the handshakes the resumption and TLS 1.2 paths take,
// Lucid and crypto/tls side by side with the same certificate, suite, group
// and transport, so that allocs/op and B/op (deterministic) can be compared
// while working on those paths. bench/ holds the project's full comparison.

import (
	stdtls "crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"sync"
	"testing"

	"lucid/internal/testpki"
	"lucid/tls"
)

type benchConn interface {
	net.Conn
	Handshake() error
}

var (
	benchOnce  sync.Once
	benchLucid tls.Certificate
	benchStd   stdtls.Certificate
	benchRoots *x509.CertPool
)

func benchSetup(b *testing.B) {
	benchOnce.Do(func() {
		ca, err := testpki.NewCA("Bench12 Root", testpki.ECDSAP256)
		if err != nil {
			b.Fatal(err)
		}
		leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}, KeyType: testpki.ECDSAP256})
		if err != nil {
			b.Fatal(err)
		}
		if benchLucid, err = tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM); err != nil {
			b.Fatal(err)
		}
		if benchStd, err = stdtls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM); err != nil {
			b.Fatal(err)
		}
		benchRoots = x509.NewCertPool()
		benchRoots.AddCert(ca.Cert)
	})
}

// benchOnceConn runs one handshake and a one-byte server write (which, in
// TLS 1.3, carries the ticket ahead of it), checking resumption if want is
// set.
func benchOnceConn(b *testing.B, client func(net.Conn) benchConn, server func(net.Conn) benchConn, want *bool) {
	c, sv := loopbackTCP(b)
	defer c.Close()
	defer sv.Close()
	cl, srv := client(c), server(sv)
	done := make(chan error, 1)
	go func() {
		if err := srv.Handshake(); err != nil {
			done <- err
			return
		}
		_, err := srv.Write([]byte{1})
		done <- err
	}()
	if _, err := io.ReadFull(cl, make([]byte, 1)); err != nil {
		b.Fatal("client:", err, <-done)
	}
	if err := <-done; err != nil {
		b.Fatal("server:", err)
	}
	var resumed bool
	switch c := cl.(type) {
	case *tls.Conn:
		resumed = c.ConnectionState().DidResume
	case *stdtls.Conn:
		resumed = c.ConnectionState().DidResume
	}
	if want != nil && resumed != *want {
		b.Fatalf("resumed %v, want %v", resumed, *want)
	}
}

// benchKind is one handshake kind: version, whether the client resumes and
// how.
type benchKind struct {
	version  uint16
	resume   bool
	noTicket bool // TLS 1.2 session ID instead of a ticket
}

func benchPair(b *testing.B, k benchKind) {
	benchSetup(b)
	// In TLS 1.2 the client's groups also name the curves it accepts in
	// the server's ECDSA certificate (RFC 8422 §5.1.1), so P-256 is listed
	// after X25519, which both servers pick.
	suite := uint16(tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256)
	curves := []tls.CurveID{tls.X25519, tls.CurveP256}
	if k.version == tls.VersionTLS13 {
		suite = tls.TLS_AES_128_GCM_SHA256
		curves = curves[:1]
	}
	stdCurves := make([]stdtls.CurveID, len(curves))
	for i, c := range curves {
		stdCurves[i] = stdtls.CurveID(c)
	}
	lcli := &tls.Config{RootCAs: benchRoots, ServerName: "localhost", MaxVersion: k.version,
		CurvePreferences: curves, CipherSuites: []uint16{suite}}
	lsrv := &tls.Config{Certificates: []tls.Certificate{benchLucid}, MaxVersion: k.version,
		CurvePreferences: curves, SessionTicketsDisabled: k.noTicket}
	scli := &stdtls.Config{RootCAs: benchRoots, ServerName: "localhost", MaxVersion: k.version, MinVersion: k.version,
		CurvePreferences: stdCurves, CipherSuites: []uint16{suite}}
	ssrv := &stdtls.Config{Certificates: []stdtls.Certificate{benchStd}, MaxVersion: k.version,
		CurvePreferences: stdCurves}
	if k.resume {
		lcli.ClientSessionCache = tls.NewLRUClientSessionCache(4)
		scli.ClientSessionCache = stdtls.NewLRUClientSessionCache(4)
	} else {
		lsrv.SessionTicketsDisabled = true
		ssrv.SessionTicketsDisabled = true
	}
	type side struct {
		name           string
		client, server func(net.Conn) benchConn
	}
	sides := []side{
		{"lucid", func(c net.Conn) benchConn { return tls.Client(c, lcli) }, func(c net.Conn) benchConn { return tls.Server(c, lsrv) }},
	}
	// crypto/tls keeps no server-side session-ID cache.
	if !k.noTicket {
		sides = append(sides, side{"crypto-tls", func(c net.Conn) benchConn { return stdtls.Client(c, scli) }, func(c net.Conn) benchConn { return stdtls.Server(c, ssrv) }})
	}
	for _, s := range sides {
		b.Run(s.name, func(b *testing.B) {
			var want *bool
			if k.resume {
				benchOnceConn(b, s.client, s.server, nil)
				yes := true
				want = &yes
			}
			b.ReportAllocs()
			start := cpuTime(b)
			for b.Loop() {
				benchOnceConn(b, s.client, s.server, want)
			}
			// Both ends run in this process, so its CPU time is the
			// figure to compare; wall time hides one side's work.
			b.ReportMetric(float64((cpuTime(b)-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		})
	}
}

func BenchmarkTLS12Full(b *testing.B) { benchPair(b, benchKind{version: tls.VersionTLS12}) }
func BenchmarkTLS12Ticket(b *testing.B) {
	benchPair(b, benchKind{version: tls.VersionTLS12, resume: true})
}
func BenchmarkTLS12SessionID(b *testing.B) {
	benchPair(b, benchKind{version: tls.VersionTLS12, resume: true, noTicket: true})
}
func BenchmarkTLS13Full(b *testing.B) { benchPair(b, benchKind{version: tls.VersionTLS13}) }
func BenchmarkTLS13Resume(b *testing.B) {
	benchPair(b, benchKind{version: tls.VersionTLS13, resume: true})
}

// BenchmarkServerConnectionState is what a server pays to read its
// connection's state once the handshake is done, as net/http and the
// https package do for every connection.
func BenchmarkServerConnectionState(b *testing.B) {
	benchSetup(b)
	c, sv := loopbackTCP(b)
	defer c.Close()
	defer sv.Close()
	client := tls.Client(c, &tls.Config{RootCAs: benchRoots, ServerName: "localhost"})
	server := tls.Server(sv, &tls.Config{Certificates: []tls.Certificate{benchLucid}})
	done := make(chan error, 1)
	go func() { done <- client.Handshake() }()
	if err := server.Handshake(); err != nil {
		b.Fatal(err)
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !server.ConnectionState().HandshakeComplete {
			b.Fatal("handshake not complete")
		}
	}
}
