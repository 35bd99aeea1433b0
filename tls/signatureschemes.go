package tls

import "lucid/internal/signature"

// SignatureScheme is a TLS signature scheme (RFC 8446 §4.2.3), with
// crypto/tls's values.
type SignatureScheme uint16

// Signature schemes.
const (
	PKCS1WithSHA256        SignatureScheme = 0x0401
	PKCS1WithSHA384        SignatureScheme = 0x0501
	PKCS1WithSHA512        SignatureScheme = 0x0601
	PSSWithSHA256          SignatureScheme = 0x0804
	PSSWithSHA384          SignatureScheme = 0x0805
	PSSWithSHA512          SignatureScheme = 0x0806
	ECDSAWithP256AndSHA256 SignatureScheme = 0x0403
	ECDSAWithP384AndSHA384 SignatureScheme = 0x0503
	ECDSAWithP521AndSHA512 SignatureScheme = 0x0603
	Ed25519                SignatureScheme = 0x0807
)

// String returns the scheme's IANA name, such as "ecdsa_secp256r1_sha256".
func (s SignatureScheme) String() string { return signature.Scheme(s).String() }
