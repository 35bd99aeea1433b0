package tls_test

import (
	"errors"
	"fmt"
	"io"
	"log"

	"lucid/internal/testpki"
	"lucid/tls"
)

// A server and a client on loopback: the client checks the server's
// certificate against a private CA and both sides see what was negotiated.
func Example() {
	ca, err := testpki.NewCA("Example Root", testpki.ECDSAP256)
	if err != nil {
		log.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}, KeyType: testpki.ECDSAP256})
	if err != nil {
		log.Fatal(err)
	}
	cert, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	if err != nil {
		log.Fatal(err)
	}

	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		io.WriteString(c, "hello over TLS 1.3\n")
	}()

	conn, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{RootCAs: ca.Pool, ServerName: "localhost"})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	msg, err := io.ReadAll(conn)
	if err != nil {
		log.Fatal(err)
	}
	st := conn.ConnectionState()
	fmt.Print(string(msg))
	fmt.Println(tls.VersionName(st.Version), st.CurveID, st.PeerCertificates[0].Subject.CommonName != "")
	// Output:
	// hello over TLS 1.3
	// TLS 1.3 X25519MLKEM768 true
}

// A client that meets a certificate for another name gets an error that
// says which names the certificate is for, and the server is sent the
// bad_certificate alert.
func ExampleDial_wrongName() {
	ca, _ := testpki.NewCA("Example Root", testpki.ECDSAP256)
	leaf, _ := ca.Issue(testpki.LeafOptions{Names: []string{"a.example"}, KeyType: testpki.ECDSAP256})
	cert, _ := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	l, _ := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}})
	defer l.Close()
	go func() {
		c, err := l.Accept()
		if err == nil {
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	_, err := tls.Dial("tcp", l.Addr().String(), &tls.Config{RootCAs: ca.Pool, ServerName: "b.example"})
	var alert tls.AlertError
	errors.As(err, &alert)
	fmt.Println(alert)
	fmt.Println(err)
	// Output:
	// tls: bad_certificate
	// tls: failed to verify certificate: certificate is valid for a.example, not b.example (sent alert bad_certificate)
}
