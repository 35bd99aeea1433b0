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
)

// Handshake messages of RFC 8448 §3 ("Simple 1-RTT Handshake"), copied from
// the trace with their 4-byte handshake headers.
const (
	rfc8448ClientHello = "" +
		"010000c00303cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef" +
		"6283024dece7000006130113031302010000910000000b000900000673657276" +
		"6572ff01000100000a00140012001d0017001800190100010101020103010400" +
		"230000003300260024001d002099381de560e4bd43d23d8e435a7dbafeb3c06e" +
		"51c13cae4d5413691e529aaf2c002b0003020304000d0020001e040305030603" +
		"020308040805080604010501060102010402050206020202002d00020101001c" +
		"00024001"
	rfc8448ServerHello = "" +
		"020000560303a6af06a4121860dc5e6e60249cd34c95930c8ac5cb1434dac155" +
		"772ed3e2692800130100002e00330024001d0020c9828876112095fe66762bdb" +
		"f7c672e156d6cc253b833df1dd69b1b04e751f0f002b00020304"
	rfc8448EncryptedExtensions = "" +
		"080000240022000a00140012001d00170018001901000101010201030104001c" +
		"0002400100000000"
	rfc8448Certificate = "" +
		"0b0001b9000001b50001b0308201ac30820115a003020102020102300d06092a" +
		"864886f70d01010b0500300e310c300a06035504031303727361301e170d3136" +
		"303733303031323335395a170d3236303733303031323335395a300e310c300a" +
		"0603550403130372736130819f300d06092a864886f70d010101050003818d00" +
		"30818902818100b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826" +
		"d3901a2461eafd2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced4312" +
		"0998e187a80ee0ccb0524b1b018c3e0b63264d449a6d38e22a5fda4308467480" +
		"30530ef0461c8ca9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a" +
		"8d88d79f7f1e3f0203010001a31a301830090603551d1304023000300b060355" +
		"1d0f0404030205a0300d06092a864886f70d01010b05000381810085aad2a0e5" +
		"b9276b908c65f73a7267170618a54c5f8a7b337d2df7a594365417f2eae8f8a5" +
		"8c8f8172f9319cf36b7fd6c55b80f21a03015156726096fd335e5e67f2dbf102" +
		"702e608ccae6bec1fc63a42a99be5c3eb7107c3c54e9b9eb2bd5203b1c3b84e0" +
		"a8b2f759409ba3eac9d91d402dcc0cc8f8961229ac9187b42b4de10000"
	rfc8448CertificateVerify = "" +
		"0f000084080400805a747c5d88fa9bd2e55ab085a61015b7211f824cd484145a" +
		"b3ff52f1fda8477b0b7abc90db78e2d33a5c141a078653fa6bef780c5ea248ee" +
		"aaa785c4f394cab6d30bbe8d4859ee511f602957b15411ac027671459e46445c" +
		"9ea58c181e818e95b8c3fb0bf3278409d3be152a3da5043e063dda65cdf5aea2" +
		"0d53dfacd42f74f3"
)

// rfc8448Modulus is the server's RSA modulus from RFC 8448 §2, used to check
// that the certificate was pulled out of the Certificate message correctly.
const rfc8448Modulus = "" +
	"b4bb498f8279303d980836399b36c6988c0c68de55e1bdb826d3901a2461eafd" +
	"2de49a91d015abbc9a95137ace6c1af19eaa6af98c7ced43120998e187a80ee0" +
	"ccb0524b1b018c3e0b63264d449a6d38e22a5fda430846748030530ef0461c8c" +
	"a9d9efbfae8ea6d1d03e2bd193eff0ab9a8002c47428a6d35a8d88d79f7f1e3f"

// rfc8448HandshakeHash is the SHA-256 of ClientHello..ServerHello, printed in
// RFC 8448 §3 as the hash for "tls13 c hs traffic"; it proves the messages
// above were transcribed byte for byte.
const rfc8448HandshakeHash = "860c06edc07858ee8e78f0e7428c58edd6b43f2ca3e6e95f02ed063cf0e1cad8"

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
	ch := unhex(t, rfc8448ClientHello)
	sh := unhex(t, rfc8448ServerHello)
	ee := unhex(t, rfc8448EncryptedExtensions)
	cm := unhex(t, rfc8448Certificate)
	cv := unhex(t, rfc8448CertificateVerify)

	if h := sha256.Sum256(append(append([]byte{}, ch...), sh...)); hex.EncodeToString(h[:]) != rfc8448HandshakeHash {
		t.Fatalf("ClientHello..ServerHello hash = %x, want %s: the transcription is wrong", h, rfc8448HandshakeHash)
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
	if !ok || pub.N.Cmp(new(big.Int).SetBytes(unhex(t, rfc8448Modulus))) != 0 {
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
	if err := VerifyFor(pub, VersionTLS13, scheme, content, sig); err != nil {
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
	if Allowed(pub, VersionTLS13, PSSWithSHA512) {
		t.Error("rsa_pss_rsae_sha512 allowed for a 1024-bit key")
	}
}
