package pki

import (
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"lucid/internal/alert"
)

var vtCRLNumber int64

// vtCRL makes a revocation list signed by issuer, parsed back as a peer's
// list would be.
func vtCRL(t testing.TB, issuer *issued, thisUpdate, nextUpdate time.Time, entries ...x509.RevocationListEntry) *x509.RevocationList {
	t.Helper()
	vtCRLNumber++
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number:                    big.NewInt(vtCRLNumber),
		ThisUpdate:                thisUpdate,
		NextUpdate:                nextUpdate,
		RevokedCertificateEntries: entries,
	}, issuer.cert, issuer.key)
	if err != nil {
		t.Fatalf("create CRL: %v", err)
	}
	rl, err := x509.ParseRevocationList(der)
	if err != nil {
		t.Fatal(err)
	}
	return rl
}

// revoke is an entry for c revoked at when for reason (0: no reasonCode).
func vtRevoke(c *issued, when time.Time, reason int) x509.RevocationListEntry {
	return x509.RevocationListEntry{SerialNumber: c.cert.SerialNumber, RevocationTime: when, ReasonCode: reason}
}

var vtRevokedAt = time.Date(2026, 11, 20, 8, 30, 0, 0, time.UTC)

// fresh is a current list's validity: issued yesterday, next due in a week.
func vtFresh() (time.Time, time.Time) { return now.AddDate(0, 0, -1), now.AddDate(0, 0, 7) }

func TestVerifyRevokedLeaf(t *testing.T) {
	f := fixture(t)
	other := mk(t, spec{cn: "b.example", dns: []string{"b.example"}}, f.inter)
	tu, nu := vtFresh()
	list := vtCRL(t, f.inter, tu, nu, vtRevoke(f.leaf, vtRevokedAt, 1))
	opts := VerifyOptions{Roots: pool(f.root), DNSName: "a.example", RevocationLists: []*x509.RevocationList{list}}

	serial := strings.ToUpper(f.leaf.cert.SerialNumber.Text(16))
	if len(serial)%2 == 1 {
		serial = "0" + serial
	}
	ve := refused(t, ders(f.leaf, f.inter), opts, Revoked, alert.CertificateRevoked, 0,
		"the certificate for a.example with serial "+serial+" was revoked on 2026-11-20 08:30:00 UTC (reason: keyCompromise)",
		`according to the revocation list of "CN=Test Intermediate"`)
	if !ve.Cert.Equal(f.leaf.cert) || len(ve.Chain) != 2 || ve.Err != nil {
		t.Errorf("Cert, Chain or Err wrong: %+v", ve)
	}
	if strings.Contains(ve.Error(), "next update") {
		t.Errorf("a current list is called stale: %v", ve)
	}

	// Another certificate of the same CA is not on the list.
	opts.DNSName = "b.example"
	opts.CurrentTime = now
	if _, chains, err := VerifyChain(ders(other, f.inter), opts); err != nil || len(chains) != 1 {
		t.Fatalf("unrevoked certificate refused: %v", err)
	}
	// Nor is the chain refused without the list, or with nil lists.
	opts.DNSName = "a.example"
	opts.RevocationLists = []*x509.RevocationList{nil}
	if _, _, err := VerifyChain(ders(f.leaf, f.inter), opts); err != nil {
		t.Fatalf("refused without a list: %v", err)
	}
}

func TestVerifyRevocationListNotByIssuer(t *testing.T) {
	f := fixture(t)
	tu, nu := vtFresh()
	opts := VerifyOptions{Roots: pool(f.root), DNSName: "a.example", CurrentTime: now}
	accepted := func(what string, lists ...*x509.RevocationList) {
		t.Helper()
		o := opts
		o.RevocationLists = lists
		if _, _, err := VerifyChain(ders(f.leaf, f.inter), o); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}

	// Another CA's list that happens to carry the leaf's serial.
	stranger := mk(t, spec{cn: "Stranger CA", ca: true}, nil)
	accepted("list of another CA", vtCRL(t, stranger, tu, nu, vtRevoke(f.leaf, vtRevokedAt, 1)))

	// A list in the intermediate's name, signed by a different key, with
	// and without the real intermediate's key identifier.
	impostor := mk(t, spec{cn: "Test Intermediate", ca: true}, nil)
	accepted("impostor's list", vtCRL(t, impostor, tu, nu, vtRevoke(f.leaf, vtRevokedAt, 1)))
	sameID := mk(t, spec{cn: "Test Intermediate", ca: true, skid: f.inter.cert.SubjectKeyId}, nil)
	forged := vtCRL(t, sameID, tu, nu, vtRevoke(f.leaf, vtRevokedAt, 1))
	if string(forged.AuthorityKeyId) != string(f.inter.cert.SubjectKeyId) || string(forged.RawIssuer) != string(f.inter.cert.RawSubject) {
		t.Fatal("forged list does not claim the intermediate's name and key identifier")
	}
	accepted("forged list with the issuer's name and key identifier", forged)

	// The root's list revokes only what the root issued.
	accepted("root's list naming the leaf's serial", vtCRL(t, f.root, tu, nu, vtRevoke(f.leaf, vtRevokedAt, 1)))

	// The right list among the wrong ones still counts.
	o := opts
	o.RevocationLists = []*x509.RevocationList{forged, vtCRL(t, stranger, tu, nu), vtCRL(t, f.inter, tu, nu, vtRevoke(f.leaf, vtRevokedAt, 4))}
	refused(t, ders(f.leaf, f.inter), o, Revoked, alert.CertificateRevoked, 0, "(reason: superseded)")
}

