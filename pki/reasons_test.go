package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"lucid/internal/alert"
)

func pathLenOf(n int) *int { return &n }

// TestVerifyEveryReason refuses one chain for each Reason through VerifyChain (or
// VerifyClientChain) and checks the reason, the alert, the index, the words
// of the message and the Chain the error keeps.
func TestVerifyEveryReason(t *testing.T) {
	f := fixture(t)
	roots := pool(f.root)
	k224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	evil := mk(t, spec{cn: "Evil Root", ca: true}, nil)
	bob := mk(t, spec{cn: "bob"}, f.inter) // serverAuth only, no SANs
	revokedLeaf := mk(t, spec{cn: "gone.example", dns: []string{"gone.example"}, serial: big.NewInt(0x0abc)}, f.inter)
	list := vtCRL(t, f.inter, now.AddDate(0, 0, -1), now.AddDate(0, 0, 6),
		x509.RevocationListEntry{SerialNumber: big.NewInt(0x0abc), RevocationTime: time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC), ReasonCode: 1})
	notCA := mk(t, spec{cn: "Not A CA", dns: []string{"x.example"}}, f.root)
	narrowRoot := mk(t, spec{cn: "Narrow Intermediate", ca: true, pathLen: pathLenOf(0)}, f.root)
	deepInter := mk(t, spec{cn: "Deep Intermediate", ca: true}, narrowRoot)
	deepLeaf := mk(t, spec{cn: "deep.example", dns: []string{"deep.example"}}, deepInter)
	corrupt := append([]byte(nil), f.leaf.cert.Raw...)
	corrupt[len(corrupt)-3] ^= 0xff

	type tc struct {
		name   string
		chain  [][]byte
		opts   VerifyOptions
		client bool // through VerifyClientChain
		reason Reason
		alert  alert.Description
		index  int
		words  []string
	}
	cases := []tc{
		{"other", ders(mk(t, spec{cn: "below", dns: []string{"a.example"}}, notCA), notCA), VerifyOptions{Roots: roots}, false,
			Other, alert.CertificateUnknown, 0, []string{`"CN=Not A CA"`, "not allowed to sign certificates"}},
		{"expired", ders(mk(t, spec{cn: "api", dns: []string{"api.example"}, notBefore: now.AddDate(-1, 0, 0),
			notAfter: time.Date(2026, 3, 1, 15, 4, 5, 0, time.UTC)}, f.inter), f.inter), VerifyOptions{Roots: roots}, false,
			Expired, alert.CertificateExpired, 0, []string{"the certificate for api.example expired on 2026-03-01 15:04:05 UTC (now 2026-11-26 10:00:00 UTC)"}},
		{"not yet valid", ders(mk(t, spec{cn: "soon", ips: []string{"192.0.2.7"}, notBefore: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}, f.inter), f.inter),
			VerifyOptions{Roots: roots}, false,
			NotYetValid, alert.CertificateExpired, 0, []string{"the certificate for 192.0.2.7 is not valid until 2026-12-01 00:00:00 UTC (now 2026-11-26 10:00:00 UTC)"}},
		{"hostname", ders(f.leaf, f.inter), VerifyOptions{Roots: roots, DNSName: "b.example"}, false,
			HostnameMismatch, alert.BadCertificate, 0, []string{"certificate is valid for a.example, www.a.example, not b.example"}},
		{"unknown authority", ders(mk(t, spec{cn: "leaf", dns: []string{"a.example"}}, evil)), VerifyOptions{Roots: roots}, false,
			UnknownAuthority, alert.UnknownCA, 0, []string{`certificate "CN=leaf" is signed by an unknown authority "CN=Evil Root"`}},
		{"bad signature", [][]byte{corrupt, f.inter.cert.Raw}, VerifyOptions{Roots: roots}, false,
			BadSignature, alert.BadCertificate, 0, []string{"does not verify with the key of its issuer"}},
		{"malformed", [][]byte{f.leaf.cert.Raw, []byte("junk")}, VerifyOptions{Roots: roots}, false,
			Malformed, alert.BadCertificate, 1, []string{"certificate 1 in the chain could not be parsed"}},
		{"wrong usage (server certificate from a client)", ders(bob, f.inter), VerifyOptions{Roots: roots}, true,
			WrongUsage, alert.UnsupportedCertificate, 0, []string{`certificate "CN=bob" is not valid for client authentication (extended key usage: serverAuth)`}},
		{"unsupported key", ders(mk(t, spec{cn: "p224", dns: []string{"a.example"}, key: k224}, f.inter), f.inter), VerifyOptions{Roots: roots}, false,
			UnsupportedKey, alert.UnsupportedCertificate, 0, []string{"P-224"}},
		{"empty from a server", nil, VerifyOptions{Roots: roots}, false,
			Empty, alert.DecodeError, -1, []string{"the peer sent no certificate"}},
		{"empty from a client", nil, VerifyOptions{Roots: roots}, true,
			Empty, alert.CertificateRequired, -1, []string{"the peer sent no certificate"}},
		{"self-signed", ders(mk(t, spec{cn: "x", dns: []string{"x.example"}}, nil)), VerifyOptions{Roots: roots}, false,
			SelfSigned, alert.UnknownCA, 0, []string{`certificate "CN=x" is self-signed and not trusted`}},
		{"path length", ders(deepLeaf, deepInter, narrowRoot), VerifyOptions{Roots: roots}, false,
			ChainTooLong, alert.BadCertificate, 2, []string{`intermediate certificate "CN=Narrow Intermediate" (certificate 2 in the chain) allows at most 0 intermediate certificates below it (pathLenConstraint 0), but the chain puts 1 below it`}},
		{"too many certificates", ders(f.leaf, f.inter, f.inter, f.inter, f.inter, f.inter, f.inter, f.inter, f.inter, f.inter, f.inter), VerifyOptions{Roots: roots}, false,
			ChainTooLong, alert.BadCertificate, -1, []string{"the peer sent 11 certificates, more than the 10 Lucid accepts"}},
		{"revoked", ders(revokedLeaf, f.inter), VerifyOptions{Roots: roots, RevocationLists: []*x509.RevocationList{list}}, false,
			Revoked, alert.CertificateRevoked, 0, []string{`the certificate for gone.example with serial 0ABC was revoked on 2026-11-20 08:30:00 UTC (reason: keyCompromise), according to the revocation list of "CN=Test Intermediate"`}},
	}
	covered := map[Reason]bool{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			covered[c.reason] = true
			c.opts.CurrentTime = now
			var ve *VerifyError
			if c.client {
				_, _, err := VerifyClientChain(c.chain, c.opts)
				if !errors.As(err, &ve) {
					t.Fatalf("error %v is not a *VerifyError", err)
				}
				vtCheckRefusal(t, ve, c.reason, c.alert, c.index, c.words...)
			} else {
				ve = refused(t, c.chain, c.opts, c.reason, c.alert, c.index, c.words...)
			}
			// Chain holds what parsed, in the order sent.
			want := 0
			for _, der := range c.chain {
				if _, perr := x509.ParseCertificate(der); perr != nil {
					break
				}
				want++
			}
			if len(ve.Chain) != want {
				t.Fatalf("len(Chain) = %d, want %d", len(ve.Chain), want)
			}
			for i, cert := range ve.Chain {
				if string(cert.Raw) != string(c.chain[i]) {
					t.Errorf("Chain[%d] is not certificate %d of the chain", i, i)
				}
			}
			if ve.Index >= 0 && ve.Cert != nil && ve.Index < len(ve.Chain) && !ve.Chain[ve.Index].Equal(ve.Cert) {
				t.Errorf("Chain[Index] is not Cert")
			}
		})
	}
	for r := Other; r <= Revoked; r++ {
		if !covered[r] {
			t.Errorf("no case refuses a chain with Reason %v", r)
		}
	}
}

