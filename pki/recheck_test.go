package pki_test

import (
	"crypto/x509"
	"testing"
	"time"

	"lucid/internal/testpki"
	"lucid/pki"
)

// TestRecheck: chains verified earlier hold while nothing they depend on
// changed, and are dropped by every change a new verification would
// refuse — and in each such case a full verification refuses too, so a
// caller that falls back to it reaches the same verdict.
func TestRecheck(t *testing.T) {
	ca, err := testpki.NewCA("Recheck Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"a.example.test"}})
	if err != nil {
		t.Fatal(err)
	}
	certs := []*x509.Certificate{leaf.Cert}
	base := pki.VerifyOptions{Roots: ca.Pool, DNSName: "a.example.test", CurrentTime: time.Now()}
	chains, err := pki.VerifyParsed(certs, base)
	if err != nil {
		t.Fatal(err)
	}
	if got := pki.Recheck(certs, chains, base); len(got) != 1 || got[0][len(got[0])-1] != ca.Cert {
		t.Fatalf("unchanged configuration: Recheck kept %v, want the one chain to the root", got)
	}

	other, err := testpki.NewCA("Other Root", testpki.ECDSAP256)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := ca.RevocationList(leaf)
	if err != nil {
		t.Fatal(err)
	}
	clientLeaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"a.example.test"}, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	changes := []struct {
		name  string
		certs []*x509.Certificate
		opts  func(o *pki.VerifyOptions)
	}{
		{"root no longer trusted", certs, func(o *pki.VerifyOptions) { o.Roots = other.Pool }},
		{"an empty pool", certs, func(o *pki.VerifyOptions) { o.Roots = x509.NewCertPool() }},
		{"leaf expired since", certs, func(o *pki.VerifyOptions) { o.CurrentTime = leaf.Cert.NotAfter.Add(time.Second) }},
		{"before the leaf's validity", certs, func(o *pki.VerifyOptions) { o.CurrentTime = leaf.Cert.NotBefore.Add(-time.Second) }},
		{"another name", certs, func(o *pki.VerifyOptions) { o.DNSName = "b.example.test" }},
		{"client usage asked of a server leaf", certs, func(o *pki.VerifyOptions) {
			o.KeyUsages = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}},
		{"revoked since", certs, func(o *pki.VerifyOptions) { o.RevocationLists = []*x509.RevocationList{crl} }},
		{"chains of another leaf", []*x509.Certificate{clientLeaf.Cert}, func(*pki.VerifyOptions) {}},
	}
	for _, c := range changes {
		opts := base
		c.opts(&opts)
		if got := pki.Recheck(c.certs, chains, opts); got != nil {
			t.Errorf("%s: Recheck kept %d chains, want none", c.name, len(got))
		}
		if c.name == "chains of another leaf" {
			continue // a mismatch of inputs, not a verdict on the leaf
		}
		if _, err := pki.VerifyParsed(c.certs, opts); err == nil {
			t.Errorf("%s: a full verification accepts what Recheck refused; the fallback would differ", c.name)
		}
	}
	if got := pki.Recheck(certs, nil, base); got != nil {
		t.Errorf("no earlier chains: Recheck kept %v", got)
	}
	if got := pki.Recheck(nil, chains, base); got != nil {
		t.Errorf("no certificates: Recheck kept %v", got)
	}
}

// BenchmarkRecheck against BenchmarkVerifyParsedOnce: what a resumption
// saves by rechecking the chains of its session rather than verifying the
// chain again.
func BenchmarkRecheck(b *testing.B) {
	certs, chains, opts := recheckFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if pki.Recheck(certs, chains, opts) == nil {
			b.Fatal("chain dropped")
		}
	}
}

func BenchmarkVerifyParsedOnce(b *testing.B) {
	certs, _, opts := recheckFixture(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pki.VerifyParsed(certs, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func recheckFixture(b *testing.B) ([]*x509.Certificate, [][]*x509.Certificate, pki.VerifyOptions) {
	ca, err := testpki.NewCA("Bench Root", testpki.ECDSAP256)
	if err != nil {
		b.Fatal(err)
	}
	leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"a.example.test"}})
	if err != nil {
		b.Fatal(err)
	}
	certs := []*x509.Certificate{leaf.Cert}
	opts := pki.VerifyOptions{Roots: ca.Pool, DNSName: "a.example.test"}
	chains, err := pki.VerifyParsed(certs, opts)
	if err != nil {
		b.Fatal(err)
	}
	return certs, chains, opts
}
