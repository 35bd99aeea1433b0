package testpki

import (
	"crypto/rand"
	"crypto/x509"
	"fmt"
	"math/big"
	"time"
)

// RevocationList is a CRL signed by ca that revokes leaves, valid from an
// hour ago for a day, parsed as a verifier takes it.
func (ca *CA) RevocationList(leaves ...*Leaf) (*x509.RevocationList, error) {
	now := time.Now()
	tmpl := &x509.RevocationList{
		Number:     big.NewInt(now.UnixNano()),
		ThisUpdate: now.Add(-time.Hour),
		NextUpdate: now.Add(24 * time.Hour),
	}
	for _, l := range leaves {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber:   l.Cert.SerialNumber,
			RevocationTime: now.Add(-time.Minute),
		})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.Cert, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("testpki: CRL of %q: %w", ca.Cert.Subject.CommonName, err)
	}
	return x509.ParseRevocationList(der)
}