// vtCheckRefusal is refused's checks on an error already in hand.
func vtCheckRefusal(t *testing.T, ve *VerifyError, reason Reason, al alert.Description, index int, words ...string) {
	t.Helper()
	if ve.Reason != reason {
		t.Errorf("Reason = %v, want %v (%v)", ve.Reason, reason, ve)
	}
	if got := ve.Alert(); got != al {
		t.Errorf("Alert() = %v, want %v", got, al)
	}
	if ve.Index != index {
		t.Errorf("Index = %d, want %d (%v)", ve.Index, index, ve)
	}
	for _, w := range words {
		if !strings.Contains(ve.Error(), w) {
			t.Errorf("message %q lacks %q", ve.Error(), w)
		}
	}
	t.Logf("%v: %s", reason, ve)
}

func TestVerifySelfSigned(t *testing.T) {
	f := fixture(t)
	self := mk(t, spec{cn: "selfie", dns: []string{"selfie.example"}}, nil)
	ve := refused(t, ders(self), VerifyOptions{Roots: pool(f.root), DNSName: "selfie.example"},
		SelfSigned, alert.UnknownCA, 0, `certificate "CN=selfie" is self-signed and not trusted`)
	if !errors.As(ve, new(x509.UnknownAuthorityError)) {
		t.Error("Unwrap does not reach x509.UnknownAuthorityError")
	}
	// The same certificate, once trusted, is accepted.
	if _, _, err := VerifyChain(ders(self), VerifyOptions{Roots: pool(self), DNSName: "selfie.example", CurrentTime: now}); err != nil {
		t.Fatalf("trusted self-signed leaf: %v", err)
	}
	// A self-signed CA certificate sent as the leaf is self-signed too.
	ca := mk(t, spec{cn: "Home CA", ca: true}, nil)
	refused(t, ders(ca), VerifyOptions{Roots: pool(f.root)}, SelfSigned, alert.UnknownCA, 0, `certificate "CN=Home CA" is self-signed`)
	// A leaf whose issuer has the leaf's own name, but which another key
	// signed, is not self-signed: its issuer is unknown.
	twin := mk(t, spec{cn: "twin", ca: true}, nil)
	leaf := mk(t, spec{cn: "twin", dns: []string{"twin.example"}}, twin)
	refused(t, ders(leaf), VerifyOptions{Roots: pool(f.root)}, UnknownAuthority, alert.UnknownCA, 0,
		`certificate "CN=twin" is signed by an unknown authority "CN=twin"`)
	// An untrusted self-signed root sent above the leaf is an unknown
	// authority, not a self-signed leaf.
	inter := mk(t, spec{cn: "Own Intermediate", ca: true}, ca)
	below := mk(t, spec{cn: "below", dns: []string{"a.example"}}, inter)
	refused(t, ders(below, inter, ca), VerifyOptions{Roots: pool(f.root)}, UnknownAuthority, alert.UnknownCA, 2,
		`root certificate "CN=Home CA" (certificate 2 in the chain) is self-signed and is not one of the trusted roots`)
}

