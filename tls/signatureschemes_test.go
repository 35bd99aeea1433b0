package tls_test

import (
	"errors"
	"testing"

	"lucid/tls"
)

// Config.SignatureSchemes narrows what a client accepts from the server and
// what it offers: a server whose key cannot sign any offered scheme fails,
// one that can signs with the configured scheme.
func TestSignatureSchemesNarrowClient(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		rsa := newLucidFixture(t, "rsa-2048")
		ecdsa := newLucidFixture(t, "ecdsa-p256")

		c, s := pair(t)
		ccfg := &tls.Config{RootCAs: rsa.ca.Pool, ServerName: "localhost", MaxVersion: v,
			SignatureSchemes: []tls.SignatureScheme{tls.PSSWithSHA384}}
		client := tls.Client(c, ccfg)
		server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{rsa.lucidCert(t)}})
		if cerr, serr := runPair(t, client, server); cerr != nil || serr != nil {
			t.Fatalf("v%x: RSA server: client %v, server %v", v, cerr, serr)
		}
		if got := client.ConnectionState().SignatureScheme; got != tls.PSSWithSHA384 {
			t.Errorf("v%x: server signed with %v, want rsa_pss_rsae_sha384", v, got)
		}

		c, s = pair(t)
		ccfg.RootCAs = ecdsa.ca.Pool
		client = tls.Client(c, ccfg)
		server = tls.Server(s, &tls.Config{Certificates: []tls.Certificate{ecdsa.lucidCert(t)}})
		_, serr := runPair(t, client, server)
		var te *tls.Error
		if !errors.As(serr, &te) || te.Alert != tls.AlertHandshakeFailure {
			t.Errorf("v%x: ECDSA server with a PSS-only client: %v, want handshake_failure", v, serr)
		}
	}
}

// A server's SignatureSchemes narrows what it asks of and accepts from
// client certificates; its own key still signs with what the client offers.
func TestSignatureSchemesNarrowServer(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	clientCert := newLucidFixture(t, "ecdsa-p384")
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		c, s := pair(t)
		server := tls.Server(s, &tls.Config{
			Certificates:     []tls.Certificate{f.lucidCert(t)},
			ClientAuth:       tls.RequireAnyClientCert,
			SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP384AndSHA384},
		})
		client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v,
			Certificates: []tls.Certificate{clientCert.lucidCert(t)}})
		if cerr, serr := runPair(t, client, server); cerr != nil || serr != nil {
			t.Fatalf("v%x: client %v, server %v", v, cerr, serr)
		}
		if got := server.ConnectionState().SignatureScheme; got != tls.ECDSAWithP384AndSHA384 {
			t.Errorf("v%x: client signed with %v", v, got)
		}
		if got := client.ConnectionState().SignatureScheme; got != tls.ECDSAWithP256AndSHA256 {
			t.Errorf("v%x: server signed with %v, want its own P-256 scheme", v, got)
		}
	}
}

// A list with nothing Lucid accepts is a configuration error, not a
// handshake that offers an empty list.
func TestSignatureSchemesNothingAccepted(t *testing.T) {
	c, _ := pair(t)
	client := tls.Client(c, &tls.Config{InsecureSkipVerify: true, SignatureSchemes: []tls.SignatureScheme{0x0201, 0x0a0a}})
	if err := client.Handshake(); err == nil {
		t.Fatal("handshake with only SHA-1 and an unknown scheme started")
	}
}

// A TLS 1.2 server with several certificates picks one whose key fits a
// suite the client offers: an ECDHE_RSA-only client gets the RSA chain
// even when the ECDSA one comes first, and the other way round.
func TestServerPicksCertificateForSuite12(t *testing.T) {
	ecdsaF, rsaF := newLucidFixture(t, "ecdsa-p256"), newLucidFixture(t, "rsa-2048")
	certs := []tls.Certificate{ecdsaF.lucidCert(t), rsaF.lucidCert(t)}
	for _, tc := range []struct {
		suite uint16
		want  *lucidFixture
	}{
		{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, rsaF},
		{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, ecdsaF},
	} {
		c, s := pair(t)
		client := tls.Client(c, &tls.Config{RootCAs: tc.want.ca.Pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tc.suite}})
		server := tls.Server(s, &tls.Config{Certificates: certs})
		if cerr, serr := runPair(t, client, server); cerr != nil || serr != nil {
			t.Fatalf("%s: client %v, server %v", tls.CipherSuiteName(tc.suite), cerr, serr)
		}
		if got := client.ConnectionState().PeerCertificates[0]; !got.Equal(tc.want.leaf.Cert) {
			t.Errorf("%s: server sent %s", tls.CipherSuiteName(tc.suite), got.Subject)
		}
	}
}

// Without an ECDHE group in common only RSA key transport is left, so a
// server with ECDSA and RSA certificates must pick the RSA one.
func TestServerPicksRSAWithoutCommonGroup(t *testing.T) {
	ecdsaF, rsaF := newLucidFixture(t, "ecdsa-p256"), newLucidFixture(t, "rsa-2048")
	c, s := pair(t)
	client := tls.Client(c, &tls.Config{RootCAs: rsaF.ca.Pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12,
		CurvePreferences: []tls.CurveID{tls.CurveP256},
		CipherSuites:     []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}})
	server := tls.Server(s, &tls.Config{Certificates: []tls.Certificate{ecdsaF.lucidCert(t), rsaF.lucidCert(t)},
		CurvePreferences: []tls.CurveID{tls.CurveP384},
		CipherSuites:     []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}})
	if cerr, serr := runPair(t, client, server); cerr != nil || serr != nil {
		t.Fatalf("client %v, server %v", cerr, serr)
	}
	if got := client.ConnectionState().CipherSuite; got != tls.TLS_RSA_WITH_AES_128_GCM_SHA256 {
		t.Errorf("negotiated %s", tls.CipherSuiteName(got))
	}
}
