package rfc8448

import (
	"crypto/ecdh"
	"crypto/rsa"
	"crypto/x509"
	"encoding/hex"
	"testing"
)

// Every value decodes to the number of octets the RFC states for it.
func TestLengths(t *testing.T) {
	if len(vectors) == 0 {
		t.Fatal("no vectors indexed")
	}
	for _, v := range vectors {
		b, err := hex.DecodeString(v.hex)
		if err != nil {
			t.Errorf("%s (line %d): %v", v.name, v.line, err)
			continue
		}
		if len(b) != v.octets {
			t.Errorf("%s (line %d): %d octets, the RFC says %d", v.name, v.line, len(b), v.octets)
		}
	}
}

// Each handshake message's 4-byte header agrees with its length, and its
// type is the one its name says.
func TestMessageHeaders(t *testing.T) {
	for _, m := range []struct {
		name string
		hex  string
		typ  byte
	}{
		{"SimpleClientHello", SimpleClientHello, 1},
		{"SimpleServerHello", SimpleServerHello, 2},
		{"SimpleEncryptedExtensions", SimpleEncryptedExtensions, 8},
		{"SimpleServerCertificate", SimpleServerCertificate, 11},
		{"SimpleServerCertificateVerify", SimpleServerCertificateVerify, 15},
		{"SimpleServerFinished", SimpleServerFinished, 20},
		{"SimpleClientFinished", SimpleClientFinished, 20},
		{"SimpleNewSessionTicket", SimpleNewSessionTicket, 4},
		{"ResumedClientHello", ResumedClientHello, 1},
		{"ResumedServerHello", ResumedServerHello, 2},
		{"ResumedEncryptedExtensions", ResumedEncryptedExtensions, 8},
		{"ResumedServerFinished", ResumedServerFinished, 20},
		{"ResumedEndOfEarlyData", ResumedEndOfEarlyData, 5},
		{"ResumedClientFinished", ResumedClientFinished, 20},
		{"HRRClientHello1", HRRClientHello1, 1},
		{"HRRHelloRetryRequest", HRRHelloRetryRequest, 2},
		{"HRRClientHello2", HRRClientHello2, 1},
		{"HRRServerHello", HRRServerHello, 2},
		{"HRREncryptedExtensions", HRREncryptedExtensions, 8},
		{"HRRServerCertificate", HRRServerCertificate, 11},
		{"HRRServerCertificateVerify", HRRServerCertificateVerify, 15},
		{"HRRServerFinished", HRRServerFinished, 20},
		{"HRRClientFinished", HRRClientFinished, 20},
		{"ClientAuthClientHello", ClientAuthClientHello, 1},
		{"ClientAuthServerHello", ClientAuthServerHello, 2},
		{"ClientAuthEncryptedExtensions", ClientAuthEncryptedExtensions, 8},
		{"ClientAuthCertificateRequest", ClientAuthCertificateRequest, 13},
		{"ClientAuthServerCertificate", ClientAuthServerCertificate, 11},
		{"ClientAuthServerCertificateVerify", ClientAuthServerCertificateVerify, 15},
		{"ClientAuthServerFinished", ClientAuthServerFinished, 20},
		{"ClientAuthClientCertificate", ClientAuthClientCertificate, 11},
		{"ClientAuthClientCertificateVerify", ClientAuthClientCertificateVerify, 15},
		{"ClientAuthClientFinished", ClientAuthClientFinished, 20},
		{"CompatClientHello", CompatClientHello, 1},
		{"CompatServerHello", CompatServerHello, 2},
		{"CompatEncryptedExtensions", CompatEncryptedExtensions, 8},
		{"CompatServerCertificate", CompatServerCertificate, 11},
		{"CompatServerCertificateVerify", CompatServerCertificateVerify, 15},
		{"CompatServerFinished", CompatServerFinished, 20},
		{"CompatClientFinished", CompatClientFinished, 20},
	} {
		b := Bytes(m.hex)
		if b[0] != m.typ {
			t.Errorf("%s: type %d, want %d", m.name, b[0], m.typ)
		}
		if n := int(b[1])<<16 | int(b[2])<<8 | int(b[3]); n != len(b)-4 {
			t.Errorf("%s: header says %d bytes, body has %d", m.name, n, len(b)-4)
		}
	}
}

// The ephemeral public keys are the private keys' public halves.
func TestKeyPairs(t *testing.T) {
	for _, p := range []struct {
		name      string
		curve     ecdh.Curve
		priv, pub string
	}{
		{"SimpleClientX25519", ecdh.X25519(), SimpleClientX25519PrivateKey, SimpleClientX25519PublicKey},
		{"SimpleServerX25519", ecdh.X25519(), SimpleServerX25519PrivateKey, SimpleServerX25519PublicKey},
		{"ResumedClientX25519", ecdh.X25519(), ResumedClientX25519PrivateKey, ResumedClientX25519PublicKey},
		{"ResumedServerX25519", ecdh.X25519(), ResumedServerX25519PrivateKey, ResumedServerX25519PublicKey},
		{"HRRClientX25519", ecdh.X25519(), HRRClientX25519PrivateKey, HRRClientX25519PublicKey},
		{"HRRClientP256", ecdh.P256(), HRRClientP256PrivateKey, HRRClientP256PublicKey},
		{"HRRServerP256", ecdh.P256(), HRRServerP256PrivateKey, HRRServerP256PublicKey},
		{"ClientAuthClientX25519", ecdh.X25519(), ClientAuthClientX25519PrivateKey, ClientAuthClientX25519PublicKey},
		{"ClientAuthServerX25519", ecdh.X25519(), ClientAuthServerX25519PrivateKey, ClientAuthServerX25519PublicKey},
		{"CompatClientX25519", ecdh.X25519(), CompatClientX25519PrivateKey, CompatClientX25519PublicKey},
		{"CompatServerX25519", ecdh.X25519(), CompatServerX25519PrivateKey, CompatServerX25519PublicKey},
	} {
		k, err := p.curve.NewPrivateKey(Bytes(p.priv))
		if err != nil {
			t.Errorf("%s: %v", p.name, err)
			continue
		}
		if got := hex.EncodeToString(k.PublicKey().Bytes()); got != p.pub {
			t.Errorf("%s: public key %s, the trace has %s", p.name, got, p.pub)
		}
	}
}

// ServerRSAKey is a valid key whose public half is the one in the server
// certificate of §3, which §5 and §7 send again.
func TestServerRSAKey(t *testing.T) {
	k := ServerRSAKey()
	if err := k.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, msg string }{
		{"SimpleServerCertificate", SimpleServerCertificate},
		{"HRRServerCertificate", HRRServerCertificate},
		{"CompatServerCertificate", CompatServerCertificate},
	} {
		b := Bytes(c.msg)
		// Header (4), empty request context (1), list length (3), the
		// one entry's length (3), the DER, then two bytes of empty
		// extensions.
		n := int(b[8])<<16 | int(b[9])<<8 | int(b[10])
		cert, err := x509.ParseCertificate(b[11 : 11+n])
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok || !pub.Equal(&k.PublicKey) {
			t.Errorf("%s: the leaf's key is not ServerRSAKey's public half", c.name)
		}
	}
}
