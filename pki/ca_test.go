package pki

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestInitRoot(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{Name: "Test Root"})
	c := ca.Certificate()
	if !ca.IsRoot() || ca.Root() != c || len(ca.Chain()) != 0 {
		t.Error("a new root CA is not its own root")
	}
	if c.Subject.CommonName != "Test Root" || !slices.Equal(c.Subject.Organization, []string{"Lucid"}) || len(c.Subject.Country) != 0 {
		t.Errorf("subject %q", c.Subject)
	}
	if !c.IsCA || !c.BasicConstraintsValid || c.MaxPathLen != -1 {
		t.Errorf("IsCA %v, BasicConstraintsValid %v, MaxPathLen %d; want a CA without path length", c.IsCA, c.BasicConstraintsValid, c.MaxPathLen)
	}
	if c.KeyUsage != x509.KeyUsageCertSign|x509.KeyUsageCRLSign {
		t.Errorf("key usage %b", c.KeyUsage)
	}
	if len(c.ExtKeyUsage) != 0 {
		t.Errorf("a root has EKU %v", c.ExtKeyUsage)
	}
	if err := c.CheckSignatureFrom(c); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if !c.NotBefore.Equal(caT0.Add(-time.Hour)) || !c.NotAfter.Equal(caT0.AddDate(0, 0, DefaultRootDays)) {
		t.Errorf("validity %v to %v", c.NotBefore, c.NotAfter)
	}
	if len(c.SubjectKeyId) != 20 || KeyName(c.PublicKey) != "ECDSA P-256" {
		t.Errorf("SKI %x, key %s", c.SubjectKeyId, KeyName(c.PublicKey))
	}
	caCheckSerial(t, c.SerialNumber)

	if m := caMode(t, filepath.Join(dir, "ca.key")); m != 0o600 {
		t.Errorf("ca.key mode %v, want 0600", m)
	}
	if m := caMode(t, dir); m != 0o700 {
		t.Errorf("CA directory mode %v, want 0700", m)
	}
	if m := caMode(t, filepath.Join(dir, "ca.crt")); m != 0o644 {
		t.Errorf("ca.crt mode %v, want 0644", m)
	}
	files := caDirState(t, dir)
	for _, f := range []string{"ca.crt", "ca.key", "index.json"} {
		if _, ok := files[f]; !ok {
			t.Errorf("%s missing", f)
		}
	}
	// The lock file stays where flock(2) is the lock (see lockDir).
	delete(files, ".lock")
	if len(files) != 4 { // ".", and the three files
		t.Errorf("unexpected files: %v", files)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, ".lock")); len(data) != 0 {
		t.Errorf("the lock file names a holder after Init returned: %q", data)
	}
	keyPEM, _ := os.ReadFile(filepath.Join(dir, "ca.key"))
	if b, _ := pem.Decode(keyPEM); b == nil || b.Type != "PRIVATE KEY" {
		t.Errorf("ca.key is not PKCS#8 PEM")
	}

	o, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if !o.Certificate().Equal(c) || !o.IsRoot() || !sameKey(o.Signer(), c.PublicKey) {
		t.Error("Open did not load the CA Init made")
	}
	if l, err := o.List(); err != nil || len(l) != 0 {
		t.Errorf("List of a new CA: %v, %v", l, err)
	}
}

// caCheckSerial checks the serial policy: positive, exactly 16 octets.
func caCheckSerial(t *testing.T, n interface{ Bytes() []byte }) {
	t.Helper()
	b := n.Bytes()
	if len(b) != 16 || b[0]&0x80 != 0 || b[0]&0x40 == 0 {
		t.Errorf("serial %x is not 16 octets with the top bit clear", b)
	}
}

func TestInitKeyTypes(t *testing.T) {
	for kt, want := range map[KeyType]string{
		"": "ECDSA P-256", ECDSAP384: "ECDSA P-384", RSA2048: "RSA 2048-bit", Ed25519: "Ed25519", "ECDSA-P256": "ECDSA P-256",
	} {
		ca := caMem(t, InitOptions{KeyType: kt})
		if got := KeyName(ca.Certificate().PublicKey); got != want {
			t.Errorf("key type %q made %s", kt, got)
		}
	}
}

