package bench

import (
	stdtls "crypto/tls"
	"io"
	"net"
	"testing"

	"lucid/tls"
)

// BenchmarkResumption is one TLS 1.3 resumption (psk_dhe_ke), both sides'
// work, with the same suite and group as BenchmarkHandshake. Lucid's
// includes checking the session against the current Config on both sides
// (the client re-verifies the server's recorded chain before offering it).
func BenchmarkResumption(b *testing.B) {
	setup(b)
	sc := stdtls.Certificate{Certificate: lucidCert.Certificate, PrivateKey: lucidCert.PrivateKey}
	lcli := &tls.Config{RootCAs: roots, ServerName: "localhost", CurvePreferences: []tls.CurveID{tls.X25519},
		CipherSuites: []uint16{tls.TLS_AES_128_GCM_SHA256}, ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	lsrv := &tls.Config{Certificates: []tls.Certificate{lucidCert}, CurvePreferences: []tls.CurveID{tls.X25519}}
	scli := &stdtls.Config{RootCAs: roots, ServerName: "localhost", CurvePreferences: []stdtls.CurveID{stdtls.X25519},
		MinVersion: stdtls.VersionTLS13, ClientSessionCache: stdtls.NewLRUClientSessionCache(4)}
	ssrv := &stdtls.Config{Certificates: []stdtls.Certificate{sc}, CurvePreferences: []stdtls.CurveID{stdtls.X25519}}
	for _, s := range []stack{
		{"lucid", func(c net.Conn) tlsConn { return tls.Client(c, lcli) }, func(c net.Conn) tlsConn { return tls.Server(c, lsrv) }},
		{"crypto-tls", func(c net.Conn) tlsConn { return stdtls.Client(c, scli) }, func(c net.Conn) tlsConn { return stdtls.Server(c, ssrv) }},
	} {
		b.Run(s.name, func(b *testing.B) {
			// The first connection leaves a ticket in the client's
			// cache (a full handshake, unless an earlier run did);
			// each one after resumes.
			resumeOnce(b, s, nil)
			b.ReportAllocs()
			for b.Loop() {
				resumeOnce(b, s, &yes)
			}
		})
	}
}

var yes = true

// resumeOnce connects, lets the server send a byte (which carries the
// ticket before it in TLS 1.3), and checks whether the handshake resumed
// when want is set.
func resumeOnce(b *testing.B, s stack, want *bool) {
	c, sv := loopback(b)
	defer c.Close()
	defer sv.Close()
	client, server := s.client(c), s.server(sv)
	done := make(chan error, 1)
	go func() {
		if err := server.Handshake(); err != nil {
			done <- err
			return
		}
		_, err := server.Write([]byte{1})
		done <- err
	}()
	if _, err := io.ReadFull(client, make([]byte, 1)); err != nil {
		b.Fatal(err)
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	var resumed bool
	switch c := client.(type) {
	case *tls.Conn:
		resumed = c.ConnectionState().DidResume
	case *stdtls.Conn:
		resumed = c.ConnectionState().DidResume
	}
	if want != nil && resumed != *want {
		b.Fatalf("%s: resumed %v, want %v", s.name, resumed, *want)
	}
}
