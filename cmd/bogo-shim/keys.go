package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"slices"

	"lucid/internal/signature"
	"lucid/tls"
)

// lucidSchemes are the signature schemes lucid/tls signs with and accepts:
// its TLS 1.3 and TLS 1.2 defaults.
var lucidSchemes = func() []tls.SignatureScheme {
	var out []tls.SignatureScheme
	for _, s := range slices.Concat(signature.Default13, signature.Default12) {
		if !slices.Contains(out, tls.SignatureScheme(s)) {
			out = append(out, tls.SignatureScheme(s))
		}
	}
	return out
}()

// canSignAny reports whether the certificate's key, limited to its
// SupportedSignatureAlgorithms if any, can sign with one of the peer's
// schemes at this version, by Lucid's own rule for which key makes which
// scheme (signature.Allowed).
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
		if slices.Contains(peer, s) && slices.Contains(lucidSchemes, s) && signature.Allowed(signer.Public(), version, signature.Scheme(s)) {
			return true
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
