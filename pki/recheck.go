package pki

import (
	"bytes"
	"crypto/x509"
	"time"
)

// Recheck judges chains that VerifyParsed built earlier for certs against
// opts as they are now, without checking their signatures again: a
// signature that verified once still verifies, while everything else a
// verification depends on can have changed since — the clock, the trusted
// roots, the name asked for, the key usages and the revocation lists. A
// chain is kept when, today:
//
//   - it starts with certs' leaf, and the leaf's key is one Lucid accepts;
//   - every certificate in it is within its validity period;
//   - its last certificate is a trust anchor in opts.Roots (crypto/x509
//     finds it there by its bytes; nothing is trusted for having been
//     trusted before);
//   - every certificate in it allows opts.KeyUsages, as verification
//     requires of a whole chain;
//   - the leaf matches opts.DNSName, when there is one;
//   - no certificate in it is revoked by opts.RevocationLists.
//
// Where the operating system verifies chains (PlatformVerifies), Recheck
// keeps none.
//
// Recheck returns the chains kept, or nil when none is. Nil does not mean
// the certificates are bad, only that the earlier chains no longer do:
// a caller then runs VerifyParsed, which may find another path. So a
// caller that rechecks first and verifies on nil reaches the verdict a
// verification alone would, at the cost of one only when something
// changed.
//
// A resumption is what this is for: a session keeps the chains its
// handshake verified, and every resumption rechecks them under the
// configuration of the moment.
func Recheck(certs []*x509.Certificate, chains [][]*x509.Certificate, opts VerifyOptions) [][]*x509.Certificate {
	if len(certs) == 0 || len(chains) == 0 || PlatformVerifies {
		return nil
	}
	limit := opts.MaxChainLength
	if limit <= 0 {
		limit = DefaultMaxChainLength
	}
	leaf := certs[0]
	if len(certs) > limit || checkLeafKey(leaf) != "" {
		return nil
	}
	if opts.DNSName != "" && !MatchesHost(leaf, opts.DNSName) {
		return nil
	}
	usages := opts.KeyUsages
	if len(usages) == 0 {
		usages = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	now := opts.CurrentTime
	if now.IsZero() {
		now = time.Now()
	}
	var kept [][]*x509.Certificate
	for _, ch := range chains {
		if stillHolds(ch, leaf, opts.Roots, usages, now) {
			kept = append(kept, ch)
		}
	}
	kept, ve := dropRevokedChains(kept, certs, opts.RevocationLists, now)
	if ve != nil {
		return nil
	}
	return kept
}

// stillHolds reports whether one earlier chain passes today's checks
// other than revocation.
func stillHolds(ch []*x509.Certificate, leaf *x509.Certificate, roots *x509.CertPool, usages []x509.ExtKeyUsage, now time.Time) bool {
	if len(ch) == 0 || !bytes.Equal(ch[0].Raw, leaf.Raw) {
		return false
	}
	for _, c := range ch {
		if now.Before(c.NotBefore) || now.After(c.NotAfter) || !allows(c, usages) {
			return false
		}
	}
	// The anchor verified against today's roots: crypto/x509 accepts a
	// certificate that is itself in the pool without building a path, so
	// this is a lookup, and it fails once the root was removed.
	anchor := ch[len(ch)-1]
	_, err := anchor.Verify(x509.VerifyOptions{
		Roots:       roots,
		CurrentTime: now,
		KeyUsages:   []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err == nil
}
