package signature

import (
	"bytes"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/rfc8448"
	"lucid/internal/version"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test vector: %v", err)
	}
	return b
}

// u24 reads a 3-byte big-endian length, as TLS uses for handshake bodies and
// certificate lists.
func u24(b []byte) int { return int(b[0])<<16 | int(b[1])<<8 | int(b[2]) }

// TestRFC8448ServerCertificateVerify checks the server signature of
// RFC 8448 §3 with Verify: RSA-PSS is randomized, so the signature cannot be
// reproduced, only verified. The transcript hash covers ClientHello through
// Certificate (RFC 8446 §4.4.3).
func TestRFC8448ServerCertificateVerify(t *testing.T) {
	ch := unhex(t, rfc8448.SimpleClientHello)
	sh := unhex(t, rfc8448.SimpleServerHello)
	ee := unhex(t, rfc8448.SimpleEncryptedExtensions)
	cm := unhex(t, rfc8448.SimpleServerCertificate)
	cv := unhex(t, rfc8448.SimpleServerCertificateVerify)

	if h := sha256.Sum256(append(append([]byte{}, ch...), sh...)); hex.EncodeToString(h[:]) != rfc8448.SimpleHelloHash {
		t.Fatalf("ClientHello..ServerHello hash = %x, want %s: the transcription is wrong", h, rfc8448.SimpleHelloHash)
	}

	// Certificate: type 11, uint24 length, empty request context,
	// uint24 certificate_list length, then uint24 cert_data length and DER.
	if cm[0] != 11 || u24(cm[1:]) != len(cm)-4 || cm[4] != 0 || u24(cm[5:]) != len(cm)-8 {
		t.Fatalf("Certificate message framing is not as expected")
	}
	der := cm[11 : 11+u24(cm[8:])]
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse RFC 8448 certificate: %v", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.Cmp(new(big.Int).SetBytes(unhex(t, rfc8448.ServerRSAModulus))) != 0 {
		t.Fatalf("certificate key is not the RFC 8448 §2 RSA key")
	}

	// CertificateVerify: type 15, uint24 length, uint16 scheme, uint16 length, signature.
	if cv[0] != 15 || u24(cv[1:]) != len(cv)-4 {
		t.Fatalf("CertificateVerify framing is not as expected")
	}
	scheme := Scheme(uint16(cv[4])<<8 | uint16(cv[5]))
	if scheme != PSSWithSHA256 {
		t.Fatalf("scheme = %v, want rsa_pss_rsae_sha256", scheme)
	}
	sig := cv[8:]
	if int(cv[6])<<8|int(cv[7]) != len(sig) {
		t.Fatalf("signature length field does not match")
	}

	var transcript []byte
	for _, m := range [][]byte{ch, sh, ee, cm} {
		transcript = append(transcript, m...)
	}
	th := sha256.Sum256(transcript)
	content := Content13(ServerContext13, th[:])

	if err := Verify(pub, scheme, content, sig); err != nil {
		t.Fatalf("RFC 8448 server CertificateVerify does not verify: %v", err)
	}
	if err := VerifyFor(pub, version.TLS13, scheme, content, sig); err != nil {
		t.Fatalf("VerifyFor TLS 1.3: %v", err)
	}

	// The same signature must fail under the client context string: that is
	// what the context is for.
	err = Verify(pub, scheme, Content13(ClientContext13, th[:]), sig)
	var ae *alert.Error
	if !errors.As(err, &ae) || ae.Desc != alert.DecryptError {
		t.Fatalf("client-context verify: got %v, want decrypt_error", err)
	}
	// And a one-bit change in the transcript must fail too.
	th[0] ^= 1
	if err := Verify(pub, scheme, Content13(ServerContext13, th[:]), sig); alert.Of(err) != alert.DecryptError {
		t.Fatalf("tampered transcript: got %v, want decrypt_error", err)
	}
	if bytes.Equal(content, Content13(ServerContext13, th[:])) {
		t.Fatal("Content13 ignored the transcript hash")
	}
	// A 1024-bit key is too small for PSS with SHA-512 and a 64-byte salt.
	if Allowed(pub, version.TLS13, PSSWithSHA512) {
		t.Error("rsa_pss_rsae_sha512 allowed for a 1024-bit key")
	}
}
