package tls_test

import (
	stdtls "crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"testing"

	"lucid/internal/testpki"
	"lucid/tls"
)

// mtlsFixture is a CA with a server leaf and a client leaf.
type mtlsFixture struct {
	ca             *testpki.CA
	server, client *testpki.Leaf
}

func newMTLSFixture(t *testing.T, kt testpki.KeyType) *mtlsFixture {
	t.Helper()
	ca, err := testpki.NewCA("mTLS Root", kt)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}, KeyType: kt})
	if err != nil {
		t.Fatal(err)
	}
	cli, err := ca.Issue(testpki.LeafOptions{Names: []string{"alice"}, KeyType: kt, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	return &mtlsFixture{ca: ca, server: srv, client: cli}
}

func keyPair(t *testing.T, l *testpki.Leaf) tls.Certificate {
	c, err := tls.X509KeyPair(l.CertPEM, l.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// runPair handshakes and exchanges a byte each way; it returns both errors.
func runPair(t *testing.T, client, server interface {
	io.ReadWriter
	Handshake() error
}) (clientErr, serverErr error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		if err := server.Handshake(); err != nil {
			done <- err
			return
		}
		b := make([]byte, 1)
		if _, err := io.ReadFull(server, b); err != nil {
			done <- err
			return
		}
		_, err := server.Write(b)
		done <- err
	}()
	clientErr = client.Handshake()
	if clientErr == nil {
		if _, clientErr = client.Write([]byte{7}); clientErr == nil {
			_, clientErr = io.ReadFull(client, make([]byte, 1))
		}
	}
	return clientErr, <-done
}

func TestMutualTLS(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for _, kt := range []testpki.KeyType{testpki.ECDSAP256, testpki.RSA2048, testpki.Ed25519} {
			f := newMTLSFixture(t, kt)
			name := tls.VersionName(v) + "/" + string(kt)
			// Lucid both ends.
			c, s := pair(t)
			client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", Certificates: []tls.Certificate{keyPair(t, f.client)}, MaxVersion: v})
			server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{keyPair(t, f.server)}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: f.ca.Pool, MaxVersion: v})
			if cerr, serr := runPair(t, client, server); cerr != nil || serr != nil {
				t.Fatalf("%s lucid/lucid: client %v, server %v", name, cerr, serr)
			}
			st := server.ConnectionState()
			if len(st.PeerCertificates) == 0 || st.PeerCertificates[0].Subject.CommonName != "alice" || len(st.VerifiedChains) == 0 {
				t.Fatalf("%s: server sees no verified client certificate", name)
			}
			// crypto/tls client presenting alice to a Lucid server.
			pool := x509.NewCertPool()
			pool.AddCert(f.ca.Cert)
			stdCli, _ := stdtls.X509KeyPair(f.client.CertPEM, f.client.KeyPEM)
			c, s = pair(t)
			sclient := stdtls.Client(c, &stdtls.Config{RootCAs: pool, ServerName: "localhost", Certificates: []stdtls.Certificate{stdCli}, MaxVersion: v})
			server = tls.Server(s, &tls.Config{Certificates: []tls.Certificate{keyPair(t, f.server)}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: f.ca.Pool})
			if cerr, serr := runPair(t, sclient, server); cerr != nil || serr != nil {
				t.Fatalf("%s std client: client %v, server %v", name, cerr, serr)
			}
			// Lucid client to a crypto/tls server requiring certificates.
			stdSrv, _ := stdtls.X509KeyPair(f.server.CertPEM, f.server.KeyPEM)
			c, s = pair(t)
			client = tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", Certificates: []tls.Certificate{keyPair(t, f.client)}, MaxVersion: v})
			sserver := stdtls.Server(s, &stdtls.Config{Certificates: []stdtls.Certificate{stdSrv}, ClientAuth: stdtls.RequireAndVerifyClientCert, ClientCAs: pool})
			if cerr, serr := runPair(t, client, sserver); cerr != nil || serr != nil {
				t.Fatalf("%s std server: client %v, server %v", name, cerr, serr)
			}
			if len(sserver.ConnectionState().PeerCertificates) == 0 {
				t.Fatalf("%s: crypto/tls server saw no client certificate", name)
			}
		}
	}
}

// Without a client certificate a server that requires one refuses:
// certificate_required in TLS 1.3, handshake_failure in TLS 1.2.
func TestClientCertificateRequired(t *testing.T) {
	f := newMTLSFixture(t, testpki.ECDSAP256)
	for v, want := range map[uint16]tls.AlertError{tls.VersionTLS13: tls.AlertError(116), tls.VersionTLS12: tls.AlertHandshakeFailure} {
		c, s := pair(t)
		client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v})
		server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{keyPair(t, f.server)}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: f.ca.Pool})
		_, serr := runPair(t, client, server)
		var a tls.AlertError
		if !errors.As(serr, &a) || a != want {
			t.Fatalf("%s: server error %v, want alert %v", tls.VersionName(v), serr, want)
		}
	}
}

// A client certificate from another CA is refused with unknown_ca, and a
// server certificate offered as a client one with unsupported_certificate
// (wrong extended key usage).
func TestClientCertificateRefused(t *testing.T) {
	f := newMTLSFixture(t, testpki.ECDSAP256)
	other := newMTLSFixture(t, testpki.ECDSAP256)
	cases := []struct {
		name string
		leaf *testpki.Leaf
	}{{"other CA", other.client}, {"server certificate", f.server}}
	for _, tc := range cases {
		for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
			c, s := pair(t)
			client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v,
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
					cert := keyPair(t, tc.leaf)
					return &cert, nil
				}})
			server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{keyPair(t, f.server)}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: f.ca.Pool})
			_, serr := runPair(t, client, server)
			var ce *tls.CertificateVerificationError
			if !errors.As(serr, &ce) || len(ce.UnverifiedCertificates) == 0 {
				t.Fatalf("%s %s: server error %v, want a CertificateVerificationError with the chain", tc.name, tls.VersionName(v), serr)
			}
		}
	}
}
