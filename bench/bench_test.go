// Package bench measures Lucid against crypto/tls in the same run: the
// figures that matter are the ratios, since absolute times depend on the
// machine.
package bench

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

// tlsConn is what both stacks' connections offer the benchmarks.
type tlsConn interface {
	net.Conn
	Handshake() error
}

type stack struct {
	name           string
	client, server func(net.Conn) tlsConn
}

var (
	setupOnce sync.Once
	stacks    []stack
	// The Lucid certificate and roots, for benchmarks of Lucid alone.
	lucidCert tls.Certificate
	roots     *x509.CertPool
)

func setup(b *testing.B) []stack {
	setupOnce.Do(func() {
		ca, err := testpki.NewCA("Bench Root", testpki.ECDSAP256)
		if err != nil {
			b.Fatal(err)
		}
		leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}, KeyType: testpki.ECDSAP256})
		if err != nil {
			b.Fatal(err)
		}
		lc, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			b.Fatal(err)
		}
		sc, err := stdtls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			b.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AddCert(ca.Cert)
		lucidCert, roots = lc, pool
		// Both stacks negotiate the same thing: TLS 1.3, X25519,
		// AES-128-GCM, ECDSA P-256, so the ratio compares code, not choices.
		lcli := &tls.Config{RootCAs: pool, ServerName: "localhost", CurvePreferences: []tls.CurveID{tls.X25519}, CipherSuites: []uint16{tls.TLS_AES_128_GCM_SHA256}}
		lsrv := &tls.Config{Certificates: []tls.Certificate{lc}, CurvePreferences: []tls.CurveID{tls.X25519}}
		scli := &stdtls.Config{RootCAs: pool, ServerName: "localhost", CurvePreferences: []stdtls.CurveID{stdtls.X25519}, MinVersion: stdtls.VersionTLS13}
		ssrv := &stdtls.Config{Certificates: []stdtls.Certificate{sc}, CurvePreferences: []stdtls.CurveID{stdtls.X25519}, SessionTicketsDisabled: true}
		stacks = []stack{
			{"lucid",
				func(c net.Conn) tlsConn {
					return tls.Client(c, lcli)
				},
				func(c net.Conn) tlsConn {
					return tls.Server(c, lsrv)
				}},
			{"crypto-tls",
				func(c net.Conn) tlsConn {
					return stdtls.Client(c, scli)
				},
				func(c net.Conn) tlsConn {
					return stdtls.Server(c, ssrv)
				}},
		}
	})
	return stacks
}

// loopback returns a connected TCP pair; TCP rather than net.Pipe so that
// both stacks see the buffering a real socket gives.
func loopback(b *testing.B) (net.Conn, net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		ch <- c
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	return c, <-ch
}

// BenchmarkHandshake is one full TLS 1.3 handshake, both sides' work.
func BenchmarkHandshake(b *testing.B) {
	for _, s := range setup(b) {
		b.Run(s.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c, sv := loopback(b)
				client, server := s.client(c), s.server(sv)
				done := make(chan error, 1)
				go func() { done <- server.Handshake() }()
				if err := client.Handshake(); err != nil {
					b.Fatal(err)
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
				c.Close()
				sv.Close()
			}
		})
	}
}

// BenchmarkThroughput writes 16 KiB application records one way; allocs/op
// shows whether the steady-state record path allocates.
func BenchmarkThroughput(b *testing.B) {
	for _, s := range setup(b) {
		b.Run(s.name, func(b *testing.B) {
			c, sv := loopback(b)
			defer c.Close()
			defer sv.Close()
			client, server := s.client(c), s.server(sv)
			go io.Copy(io.Discard, server)
			if err := client.Handshake(); err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 16384)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkObserver measures what an Observer costs on the record path:
// "off" must stay at zero allocations, which is the promise that events
// are free when nobody listens.
func BenchmarkObserver(b *testing.B) {
	setup(b)
	for _, on := range []bool{false, true} {
		name := "off"
		var observer func(tls.Event)
		if on {
			name, observer = "on", func(tls.Event) {}
		}
		b.Run(name, func(b *testing.B) {
			c, sv := loopback(b)
			defer c.Close()
			defer sv.Close()
			client := tls.Client(c, &tls.Config{RootCAs: roots, ServerName: "localhost", Observer: observer})
			server := tls.Server(sv, &tls.Config{Certificates: []tls.Certificate{lucidCert}})
			go io.Copy(io.Discard, server)
			if err := client.Handshake(); err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 16384)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Write(buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
