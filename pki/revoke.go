package pki

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
)

// RevocationReason is a CRLReason code (RFC 5280 §5.3.1).
type RevocationReason int

// The reasons Revoke accepts. certificateHold (6) and removeFromCRL (8)
// are left out on purpose: a revocation here is final, as the CA/Browser
// Forum requires (BR §7.2.2), and a hold that can be lifted would make a
// CRL's absence of a serial mean less. aACompromise (10) concerns
// attribute certificates, which this CA does not issue.
const (
	// Nothing said, or the key is compromised (the subject's or the CA's).
	ReasonUnspecified, ReasonKeyCompromise, ReasonCACompromise RevocationReason = 0, 1, 2
	// The subject moved on: new affiliation, a replacement, or gone.
	ReasonAffiliationChanged, ReasonSuperseded, ReasonCessationOfOperation RevocationReason = 3, 4, 5
	// The subject lost the privilege the certificate asserted.
	ReasonPrivilegeWithdrawn RevocationReason = 9
)

// reasonText pairs each reason with its name in RFC 5280 §5.3.1.
var reasonText = []struct {
	r    RevocationReason
	name string
}{
	{ReasonUnspecified, "unspecified"}, {ReasonKeyCompromise, "keyCompromise"}, {ReasonCACompromise, "cACompromise"},
	{ReasonAffiliationChanged, "affiliationChanged"}, {ReasonSuperseded, "superseded"},
	{ReasonCessationOfOperation, "cessationOfOperation"}, {ReasonPrivilegeWithdrawn, "privilegeWithdrawn"},
}

// String is the reason's name in RFC 5280, such as "keyCompromise".
func (r RevocationReason) String() string {
	for _, e := range reasonText {
		if e.r == r {
			return e.name
		}
	}
	return fmt.Sprintf("reason(%d)", int(r))
}

// Reasons lists the names ParseReason accepts, for help texts.
func Reasons() []string {
	out := make([]string, len(reasonText))
	for i, e := range reasonText {
		out[i] = e.name
	}
	return out
}

// known reports whether r is a reason this CA revokes for.
func (r RevocationReason) known() bool {
	for _, e := range reasonText {
		if e.r == r {
			return true
		}
	}
	return false
}

// ParseReason reads a reason by its RFC 5280 name in any case, with or
// without hyphens or underscores ("key-compromise"), or by its number.
func ParseReason(s string) (RevocationReason, error) {
	t := strings.TrimSpace(s)
	if n, err := strconv.Atoi(t); err == nil {
		r := RevocationReason(n)
		if r.known() {
			return r, nil
		}
		return 0, reasonError(s)
	}
	key := strings.ToLower(strings.NewReplacer("-", "", "_", "", " ", "").Replace(t))
	for _, e := range reasonText {
		if strings.ToLower(e.name) == key {
			return e.r, nil
		}
	}
	return 0, reasonError(s)
}

func reasonError(s string) error {
	low := strings.ToLower(s)
	if strings.Contains(low, "hold") || s == "6" || strings.Contains(low, "remove") || s == "8" {
		return fmt.Errorf("revocation reason %q is not supported: revocation here is final, with no hold to lift", s)
	}
	return fmt.Errorf("unknown revocation reason %q; choose one of %s", s, strings.Join(Reasons(), ", "))
}

// Revoke marks the certificate with the given serial as revoked at now for
// the given reason. It changes the index only: the next CRL lists the
// certificate. It refuses serials this CA did not issue, certificates
// already revoked, and cACompromise for a certificate that is not a CA.
func (ca *CA) Revoke(serial *big.Int, reason RevocationReason, now time.Time) (Record, error) {
	if now.IsZero() {
		return Record{}, errors.New("no time given: revocation time is zero")
	}
	if serial == nil || serial.Sign() <= 0 {
		return Record{}, errors.New("serial numbers are positive")
	}
	if !reason.known() {
		return Record{}, reasonError(strconv.Itoa(int(reason)))
	}
	var rec Record
	change := func(x *index) error {
		i := x.find(serial)
		if i < 0 {
			return fmt.Errorf("this CA (%q) issued no certificate with serial %s", ca.cert.Subject.CommonName, FormatSerial(serial))
		}
		r := &x.Certificates[i]
		if r.Revoked() {
			return fmt.Errorf("certificate %s (%s) was already revoked on %s (%s)", r.Serial, r.Subject, fmtDate(r.RevokedAt), r.Reason)
		}
		if reason == ReasonCACompromise && r.Kind != KindCA {
			return fmt.Errorf("cACompromise is for CA certificates and %s is a %s certificate; use keyCompromise", r.Serial, r.Kind)
		}
		r.RevokedAt = now.UTC().Truncate(time.Second)
		r.Reason = reason
		rec = *r
		return nil
	}
	var err error
	if ca.dir == "" {
		err = ca.inMemory(change)
	} else {
		// One file changes: replacing it is atomic, no journal needed.
		err = ca.locked(func(x *index) error {
			if err := change(x); err != nil {
				return err
			}
			return writeIndex(ca.dir, x, "revoke")
		})
	}
	return rec, err
}