func TestVerifyRevokedIntermediate(t *testing.T) {
	f := fixture(t)
	tu, nu := vtFresh()
	rootList := vtCRL(t, f.root, tu, nu, vtRevoke(f.inter, vtRevokedAt, 2))
	ve := refused(t, ders(f.leaf, f.inter), VerifyOptions{Roots: pool(f.root), RevocationLists: []*x509.RevocationList{rootList}},
		Revoked, alert.CertificateRevoked, 1,
		`intermediate certificate "CN=Test Intermediate" (certificate 1 in the chain) with serial `,
		"(reason: cACompromise)", `according to the revocation list of "CN=Test Root"`)
	if !ve.Cert.Equal(f.inter.cert) {
		t.Error("Cert is not the intermediate")
	}

	// Both revoked: the one nearer the leaf is named.
	interList := vtCRL(t, f.inter, tu, nu, vtRevoke(f.leaf, vtRevokedAt, 1))
	refused(t, ders(f.leaf, f.inter), VerifyOptions{Roots: pool(f.root), RevocationLists: []*x509.RevocationList{rootList, interList}},
		Revoked, alert.CertificateRevoked, 0, "the certificate for a.example", "keyCompromise")

	// A trusted root is never looked up, even in a list it signed itself.
	self := vtCRL(t, f.root, tu, nu, vtRevoke(f.root, vtRevokedAt, 1))
	if _, _, err := VerifyChain(ders(f.leaf, f.inter), VerifyOptions{Roots: pool(f.root), CurrentTime: now,
		RevocationLists: []*x509.RevocationList{self}}); err != nil {
		t.Fatalf("root revoked by its own list: %v", err)
	}
}

// When two intermediates of the same name and key are sent (cross-signing,
// reissue), revoking one leaves the chain through the other.
func TestVerifyRevocationKeepsOtherChains(t *testing.T) {
	f := fixture(t)
	again := mk(t, spec{cn: "Test Intermediate", ca: true, key: f.inter.key}, f.root)
	tu, nu := vtFresh()
	opts := VerifyOptions{Roots: pool(f.root), DNSName: "a.example", CurrentTime: now}
	_, chains, err := VerifyChain(ders(f.leaf, f.inter, again), opts)
	if err != nil || len(chains) != 2 {
		t.Fatalf("want two chains, got %d (%v)", len(chains), err)
	}
	opts.RevocationLists = []*x509.RevocationList{vtCRL(t, f.root, tu, nu, vtRevoke(f.inter, vtRevokedAt, 5))}
	_, chains, err = VerifyChain(ders(f.leaf, f.inter, again), opts)
	if err != nil || len(chains) != 1 || !chains[0][1].Equal(again.cert) {
		t.Fatalf("want the chain through the other intermediate only, got %d (%v)", len(chains), err)
	}
	opts.RevocationLists = []*x509.RevocationList{vtCRL(t, f.root, tu, nu, vtRevoke(f.inter, vtRevokedAt, 5), vtRevoke(again, vtRevokedAt, 5))}
	refused(t, ders(f.leaf, f.inter, again), opts, Revoked, alert.CertificateRevoked, 1, "cessationOfOperation")
}

