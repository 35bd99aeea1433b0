package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"lucid/internal/alert"
)

// now is the fixed instant the tests verify at, so dates in messages are
// predictable.
var now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func p256(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// RSA keys are slow to make; share them across tests.
var (
	rsaOnce          sync.Once
	rsa2048, rsa1024 *rsa.PrivateKey
	rsaErr           error
)

func rsaKeys(t *testing.T) {
	t.Helper()
	rsaOnce.Do(func() {
		var e1, e2 error
		rsa2048, e1 = rsa.GenerateKey(rand.Reader, 2048)
		rsa1024, e2 = rsa.GenerateKey(rand.Reader, 1024)
		rsaErr = errors.Join(e1, e2)
	})
	if rsaErr != nil {
		t.Fatal(rsaErr)
	}
}

// issued is a certificate with its key.
type issued struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// spec describes one certificate to make.
type spec struct {
	cn        string
	ca        bool
	dns       []string
	ips       []string
	notBefore time.Time
	notAfter  time.Time
	eku       []x509.ExtKeyUsage
	sigAlg    x509.SignatureAlgorithm
	key       crypto.Signer
	noBC      bool     // a non-CA cert without basic constraints
	pathLen   *int     // a CA's pathLenConstraint; nil for none
	serial    *big.Int // nil: the next small number
	skid      []byte   // a CA's subject key identifier; nil: derived from the key
}

var serialN int64

// mk makes a certificate from s, signed by parent (nil: self-signed).
func mk(t testing.TB, s spec, parent *issued) *issued {
	t.Helper()
	key := s.key
	if key == nil {
		key = p256(t)
	}
	if s.notBefore.IsZero() {
		s.notBefore = now.AddDate(0, -1, 0)
	}
	if s.notAfter.IsZero() {
		s.notAfter = now.AddDate(1, 0, 0)
	}
	serialN++
	sn := s.serial
	if sn == nil {
		sn = big.NewInt(serialN)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		SubjectKeyId:          s.skid,
		Subject:               pkix.Name{CommonName: s.cn},
		NotBefore:             s.notBefore,
		NotAfter:              s.notAfter,
		DNSNames:              s.dns,
		ExtKeyUsage:           s.eku,
		SignatureAlgorithm:    s.sigAlg,
		BasicConstraintsValid: !s.noBC,
		IsCA:                  s.ca,
		KeyUsage:              x509.KeyUsageDigitalSignature,
	}
	for _, ip := range s.ips {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(ip))
	}
	if s.ca {
		tmpl.KeyUsage |= x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		if s.pathLen != nil {
			tmpl.MaxPathLen, tmpl.MaxPathLenZero = *s.pathLen, *s.pathLen == 0
		}
	} else if tmpl.ExtKeyUsage == nil {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	parentCert, parentKey := tmpl, key
	if parent != nil {
		parentCert, parentKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parentCert, key.Public(), parentKey)
	if err != nil {
		t.Fatalf("create %q: %v", s.cn, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &issued{c, key}
}

func pool(cs ...*issued) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range cs {
		p.AddCert(c.cert)
	}
	return p
}

func ders(cs ...*issued) [][]byte {
	var out [][]byte
	for _, c := range cs {
		out = append(out, c.cert.Raw)
	}
	return out
}

// pkiFixture is a root, an intermediate below it, and a leaf below that.
type pkiFixture struct {
	root, inter, leaf *issued
}

func fixture(t testing.TB) pkiFixture {
	t.Helper()
	root := mk(t, spec{cn: "Test Root", ca: true, notBefore: now.AddDate(-5, 0, 0), notAfter: now.AddDate(10, 0, 0)}, nil)
	inter := mk(t, spec{cn: "Test Intermediate", ca: true}, root)
	leaf := mk(t, spec{cn: "a.example", dns: []string{"a.example", "www.a.example"}}, inter)
	return pkiFixture{root, inter, leaf}
}

// refused runs VerifyChain expecting a refusal and checks the reason, the
// alert, the index and that the message has the words a person needs.
func refused(t *testing.T, chain [][]byte, opts VerifyOptions, reason Reason, al alert.Description, index int, words ...string) *VerifyError {
	t.Helper()
	if opts.CurrentTime.IsZero() {
		opts.CurrentTime = now
	}
	_, chains, err := VerifyChain(chain, opts)
	if err == nil {
		t.Fatalf("chain accepted, want %v", reason)
	}
	if chains != nil {
		t.Errorf("chains returned alongside an error")
	}
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("error %T %v is not a *VerifyError", err, err)
	}
	if ve.Reason != reason {
		t.Errorf("Reason = %v, want %v (%v)", ve.Reason, reason, ve)
	}
	if got := ve.Alert(); got != al {
		t.Errorf("Alert() = %v, want %v", got, al)
	}
	if ve.Index != index {
		t.Errorf("Index = %d, want %d (%v)", ve.Index, index, ve)
	}
	msg := err.Error()
	for _, w := range words {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
	if alert.Of(ve.AlertError()) != al || !errors.As(ve.AlertError(), new(*VerifyError)) {
		t.Errorf("AlertError does not carry %v and the VerifyError", al)
	}
	t.Logf("%v: %s", reason, msg)
	return ve
}

func TestChainOK(t *testing.T) {
	f := fixture(t)
	certs, chains, err := VerifyChain(ders(f.leaf, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "www.a.example", CurrentTime: now})
	if err != nil {
		t.Fatalf("good chain refused: %v", err)
	}
	if len(certs) != 2 || !certs[0].Equal(f.leaf.cert) || !certs[1].Equal(f.inter.cert) {
		t.Fatalf("certs not returned in order")
	}
	if len(chains) != 1 || len(chains[0]) != 3 || !chains[0][2].Equal(f.root.cert) {
		t.Fatalf("chains = %v", chains)
	}
	// No name check when DNSName is empty.
	if _, _, err := VerifyChain(ders(f.leaf, f.inter), VerifyOptions{Roots: pool(f.root), CurrentTime: now}); err != nil {
		t.Fatalf("no DNSName: %v", err)
	}
	// The peer may also send the root.
	if _, _, err := VerifyChain(ders(f.leaf, f.inter, f.root), VerifyOptions{Roots: pool(f.root), DNSName: "a.example", CurrentTime: now}); err != nil {
		t.Fatalf("chain with root: %v", err)
	}
}

func TestDefaultTimeIsNow(t *testing.T) {
	root := mk(t, spec{cn: "Now Root", ca: true, notBefore: time.Now().Add(-time.Hour), notAfter: time.Now().Add(time.Hour)}, nil)
	leaf := mk(t, spec{cn: "now.example", dns: []string{"now.example"}, notBefore: time.Now().Add(-time.Hour), notAfter: time.Now().Add(time.Hour)}, root)
	if _, _, err := VerifyChain(ders(leaf), VerifyOptions{Roots: pool(root), DNSName: "now.example"}); err != nil {
		t.Fatalf("valid-now chain refused with zero CurrentTime: %v", err)
	}
}

func TestExpired(t *testing.T) {
	f := fixture(t)
	leaf := mk(t, spec{cn: "api.example", dns: []string{"api.example"},
		notBefore: time.Date(2025, 3, 1, 15, 4, 5, 0, time.UTC), notAfter: time.Date(2026, 3, 1, 15, 4, 5, 0, time.UTC)}, f.inter)
	ve := refused(t, ders(leaf, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "api.example"},
		Expired, alert.CertificateExpired, 0,
		"the certificate for api.example expired on 2026-03-01 15:04:05 UTC (now 2026-11-26 10:00:00 UTC)")
	if ve.Cert == nil || !ve.Cert.Equal(leaf.cert) {
		t.Error("Cert is not the leaf")
	}
	var inv x509.CertificateInvalidError
	if !errors.As(ve, &inv) || inv.Reason != x509.Expired {
		t.Error("Unwrap does not reach the x509 error")
	}
}

func TestNotYetValid(t *testing.T) {
	f := fixture(t)
	leaf := mk(t, spec{cn: "x", dns: []string{"x.example"},
		notBefore: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), notAfter: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}, f.inter)
	refused(t, ders(leaf, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "x.example"},
		NotYetValid, alert.CertificateExpired, 0,
		"the certificate for x.example is not valid until 2027-01-01 00:00:00 UTC", "now 2026-11-26 10:00:00 UTC", "clock")
	// Without a SAN, the subject names the certificate.
	noSAN := mk(t, spec{cn: "x", notBefore: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}, f.inter)
	refused(t, ders(noSAN, f.inter), VerifyOptions{Roots: pool(f.root)},
		NotYetValid, alert.CertificateExpired, 0, `certificate "CN=x" is not valid until 2027-01-01 00:00:00 UTC`)
}

func TestExpiredIntermediate(t *testing.T) {
	f := fixture(t)
	old := mk(t, spec{cn: "Old Intermediate", ca: true, notBefore: now.AddDate(-3, 0, 0), notAfter: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC), key: f.inter.key}, f.root)
	leaf := mk(t, spec{cn: "a.example", dns: []string{"a.example"}}, old)
	refused(t, ders(leaf, old), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		Expired, alert.CertificateExpired, 1,
		`intermediate certificate "CN=Old Intermediate" (certificate 1 in the chain) expired on 2025-06-30 00:00:00 UTC`)
}

