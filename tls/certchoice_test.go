package tls_test

import (
	stdtls "crypto/tls"
	"errors"
	"strings"
	"testing"

	"lucid/tls"
)

// When no certificate suits a client, the server's error says why the
// certificate was passed over, not a guess: here an ECDSA certificate and
// a TLS 1.2 client that offers only RSA suites.
func TestNoSuitableCertificateSaysWhy(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	c, s := pair(t)
	client := stdtls.Client(c, &stdtls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: stdtls.VersionTLS12,
		CipherSuites: []uint16{stdtls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}})
	server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{f.lucidCert(t)}})
	_, serr := runPair(t, client, server)
	var a tls.AlertError
	if !errors.As(serr, &a) || a != tls.AlertHandshakeFailure {
		t.Fatalf("server error %v, want handshake_failure", serr)
	}
	if !strings.Contains(serr.Error(), "TLS 1.2 suite") {
		t.Errorf("server error %q does not say that no TLS 1.2 suite fits the key", serr)
	}
}
