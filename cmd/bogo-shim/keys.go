package main

import (
	"crypto"
	"slices"

	"lucid/internal/handshake"
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

// keyCertificateType is the TLS 1.2 certificate type a private key answers
// to, by Lucid's own rule (handshake.CertificateType).
func keyCertificateType(key crypto.PrivateKey) uint8 {
	signer, ok := key.(crypto.Signer)
	if !ok {
		return 0
	}
	return handshake.CertificateType(signer.Public())
}
