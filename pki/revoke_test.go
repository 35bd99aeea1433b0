package pki

import (
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRevokeAndCRL(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	var serials []*big.Int
	for _, n := range []string{"a.example", "b.example", "c.example"} {
		iss, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{n}, Now: caT0})
		if err != nil {
			t.Fatal(err)
		}
		serials = append(serials, iss.Certificate.SerialNumber)
	}
	at := caT0.Add(90 * time.Minute)
	rec, err := ca.Revoke(serials[0], ReasonKeyCompromise, at)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Revoked() || rec.Reason != ReasonKeyCompromise || !rec.RevokedAt.Equal(at) || rec.Subject != "CN=a.example" {
		t.Errorf("revoked record %+v", rec)
	}
	if _, err := ca.Revoke(serials[1], ReasonUnspecified, at); err != nil {
		t.Fatal(err)
	}

	before := caDirState(t, dir)
	_, err = ca.Revoke(serials[0], ReasonSuperseded, at)
	caWantErr(t, "revoking twice", err, "already revoked", "keyCompromise")
	_, err = ca.Revoke(big.NewInt(12345), ReasonSuperseded, at)
	caWantErr(t, "unknown serial", err, "issued no certificate with serial 3039")
	_, err = ca.Revoke(serials[2], ReasonCACompromise, at)
	caWantErr(t, "cACompromise on a leaf", err, "cACompromise is for CA certificates")
	_, err = ca.Revoke(serials[2], RevocationReason(6), at)
	caWantErr(t, "certificateHold", err, "not supported")
	_, err = ca.Revoke(serials[2], ReasonSuperseded, time.Time{})
	caWantErr(t, "no time", err, "zero")
	caSameState(t, "a refused revocation", dir, before)

	crlAt := caT0.Add(2 * time.Hour)
	list, pemBytes, err := ca.CRL(crlAt)
	if err != nil {
		t.Fatal(err)
	}
	if list.Number.Int64() != 1 || !list.ThisUpdate.Equal(crlAt) || !list.NextUpdate.Equal(crlAt.Add(7*24*time.Hour)) {
		t.Errorf("CRL number %v, this %v, next %v", list.Number, list.ThisUpdate, list.NextUpdate)
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, "ca.crl"))
	if err != nil || string(onDisk) != string(pemBytes) {
		t.Fatalf("ca.crl: %v", err)
	}
	block, _ := pem.Decode(onDisk)
	if block == nil || block.Type != "X509 CRL" {
		t.Fatal("ca.crl is not a PEM X509 CRL")
	}
	parsed, err := x509.ParseRevocationList(block.Bytes)
	if err != nil {
		t.Fatalf("ParseRevocationList: %v", err)
	}
	if err := parsed.CheckSignatureFrom(ca.Certificate()); err != nil {
		t.Errorf("CRL signature: %v", err)
	}
	got := map[string]int{}
	for _, e := range parsed.RevokedCertificateEntries {
		got[FormatSerial(e.SerialNumber)] = e.ReasonCode
		if !e.RevocationTime.Equal(at) {
			t.Errorf("revocation time %v", e.RevocationTime)
		}
	}
	if len(got) != 2 || got[FormatSerial(serials[0])] != 1 || got[FormatSerial(serials[1])] != 0 {
		t.Errorf("CRL entries %v", got)
	}
	for _, e := range parsed.RevokedCertificateEntries {
		if e.ReasonCode == 0 && len(e.Extensions) != 0 {
			t.Error("an unspecified reason carries a reasonCode extension")
		}
	}

	list2, _, err := ca.CRL(crlAt.Add(time.Minute))
	if err != nil || list2.Number.Int64() != 2 {
		t.Errorf("second CRL number %v, %v", list2.Number, err)
	}
	o, _ := Open(dir)
	list3, _, err := o.CRL(crlAt.Add(2 * time.Minute))
	if err != nil || list3.Number.Int64() != 3 {
		t.Errorf("CRL number after reopening %v, %v", list3.Number, err)
	}

	// index.json names the reason, also when unspecified.
	data, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	var raw struct {
		CRLNumber    int64            `json:"crl_number"`
		Certificates []map[string]any `json:"certificates"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	if raw.CRLNumber != 3 || raw.Certificates[0]["reason"] != "keyCompromise" || raw.Certificates[1]["reason"] != "unspecified" || raw.Certificates[2]["reason"] != nil {
		t.Errorf("index.json: %s", data)
	}
}

func TestListStatuses(t *testing.T) {
	ca := caMem(t, InitOptions{})
	short, _ := ca.Issue(IssueOptions{Kind: KindClient, Names: []string{"short"}, Days: 1, Now: caT0})
	long, _ := ca.Issue(IssueOptions{Kind: KindClient, Names: []string{"long"}, Now: caT0})
	gone, _ := ca.Issue(IssueOptions{Kind: KindClient, Names: []string{"gone"}, Days: 1, Now: caT0})
	later, _ := ca.Issue(IssueOptions{Kind: KindClient, Names: []string{"later"}, Now: caT0.AddDate(0, 0, 10)})
	if _, err := ca.Revoke(gone.Certificate.SerialNumber, ReasonCessationOfOperation, caT0); err != nil {
		t.Fatal(err)
	}
	recs, err := ca.List()
	if err != nil || len(recs) != 4 {
		t.Fatalf("List: %v, %d records", err, len(recs))
	}
	when := caT0.AddDate(0, 0, 2)
	want := map[string]Status{
		FormatSerial(short.Certificate.SerialNumber): StatusExpired,
		FormatSerial(long.Certificate.SerialNumber):  StatusValid,
		FormatSerial(gone.Certificate.SerialNumber):  StatusRevoked,
		FormatSerial(later.Certificate.SerialNumber): StatusNotYetValid,
	}
	for _, r := range recs {
		if got := r.Status(when); got != want[r.Serial] {
			t.Errorf("%s (%s): status %q, want %q", r.Serial, r.Subject, got, want[r.Serial])
		}
	}
	// Revoked wins over expired.
	if got := recs[2].Status(caT0.AddDate(1, 0, 0)); got != StatusRevoked {
		t.Errorf("revoked and expired: %q", got)
	}
	// List returns a copy.
	recs[0].Names = append(recs[0].Names, "mutated")
	if again, _ := ca.List(); strings.Contains(strings.Join(again[0].Names, ","), "mutated") {
		t.Error("List exposes the index")
	}
}

func TestParseReason(t *testing.T) {
	for in, want := range map[string]RevocationReason{
		"keyCompromise": ReasonKeyCompromise, "key-compromise": ReasonKeyCompromise, "KEY_COMPROMISE": ReasonKeyCompromise,
		"1": ReasonKeyCompromise, "superseded": ReasonSuperseded, "unspecified": ReasonUnspecified, "9": ReasonPrivilegeWithdrawn,
		"cessation-of-operation": ReasonCessationOfOperation, "cacompromise": ReasonCACompromise,
	} {
		if got, err := ParseReason(in); err != nil || got != want {
			t.Errorf("ParseReason(%q) = %v, %v", in, got, err)
		}
	}
	for in, word := range map[string]string{"certificateHold": "not supported", "6": "not supported", "removeFromCRL": "not supported", "7": "unknown", "lost": "keyCompromise"} {
		_, err := ParseReason(in)
		caWantErr(t, "ParseReason("+in+")", err, word)
	}
	for _, name := range Reasons() {
		r, err := ParseReason(name)
		if err != nil || r.String() != name {
			t.Errorf("Reasons() lists %q, which does not round-trip", name)
		}
	}
}
