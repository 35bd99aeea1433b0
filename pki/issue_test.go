package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// oidBasicConstraints is id-ce-basicConstraints.
var oidBasicConstraints = asn1.ObjectIdentifier{2, 5, 29, 19}

func TestIssueServer(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	out := filepath.Join(t.TempDir(), "www")
	iss, err := ca.Issue(IssueOptions{
		Kind: KindServer, Names: []string{"WWW.Example.com.", "10.0.0.1", "example.com", "[::1]", "www.example.com"},
		Now: caT0, Out: out,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := iss.Certificate
	if !slices.Equal(c.DNSNames, []string{"www.example.com", "example.com"}) {
		t.Errorf("DNS SANs %v", c.DNSNames)
	}
	if len(c.IPAddresses) != 2 || !c.IPAddresses[0].Equal(net.ParseIP("10.0.0.1")) || !c.IPAddresses[1].Equal(net.IPv6loopback) {
		t.Errorf("IP SANs %v", c.IPAddresses)
	}
	if c.Subject.CommonName != "www.example.com" || c.Subject.String() != "CN=www.example.com" {
		t.Errorf("subject %q", c.Subject)
	}
	if !slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) || c.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("EKU %v, KU %b", c.ExtKeyUsage, c.KeyUsage)
	}
	if c.IsCA || !c.BasicConstraintsValid {
		t.Error("leaf basic constraints")
	}
	for _, e := range c.Extensions {
		if e.Id.Equal(oidBasicConstraints) && !e.Critical {
			t.Error("basicConstraints is not critical")
		}
	}
	if len(c.SubjectKeyId) != 20 || !bytes.Equal(c.AuthorityKeyId, ca.Certificate().SubjectKeyId) {
		t.Errorf("SKI %x, AKI %x", c.SubjectKeyId, c.AuthorityKeyId)
	}
	if !c.NotBefore.Equal(caT0.Add(-time.Hour)) || !c.NotAfter.Equal(caT0.AddDate(0, 0, DefaultLeafDays)) {
		t.Errorf("validity %v to %v", c.NotBefore, c.NotAfter)
	}
	caCheckSerial(t, c.SerialNumber)
	if KeyName(c.PublicKey) != "ECDSA P-256" || !sameKey(iss.Key, c.PublicKey) {
		t.Error("default key is not a matching ECDSA P-256 key")
	}
	for _, name := range []string{"www.example.com", "10.0.0.1", "::1"} {
		if err := caVerify(t, ca, iss.Chain, caT0, x509.ExtKeyUsageServerAuth, name); err != nil {
			t.Errorf("verify for %s: %v", name, err)
		}
	}
	if caVerify(t, ca, iss.Chain, caT0, x509.ExtKeyUsageClientAuth, "") == nil {
		t.Error("a server certificate verifies for client authentication")
	}

	// Files: chain and key, modes, contents.
	if iss.CertFile != out+".crt" || iss.KeyFile != out+".key" {
		t.Errorf("files %q %q", iss.CertFile, iss.KeyFile)
	}
	if m := caMode(t, out+".key"); m != 0o600 {
		t.Errorf("key mode %v", m)
	}
	crt, _ := os.ReadFile(out + ".crt")
	key, _ := os.ReadFile(out + ".key")
	if !bytes.Equal(crt, iss.ChainPEM) || !bytes.Equal(key, iss.KeyPEM) {
		t.Error("files differ from what Issue returned")
	}
	k, err := parseKey(key)
	if err != nil || !sameKey(k, c.PublicKey) {
		t.Errorf("key file does not hold the certificate's key: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 2 {
		t.Errorf("%d files next to the output, want 2 (no temporaries)", len(ents))
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ".lock")); len(data) != 0 {
		t.Errorf("the lock file still names a holder: %q", data)
	}

	recs, _ := ca.List()
	want := Record{Serial: FormatSerial(c.SerialNumber), Kind: KindServer, Subject: "CN=www.example.com",
		Names: []string{"www.example.com", "example.com", "10.0.0.1", "::1"}, NotBefore: c.NotBefore, NotAfter: c.NotAfter}
	if len(recs) != 1 || !caSameRecord(recs[0], want) || !caSameRecord(iss.Record, want) {
		t.Errorf("index %+v, want %+v", recs, want)
	}
}

