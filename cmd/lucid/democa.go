package main

import (
	"time"

	"lucid/pki"
	"lucid/tls"
)

// The demo's certificate authorities are pki's, kept in memory
// (pki.NewMemoryCA): certificates are made by the same code as `lucid ca`
// makes them, and nothing reaches the disk.

// newDemoCA makes a root CA named commonName that is valid for a day from
// now, which outlives any demo.
func newDemoCA(commonName string, now time.Time) (*pki.CA, error) {
	return pki.NewMemoryCA(pki.InitOptions{Name: commonName, Organization: "Lucid demo", Days: 1, Now: now})
}

// issueDemoServer issues the demo server's certificate, for localhost and
// 127.0.0.1, with a fresh key of type kt. The chain holds only the leaf:
// the client already has the root.
func issueDemoServer(ca *pki.CA, kt pki.KeyType, now time.Time) (tls.Certificate, error) {
	return issueDemoCert(ca, []string{demoHost, "127.0.0.1"}, kt, now)
}

// issueDemoCert issues a server certificate for names, with a fresh key of
// type kt: with --ech, the one for the public name.
func issueDemoCert(ca *pki.CA, names []string, kt pki.KeyType, now time.Time) (tls.Certificate, error) {
	iss, err := ca.Issue(pki.IssueOptions{Kind: pki.KindServer, Names: names, KeyType: kt, Now: now})
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: iss.Chain, PrivateKey: iss.Key, Leaf: iss.Certificate}, nil
}