func TestVerifyChainTooLong(t *testing.T) {
	f := fixture(t)
	// pathLenConstraint 0 on a trusted root: no intermediate may follow.
	root0 := mk(t, spec{cn: "Root Zero", ca: true, pathLen: pathLenOf(0)}, nil)
	inter := mk(t, spec{cn: "Inter", ca: true}, root0)
	leaf := mk(t, spec{cn: "l.example", dns: []string{"l.example"}}, inter)
	ve := refused(t, ders(leaf, inter), VerifyOptions{Roots: pool(root0)}, ChainTooLong, alert.BadCertificate, -1,
		`trusted root certificate "CN=Root Zero" allows at most 0 intermediate certificates below it (pathLenConstraint 0), but the chain has more`)
	var inv x509.CertificateInvalidError
	if !errors.As(ve, &inv) || inv.Reason != x509.TooManyIntermediates {
		t.Errorf("Unwrap does not reach x509 TooManyIntermediates: %v", ve.Err)
	}
	// A leaf straight below it is fine.
	direct := mk(t, spec{cn: "d.example", dns: []string{"d.example"}}, root0)
	if _, _, err := VerifyChain(ders(direct), VerifyOptions{Roots: pool(root0), CurrentTime: now}); err != nil {
		t.Fatalf("leaf below a pathLen 0 root: %v", err)
	}

	// pathLenConstraint 1 on an intermediate, with two intermediates below.
	one := mk(t, spec{cn: "One", ca: true, pathLen: pathLenOf(1)}, f.root)
	i2 := mk(t, spec{cn: "Two", ca: true}, one)
	i3 := mk(t, spec{cn: "Three", ca: true}, i2)
	deep := mk(t, spec{cn: "deep.example", dns: []string{"deep.example"}}, i3)
	refused(t, ders(deep, i3, i2, one), VerifyOptions{Roots: pool(f.root)}, ChainTooLong, alert.BadCertificate, 3,
		`intermediate certificate "CN=One" (certificate 3 in the chain) allows at most 1 intermediate certificate below it (pathLenConstraint 1), but the chain puts 2 below it`)
	shallow := mk(t, spec{cn: "s.example", dns: []string{"s.example"}}, i2)
	if _, _, err := VerifyChain(ders(shallow, i2, one), VerifyOptions{Roots: pool(f.root), CurrentTime: now}); err != nil {
		t.Fatalf("chain within pathLen 1: %v", err)
	}

	// Too many certificates sent, whatever they are; MaxChainLength moves
	// the bound.
	chain := ders(f.leaf, f.inter, f.root)
	refused(t, chain, VerifyOptions{Roots: pool(f.root), MaxChainLength: 2}, ChainTooLong, alert.BadCertificate, -1,
		"the peer sent 3 certificates, more than the 2 Lucid accepts in a chain")
	if _, _, err := VerifyChain(chain, VerifyOptions{Roots: pool(f.root), MaxChainLength: 3, CurrentTime: now}); err != nil {
		t.Fatalf("chain of 3 with MaxChainLength 3: %v", err)
	}
	for len(chain) < DefaultMaxChainLength {
		chain = append(chain, f.inter.cert.Raw)
	}
	if _, _, err := VerifyChain(chain, VerifyOptions{Roots: pool(f.root), CurrentTime: now}); err != nil {
		t.Fatalf("chain of %d: %v", DefaultMaxChainLength, err)
	}
	chain = append(chain, f.inter.cert.Raw)
	ve = refused(t, chain, VerifyOptions{Roots: pool(f.root)}, ChainTooLong, alert.BadCertificate, -1, "the peer sent 11 certificates")
	if ve.Cert != nil || len(ve.Chain) != 11 {
		t.Errorf("Cert = %v, len(Chain) = %d; want nil and 11", ve.Cert, len(ve.Chain))
	}
}