func caSameRecord(a, b Record) bool {
	return a.Serial == b.Serial && a.Kind == b.Kind && a.Subject == b.Subject && slices.Equal(a.Names, b.Names) &&
		a.NotBefore.Equal(b.NotBefore) && a.NotAfter.Equal(b.NotAfter) && a.RevokedAt.Equal(b.RevokedAt) && a.Reason == b.Reason
}

func TestIssueRSAServerKeyEncipherment(t *testing.T) {
	ca := caMem(t, InitOptions{})
	iss, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"rsa.example"}, KeyType: RSA2048, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if iss.Certificate.KeyUsage != x509.KeyUsageDigitalSignature|x509.KeyUsageKeyEncipherment {
		t.Errorf("RSA server key usage %b", iss.Certificate.KeyUsage)
	}
	cl, err := ca.Issue(IssueOptions{Kind: KindClient, Names: []string{"rsa client"}, KeyType: RSA2048, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if cl.Certificate.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("RSA client key usage %b", cl.Certificate.KeyUsage)
	}
	ed, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"ed.example"}, KeyType: Ed25519, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if ed.Certificate.KeyUsage != x509.KeyUsageDigitalSignature || KeyName(ed.Certificate.PublicKey) != "Ed25519" {
		t.Errorf("Ed25519 server: KU %b, key %s", ed.Certificate.KeyUsage, KeyName(ed.Certificate.PublicKey))
	}
}