func TestExpiredRoot(t *testing.T) {
	key := p256(t)
	root := mk(t, spec{cn: "Old Root", ca: true, key: key, notBefore: now.AddDate(-10, 0, 0), notAfter: now.AddDate(0, -1, 0)}, nil)
	leaf := mk(t, spec{cn: "a.example", dns: []string{"a.example"}}, root)
	refused(t, ders(leaf), VerifyOptions{Roots: pool(root)}, Expired, alert.CertificateExpired, -1,
		`trusted root certificate "CN=Old Root" expired on`)
}

func TestHostnameMismatch(t *testing.T) {
	f := fixture(t)
	ve := refused(t, ders(f.leaf, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "b.example"},
		HostnameMismatch, alert.BadCertificate, 0,
		"certificate is valid for a.example, www.a.example, not b.example")
	if !errors.As(ve, new(x509.HostnameError)) {
		t.Error("Unwrap does not reach x509.HostnameError")
	}
}

func TestHostnameNoSANs(t *testing.T) {
	f := fixture(t)
	leaf := mk(t, spec{cn: "cn-only.example"}, f.inter)
	refused(t, ders(leaf, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "cn-only.example"},
		HostnameMismatch, alert.BadCertificate, 0, "no subject alternative names", "common name")
}

func TestIPSANs(t *testing.T) {
	f := fixture(t)
	leaf := mk(t, spec{cn: "ip", dns: []string{"ip.example"}, ips: []string{"192.0.2.1", "2001:db8::1"}}, f.inter)
	opts := VerifyOptions{Roots: pool(f.root), CurrentTime: now}
	for _, host := range []string{"192.0.2.1", "2001:db8::1", "[2001:db8::1]", "ip.example"} {
		opts.DNSName = host
		if _, _, err := VerifyChain(ders(leaf, f.inter), opts); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	opts.DNSName = "192.0.2.2"
	refused(t, ders(leaf, f.inter), opts, HostnameMismatch, alert.BadCertificate, 0,
		"valid for ip.example, 192.0.2.1, 2001:db8::1, not 192.0.2.2")
	// An IP literal never matches a DNS SAN, even one that looks like it.
	dnsOnly := mk(t, spec{cn: "d", dns: []string{"192.0.2.9.example", "d.example"}}, f.inter)
	opts.DNSName = "192.0.2.9"
	refused(t, ders(dnsOnly, f.inter), opts, HostnameMismatch, alert.BadCertificate, 0,
		"not 192.0.2.9", "IP address SANs")
	// And a host name never matches an IP SAN.
	ipOnly := mk(t, spec{cn: "i", ips: []string{"192.0.2.1"}}, f.inter)
	opts.DNSName = "i.example"
	refused(t, ders(ipOnly, f.inter), opts, HostnameMismatch, alert.BadCertificate, 0,
		"valid for 192.0.2.1, not i.example", "DNS name SANs")
}

func TestManySANsTruncated(t *testing.T) {
	f := fixture(t)
	var names []string
	for i := range 25 {
		names = append(names, "h"+string(rune('a'+i))+".example")
	}
	leaf := mk(t, spec{cn: "many", dns: names}, f.inter)
	refused(t, ders(leaf, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "z.example"},
		HostnameMismatch, alert.BadCertificate, 0, "ha.example", "and 15 more", "not z.example")
}

func TestUnknownCA(t *testing.T) {
	f := fixture(t)
	evil := mk(t, spec{cn: "Evil Root", ca: true}, nil)
	leaf := mk(t, spec{cn: "leaf", dns: []string{"a.example"}}, evil)
	ve := refused(t, ders(leaf), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		UnknownAuthority, alert.UnknownCA, 0,
		`certificate "CN=leaf" is signed by an unknown authority "CN=Evil Root" (not in the trusted roots)`)
	if !errors.As(ve, new(x509.UnknownAuthorityError)) {
		t.Error("Unwrap does not reach x509.UnknownAuthorityError")
	}

	// With an intermediate, the topmost certificate sent is named.
	evilInter := mk(t, spec{cn: "Evil Intermediate", ca: true}, evil)
	leaf2 := mk(t, spec{cn: "leaf2", dns: []string{"a.example"}}, evilInter)
	refused(t, ders(leaf2, evilInter), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		UnknownAuthority, alert.UnknownCA, 1,
		`intermediate certificate "CN=Evil Intermediate" (certificate 1 in the chain) is signed by an unknown authority "CN=Evil Root"`)

	// A self-signed leaf has its own reason (see TestSelfSigned).
	self := mk(t, spec{cn: "selfie", dns: []string{"a.example"}}, nil)
	refused(t, ders(self), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		SelfSigned, alert.UnknownCA, 0, `certificate "CN=selfie" is self-signed and not trusted`)

	// The peer sends its untrusted root too.
	refused(t, ders(leaf2, evilInter, evil), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		UnknownAuthority, alert.UnknownCA, 2, `root certificate "CN=Evil Root" (certificate 2 in the chain) is self-signed`)
}

func TestBadSignature(t *testing.T) {
	f := fixture(t)
	// A forger makes its own "Test Intermediate" and signs a leaf with it,
	// but sends the real intermediate.
	fake := mk(t, spec{cn: "Test Intermediate", ca: true}, f.root)
	forged := mk(t, spec{cn: "forged", dns: []string{"a.example"}}, fake)
	refused(t, ders(forged, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		BadSignature, alert.BadCertificate, 0,
		`certificate "CN=forged" has a signature that does not verify with the key of its issuer, intermediate certificate "CN=Test Intermediate"`)

	// The same against a trusted root of the forged name.
	fakeRoot := mk(t, spec{cn: "Test Root", ca: true}, nil)
	forged2 := mk(t, spec{cn: "forged2", dns: []string{"a.example"}}, fakeRoot)
	refused(t, ders(forged2), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		BadSignature, alert.BadCertificate, 0,
		`names the trusted root "CN=Test Root" as its issuer, but its signature does not verify`)

	// A corrupted signature byte.
	der := append([]byte(nil), f.leaf.cert.Raw...)
	der[len(der)-3] ^= 0xff
	refused(t, [][]byte{der, f.inter.cert.Raw}, VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		BadSignature, alert.BadCertificate, 0, "does not verify")
}

func TestSHA1Signature(t *testing.T) {
	rsaKeys(t)
	root := mk(t, spec{cn: "RSA Root", ca: true, key: rsa2048}, nil)
	leaf := mk(t, spec{cn: "sha1.example", dns: []string{"sha1.example"}, sigAlg: x509.SHA1WithRSA}, root)
	if leaf.cert.SignatureAlgorithm != x509.SHA1WithRSA {
		t.Skip("crypto/x509 would not make a SHA-1 certificate")
	}
	refused(t, ders(leaf), VerifyOptions{Roots: pool(root), DNSName: "sha1.example"},
		BadSignature, alert.BadCertificate, 0, `"CN=sha1.example" is signed with SHA1-RSA`, "SHA-1")

	// SHA-1 on the intermediate.
	inter := mk(t, spec{cn: "SHA1 Intermediate", ca: true, sigAlg: x509.SHA1WithRSA, key: rsa2048}, root)
	leaf2 := mk(t, spec{cn: "b.example", dns: []string{"b.example"}}, inter)
	refused(t, ders(leaf2, inter), VerifyOptions{Roots: pool(root), DNSName: "b.example"},
		BadSignature, alert.BadCertificate, 1, `intermediate certificate "CN=SHA1 Intermediate"`, "SHA1-RSA")
}

func TestGarbage(t *testing.T) {
	f := fixture(t)
	ve := refused(t, [][]byte{f.leaf.cert.Raw, f.inter.cert.Raw, []byte("garbage, not DER")}, VerifyOptions{Roots: pool(f.root)},
		Malformed, alert.BadCertificate, 2, "certificate 2 in the chain could not be parsed")
	if ve.Cert != nil {
		t.Error("Cert set for an unparsable certificate")
	}
	refused(t, [][]byte{{0x30, 0x03, 0x02, 0x01}}, VerifyOptions{Roots: pool(f.root)},
		Malformed, alert.BadCertificate, 0, "certificate 0 (the leaf) in the chain could not be parsed")
	refused(t, [][]byte{nil}, VerifyOptions{Roots: pool(f.root)}, Malformed, alert.BadCertificate, 0, "could not be parsed")
	// A truncated certificate.
	refused(t, [][]byte{f.leaf.cert.Raw[:len(f.leaf.cert.Raw)-10]}, VerifyOptions{Roots: pool(f.root)},
		Malformed, alert.BadCertificate, 0, "could not be parsed")
}

func TestEmpty(t *testing.T) {
	refused(t, nil, VerifyOptions{}, Empty, alert.DecodeError, -1, "the peer sent no certificate")
	refused(t, [][]byte{}, VerifyOptions{KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}},
		Empty, alert.CertificateRequired, -1, "the peer sent no certificate")
}

func TestWrongUsage(t *testing.T) {
	f := fixture(t)
	client := mk(t, spec{cn: "client", dns: []string{"a.example"}, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, f.inter)
	refused(t, ders(client, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		WrongUsage, alert.UnsupportedCertificate, 0,
		`certificate "CN=client" is not valid for server authentication (extended key usage: clientAuth)`)
	// The same certificate is fine as a client certificate.
	if _, _, err := VerifyChain(ders(client, f.inter), VerifyOptions{Roots: pool(f.root), CurrentTime: now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Fatalf("client cert as client: %v", err)
	}
	// An intermediate that narrows usage to clientAuth is blamed, not the leaf.
	narrow := mk(t, spec{cn: "Client CA", ca: true, eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, f.root)
	leaf := mk(t, spec{cn: "srv", dns: []string{"a.example"}}, narrow)
	refused(t, ders(leaf, narrow), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		WrongUsage, alert.UnsupportedCertificate, 1, `"CN=Client CA"`, "client authentication", "server authentication")
}

func TestUnsupportedKey(t *testing.T) {
	rsaKeys(t)
	f := fixture(t)
	small := mk(t, spec{cn: "small", dns: []string{"a.example"}, key: rsa1024}, f.inter)
	refused(t, ders(small, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		UnsupportedKey, alert.UnsupportedCertificate, 0, `"CN=small"`, "1024-bit RSA key")
	k224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p224 := mk(t, spec{cn: "p224", dns: []string{"a.example"}, key: k224}, f.inter)
	refused(t, ders(p224, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		UnsupportedKey, alert.UnsupportedCertificate, 0, "P-224")
	// RSA-2048 is fine.
	big := mk(t, spec{cn: "big", dns: []string{"a.example"}, key: rsa2048}, f.inter)
	if _, _, err := VerifyChain(ders(big, f.inter), VerifyOptions{Roots: pool(f.root), DNSName: "a.example", CurrentTime: now}); err != nil {
		t.Fatalf("RSA-2048 leaf: %v", err)
	}
}

func TestNotACA(t *testing.T) {
	f := fixture(t)
	notCA := mk(t, spec{cn: "Not A CA", dns: []string{"x.example"}}, f.root)
	leaf := mk(t, spec{cn: "below", dns: []string{"a.example"}}, notCA)
	refused(t, ders(leaf, notCA), VerifyOptions{Roots: pool(f.root), DNSName: "a.example"},
		Other, alert.CertificateUnknown, 0, `"CN=Not A CA"`, "not allowed to sign certificates")
}

func TestReasonStrings(t *testing.T) {
	for r := Other; r <= Revoked; r++ {
		if s := r.String(); s == "" || strings.HasPrefix(s, "reason(") {
			t.Errorf("Reason %d has no name", int(r))
		}
	}
	if Reason(99).String() != "reason(99)" || Reason(-1).String() != "reason(-1)" {
		t.Error("unknown reasons not rendered as numbers")
	}
	if (&VerifyError{}).Alert() != alert.CertificateUnknown {
		t.Error("zero VerifyError alert")
	}
	if (&VerifyError{Reason: Expired}).Error() == "" {
		t.Error("empty Error()")
	}
}

// FuzzVerifyChain makes sure no input makes VerifyChain panic.
func FuzzVerifyChain(f *testing.F) {
	f.Add([]byte{}, []byte{}, "a.example")
	f.Add([]byte{0x30, 0x82, 0xff, 0xff}, []byte{0x30}, "192.0.2.1")
	f.Add([]byte("not a certificate"), []byte{}, "[::1]")
	roots := x509.NewCertPool()
	f.Fuzz(func(t *testing.T, a, b []byte, host string) {
		for _, chain := range [][][]byte{{a}, {a, b}, {b, a}} {
			_, _, err := VerifyChain(chain, VerifyOptions{Roots: roots, DNSName: host, CurrentTime: now})
			if err == nil {
				t.Fatal("junk chain verified against an empty pool")
			}
			var ve *VerifyError
			if !errors.As(err, &ve) || ve.Error() == "" {
				t.Fatalf("bad error %v", err)
			}
		}
	})
}

// VerifyChain matches the name itself (MatchesHost) but keeps the order in
// which crypto/x509 reports failures: a leaf out of its dates is refused
// for its dates before its name is looked at; a wrong name is reported
// before anything about the chain above the leaf or its usages. Each case
// is also put to crypto/x509 with the name, so the order cannot drift.
func TestNameRefusalOrder(t *testing.T) {
	f := fixture(t)
	evil := mk(t, spec{cn: "Evil Root", ca: true}, nil)
	cases := []struct {
		name   string
		chain  []*issued
		reason Reason
		alert  alert.Description
		index  int
	}{
		{"expired leaf, wrong name", []*issued{mk(t, spec{cn: "old", dns: []string{"a.example"},
			notBefore: now.AddDate(-2, 0, 0), notAfter: now.AddDate(-1, 0, 0)}, f.inter), f.inter}, Expired, alert.CertificateExpired, 0},
		{"unknown authority, wrong name", []*issued{mk(t, spec{cn: "evil", dns: []string{"a.example"}}, evil)}, HostnameMismatch, alert.BadCertificate, 0},
		{"wrong usage, wrong name", []*issued{mk(t, spec{cn: "client", dns: []string{"a.example"},
			eku: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, f.inter), f.inter}, HostnameMismatch, alert.BadCertificate, 0},
		{"expired intermediate, wrong name", func() []*issued {
			old := mk(t, spec{cn: "Old Intermediate", ca: true, notBefore: now.AddDate(-3, 0, 0), notAfter: now.AddDate(-1, 0, 0)}, f.root)
			return []*issued{mk(t, spec{cn: "a", dns: []string{"a.example"}}, old), old}
		}(), HostnameMismatch, alert.BadCertificate, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			refused(t, ders(c.chain...), VerifyOptions{Roots: pool(f.root), DNSName: "b.example"}, c.reason, c.alert, c.index)
			inter := x509.NewCertPool()
			for _, x := range c.chain[1:] {
				inter.AddCert(x.cert)
			}
			_, err := c.chain[0].cert.Verify(x509.VerifyOptions{Roots: pool(f.root), Intermediates: inter, DNSName: "b.example", CurrentTime: now})
			if isName := errors.As(err, new(x509.HostnameError)); isName != (c.reason == HostnameMismatch) {
				t.Errorf("crypto/x509 reports %v first", err)
			}
		})
	}
}

// MatchesHost decides plain names itself and leaves the rest to
// crypto/x509; on any name and any SAN the two must agree.
func FuzzMatchesHost(f *testing.F) {
	for _, c := range [][2]string{
		{"localhost", "localhost"}, {"a.example", "*.example"}, {"A.Example.", "a.example"},
		{"1.2.3.4", "1.2.3.4"}, {"[::1]", "::1"}, {"-a.example", "-a.example"}, {"a..example", "a..example"},
		{"a_b.example", "a_b.example"}, {"12", "12"}, {".", "."}, {"a.example.", "a.example."}, {"xn--a.1a", "xn--a.1a"},
	} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, host, san string) {
		c := &x509.Certificate{DNSNames: []string{san}, IPAddresses: []net.IP{net.ParseIP("192.0.2.1"), net.ParseIP("::1")}}
		if ip := net.ParseIP(strings.Trim(san, "[]")); ip != nil {
			c.IPAddresses = append(c.IPAddresses, ip)
		}
		if got, want := MatchesHost(c, host), c.VerifyHostname(host) == nil; got != want {
			t.Fatalf("MatchesHost(%q, %q) = %v, crypto/x509 says %v", san, host, got, want)
		}
	})
}

// The names a handshake meets most need no allocation to match.
func TestMatchesHostPlainNamesAllocateNothing(t *testing.T) {
	c := &x509.Certificate{DNSNames: []string{"www.example", "localhost"}}
	if n := testing.AllocsPerRun(100, func() {
		if !MatchesHost(c, "localhost") {
			t.Fatal("localhost does not match")
		}
	}); n != 0 {
		t.Errorf("MatchesHost allocates %v times for a name the certificate lists", n)
	}
}
