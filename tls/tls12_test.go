package tls_test

import (
	stdtls "crypto/tls"
	"crypto/x509"
	"io"
	"testing"

	"lucid/internal/testpki"
	"lucid/tls"
)

// echo12 runs a handshake on a client/server pair, then the client writes
// "hello" and the server echoes it back; the first error either side met
// is returned.
func echo12(t *testing.T, client, server interface {
	io.ReadWriter
	Handshake() error
}) error {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		if err := server.Handshake(); err != nil {
			errc <- err
			return
		}
		buf := make([]byte, 5)
		if _, err := io.ReadFull(server, buf); err != nil {
			errc <- err
			return
		}
		_, err := server.Write(buf)
		errc <- err
	}()
	if err := client.Handshake(); err != nil {
		<-errc
		return err
	}
	if _, err := client.Write([]byte("hello")); err != nil {
		return err
	}
	buf := make([]byte, 5)
	if _, err := io.ReadFull(client, buf); err != nil {
		return err
	}
	if string(buf) != "hello" {
		t.Fatalf("echo %q", buf)
	}
	return <-errc
}

func TestTLS12LucidToStd(t *testing.T) {
	for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048} {
		f := newLucidFixture(t, kt)
		pool := x509.NewCertPool()
		pool.AddCert(f.ca.Cert)
		stdCert, _ := stdtls.X509KeyPair(f.leaf.CertPEM, f.leaf.KeyPEM)
		// Lucid client, crypto/tls server limited to 1.2.
		c, s := pair(t)
		client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost"})
		server := stdtls.Server(s, &stdtls.Config{Certificates: []stdtls.Certificate{stdCert}, MaxVersion: stdtls.VersionTLS12})
		if err := echo12(t, client, server); err != nil {
			t.Fatalf("%s lucid client: %v", kt, err)
		}
		st := client.ConnectionState()
		if st.Version != tls.VersionTLS12 {
			t.Fatalf("version %x", st.Version)
		}
		// crypto/tls client limited to 1.2, Lucid server.
		c, s = pair(t)
		sclient := stdtls.Client(c, &stdtls.Config{RootCAs: pool, ServerName: "localhost", MaxVersion: stdtls.VersionTLS12})
		lserver := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}})
		if err := echo12(t, sclient, lserver); err != nil {
			t.Fatalf("%s lucid server: %v", kt, err)
		}
		if v := sclient.ConnectionState().Version; v != stdtls.VersionTLS12 {
			t.Fatalf("version %x", v)
		}
	}
}
