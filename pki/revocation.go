package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// crlReasonRemoveFromCRL is the RFC 5280 §5.3.1 reason code of a delta-CRL
// entry that takes a certificate off the list: it does not revoke.
const crlReasonRemoveFromCRL = 8

// crlEntryReasonNames are the names RFC 5280 §5.3.1 gives the CRLReason
// values, indexed by code.
var crlEntryReasonNames = [...]string{
	0:  "unspecified",
	1:  "keyCompromise",
	2:  "cACompromise",
	3:  "affiliationChanged",
	4:  "superseded",
	5:  "cessationOfOperation",
	6:  "certificateHold",
	8:  "removeFromCRL",
	9:  "privilegeWithdrawn",
	10: "aACompromise",
}

// CRLReasonName names a CRL entry's reason code (x509.RevocationListEntry
// ReasonCode) as RFC 5280 §5.3.1 does, such as "keyCompromise"; a code the
// RFC does not define is rendered as "reason code N".
func CRLReasonName(code int) string {
	if code >= 0 && code < len(crlEntryReasonNames) && crlEntryReasonNames[code] != "" {
		return crlEntryReasonNames[code]
	}
	return fmt.Sprintf("reason code %d", code)
}

// oidVerifyCRLReason is the id-ce-cRLReasons entry extension (RFC 5280 §5.3.1).
var oidVerifyCRLReason = asn1.ObjectIdentifier{2, 5, 29, 21}

// crlEntryReason describes why an entry was revoked, telling an entry without
// a reasonCode extension (which RFC 5280 prefers to "unspecified") from one
// that has it.
func crlEntryReason(e *x509.RevocationListEntry) string {
	for _, ext := range e.Extensions {
		if ext.Id.Equal(oidVerifyCRLReason) {
			return "reason: " + CRLReasonName(e.ReasonCode)
		}
	}
	if e.ReasonCode != 0 {
		return "reason: " + CRLReasonName(e.ReasonCode)
	}
	return "no reason given"
}

// verifySerialHex renders a serial number as `openssl x509 -serial` does:
// upper-case hexadecimal, two digits per byte of the magnitude.
func verifySerialHex(n *big.Int) string {
	if n == nil {
		return "(none)"
	}
	b := n.Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	s := strings.ToUpper(fmt.Sprintf("%x", b))
	if n.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// revocation is a certificate found on a list that counts for its issuer.
type revokedEntry struct {
	entry *x509.RevocationListEntry
	list  *x509.RevocationList
}

// lookupRevocation looks c up in the lists that issuer signed. The serial is
// searched for first, so the (possibly long) list signature is checked only
// for a list that would revoke c.
func lookupRevocation(c, issuer *x509.Certificate, lists []*x509.RevocationList) *revokedEntry {
	if c.SerialNumber == nil {
		return nil
	}
	for _, rl := range lists {
		if rl == nil || !bytes.Equal(rl.RawIssuer, issuer.RawSubject) {
			continue
		}
		if len(rl.AuthorityKeyId) > 0 && len(issuer.SubjectKeyId) > 0 && !bytes.Equal(rl.AuthorityKeyId, issuer.SubjectKeyId) {
			continue
		}
		var hit *x509.RevocationListEntry
		for i := range rl.RevokedCertificateEntries {
			e := &rl.RevokedCertificateEntries[i]
			if e.SerialNumber != nil && e.SerialNumber.Cmp(c.SerialNumber) == 0 && e.ReasonCode != crlReasonRemoveFromCRL {
				hit = e
				break
			}
		}
		if hit == nil {
			continue
		}
		if rl.CheckSignatureFrom(issuer) != nil {
			continue // not the issuer's list: a forgery, or another CA of that name
		}
		return &revokedEntry{hit, rl}
	}
	return nil
}

// dropRevokedChains drops the verified chains that pass through a revoked
// certificate. The trust anchor at the end of a chain is not checked: only
// its own issuer could revoke it, and it has none. If no chain is left, the
// refusal names the revoked certificate nearest the leaf in the first chain.
func dropRevokedChains(chains [][]*x509.Certificate, certs []*x509.Certificate, lists []*x509.RevocationList, now time.Time) ([][]*x509.Certificate, *VerifyError) {
	if len(lists) == 0 || len(chains) == 0 {
		return chains, nil
	}
	type pair struct{ c, issuer *x509.Certificate }
	seen := map[pair]*revokedEntry{}
	var (
		kept  [][]*x509.Certificate
		first *VerifyError
	)
	for _, ch := range chains {
		var ve *VerifyError
		for i := 0; i+1 < len(ch) && ve == nil; i++ {
			p := pair{ch[i], ch[i+1]}
			r, ok := seen[p]
			if !ok {
				r = lookupRevocation(p.c, p.issuer, lists)
				seen[p] = r
			}
			if r != nil {
				ve = revokedVerifyError(p.c, p.issuer, r, certs, now)
			}
		}
		if ve == nil {
			kept = append(kept, ch)
		} else if first == nil {
			first = ve
		}
	}
	if len(kept) == 0 {
		return nil, first
	}
	return kept, nil
}

// revokedVerifyError explains a revocation: which certificate, its serial, when
// and why, and whose list says so.
func revokedVerifyError(c, issuer *x509.Certificate, r *revokedEntry, certs []*x509.Certificate, now time.Time) *VerifyError {
	idx := indexOf(certs, c)
	detail := fmt.Sprintf("%s with serial %s was revoked on %s (%s), according to the revocation list of %s",
		leafLabel(c, idx), verifySerialHex(c.SerialNumber), fmtTime(r.entry.RevocationTime), crlEntryReason(r.entry), name(issuer))
	if !r.list.NextUpdate.IsZero() && now.After(r.list.NextUpdate) {
		// A stale list still revokes: revocation is final (bar
		// certificateHold), so a newer list would list the certificate too.
		detail += fmt.Sprintf(" (a list past its next update, due %s, still counts)", fmtTime(r.list.NextUpdate))
	}
	return &VerifyError{Reason: Revoked, Cert: c, Index: idx, Detail: detail}
}
