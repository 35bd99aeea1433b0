package pki

import (
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"time"
)

// CRLValidity is how long a CRL is current: its nextUpdate is this long
// after its thisUpdate. A week matches the longest interval the CA/Browser
// Forum allows between CRLs (BR §4.9.7, for subscriber certificates); a
// relying party treats an older CRL as stale.
const CRLValidity = 7 * 24 * time.Hour

// CRL makes a new certificate revocation list (RFC 5280 §5) signed by the
// CA, listing every certificate it revoked, with its reason, under a CRL
// number one higher than the last. A CA in a directory also writes it to
// ca.crl and remembers the number. It returns the parsed list and its PEM.
func (ca *CA) CRL(now time.Time) (*x509.RevocationList, []byte, error) {
	if now.IsZero() {
		return nil, nil, errors.New("no time given: CRL time is zero")
	}
	now = now.UTC().Truncate(time.Second)
	var (
		list *x509.RevocationList
		out  []byte
	)
	err := ca.update(func(x *index, tx *fileTx) error {
		x.CRLNumber++
		tmpl := &x509.RevocationList{
			Number:     big.NewInt(x.CRLNumber),
			ThisUpdate: now,
			NextUpdate: now.Add(CRLValidity),
		}
		for _, r := range x.Certificates {
			if !r.Revoked() {
				continue
			}
			tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
				SerialNumber:   r.SerialNumber(),
				RevocationTime: r.RevokedAt,
				// crypto/x509 omits the reasonCode extension for 0,
				// as RFC 5280 §5.3.1 recommends for "unspecified".
				ReasonCode: int(r.Reason),
			})
		}
		der, err := x509.CreateRevocationList(rand.Reader, tmpl, ca.cert, ca.key)
		if err != nil {
			return fmt.Errorf("signing the CRL: %w", err)
		}
		if list, err = x509.ParseRevocationList(der); err != nil {
			return fmt.Errorf("parsing the CRL just signed: %w", err)
		}
		if err := list.CheckSignatureFrom(ca.cert); err != nil {
			return fmt.Errorf("the CRL just signed does not verify: %w", err)
		}
		out = pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der})
		if ca.dir != "" {
			tx.write(filepath.Join(ca.dir, crlFile), out, publicMode, true)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return list, out, nil
}

// CRLPath is where a CA in a directory keeps its last CRL; "" in memory.
func (ca *CA) CRLPath() string {
	if ca.dir == "" {
		return ""
	}
	return filepath.Join(ca.dir, crlFile)
}
