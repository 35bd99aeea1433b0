package tls_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"lucid/internal/kex"
	"lucid/internal/record"
	"lucid/internal/testwait"
	"lucid/internal/wire"
	"lucid/tls"
)

// GetCertificate sees the authorities a client names, and SupportsCertificate
// tells it which of its certificates the server could use.
func TestClientHelloInfoForGetCertificate(t *testing.T) {
	ecdsaF, rsaF := newLucidFixture(t, "ecdsa-p256"), newLucidFixture(t, "rsa-2048")
	certs := []tls.Certificate{ecdsaF.lucidCert(t), rsaF.lucidCert(t)}
	var supports []error
	scfg := &tls.Config{GetCertificate: func(info *tls.ClientHelloInfo) (*tls.Certificate, error) {
		supports = nil
		for i := range certs {
			supports = append(supports, info.SupportsCertificate(&certs[i]))
		}
		for i := range certs {
			if supports[i] == nil {
				return &certs[i], nil
			}
		}
		return nil, errors.New("no certificate fits")
	}}
	c, s := pair(t)
	client := tls.Client(c, &tls.Config{RootCAs: rsaF.ca.Pool, ServerName: "localhost", MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256}})
	if cerr, serr := runPair(t, client, tls.Server(s, scfg)); cerr != nil || serr != nil {
		t.Fatalf("client %v, server %v", cerr, serr)
	}
	if len(supports) != 2 || supports[0] == nil || supports[1] != nil {
		t.Errorf("SupportsCertificate for an ECDHE_RSA-only client: ECDSA %v, RSA %v", supports[0], supports[1])
	}

	// A hand-made ClientHello naming an authority.
	name := []byte{0x30, 0x0b, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x00}
	seenc := make(chan [][]byte, 1)
	c, s = pair(t)
	server := tls.Server(s, &tls.Config{GetCertificate: func(info *tls.ClientHelloInfo) (*tls.Certificate, error) {
		seenc <- info.CertificateAuthorities
		return &certs[0], nil
	}})
	share, err := kex.Generate(kex.X25519, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ch := &wire.ClientHello{
		LegacyVersion: 0x0303, SessionID: make([]byte, 32), CipherSuites: []uint16{tls.TLS_AES_128_GCM_SHA256},
		CompressionMethods: []uint8{0}, SupportedVersions: []uint16{tls.VersionTLS13}, SupportedGroups: []uint16{kex.X25519},
		SignatureSchemes: []uint16{uint16(tls.ECDSAWithP256AndSHA256)}, HasKeyShare: true,
		KeyShares:              []wire.KeyShare{{Group: kex.X25519, Data: share.Share()}},
		CertificateAuthorities: [][]byte{name},
	}
	msg := ch.Marshal()
	c.Write(append(record.AppendHeader(nil, record.TypeHandshake, 0x0301, len(msg)), msg...))
	go func() { server.Handshake() }()
	seen := testwait.Recv(t, seenc, "GetCertificate to run")
	c.Close()
	if len(seen) != 1 || !bytes.Equal(seen[0], name) {
		t.Errorf("GetCertificate saw authorities %x", seen)
	}
}

// A ClientHelloInfo that GetCertificate keeps still describes its own
// hello after the handshake is done and others have run: the engine's
// memory goes to the next handshake (Engine.ReleaseHandshake), and the
// info must not be part of it.
func TestClientHelloInfoKept(t *testing.T) {
	f := newLucidFixture(t, "ecdsa-p256")
	cert := f.lucidCert(t)
	var kept []*tls.ClientHelloInfo
	scfg := &tls.Config{GetCertificate: func(info *tls.ClientHelloInfo) (*tls.Certificate, error) {
		kept = append(kept, info)
		return &cert, nil
	}}
	versions := []uint16{tls.VersionTLS13, tls.VersionTLS12, tls.VersionTLS13}
	for _, v := range versions {
		c, s := pair(t)
		client := tls.Client(c, &tls.Config{RootCAs: f.ca.Pool, ServerName: "localhost", MaxVersion: v})
		if cerr, serr := runPair(t, client, tls.Server(s, scfg)); cerr != nil || serr != nil {
			t.Fatalf("v%x: client %v, server %v", v, cerr, serr)
		}
	}
	if len(kept) != len(versions) {
		t.Fatalf("GetCertificate ran %d times, want %d", len(kept), len(versions))
	}
	for i, info := range kept {
		if err := info.SupportsCertificate(&cert); err != nil {
			t.Errorf("hello %d (v%x), kept: SupportsCertificate says %v", i, versions[i], err)
		}
		if info.ServerName != "localhost" || len(info.SignatureSchemes) == 0 {
			t.Errorf("hello %d, kept: server name %q, %d schemes", i, info.ServerName, len(info.SignatureSchemes))
		}
	}
}
