package wire

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"testing"
)

// TestOpenSSLRoundTrip parses every captured TLS 1.2 message and checks
// that marshalling the result reproduces the exact bytes.
func TestOpenSSLRoundTrip(t *testing.T) {
	for _, v := range []struct {
		name, parser, hex string
	}{
		{"ECDSA Certificate", "Certificate12", opensslECDSACertificate},
		{"ECDSA CertificateStatus", "CertificateStatus", opensslECDSACertificateStatus},
		{"ECDSA ServerKeyExchange", "ServerKeyExchangeECDHE", opensslECDSAServerKeyExchange},
		{"ECDSA CertificateRequest", "CertificateRequest12", opensslECDSACertificateRequest},
		{"ECDSA ServerHelloDone", "ServerHelloDone", opensslECDSAServerHelloDone},
		{"ECDSA client Certificate", "Certificate12", opensslECDSAClientCertificate},
		{"ECDSA ClientKeyExchange", "ClientKeyExchange", opensslECDSAClientKeyExchange},
		{"ECDSA NewSessionTicket", "NewSessionTicket12", opensslECDSANewSessionTicket},
		{"RSA Certificate", "Certificate12", opensslRSACertificate},
		{"RSA ServerKeyExchange", "ServerKeyExchangeECDHE", opensslRSAServerKeyExchange},
		{"RSA ClientKeyExchange", "ClientKeyExchange", opensslRSAClientKeyExchange},
		{"RSA key exchange ClientKeyExchange", "ClientKeyExchange", opensslRSAKexClientKeyExchange},
	} {
		t.Run(v.name, func(t *testing.T) {
			msg := unhex(t, v.hex)
			typ, _, _ := Header(msg)
			out, err := parsers12[v.parser](splitMessage(t, msg, typ))
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if !bytes.Equal(out, msg) {
				t.Fatalf("re-marshalled bytes differ\n got %x\nwant %x", out, msg)
			}
		})
	}
}

// helloRandoms returns ClientHello.random and ServerHello.random from a
// captured pair of hellos.
func helloRandoms(t *testing.T, chHex, shHex string) []byte {
	t.Helper()
	ch, err := ParseClientHello(splitMessage(t, unhex(t, chHex), TypeClientHello))
	if err != nil {
		t.Fatal(err)
	}
	sh, err := ParseServerHello(splitMessage(t, unhex(t, shHex), TypeServerHello))
	if err != nil {
		t.Fatal(err)
	}
	return cat(ch.Random[:], sh.Random[:])
}

// TestOpenSSLECDSAFlight reads the ECDHE-ECDSA capture field by field and
// checks the ServerKeyExchange signature with the leaf's public key over
// the two randoms and Params(), which proves Params() reproduces the
// signed bytes.
func TestOpenSSLECDSAFlight(t *testing.T) {
	cert, err := ParseCertificate12(splitMessage(t, unhex(t, opensslECDSACertificate), TypeCertificate))
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.Certificates) != 2 || len(cert.Certificates[0]) != 299 {
		t.Fatalf("chain of %d certificates", len(cert.Certificates))
	}
	leaf, err := x509.ParseCertificate(cert.Certificates[0])
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(cert.Certificates[1])
	if err != nil {
		t.Fatal(err)
	}
	if leaf.Subject.CommonName != "localhost" || ca.Subject.CommonName != "Lucid Test CA" {
		t.Fatalf("chain %q, %q", leaf.Subject, ca.Subject)
	}

	status, err := ParseCertificateStatus(splitMessage(t, unhex(t, opensslECDSACertificateStatus), TypeCertificateStatus))
	if err != nil {
		t.Fatal(err)
	}
	// OCSPResponse ::= SEQUENCE { responseStatus successful(0), ... }
	if len(status.OCSPResponse) != 690 || !bytes.HasPrefix(status.OCSPResponse, []byte{0x30, 0x82, 0x02, 0xae, 0x0a, 0x01, 0x00}) {
		t.Fatalf("OCSPResponse %d bytes: %x...", len(status.OCSPResponse), status.OCSPResponse[:8])
	}

	ske, err := ParseServerKeyExchangeECDHE(splitMessage(t, unhex(t, opensslECDSAServerKeyExchange), TypeServerKeyExchange))
	if err != nil {
		t.Fatal(err)
	}
	if ske.Group != 0x001d || len(ske.PublicKey) != 32 || ske.Scheme != 0x0403 {
		t.Fatalf("ServerKeyExchange group %#04x, %d-byte key, scheme %#04x", ske.Group, len(ske.PublicKey), ske.Scheme)
	}
	pub, ok := leaf.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Fatalf("leaf key %T", leaf.PublicKey)
	}
	signed := cat(helloRandoms(t, opensslECDSAClientHello, opensslECDSAServerHello), ske.Params())
	digest := sha256.Sum256(signed)
	if !ecdsa.VerifyASN1(pub, digest[:], ske.Signature) {
		t.Fatal("ecdsa_secp256r1_sha256 signature over randoms || Params() does not verify")
	}

	cr, err := ParseCertificateRequest12(splitMessage(t, unhex(t, opensslECDSACertificateRequest), TypeCertificateRequest))
	if err != nil {
		t.Fatal(err)
	}
	// rsa_sign(1), dss_sign(2), ecdsa_sign(64) (RFC 8422 §5.5).
	if !bytes.Equal(cr.CertificateTypes, []uint8{1, 2, 64}) {
		t.Fatalf("certificate_types %v", cr.CertificateTypes)
	}
	if len(cr.SignatureSchemes) != 20 || cr.SignatureSchemes[0] != 0x0403 || cr.SignatureSchemes[19] != 0x0602 {
		t.Fatalf("supported_signature_algorithms %04x", cr.SignatureSchemes)
	}
	if len(cr.CertificateAuthorities) != 1 || !bytes.Equal(cr.CertificateAuthorities[0], ca.RawSubject) {
		t.Fatalf("certificate_authorities %x, want the CA's subject %x", cr.CertificateAuthorities, ca.RawSubject)
	}

	if _, err := ParseServerHelloDone(splitMessage(t, unhex(t, opensslECDSAServerHelloDone), TypeServerHelloDone)); err != nil {
		t.Fatal(err)
	}
	clientCert, err := ParseCertificate12(splitMessage(t, unhex(t, opensslECDSAClientCertificate), TypeCertificate))
	if err != nil || clientCert.Certificates != nil {
		t.Fatalf("client Certificate %+v %v, want an empty list", clientCert, err)
	}

	cke, err := ParseClientKeyExchange(splitMessage(t, unhex(t, opensslECDSAClientKeyExchange), TypeClientKeyExchange))
	if err != nil {
		t.Fatal(err)
	}
	point, err := cke.ECDHEPoint()
	if err != nil || len(point) != 32 {
		t.Fatalf("X25519 ClientKeyExchange point %x %v", point, err)
	}
	if !bytes.Equal(NewClientKeyExchangeECDHE(point).Marshal(), unhex(t, opensslECDSAClientKeyExchange)) {
		t.Fatal("NewClientKeyExchangeECDHE does not rebuild the captured message")
	}

	nst, err := ParseNewSessionTicket12(splitMessage(t, unhex(t, opensslECDSANewSessionTicket), TypeNewSessionTicket))
	if err != nil {
		t.Fatal(err)
	}
	if nst.LifetimeHint != 7200 || len(nst.Ticket) != 176 {
		t.Fatalf("NewSessionTicket hint %d, %d-byte ticket", nst.LifetimeHint, len(nst.Ticket))
	}
}

