package tls

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"slices"
)

// LoadX509KeyPair reads a PEM certificate chain and a PEM private key from
// files, as crypto/tls's function of the same name does.
func LoadX509KeyPair(certFile, keyFile string) (Certificate, error) {
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return Certificate{}, fmt.Errorf("tls: reading certificate: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return Certificate{}, fmt.Errorf("tls: reading private key: %w", err)
	}
	return X509KeyPair(certPEM, keyPEM)
}

// X509KeyPair parses a PEM certificate chain (leaf first) and a PEM private
// key (PKCS#8, PKCS#1 or SEC 1) and checks that the key matches the leaf.
func X509KeyPair(certPEM, keyPEM []byte) (Certificate, error) {
	cert := Certificate{Certificate: pemBlocks(certPEM, "CERTIFICATE")}
	if len(cert.Certificate) == 0 {
		return Certificate{}, errors.New("tls: no CERTIFICATE block found in the certificate PEM")
	}
	keys := pemBlocks(keyPEM, "PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY")
	if len(keys) == 0 {
		return Certificate{}, errors.New("tls: no PRIVATE KEY block found in the key PEM")
	}
	key, err := parsePrivateKey(keys[0])
	if err != nil {
		return Certificate{}, err
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return Certificate{}, fmt.Errorf("tls: parsing the leaf certificate: %w", err)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	pub, ok := key.Public().(equaler)
	if !ok || !pub.Equal(leaf.PublicKey) {
		return Certificate{}, errors.New("tls: the private key does not match the leaf certificate's public key")
	}
	cert.PrivateKey = key
	cert.Leaf = leaf
	return cert, nil
}

// pemBlocks returns the contents of the PEM blocks in data whose type is one
// of types, in order; other blocks (parameters, comments) are skipped.
func pemBlocks(data []byte, types ...string) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		block, rest := pem.Decode(data)
		if block == nil {
			break
		}
		if slices.Contains(types, block.Type) {
			out = append(out, block.Bytes)
		}
		data = rest
	}
	return out
}
