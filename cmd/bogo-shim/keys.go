package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"slices"

	"lucid/tls"
)

// lucidSchemes are the signature schemes lucid/tls signs with.
var lucidSchemes = []tls.SignatureScheme{
	tls.ECDSAWithP256AndSHA256, tls.ECDSAWithP384AndSHA384, tls.ECDSAWithP521AndSHA512,
	tls.Ed25519,
	tls.PSSWithSHA256, tls.PSSWithSHA384, tls.PSSWithSHA512,
	tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512,
}

// canSignAny reports whether the certificate's key, limited to its
// SupportedSignatureAlgorithms if any, can sign with one of the peer's
// schemes at this version.
func canSignAny(cert *tls.Certificate, version uint16, peer []tls.SignatureScheme) bool {
	signer, ok := cert.PrivateKey.(crypto.Signer)
	if !ok {
		return false
	}
	mine := lucidSchemes
	if len(cert.SupportedSignatureAlgorithms) > 0 {
		mine = cert.SupportedSignatureAlgorithms
	}
	for _, s := range mine {
		if slices.Contains(peer, s) && slices.Contains(lucidSchemes, s) && keyFits(signer.Public(), s, version) {
			return true
		}
	}
	return false
}

// keyFits reports whether a key of this kind can sign with the scheme at
// this version: RFC 8446 §4.2.3 ties each ECDSA scheme to one curve and
// keeps PKCS #1 v1.5 out of TLS 1.3's handshake signatures; TLS 1.2 takes
// an ECDSA scheme's hash with any curve (RFC 5246 §7.4.1.4.1).
func keyFits(pub crypto.PublicKey, s tls.SignatureScheme, version uint16) bool {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		curves := map[tls.SignatureScheme]elliptic.Curve{
			tls.ECDSAWithP256AndSHA256: elliptic.P256(),
			tls.ECDSAWithP384AndSHA384: elliptic.P384(),
			tls.ECDSAWithP521AndSHA512: elliptic.P521(),
		}
		curve, ok := curves[s]
		return ok && (version < tls.VersionTLS13 || k.Curve == curve)
	case ed25519.PublicKey:
		return s == tls.Ed25519
	case *rsa.PublicKey:
		switch s {
		case tls.PSSWithSHA256, tls.PSSWithSHA384, tls.PSSWithSHA512:
			return true
		case tls.PKCS1WithSHA256, tls.PKCS1WithSHA384, tls.PKCS1WithSHA512:
			return version < tls.VersionTLS13
		}
	}
	return false
}

// certificateType is the TLS 1.2 ClientCertificateType a key answers to
// (RFC 5246 §7.4.4, RFC 8422 §5.5): rsa_sign(1), or ecdsa_sign(64) for ECDSA
// and Ed25519 keys.
func certificateType(key crypto.PrivateKey) uint8 {
	switch key.(type) {
	case *rsa.PrivateKey:
		return 1
	case *ecdsa.PrivateKey, ed25519.PrivateKey:
		return 64
	}
	return 0
}