func TestIssueClient(t *testing.T) {
	ca := caMem(t, InitOptions{})
	iss, err := ca.Issue(IssueOptions{Kind: KindClient, Names: []string{"Alice Example"}, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	c := iss.Certificate
	if c.Subject.String() != "CN=Alice Example" || len(c.DNSNames)+len(c.IPAddresses)+len(c.EmailAddresses) != 0 {
		t.Errorf("plain client: subject %q, SANs %v %v %v", c.Subject, c.DNSNames, c.IPAddresses, c.EmailAddresses)
	}
	if !slices.Equal(c.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}) || c.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("EKU %v, KU %b", c.ExtKeyUsage, c.KeyUsage)
	}
	if err := caVerify(t, ca, iss.Chain, caT0, x509.ExtKeyUsageClientAuth, ""); err != nil {
		t.Errorf("client certificate does not verify: %v", err)
	}
	if caVerify(t, ca, iss.Chain, caT0, x509.ExtKeyUsageServerAuth, "") == nil {
		t.Error("a client certificate verifies for server authentication")
	}
	if iss.Record.Kind != KindClient || iss.Record.Subject != "CN=Alice Example" {
		t.Errorf("record %+v", iss.Record)
	}

	em, err := ca.Issue(IssueOptions{Kind: KindClient, Names: []string{"Alice@Example.COM"}, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if em.Certificate.Subject.CommonName != "Alice@Example.COM" || !slices.Equal(em.Certificate.EmailAddresses, []string{"Alice@example.com"}) {
		t.Errorf("email client: CN %q, emails %v", em.Certificate.Subject.CommonName, em.Certificate.EmailAddresses)
	}
	for _, notEmail := range []string{"a@b", "@example.com", "a@", "a b@example.com", "a..b@example.com", "a@exa_mple.com"} {
		if _, ok := emailAddress(notEmail); ok {
			t.Errorf("%q taken for an email address", notEmail)
		}
	}
}

func TestIssueBadInputs(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{Days: 365})
	outDir := t.TempDir()
	out := filepath.Join(outDir, "leaf")
	os.WriteFile(filepath.Join(outDir, "taken.crt"), []byte("x"), 0o644)
	for _, tc := range []struct {
		name  string
		opts  IssueOptions
		words []string
	}{
		{"unknown key type", IssueOptions{Kind: KindServer, Names: []string{"a.example"}, KeyType: "rsa-1024"}, []string{`unknown key type "rsa-1024"`}},
		{"underscore", IssueOptions{Kind: KindServer, Names: []string{"a_b.example"}}, []string{`"a_b.example" is not a host name or IP address`, "'_'"}},
		{"space", IssueOptions{Kind: KindServer, Names: []string{"a b"}}, []string{"' '"}},
		{"empty name", IssueOptions{Kind: KindServer, Names: []string{"ok.example", ""}}, []string{"empty"}},
		{"no names", IssueOptions{Kind: KindServer}, []string{"at least one"}},
		{"hyphen", IssueOptions{Kind: KindServer, Names: []string{"-a.example"}}, []string{"hyphen"}},
		{"long label", IssueOptions{Kind: KindServer, Names: []string{strings.Repeat("a", 64) + ".example"}}, []string{"63"}},
		{"numeric tld", IssueOptions{Kind: KindServer, Names: []string{"10.0.0.300"}}, []string{"all digits"}},
		{"wildcard inside", IssueOptions{Kind: KindServer, Names: []string{"a.*.example"}}, []string{"wildcard"}},
		{"bare wildcard", IssueOptions{Kind: KindServer, Names: []string{"*"}}, []string{"wildcard needs a domain"}},
		{"unicode", IssueOptions{Kind: KindServer, Names: []string{"bücher.example"}}, []string{"xn--"}},
		{"zone", IssueOptions{Kind: KindServer, Names: []string{"fe80::1%eth0"}}, []string{"zone"}},
		{"two client names", IssueOptions{Kind: KindClient, Names: []string{"a", "b"}}, []string{"exactly one"}},
		{"client name too long", IssueOptions{Kind: KindClient, Names: []string{strings.Repeat("x", 65)}}, []string{"64"}},
		{"client control char", IssueOptions{Kind: KindClient, Names: []string{"a\nb"}}, []string{"unprintable"}},
		{"no kind", IssueOptions{Names: []string{"a.example"}}, []string{"server or a client"}},
		{"CA kind", IssueOptions{Kind: KindCA, Names: []string{"a.example"}}, []string{"kind \"ca\""}},
		{"negative days", IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Days: -1}, []string{"at least 1"}},
		{"beyond the CA", IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Days: 366}, []string{"366 days", "expires", "at most 365 days"}},
		{"out directory missing", IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Out: filepath.Join(outDir, "no", "leaf")}, []string{"does not exist"}},
		{"out exists", IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Out: filepath.Join(outDir, "taken")}, []string{"taken.crt already exists"}},
		{"no time", IssueOptions{Kind: KindServer, Names: []string{"a.example"}}, []string{"Now is zero"}},
		{"over the CA's files", IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Out: filepath.Join(dir, "ca"), Force: true}, []string{"the CA's own ca.crt"}},
		{"over the CA's chain", IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Out: filepath.Join(dir, ".", "chain"), Force: true}, []string{"the CA's own chain.crt"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			if tc.name != "no time" {
				opts.Now = caT0
			}
			if opts.Out == "" {
				opts.Out = out
			}
			before, beforeOut := caDirState(t, dir), caDirState(t, outDir)
			_, err := ca.Issue(opts)
			caWantErr(t, tc.name, err, tc.words...)
			caSameState(t, "a refused Issue", dir, before)
			caSameState(t, "a refused Issue", outDir, beforeOut)
		})
	}
	// An expired CA issues nothing; neither does one not yet valid.
	_, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0.AddDate(2, 0, 0)})
	caWantErr(t, "expired CA", err, "expired on")
	_, err = ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0.AddDate(-1, 0, 0)})
	caWantErr(t, "CA not yet valid", err, "not valid until")
	if recs, _ := ca.List(); len(recs) != 0 {
		t.Errorf("refused requests were recorded: %v", recs)
	}
}

func TestIssueDefaultDaysClamped(t *testing.T) {
	ca := caMem(t, InitOptions{Days: 30})
	iss, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if !iss.Certificate.NotAfter.Equal(ca.Certificate().NotAfter) {
		t.Errorf("default leaf validity %v does not end with the CA's %v", iss.Certificate.NotAfter, ca.Certificate().NotAfter)
	}
	iss, err = ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0, Days: 7})
	if err != nil || !iss.Certificate.NotAfter.Equal(caT0.AddDate(0, 0, 7)) {
		t.Errorf("7-day leaf: %v", err)
	}
	// A minute later the CA has 29 days and a part left: 30 still fits,
	// ending with the CA; 31 does not.
	later := caT0.Add(time.Minute)
	iss, err = ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: later, Days: 30})
	if err != nil || !iss.Certificate.NotAfter.Equal(ca.Certificate().NotAfter) {
		t.Errorf("30 days from a 30-day CA a minute on: %v", err)
	}
	_, err = ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: later, Days: 31})
	caWantErr(t, "31 days from a 30-day CA", err, "at most 30 days")
}