func TestVerifyStaleRevocationList(t *testing.T) {
	f := fixture(t)
	stale := vtCRL(t, f.inter, now.AddDate(0, -2, 0), now.AddDate(0, -1, 0), vtRevoke(f.leaf, vtRevokedAt.AddDate(0, -3, 0), 0))
	refused(t, ders(f.leaf, f.inter), VerifyOptions{Roots: pool(f.root), RevocationLists: []*x509.RevocationList{stale}},
		Revoked, alert.CertificateRevoked, 0,
		"was revoked on 2026-08-20 08:30:00 UTC (no reason given)", "(a list past its next update, due 2026-10-26 10:00:00 UTC, still counts)")
}

func TestVerifyRevocationReasons(t *testing.T) {
	f := fixture(t)
	tu, nu := vtFresh()
	want := map[int]string{
		0: "unspecified", 1: "keyCompromise", 2: "cACompromise", 3: "affiliationChanged", 4: "superseded",
		5: "cessationOfOperation", 6: "certificateHold", 8: "removeFromCRL", 9: "privilegeWithdrawn", 10: "aACompromise",
		7: "reason code 7", 11: "reason code 11", -1: "reason code -1",
	}
	for code, name := range want {
		if got := CRLReasonName(code); got != name {
			t.Errorf("CRLReasonName(%d) = %q, want %q", code, got, name)
		}
	}
	for code := 1; code <= 10; code++ {
		if code == 7 || code == crlReasonRemoveFromCRL {
			continue
		}
		list := vtCRL(t, f.inter, tu, nu, vtRevoke(f.leaf, vtRevokedAt, code))
		refused(t, ders(f.leaf, f.inter), VerifyOptions{Roots: pool(f.root), RevocationLists: []*x509.RevocationList{list}},
			Revoked, alert.CertificateRevoked, 0, "(reason: "+CRLReasonName(code)+")")
	}
	// An explicit "unspecified" reasonCode is named; an absent one is not.
	// (x509.CreateRevocationList cannot write the former, so build the
	// entry as x509.ParseRevocationList would return it.)
	unspec, err := asn1.Marshal(asn1.Enumerated(0))
	if err != nil {
		t.Fatal(err)
	}
	explicit := x509.RevocationListEntry{Extensions: []pkix.Extension{{Id: oidVerifyCRLReason, Value: unspec}}}
	if got := crlEntryReason(&explicit); got != "reason: unspecified" {
		t.Errorf("explicit unspecified reason rendered %q", got)
	}
	if got := crlEntryReason(&x509.RevocationListEntry{}); got != "no reason given" {
		t.Errorf("absent reason rendered %q", got)
	}
	// removeFromCRL takes a certificate off a list: it does not revoke.
	list := vtCRL(t, f.inter, tu, nu, vtRevoke(f.leaf, vtRevokedAt, crlReasonRemoveFromCRL))
	if _, _, err := VerifyChain(ders(f.leaf, f.inter), VerifyOptions{Roots: pool(f.root), CurrentTime: now,
		RevocationLists: []*x509.RevocationList{list}}); err != nil {
		t.Fatalf("removeFromCRL entry revoked: %v", err)
	}
}

func TestVerifySerialHex(t *testing.T) {
	huge, _ := new(big.Int).SetString("00c0ffee0123456789abcdef0123456789", 16)
	for _, c := range []struct {
		n    *big.Int
		want string
	}{
		{big.NewInt(0), "00"},
		{big.NewInt(1), "01"},
		{big.NewInt(0x0abc), "0ABC"},
		{big.NewInt(255), "FF"},
		{big.NewInt(256), "0100"},
		{big.NewInt(-5), "-05"},
		{huge, "C0FFEE0123456789ABCDEF0123456789"},
		{nil, "(none)"},
	} {
		if got := verifySerialHex(c.n); got != c.want {
			t.Errorf("verifySerialHex(%v) = %q, want %q", c.n, got, c.want)
		}
	}
}

// A revocation is checked only after the chain verifies: an expired,
// revoked certificate is reported as expired.
func TestVerifyRevocationAfterVerification(t *testing.T) {
	f := fixture(t)
	old := mk(t, spec{cn: "old.example", dns: []string{"old.example"}, notBefore: now.AddDate(-2, 0, 0), notAfter: now.AddDate(-1, 0, 0)}, f.inter)
	tu, nu := vtFresh()
	list := vtCRL(t, f.inter, tu, nu, vtRevoke(old, vtRevokedAt, 1))
	_, _, err := VerifyChain(ders(old, f.inter), VerifyOptions{Roots: pool(f.root), CurrentTime: now, RevocationLists: []*x509.RevocationList{list}})
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Reason != Expired {
		t.Fatalf("got %v, want Expired", err)
	}
}