func TestVerifyClientChain(t *testing.T) {
	f := fixture(t)
	clientOnly := []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	alice := mk(t, spec{cn: "alice", eku: clientOnly}, f.inter)
	bob := mk(t, spec{cn: "bob"}, f.inter) // serverAuth
	both := mk(t, spec{cn: "carol", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}, f.inter)
	noEKU := mk(t, spec{cn: "dave", eku: []x509.ExtKeyUsage{}}, f.inter)
	opts := VerifyOptions{Roots: pool(f.root), CurrentTime: now}

	for _, c := range []*issued{alice, both, noEKU} {
		if _, chains, err := VerifyClientChain(ders(c, f.inter), opts); err != nil || len(chains) != 1 {
			t.Errorf("%s as a client: %v", c.cert.Subject, err)
		}
		clientOpts := opts
		clientOpts.KeyUsages = clientOnly
		if _, _, err := VerifyChain(ders(c, f.inter), clientOpts); err != nil {
			t.Errorf("%s through VerifyChain with KeyUsages clientAuth: %v", c.cert.Subject, err)
		}
	}
	_, _, err := VerifyClientChain(ders(bob, f.inter), opts)
	var ve *VerifyError
	if !errors.As(err, &ve) {
		t.Fatalf("server certificate accepted from a client: %v", err)
	}
	vtCheckRefusal(t, ve, WrongUsage, alert.UnsupportedCertificate, 0,
		`certificate "CN=bob" is not valid for client authentication (extended key usage: serverAuth)`)
	clientOpts := opts
	clientOpts.KeyUsages = clientOnly
	refused(t, ders(bob, f.inter), clientOpts, WrongUsage, alert.UnsupportedCertificate, 0,
		`certificate "CN=bob" is not valid for client authentication (extended key usage: serverAuth)`)

	// No certificate from a client: certificate_required, however the
	// usages are spelled.
	for _, us := range [][]x509.ExtKeyUsage{nil, clientOnly, {x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}} {
		o := opts
		o.KeyUsages = us
		_, _, err := VerifyClientChain(nil, o)
		if !errors.As(err, &ve) || ve.Reason != Empty || ve.Alert() != alert.CertificateRequired {
			t.Errorf("empty client chain with usages %v: %v (alert %v)", us, err, ve.Alert())
		}
	}
	refused(t, [][]byte{}, clientOpts, Empty, alert.CertificateRequired, -1, "the peer sent no certificate")

	// Other purposes are named as RFC 5280 names them.
	odd := mk(t, spec{cn: "odd", eku: []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning}}, f.inter)
	refused(t, ders(odd, f.inter), clientOpts, WrongUsage, alert.UnsupportedCertificate, 0,
		`certificate "CN=odd" is not valid for client authentication (extended key usage: codeSigning)`)
}

func TestVerifyLeafLabel(t *testing.T) {
	for _, c := range []struct {
		cert *x509.Certificate
		want string
	}{
		{&x509.Certificate{DNSNames: []string{"a.example", "b.example"}}, "the certificate for a.example"},
		{&x509.Certificate{DNSNames: []string{"*.a.example"}}, "the certificate for *.a.example"},
		{&x509.Certificate{DNSNames: []string{"evil\nname"}}, `the certificate for "evil\nname"`},
	} {
		if got := leafLabel(c.cert, 0); got != c.want {
			t.Errorf("leafLabel = %q, want %q", got, c.want)
		}
	}
}
