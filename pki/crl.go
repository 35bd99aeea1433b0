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
//
// In a directory the new number is recorded, durably, before the CRL is
// signed; ca.crl and the index are then written as one journaled change.
// So a crash can leave a number spent that no published CRL carries, but
// never two different CRLs with one number (RFC 5280 §5.2.3).
func (ca *CA) CRL(now time.Time) (*x509.RevocationList, []byte, error) {
	if now.IsZero() {
		return nil, nil, errors.New("no time given: CRL time is zero")
	}
	now = now.UTC().Truncate(time.Second)
	var (
		list *x509.RevocationList
		out  []byte
		err  error
	)
	if ca.dir == "" {
		err = ca.inMemory(func(x *index) error {
			x.CRLNumber++
			list, out, err = ca.signCRL(x, now)
			return err
		})
		if err != nil {
			return nil, nil, err
		}
		return list, out, nil
	}
	err = ca.locked(func(x *index) error {
		x.CRLNumber++
		x.CRLPending = true
		if err := writeIndex(ca.dir, x, "crl.reserve"); err != nil {
			return err
		}
		list, out, err = ca.signCRL(x, now)
		x.CRLPending = false
		if err != nil {
			// The number stays spent: whatever was signed under it
			// must never meet a different list with the same number.
			if werr := writeIndex(ca.dir, x, "crl.release"); werr != nil {
				return fmt.Errorf("%w (and recording that failed too: %v)", err, werr)
			}
			return err
		}
		data, err := x.marshal()
		if err != nil {
			return err
		}
		tx := &fileTx{}
		tx.write(filepath.Join(ca.dir, crlFile), out, publicMode, true)
		tx.write(filepath.Join(ca.dir, indexFile), data, publicMode, true)
		where, err := filepath.Abs(filepath.Join(ca.dir, crlFile))
		if err != nil {
			return err
		}
		return tx.commitJournaled(ca.dir, fmt.Sprintf("publishing CRL number %d in %s", x.CRLNumber, where))
	})
	if err != nil {
		return nil, nil, err
	}
	return list, out, nil
}

// signCRL signs the CRL numbered x.CRLNumber listing x's revocations, and
// checks it.
func (ca *CA) signCRL(x *index, now time.Time) (*x509.RevocationList, []byte, error) {
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
		return nil, nil, fmt.Errorf("signing the CRL: %w", err)
	}
	crashPoint("crl.signed")
	list, err := x509.ParseRevocationList(der)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing the CRL just signed: %w", err)
	}
	if err := list.CheckSignatureFrom(ca.cert); err != nil {
		return nil, nil, fmt.Errorf("the CRL just signed does not verify: %w", err)
	}
	return list, pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}), nil
}

// CRLPath is where a CA in a directory keeps its last CRL; "" in memory.
func (ca *CA) CRLPath() string {
	if ca.dir == "" {
		return ""
	}
	return filepath.Join(ca.dir, crlFile)
}
