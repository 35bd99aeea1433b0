package bench

import (
	stdtls "crypto/tls"
	"crypto/x509"
	"fmt"
	"sync"

	"lucid/internal/testpki"
	"lucid/tls"
)

// pki is the certificates every figure uses, made once per process so that
// Lucid and crypto/tls present and verify exactly the same chains.
type pki struct {
	ca       *testpki.CA
	ecdsa    *testpki.Leaf // server leaf, ECDSA P-256
	rsa      *testpki.Leaf // server leaf, RSA-2048
	client   *testpki.Leaf // client leaf for client authentication, ECDSA P-256
	roots    *x509.CertPool
	lucid    map[*testpki.Leaf]tls.Certificate
	std      map[*testpki.Leaf]stdtls.Certificate
	setupErr error
}

var (
	pkiOnce sync.Once
	thePKI  pki
)

// certs returns the shared certificates: an ECDSA P-256 root, and leaves
// with ECDSA P-256 and RSA-2048 keys for "localhost" plus a client leaf.
func certs() (*pki, error) {
	pkiOnce.Do(func() { thePKI.setupErr = thePKI.make() })
	return &thePKI, thePKI.setupErr
}

func (p *pki) make() error {
	ca, err := testpki.NewCA("Bench Root", testpki.ECDSAP256)
	if err != nil {
		return err
	}
	p.ca, p.roots = ca, ca.Pool
	p.lucid = map[*testpki.Leaf]tls.Certificate{}
	p.std = map[*testpki.Leaf]stdtls.Certificate{}
	for _, l := range []struct {
		leaf **testpki.Leaf
		opts testpki.LeafOptions
	}{
		{&p.ecdsa, testpki.LeafOptions{Names: []string{"localhost"}, KeyType: testpki.ECDSAP256}},
		{&p.rsa, testpki.LeafOptions{Names: []string{"localhost"}, KeyType: testpki.RSA2048}},
		{&p.client, testpki.LeafOptions{Names: []string{"bench client"}, KeyType: testpki.ECDSAP256, Client: true}},
	} {
		leaf, err := ca.Issue(l.opts)
		if err != nil {
			return err
		}
		lc, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			return fmt.Errorf("bench: lucid key pair: %w", err)
		}
		sc, err := stdtls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			return fmt.Errorf("bench: crypto/tls key pair: %w", err)
		}
		*l.leaf = leaf
		p.lucid[leaf], p.std[leaf] = lc, sc
	}
	return nil
}