func TestInitRefusesOverwrite(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	if _, _, err := ca.CRL(caT0); err != nil {
		t.Fatal(err)
	}
	before := caDirState(t, dir)
	_, err := Init(dir, InitOptions{Now: caT0})
	var ee *ExistsError
	if !errors.As(err, &ee) {
		t.Fatalf("second Init: %v, want an *ExistsError", err)
	}
	caWantErr(t, "second Init", err, dir, "already holds a CA")
	caSameState(t, "a refused Init", dir, before)

	again, err := Init(dir, InitOptions{Now: caT0, Force: true, Name: "Replacement"})
	if err != nil {
		t.Fatalf("Init --force: %v", err)
	}
	if again.Certificate().Equal(ca.Certificate()) {
		t.Error("Force did not replace the CA")
	}
	if _, err := os.Stat(filepath.Join(dir, "ca.crl")); !os.IsNotExist(err) {
		t.Error("Force left the old CA's CRL behind")
	}
	o, err := Open(dir)
	if err != nil || o.Certificate().Subject.CommonName != "Replacement" {
		t.Fatalf("Open after Force: %v", err)
	}
	if m := caMode(t, filepath.Join(dir, "ca.key")); m != 0o600 {
		t.Errorf("replaced ca.key mode %v", m)
	}
}

func TestInitBadInputs(t *testing.T) {
	parent := caMem(t, InitOptions{Days: 30})
	zero := 0
	neg := -1
	for _, tc := range []struct {
		name  string
		opts  InitOptions
		words []string
	}{
		{"unknown key type", InitOptions{KeyType: "dsa-1024"}, []string{`unknown key type "dsa-1024"`, "ecdsa-p256"}},
		{"negative days", InitOptions{Days: -3}, []string{"at least 1"}},
		{"too many days", InitOptions{Days: 40000}, []string{"40000 days"}},
		{"bad country", InitOptions{Country: "Germany"}, []string{"country", "two-letter"}},
		{"long name", InitOptions{Name: strings.Repeat("x", 65)}, []string{"longer than 64"}},
		{"control character", InitOptions{Name: "a\x01b"}, []string{"unprintable"}},
		{"bad constraint", InitOptions{Permitted: []string{"exa_mple.com"}}, []string{"exa_mple.com"}},
		{"host bits", InitOptions{Permitted: []string{"10.0.0.1/8"}}, []string{"10.0.0.0/8"}},
		{"single IP", InitOptions{Excluded: []string{"10.0.0.1"}}, []string{"range"}},
		{"negative path length", InitOptions{PathLen: &neg}, []string{"negative"}},
		{"no time", InitOptions{Now: time.Time{}}, []string{"Now is zero"}},
		{"beyond parent", InitOptions{Parent: parent, Days: 31}, []string{"31 days", "expires", "at most 30 days"}},
		{"parent path length", InitOptions{Parent: mustMemCA(t, InitOptions{Now: caT0, PathLen: &zero})}, []string{"path length 0", "only issue leaf"}},
		{"same subject as parent", InitOptions{Parent: parent, Name: DefaultRootName}, []string{"is that of", "above it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			dir := filepath.Join(base, "ca")
			opts := tc.opts
			if tc.name != "no time" {
				opts.Now = caT0
			}
			before := caDirState(t, base)
			_, err := Init(dir, opts)
			caWantErr(t, tc.name, err, tc.words...)
			caSameState(t, "a failed Init", base, before)
			if _, err := NewMemoryCA(opts); err == nil {
				t.Errorf("NewMemoryCA accepted what Init refused")
			}
		})
	}
	if l, _ := parent.List(); len(l) != 0 {
		t.Errorf("refused intermediates were recorded in the parent: %v", l)
	}
}

