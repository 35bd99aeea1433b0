package tls_test

import (
	"bytes"
	stdtls "crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"testing"

	"lucid/internal/testpki"
	"lucid/internal/testwait"
	"lucid/tls"
)

// pair returns a connected client and server over loopback TCP, with the
// test's deadline set on both.
func pair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			ch <- nil
			return
		}
		ch <- c
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	s := <-ch
	if s == nil {
		t.Fatal("accept failed")
	}
	deadline := testwait.Deadline(t)
	c.SetDeadline(deadline)
	s.SetDeadline(deadline)
	t.Cleanup(func() { c.Close(); s.Close() })
	return c, s
}

type lucidFixture struct {
	ca   *testpki.CA
	leaf *testpki.Leaf
}

func newLucidFixture(t *testing.T, kt testpki.KeyType) *lucidFixture {
	t.Helper()
	ca, err := testpki.NewCA("Lucid Test Root", kt)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost", "127.0.0.1"}, KeyType: kt})
	if err != nil {
		t.Fatal(err)
	}
	return &lucidFixture{ca: ca, leaf: leaf}
}

func (f *lucidFixture) lucidCert(t *testing.T) tls.Certificate {
	c, err := tls.X509KeyPair(f.leaf.CertPEM, f.leaf.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestLucidToLucid(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	c, s := pair(t)
	server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}, NextProtos: []string{"h2", "http/1.1"}})
	client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", NextProtos: []string{"http/1.1"}})
	done := make(chan error, 1)
	go func() {
		if err := server.Handshake(); err != nil {
			done <- err
			return
		}
		b := make([]byte, 5)
		if _, err := io.ReadFull(server, b); err != nil {
			done <- err
			return
		}
		_, err := server.Write(bytes.ToUpper(b))
		done <- err
	}()
	if err := client.Handshake(); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	if _, err := client.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 5)
	if _, err := io.ReadFull(client, b); err != nil {
		t.Fatal(err)
	}
	if string(b) != "HELLO" {
		t.Fatalf("got %q", b)
	}
	if err := <-done; err != nil {
		t.Fatalf("server: %v", err)
	}
	st := client.ConnectionState()
	if st.Version != tls.VersionTLS13 || st.CurveID != tls.X25519MLKEM768 || st.NegotiatedProtocol != "http/1.1" || len(st.VerifiedChains) == 0 {
		t.Fatalf("state: %+v", st)
	}
}

func TestLucidClientStdServer(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	c, s := pair(t)
	cert, _ := stdtls.X509KeyPair(f.leaf.CertPEM, f.leaf.KeyPEM)
	server := stdtls.Server(s, &stdtls.Config{Certificates: []stdtls.Certificate{cert}})
	client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"})
	go func() {
		io.Copy(server, server)
		server.Close()
	}()
	if _, err := client.Write([]byte("ping")); err != nil {
		t.Fatalf("write: %v", err)
	}
	b := make([]byte, 4)
	if _, err := io.ReadFull(client, b); err != nil || string(b) != "ping" {
		t.Fatalf("read %q %v", b, err)
	}
}

func TestStdClientLucidServer(t *testing.T) {
	f := newLucidFixture(t, "rsa-2048")
	c, s := pair(t)
	server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}})
	pool := x509.NewCertPool()
	pool.AddCert(f.ca.Cert)
	client := stdtls.Client(c, &stdtls.Config{RootCAs: pool, ServerName: "localhost"})
	go func() {
		io.Copy(server, server)
		server.Close()
	}()
	if _, err := client.Write([]byte("ping")); err != nil {
		t.Fatalf("write: %v", err)
	}
	b := make([]byte, 4)
	if _, err := io.ReadFull(client, b); err != nil || string(b) != "ping" {
		t.Fatalf("read %q %v", b, err)
	}
	if client.ConnectionState().CurveID != stdtls.X25519MLKEM768 {
		t.Fatalf("curve %v", client.ConnectionState().CurveID)
	}
}
