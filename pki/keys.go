package pki

import (
	// Key material comes from the system's generator.
	"crypto/rand"

	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// KeyType names a key algorithm and size as the command line spells it.
// The empty KeyType means the default, ECDSA P-256: the smallest and
// fastest key every TLS 1.2 and 1.3 peer accepts.
type KeyType string

// The key types the CA generates. RSA keys exist for the seed's RSA key
// transport and for peers that know nothing else; Ed25519 for TLS 1.3
// peers that support it (OpenSSL does, browsers do not yet).
const (
	ECDSAP256 KeyType = "ecdsa-p256"
	ECDSAP384 KeyType = "ecdsa-p384"
	RSA2048   KeyType = "rsa-2048"
	RSA3072   KeyType = "rsa-3072"
	Ed25519   KeyType = "ed25519"
)

// DefaultKeyType is what an empty KeyType means.
const DefaultKeyType = ECDSAP256

// KeyTypes lists every KeyType the CA generates, in the order help texts
// show them.
var KeyTypes = []KeyType{ECDSAP256, ECDSAP384, RSA2048, RSA3072, Ed25519}

// ParseKeyType checks a key type name, case-insensitively; "" gives the
// default. The error lists the choices so a typo is easy to fix.
func ParseKeyType(s string) (KeyType, error) {
	if s == "" {
		return DefaultKeyType, nil
	}
	k := KeyType(strings.ToLower(strings.TrimSpace(s)))
	for _, t := range KeyTypes {
		if k == t {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown key type %q; choose one of %s", s, keyTypeList())
}

func keyTypeList() string {
	names := make([]string, len(KeyTypes))
	for i, t := range KeyTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// generateKey makes a fresh private key of type kt (already checked). Keys
// always come from crypto/rand: a CA key from a predictable source would
// let anyone mint certificates.
func generateKey(kt KeyType) (crypto.Signer, error) {
	switch kt {
	case ECDSAP256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case ECDSAP384:
		return ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case RSA3072:
		return rsa.GenerateKey(rand.Reader, 3072)
	case Ed25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("unknown key type %q; choose one of %s", kt, keyTypeList())
}

// KeyName describes a public key for people, such as "ECDSA P-256" or
// "RSA 3072-bit".
func KeyName(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d-bit", k.N.BitLen())
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

// checkPublicKey refuses keys the CA will not certify: the same set the
// verifier accepts (ECDSA P-256/P-384/P-521, RSA of 2048 bits or more,
// Ed25519), so that nothing this CA signs is refused by Lucid itself. A CSR
// can carry any key, which is why this exists.
func checkPublicKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return fmt.Errorf("an ECDSA key on curve %s is not accepted; use P-256, P-384 or P-521", k.Curve.Params().Name)
	case *rsa.PublicKey:
		if k.N.BitLen() < 2048 {
			return fmt.Errorf("a %d-bit RSA key is too short; use 2048 bits or more", k.N.BitLen())
		}
		if k.N.BitLen() > 8192 {
			return fmt.Errorf("a %d-bit RSA key is longer than the 8192 bits Lucid accepts", k.N.BitLen())
		}
		return nil
	case ed25519.PublicKey:
		return nil
	}
	return fmt.Errorf("a %T key is not accepted; use ECDSA, RSA or Ed25519", pub)
}

// marshalKey encodes a private key as PKCS#8 PEM ("PRIVATE KEY"), the one
// format OpenSSL, Go and most servers read for every key type.
func marshalKey(key crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encoding the private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// parseKey reads a PKCS#8 PEM private key, as marshalKey writes it.
func parseKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("found a %q PEM block; expected a PKCS#8 \"PRIVATE KEY\"", block.Type)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("a %T key cannot sign", k)
	}
	return s, nil
}

// sameKey reports whether pub is the public half of priv, so a CA
// directory whose key and certificate were mixed up is caught at Open
// rather than producing certificates that do not verify.
func sameKey(priv crypto.Signer, pub crypto.PublicKey) bool {
	p, ok := priv.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && p.Equal(pub)
}

// subjectKeyID derives a key identifier by RFC 7093 §2 method 1: the
// leftmost 160 bits of the SHA-256 hash of the subjectPublicKey bits. It is
// set explicitly on every certificate so that leaves carry one too (Go sets
// it only for CAs), and so issuers' identifiers and authority key
// identifiers always agree.
func subjectKeyID(pub crypto.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, err
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(spki.PublicKey.Bytes)
	return sum[:20], nil
}