// TestOpenSSLRSAFlight checks the ECDHE-RSA capture, whose signature is
// rsa_pss_rsae_sha256, and the RSA key exchange capture.
func TestOpenSSLRSAFlight(t *testing.T) {
	cert, err := ParseCertificate12(splitMessage(t, unhex(t, opensslRSACertificate), TypeCertificate))
	if err != nil {
		t.Fatal(err)
	}
	if len(cert.Certificates) != 1 {
		t.Fatalf("chain of %d certificates", len(cert.Certificates))
	}
	leaf, err := x509.ParseCertificate(cert.Certificates[0])
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := leaf.PublicKey.(*rsa.PublicKey)
	if !ok || pub.Size() != 256 {
		t.Fatalf("leaf key %T", leaf.PublicKey)
	}

	ske, err := ParseServerKeyExchangeECDHE(splitMessage(t, unhex(t, opensslRSAServerKeyExchange), TypeServerKeyExchange))
	if err != nil {
		t.Fatal(err)
	}
	if ske.Group != 0x0017 || len(ske.PublicKey) != 65 || ske.PublicKey[0] != 4 || ske.Scheme != 0x0804 || len(ske.Signature) != 256 {
		t.Fatalf("ServerKeyExchange group %#04x, %d-byte key, scheme %#04x", ske.Group, len(ske.PublicKey), ske.Scheme)
	}
	digest := sha256.Sum256(cat(helloRandoms(t, opensslRSAClientHello, opensslRSAServerHello), ske.Params()))
	if err := rsa.VerifyPSS(pub, crypto.SHA256, digest[:], ske.Signature, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash}); err != nil {
		t.Fatalf("rsa_pss_rsae_sha256 signature over randoms || Params(): %v", err)
	}

	cke, err := ParseClientKeyExchange(splitMessage(t, unhex(t, opensslRSAClientKeyExchange), TypeClientKeyExchange))
	if err != nil {
		t.Fatal(err)
	}
	if point, err := cke.ECDHEPoint(); err != nil || len(point) != 65 || point[0] != 4 {
		t.Fatalf("P-256 ClientKeyExchange point %x %v", point, err)
	}

	kex, err := ParseClientKeyExchange(splitMessage(t, unhex(t, opensslRSAKexClientKeyExchange), TypeClientKeyExchange))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := kex.EncryptedPreMaster()
	if err != nil || len(enc) != pub.Size() {
		t.Fatalf("EncryptedPreMaster of %d bytes (%v), want %d", len(enc), err, pub.Size())
	}
	if !bytes.Equal(NewClientKeyExchangeRSA(enc).Marshal(), unhex(t, opensslRSAKexClientKeyExchange)) {
		t.Fatal("NewClientKeyExchangeRSA does not rebuild the captured message")
	}
	if _, err := kex.ECDHEPoint(); err == nil {
		t.Fatal("an RSA ClientKeyExchange read as ECDHE")
	}
}
