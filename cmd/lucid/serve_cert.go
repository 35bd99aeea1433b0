package main

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"lucid/tls"
)

// certKeyFiles is one --cert/--key pair.
type certKeyFiles struct{ Cert, Key string }

// loadServeCertificates reads each pair and refuses, with one line naming
// the problem, a chain no client should be given: a key that does not
// match, a certificate outside its validity, one whose extended key usage
// excludes servers, a chain that does not verify up to its own last
// certificate. With allowBad the chain problems are only reported through
// warn (a mismatched key is always refused: no handshake could succeed).
func loadServeCertificates(pairs []certKeyFiles, now time.Time, allowBad bool, warn func(string)) ([]tls.Certificate, error) {
	var out []tls.Certificate
	for _, p := range pairs {
		certPEM, err := os.ReadFile(p.Cert)
		if err != nil {
			return nil, fmt.Errorf("--cert: %w", err)
		}
		keyPEM, err := os.ReadFile(p.Key)
		if err != nil {
			return nil, fmt.Errorf("--key: %w", err)
		}
		cert, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("--cert %s --key %s: %s", p.Cert, p.Key, strings.TrimPrefix(err.Error(), "tls: "))
		}
		if problem := serveChainProblem(cert, now); problem != "" {
			if !allowBad {
				return nil, fmt.Errorf("--cert %s: %s (--allow-bad-cert serves it anyway, for testing)", p.Cert, problem)
			}
			warn(fmt.Sprintf("lucid serve: --cert %s: %s; serving it anyway (--allow-bad-cert)", p.Cert, problem))
		}
		out = append(out, cert)
	}
	return out, nil
}

// serveChainProblem says what is wrong with a server's chain as the file
// holds it, or "" when nothing is. It looks only at the chain itself: whether
// a client trusts its last certificate is the client's business.
func serveChainProblem(cert tls.Certificate, now time.Time) string {
	chain := make([]*x509.Certificate, 0, len(cert.Certificate))
	for i, der := range cert.Certificate {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			return fmt.Sprintf("certificate %d in the file does not parse: %v", i+1, err)
		}
		chain = append(chain, c)
	}
	leaf := chain[0]
	if (len(leaf.ExtKeyUsage) > 0 || len(leaf.UnknownExtKeyUsage) > 0) &&
		!slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageServerAuth) && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageAny) {
		return fmt.Sprintf("the certificate for %s is not for servers: its extended key usage lacks serverAuth (RFC 5280 §4.2.1.12)", certLabel(leaf))
	}
	for i, c := range chain {
		what := "the certificate for " + certLabel(c)
		if i > 0 {
			what = fmt.Sprintf("the issuing certificate %s (number %d in the file)", certLabel(c), i+1)
		}
		if now.Before(c.NotBefore) {
			return fmt.Sprintf("%s is not valid until %s", what, c.NotBefore.UTC().Format(time.RFC3339))
		}
		if now.After(c.NotAfter) {
			return fmt.Sprintf("%s expired on %s", what, c.NotAfter.UTC().Format(time.RFC3339))
		}
	}
	for i := 0; i+1 < len(chain); i++ {
		child, parent := chain[i], chain[i+1]
		if !bytes.Equal(child.RawIssuer, parent.RawSubject) {
			return fmt.Sprintf("the chain does not verify: %s was issued by %q, but the next certificate in the file is %q",
				certLabel(child), child.Issuer.String(), parent.Subject.String())
		}
		if err := child.CheckSignatureFrom(parent); err != nil {
			return fmt.Sprintf("the chain does not verify: %s is not signed by the next certificate in the file, %s: %v",
				certLabel(child), certLabel(parent), err)
		}
	}
	return ""
}

// certLabel names a certificate in a message: its first DNS name or IP
// address, else its subject.
func certLabel(c *x509.Certificate) string {
	switch {
	case len(c.DNSNames) > 0:
		return c.DNSNames[0]
	case len(c.IPAddresses) > 0:
		return c.IPAddresses[0].String()
	case c.Subject.CommonName != "":
		return fmt.Sprintf("%q", c.Subject.CommonName)
	}
	return fmt.Sprintf("%q", c.Subject.String())
}
