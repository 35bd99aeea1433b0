package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"time"
)

// clientCAPool carries -use-client-ca-list's names to Lucid, whose server
// names in its CertificateRequest the subjects of Config.ClientCAs, in
// order: one placeholder certificate per name, self-signed with a
// throwaway key. The shim's ClientAuth modes never verify a client's chain
// against ClientCAs, so the certificates serve as names only. "<NULL>" and
// "<EMPTY>", BoringSSL's absent and empty lists, both send no names, as
// Lucid does without ClientCAs.
func clientCAPool(list string) (*x509.CertPool, error) {
	if list == "" || list == "<NULL>" || list == "<EMPTY>" {
		return nil, nil
	}
	names, err := hexList(list)
	if err != nil {
		return nil, fmt.Errorf("-use-client-ca-list: %w", err)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	now := time.Now()
	for i, name := range names {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), RawSubject: name, NotBefore: now, NotAfter: now.Add(time.Hour)}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return nil, fmt.Errorf("-use-client-ca-list: name %d: %w", i, err)
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			return nil, err
		}
		pool.AddCert(cert)
	}
	return pool, nil
}