func TestIssueForce(t *testing.T) {
	ca := caMem(t, InitOptions{})
	out := filepath.Join(t.TempDir(), "leaf")
	first, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	_, err = ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0, Out: out})
	var ee *ExistsError
	if !errors.As(err, &ee) || ee.Path != out+".crt" {
		t.Fatalf("second issue to the same prefix: %v", err)
	}
	// The key alone existing also blocks: a key must never be replaced
	// silently.
	os.Remove(out + ".crt")
	_, err = ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0, Out: out})
	if !errors.As(err, &ee) || ee.Path != out+".key" {
		t.Fatalf("issue over an existing key: %v", err)
	}
	second, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0, Out: out, Force: true})
	if err != nil {
		t.Fatalf("Force: %v", err)
	}
	key, _ := os.ReadFile(out + ".key")
	if bytes.Equal(key, first.KeyPEM) || !bytes.Equal(key, second.KeyPEM) {
		t.Error("Force did not replace the key")
	}
	if m := caMode(t, out+".key"); m != 0o600 {
		t.Errorf("replaced key mode %v", m)
	}
	if recs, _ := ca.List(); len(recs) != 2 {
		t.Errorf("%d records; the refused issues must not be recorded", len(recs))
	}
}

func TestMemoryCAWritesNothing(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	ca := caMem(t, InitOptions{})
	if ca.Dir() != "" || ca.CRLPath() != "" {
		t.Error("a memory CA has a directory")
	}
	iss, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"localhost", "127.0.0.1"}, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if iss.CertFile != "" || iss.KeyFile != "" {
		t.Error("files reported without Out")
	}
	if _, err := ca.Revoke(iss.Certificate.SerialNumber, ReasonSuperseded, caT0); err != nil {
		t.Fatal(err)
	}
	list, _, err := ca.CRL(caT0)
	if err != nil || len(list.RevokedCertificateEntries) != 1 {
		t.Fatalf("memory CRL: %v", err)
	}
	if ents, _ := os.ReadDir(wd); len(ents) != 0 {
		t.Errorf("a memory CA wrote %d files", len(ents))
	}
	if !bytes.Equal(ca.RootPEM(), ca.CertificatePEM()) {
		t.Error("a root's RootPEM is not its own certificate")
	}
}

func TestSerialFormat(t *testing.T) {
	n, _ := new(big.Int).SetString("4e077a7a9a6e07bebf33ce7a2809fcbc", 16)
	if got := FormatSerial(n); got != "4E077A7A9A6E07BEBF33CE7A2809FCBC" {
		t.Errorf("FormatSerial = %s", got)
	}
	if got := FormatSerial(big.NewInt(0xabc)); got != "0ABC" {
		t.Errorf("odd-length serial = %s, want a leading zero as OpenSSL prints it", got)
	}
	for _, in := range []string{"4E077A7A9A6E07BEBF33CE7A2809FCBC", "4e077a7a9a6e07bebf33ce7a2809fcbc", "4e:07:7a:7a:9a:6e:07:be:bf:33:ce:7a:28:09:fc:bc", "serial=4E077A7A9A6E07BEBF33CE7A2809FCBC", " 4E077A7A9A6E07BEBF33CE7A2809FCBC\n"} {
		got, err := ParseSerial(in)
		if err != nil || got.Cmp(n) != 0 {
			t.Errorf("ParseSerial(%q) = %v, %v", in, got, err)
		}
	}
	for in, word := range map[string]string{"": "empty", "xyz": "not hexadecimal", "00": "zero", "-1": "not hexadecimal", strings.Repeat("1", 41): "20 octets"} {
		_, err := ParseSerial(in)
		caWantErr(t, "ParseSerial("+in+")", err, word)
	}
	for range 50 {
		s, err := newSerial()
		if err != nil {
			t.Fatal(err)
		}
		caCheckSerial(t, s)
		if len(FormatSerial(s)) != 32 {
			t.Errorf("serial %s is not 32 hex digits", FormatSerial(s))
		}
	}
}

func TestParseKeyType(t *testing.T) {
	for in, want := range map[string]KeyType{"": ECDSAP256, "ECDSA-P384": ECDSAP384, " rsa-3072 ": RSA3072, "ed25519": Ed25519} {
		if got, err := ParseKeyType(in); err != nil || got != want {
			t.Errorf("ParseKeyType(%q) = %q, %v", in, got, err)
		}
	}
	_, err := ParseKeyType("rsa")
	caWantErr(t, "ParseKeyType(rsa)", err, "ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, ed25519")
}