func mustMemCA(t *testing.T, opts InitOptions) *CA {
	t.Helper()
	ca, err := NewMemoryCA(opts)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

func TestIntermediate(t *testing.T) {
	root, rootDir := caRoot(t, InitOptions{Name: "Root"})
	interDir := filepath.Join(t.TempDir(), "a", "inter")
	inter, err := Init(interDir, InitOptions{Parent: root, Name: "Inter", Now: caT0})
	if err != nil {
		t.Fatalf("Init intermediate: %v", err)
	}
	ic := inter.Certificate()
	if inter.IsRoot() || !inter.Root().Equal(root.Certificate()) {
		t.Error("the intermediate does not lead to the root")
	}
	if err := ic.CheckSignatureFrom(root.Certificate()); err != nil {
		t.Errorf("intermediate not signed by the root: %v", err)
	}
	if ic.MaxPathLen != 0 || !ic.MaxPathLenZero {
		t.Errorf("default intermediate path length %d (zero %v), want 0", ic.MaxPathLen, ic.MaxPathLenZero)
	}
	if !slices.Equal(ic.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}) {
		t.Errorf("intermediate EKU %v", ic.ExtKeyUsage)
	}
	if !bytes.Equal(ic.AuthorityKeyId, root.Certificate().SubjectKeyId) {
		t.Error("intermediate AKI is not the root's SKI")
	}
	if !ic.NotAfter.Equal(caT0.AddDate(0, 0, DefaultIntermediateDays)) {
		t.Errorf("intermediate expires %v", ic.NotAfter)
	}
	caCheckSerial(t, ic.SerialNumber)

	recs, err := root.List()
	if err != nil || len(recs) != 1 || recs[0].Kind != KindCA || recs[0].Serial != FormatSerial(ic.SerialNumber) {
		t.Fatalf("root index after an intermediate: %+v, %v", recs, err)
	}
	for f, want := range map[string]string{"chain.crt": string(certPEM(ic)), "root.crt": string(certPEM(root.Certificate()))} {
		got, err := os.ReadFile(filepath.Join(interDir, f))
		if err != nil || string(got) != want {
			t.Errorf("%s: %v, or not what was expected", f, err)
		}
	}
	if m := caMode(t, filepath.Join(interDir, "ca.key")); m != 0o600 {
		t.Errorf("intermediate key mode %v", m)
	}

	o, err := Open(interDir)
	if err != nil {
		t.Fatalf("Open intermediate: %v", err)
	}
	leaf, err := o.Issue(IssueOptions{Kind: KindServer, Names: []string{"www.example.com"}, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if len(leaf.Chain) != 2 || !bytes.Equal(leaf.Chain[1], ic.Raw) {
		t.Errorf("leaf chain has %d certificates, want leaf and intermediate", len(leaf.Chain))
	}
	if certs, _ := parseCertsPEM(leaf.ChainPEM); len(certs) != 2 {
		t.Errorf("chain PEM holds %d certificates", len(certs))
	}
	if err := caVerify(t, root, leaf.Chain, caT0, x509.ExtKeyUsageServerAuth, "www.example.com"); err != nil {
		t.Errorf("leaf under the intermediate does not verify: %v", err)
	}
	if r, _ := o.List(); len(r) != 1 {
		t.Errorf("intermediate index holds %d records", len(r))
	}
	if r, _ := root.List(); len(r) != 1 {
		t.Errorf("root index holds %d records after the intermediate issued", len(r))
	}

	// An explicit validity beyond the parent's fails and writes nothing,
	// in either directory.
	before := caDirState(t, rootDir)
	other := filepath.Join(t.TempDir(), "x")
	_, err = Init(other, InitOptions{Parent: root, Now: caT0, Days: DefaultRootDays + 1})
	caWantErr(t, "intermediate outliving its parent", err, "expires")
	caSameState(t, "a refused intermediate", rootDir, before)
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Error("a refused intermediate left its directory")
	}
	// The parent's own directory cannot be the child's.
	_, err = Init(rootDir, InitOptions{Parent: root, Now: caT0, Force: true})
	caWantErr(t, "intermediate in its parent's directory", err, "parent's")
	caSameState(t, "an intermediate in the parent's directory", rootDir, before)
}

func TestIntermediateDefaultDaysClamped(t *testing.T) {
	root := caMem(t, InitOptions{Days: 100})
	inter, err := NewMemoryCA(InitOptions{Parent: root, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if !inter.Certificate().NotAfter.Equal(root.Certificate().NotAfter) {
		t.Errorf("default intermediate validity ends %v, not with its parent (%v)", inter.Certificate().NotAfter, root.Certificate().NotAfter)
	}
	// Issued later, the intermediate's validity starts no earlier than
	// its parent's.
	if inter.Certificate().NotBefore.Before(root.Certificate().NotBefore) {
		t.Error("intermediate valid before its parent")
	}
}

func TestPathLength(t *testing.T) {
	one, two, zero := 1, 2, 0
	root := caMem(t, InitOptions{PathLen: &two})
	if c := root.Certificate(); c.MaxPathLen != 2 {
		t.Fatalf("root path length %d", c.MaxPathLen)
	}
	_, err := NewMemoryCA(InitOptions{Parent: root, Now: caT0, PathLen: &two, Name: "I1"})
	caWantErr(t, "intermediate with its parent's path length", err, "too long", "at most 1")
	i1, err := NewMemoryCA(InitOptions{Parent: root, Now: caT0, PathLen: &one, Name: "I1"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewMemoryCA(InitOptions{Parent: i1, Now: caT0, PathLen: &one, Name: "I2"})
	caWantErr(t, "second intermediate with path length 1", err, "too long")
	i2, err := NewMemoryCA(InitOptions{Parent: i1, Now: caT0, Name: "I2"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = NewMemoryCA(InitOptions{Parent: i2, Now: caT0, Name: "I3"})
	caWantErr(t, "third intermediate", err, `"I2" has path length 0`)
	leaf, err := i2.Issue(IssueOptions{Kind: KindClient, Names: []string{"deep"}, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if len(leaf.Chain) != 3 {
		t.Errorf("chain of %d certificates, want leaf, I2, I1", len(leaf.Chain))
	}
	if err := caVerify(t, root, leaf.Chain, caT0, x509.ExtKeyUsageClientAuth, ""); err != nil {
		t.Errorf("deep chain does not verify: %v", err)
	}

	// A root with path length 0 issues leaves only.
	flat := caMem(t, InitOptions{PathLen: &zero})
	_, err = NewMemoryCA(InitOptions{Parent: flat, Now: caT0, Name: "I"})
	caWantErr(t, "intermediate under path length 0", err, "path length 0")
	if _, err := flat.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0}); err != nil {
		t.Errorf("path length 0 root cannot issue a leaf: %v", err)
	}

	// A grandparent's limit binds even when the parent has none left to
	// give: root pathlen 1 -> I1 (pathlen 0) -> nothing.
	r1 := caMem(t, InitOptions{PathLen: &one})
	_, err = NewMemoryCA(InitOptions{Parent: r1, Now: caT0, PathLen: &one, Name: "I"})
	caWantErr(t, "intermediate path length equal to the root's", err, "too long")
}

func TestNameConstraints(t *testing.T) {
	root := caMem(t, InitOptions{
		Permitted: []string{"example.com", "10.0.0.0/8", "2001:db8::/32"},
		Excluded:  []string{"secret.example.com", "10.9.0.0/16"},
	})
	c := root.Certificate()
	if !slices.Equal(c.PermittedDNSDomains, []string{"example.com"}) || len(c.PermittedIPRanges) != 2 || !c.PermittedDNSDomainsCritical {
		t.Fatalf("root constraints: %v %v critical %v", c.PermittedDNSDomains, c.PermittedIPRanges, c.PermittedDNSDomainsCritical)
	}
	for _, tc := range []struct {
		names []string
		bad   string
	}{
		{[]string{"example.com", "www.example.com", "*.www.example.com", "10.1.2.3", "2001:db8::1"}, ""},
		{[]string{"*.example.com"}, "wildcard \"*.example.com\" would cover secret.example.com"},
		{[]string{"www.example.org"}, `"www.example.org" is not one`},
		{[]string{"notexample.com"}, `"notexample.com" is not one`},
		{[]string{"secret.example.com"}, "excludes DNS names under secret.example.com"},
		{[]string{"a.secret.example.com"}, "excludes"},
		{[]string{"192.168.1.1"}, "192.168.1.1 is not one"},
		{[]string{"10.9.1.1"}, "excludes IP addresses in 10.9.0.0/16"},
		{[]string{"2001:db9::1"}, "is not one"},
	} {
		iss, err := root.Issue(IssueOptions{Kind: KindServer, Names: tc.names, Now: caT0})
		if tc.bad == "" {
			if err != nil {
				t.Errorf("%v: %v", tc.names, err)
				continue
			}
			if err := caVerify(t, root, iss.Chain, caT0, x509.ExtKeyUsageServerAuth, ""); err != nil {
				t.Errorf("%v: issued but does not verify: %v", tc.names, err)
			}
			continue
		}
		caWantErr(t, strings.Join(tc.names, ","), err, tc.bad)
	}
	// A client name is not a DNS name, and its email SAN is not
	// constrained by DNS constraints.
	if _, err := root.Issue(IssueOptions{Kind: KindClient, Names: []string{"bob@other.org"}, Now: caT0}); err != nil {
		t.Errorf("client under DNS constraints: %v", err)
	}

	// An intermediate inherits the constraints and may narrow them.
	inh, err := NewMemoryCA(InitOptions{Parent: root, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	ic := inh.Certificate()
	if !slices.Equal(ic.PermittedDNSDomains, c.PermittedDNSDomains) || !slices.Equal(ic.ExcludedDNSDomains, c.ExcludedDNSDomains) || len(ic.ExcludedIPRanges) != 1 {
		t.Errorf("inherited constraints %v / %v / %v", ic.PermittedDNSDomains, ic.ExcludedDNSDomains, ic.ExcludedIPRanges)
	}
	narrow, err := NewMemoryCA(InitOptions{Parent: root, Now: caT0, Name: "Narrow",
		Permitted: []string{"dev.example.com", "10.1.0.0/16"}, Excluded: []string{"old.dev.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	nc := narrow.Certificate()
	if !slices.Equal(nc.PermittedDNSDomains, []string{"dev.example.com"}) || !slices.Equal(nc.ExcludedDNSDomains, []string{"secret.example.com", "old.dev.example.com"}) {
		t.Errorf("narrowed constraints %v / %v", nc.PermittedDNSDomains, nc.ExcludedDNSDomains)
	}
	if len(nc.PermittedIPRanges) != 1 || nc.PermittedIPRanges[0].String() != "10.1.0.0/16" {
		t.Errorf("narrowed IP ranges %v", nc.PermittedIPRanges)
	}
	if _, err := narrow.Issue(IssueOptions{Kind: KindServer, Names: []string{"www.example.com"}, Now: caT0}); err == nil {
		t.Error("narrowed intermediate issued outside its constraint")
	}
	iss, err := narrow.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.dev.example.com", "10.1.0.5"}, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	if err := caVerify(t, root, iss.Chain, caT0, x509.ExtKeyUsageServerAuth, "a.dev.example.com"); err != nil {
		t.Errorf("leaf under narrowed intermediate: %v", err)
	}
	for _, p := range [][]string{{"example.org"}, {"11.0.0.0/8"}, {"10.0.0.0/7"}} {
		_, err := NewMemoryCA(InitOptions{Parent: root, Now: caT0, Name: "Wide", Permitted: p})
		caWantErr(t, "widening "+p[0], err, "permits only", p[0])
	}

	// Constraints on an intermediate below an unconstrained root hold
	// too, and are checked against the whole chain.
	free := caMem(t, InitOptions{})
	sub, err := NewMemoryCA(InitOptions{Parent: free, Now: caT0, Name: "Sub", Excluded: []string{"bad.test"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sub.Issue(IssueOptions{Kind: KindServer, Names: []string{"x.bad.test"}, Now: caT0})
	caWantErr(t, "excluded by the intermediate", err, `the CA "Sub" excludes`)
}

func TestConstraintHelpers(t *testing.T) {
	for _, tc := range []struct {
		name, c string
		want    bool
	}{
		{"example.com", "example.com", true},
		{"a.example.com", "example.com", true},
		{"aexample.com", "example.com", false},
		{"example.com", ".example.com", false},
		{"a.example.com", ".example.com", true},
		{"A.Example.COM", "example.com", true},
	} {
		if got := dnsWithin(tc.name, tc.c); got != tc.want {
			t.Errorf("dnsWithin(%q, %q) = %v", tc.name, tc.c, got)
		}
	}
	for _, tc := range []struct {
		c, p string
		want bool
	}{
		{"dev.example.com", "example.com", true},
		{"example.com", "example.com", true},
		{".example.com", "example.com", true},
		{"example.com", ".example.com", false},
		{".example.com", ".example.com", true},
		{"a.example.com", ".example.com", true},
		{"example.org", "example.com", false},
	} {
		if got := constraintWithin(tc.c, tc.p); got != tc.want {
			t.Errorf("constraintWithin(%q, %q) = %v", tc.c, tc.p, got)
		}
	}
	_, n8, _ := net.ParseCIDR("10.0.0.0/8")
	if !ipIn(net.ParseIP("10.2.3.4"), n8) || ipIn(net.ParseIP("::ffff:11.0.0.1"), n8) || ipIn(net.ParseIP("2001:db8::1"), n8) {
		t.Error("ipIn")
	}
	for addr, want := range map[string]bool{"a@example.com": true, "a@x.example.com": false} {
		if emailWithin(addr, "example.com") != want {
			t.Errorf("emailWithin(%q, example.com) != %v", addr, want)
		}
	}
	if !emailWithin("a@x.example.com", ".example.com") || !emailWithin("A@example.com", "a@example.com") {
		t.Error("emailWithin subdomain or mailbox")
	}
}

func TestOpenErrors(t *testing.T) {
	base := t.TempDir()
	_, err := Open(filepath.Join(base, "nothing"))
	if !errors.Is(err, ErrNoCA) {
		t.Errorf("Open of a missing directory: %v, want ErrNoCA", err)
	}
	_, err = Open(base)
	if !errors.Is(err, ErrNoCA) {
		t.Errorf("Open of an empty directory: %v, want ErrNoCA", err)
	}
	caWantErr(t, "empty directory", err, "ca.crt does not exist")

	_, a := caRoot(t, InitOptions{})
	_, b := caRoot(t, InitOptions{})
	key, _ := os.ReadFile(filepath.Join(b, "ca.key"))
	os.WriteFile(filepath.Join(a, "ca.key"), key, 0o600)
	_, err = Open(a)
	caWantErr(t, "mismatched key", err, "does not hold the key")

	_, c := caRoot(t, InitOptions{})
	os.WriteFile(filepath.Join(c, "index.json"), []byte("{not json"), 0o644)
	_, err = Open(c)
	caWantErr(t, "corrupt index", err, "index.json", "not a valid index")

	_, d := caRoot(t, InitOptions{})
	os.Remove(filepath.Join(d, "index.json"))
	_, err = Open(d)
	caWantErr(t, "missing index", err, "index.json is missing")

	root, _ := caRoot(t, InitOptions{})
	interDir := filepath.Join(t.TempDir(), "i")
	if _, err := Init(interDir, InitOptions{Parent: root, Now: caT0}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(interDir, "root.crt"), certPEM(mustMemCA(t, InitOptions{Now: caT0}).Certificate()), 0o644)
	_, err = Open(interDir)
	caWantErr(t, "intermediate with a foreign root", err, "is not signed by")

	if _, err := Init("", InitOptions{Now: caT0}); err == nil {
		t.Error("Init with no directory")
	}
}

func TestSeesOtherProcessesChanges(t *testing.T) {
	_, dir := caRoot(t, InitOptions{})
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Issue(IssueOptions{Kind: KindClient, Names: []string{"one"}, Now: caT0}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Issue(IssueOptions{Kind: KindClient, Names: []string{"two"}, Now: caT0}); err != nil {
		t.Fatal(err)
	}
	recs, _ := a.List()
	if len(recs) != 2 {
		t.Errorf("two handles on one directory lost an update: %d records", len(recs))
	}
}
