package tls

import "lucid/internal/signature"

// SignatureScheme is a TLS signature scheme (RFC 8446 §4.2.3), with
// crypto/tls's values.
type SignatureScheme uint16

// Signature schemes, from the internal registry that implements them.
const (
	ECDSAWithP256AndSHA256 = SignatureScheme(signature.ECDSAWithP256AndSHA256)
	ECDSAWithP384AndSHA384 = SignatureScheme(signature.ECDSAWithP384AndSHA384)
	ECDSAWithP521AndSHA512 = SignatureScheme(signature.ECDSAWithP521AndSHA512)
	Ed25519                = SignatureScheme(signature.Ed25519)
	PSSWithSHA256          = SignatureScheme(signature.PSSWithSHA256)
	PSSWithSHA384          = SignatureScheme(signature.PSSWithSHA384)
	PSSWithSHA512          = SignatureScheme(signature.PSSWithSHA512)
	PKCS1WithSHA256        = SignatureScheme(signature.PKCS1WithSHA256)
	PKCS1WithSHA384        = SignatureScheme(signature.PKCS1WithSHA384)
	PKCS1WithSHA512        = SignatureScheme(signature.PKCS1WithSHA512)
)

// String returns the scheme's IANA name, such as "ecdsa_secp256r1_sha256".
func (s SignatureScheme) String() string { return signature.Scheme(s).String() }
