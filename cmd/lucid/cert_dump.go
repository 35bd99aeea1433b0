package main

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"

	"lucid/pki"
)

// keyUsageNames are RFC 5280 §4.2.1.3's names for the key usage bits.
var keyUsageNames = []struct {
	bit  x509.KeyUsage
	name string
}{
	{x509.KeyUsageDigitalSignature, "digitalSignature"},
	{x509.KeyUsageContentCommitment, "contentCommitment"},
	{x509.KeyUsageKeyEncipherment, "keyEncipherment"},
	{x509.KeyUsageDataEncipherment, "dataEncipherment"},
	{x509.KeyUsageKeyAgreement, "keyAgreement"},
	{x509.KeyUsageCertSign, "keyCertSign"},
	{x509.KeyUsageCRLSign, "cRLSign"},
	{x509.KeyUsageEncipherOnly, "encipherOnly"},
	{x509.KeyUsageDecipherOnly, "decipherOnly"},
}

// extKeyUsageNames are RFC 5280 §4.2.1.12's names for the purposes.
var extKeyUsageNames = map[x509.ExtKeyUsage]string{
	x509.ExtKeyUsageAny:             "anyExtendedKeyUsage",
	x509.ExtKeyUsageServerAuth:      "serverAuth",
	x509.ExtKeyUsageClientAuth:      "clientAuth",
	x509.ExtKeyUsageCodeSigning:     "codeSigning",
	x509.ExtKeyUsageEmailProtection: "emailProtection",
	x509.ExtKeyUsageTimeStamping:    "timeStamping",
	x509.ExtKeyUsageOCSPSigning:     "OCSPSigning",
}

// writeCertificate is the readable dump of one certificate that `cert
// inspect` and `connect --showcerts` print: who, by whom, when, for which
// names and uses, with which key, and its fingerprints. label says where
// it stands in a chain ("certificate 0 (leaf)").
func writeCertificate(w io.Writer, label string, c *x509.Certificate, now time.Time) {
	fmt.Fprintf(w, "%s\n", label)
	row := func(k, format string, args ...any) {
		fmt.Fprintf(w, "  %-20s %s\n", k+":", fmt.Sprintf(format, args...))
	}
	row("Subject", "%s", orNone(c.Subject.String()))
	row("Issuer", "%s", orNone(c.Issuer.String()))
	row("Serial", "%s", pki.FormatSerial(c.SerialNumber))
	row("Valid from", "%s", c.NotBefore.UTC().Format("2006-01-02 15:04:05 UTC"))
	row("Valid until", "%s (%s)", c.NotAfter.UTC().Format("2006-01-02 15:04:05 UTC"), validityNote(c, now))
	var names []string
	for _, n := range c.DNSNames {
		names = append(names, "DNS:"+n)
	}
	for _, ip := range c.IPAddresses {
		names = append(names, "IP:"+ip.String())
	}
	for _, e := range c.EmailAddresses {
		names = append(names, "email:"+e)
	}
	for _, u := range c.URIs {
		names = append(names, "URI:"+u.String())
	}
	if len(names) > 0 {
		row("Names (SAN)", "%s", strings.Join(names, ", "))
	}
	row("Public key", "%s", pki.KeyName(c.PublicKey))
	row("Signature", "%s", c.SignatureAlgorithm)
	if c.BasicConstraintsValid && c.IsCA {
		switch {
		case c.MaxPathLen > 0 || c.MaxPathLenZero:
			row("CA", "yes, at most %d intermediate(s) below", c.MaxPathLen)
		default:
			row("CA", "yes, no path length limit")
		}
	} else {
		row("CA", "no")
	}
	var ku []string
	for _, u := range keyUsageNames {
		if c.KeyUsage&u.bit != 0 {
			ku = append(ku, u.name)
		}
	}
	if len(ku) > 0 {
		row("Key usage", "%s", strings.Join(ku, ", "))
	}
	var eku []string
	for _, u := range c.ExtKeyUsage {
		if n, ok := extKeyUsageNames[u]; ok {
			eku = append(eku, n)
		} else {
			eku = append(eku, fmt.Sprintf("#%d", int(u)))
		}
	}
	for _, oid := range c.UnknownExtKeyUsage {
		eku = append(eku, oid.String())
	}
	if len(eku) > 0 {
		row("Extended key usage", "%s", strings.Join(eku, ", "))
	}
	if len(c.SubjectKeyId) > 0 {
		row("Subject key ID", "%s", colonHex(c.SubjectKeyId))
	}
	if len(c.AuthorityKeyId) > 0 {
		row("Authority key ID", "%s", colonHex(c.AuthorityKeyId))
	}
	if len(c.CRLDistributionPoints) > 0 {
		row("CRL", "%s", strings.Join(c.CRLDistributionPoints, ", "))
	}
	s256 := sha256.Sum256(c.Raw)
	s1 := sha1.Sum(c.Raw)
	row("SHA-256 fingerprint", "%s", colonHex(s256[:]))
	row("SHA-1 fingerprint", "%s", colonHex(s1[:]))
}

func orNone(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}

// validityNote says where now falls in a certificate's validity.
func validityNote(c *x509.Certificate, now time.Time) string {
	switch {
	case now.Before(c.NotBefore):
		return "NOT YET VALID: starts in " + roughDuration(c.NotBefore.Sub(now))
	case now.After(c.NotAfter):
		return "EXPIRED " + roughDuration(now.Sub(c.NotAfter)) + " ago"
	}
	return roughDuration(c.NotAfter.Sub(now)) + " left"
}

// roughDuration is d in days, or hours and minutes under two days.
func roughDuration(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	}
	return d.Round(time.Minute).String()
}

// colonHex writes b as upper-case hex bytes joined by colons, as
// fingerprints are usually shown.
func colonHex(b []byte) string {
	var sb strings.Builder
	for i, x := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02X", x)
	}
	return sb.String()
}

// chainLabel names certificate i of the n in a chain: the leaf, an
// intermediate, or a root the sender included.
func chainLabel(c *x509.Certificate, i, n int) string {
	role := "intermediate"
	switch {
	case i == 0:
		role = "leaf"
	case bytes.Equal(c.RawSubject, c.RawIssuer) && c.CheckSignatureFrom(c) == nil:
		role = "root"
	}
	return fmt.Sprintf("Certificate %d of %d (%s)", i, n, role)
}
