package pki

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The states these tests build by hand are those a process killed at a
// given step leaves; cmd/lucid's crash test makes them by really killing
// the command at every step. Here the rarer ones: conflicts, damage,
// leftovers of other programs.

// caEditIndex rewrites dir's index with edit applied, as a crash between
// two writes would leave it.
func caEditIndex(t *testing.T, dir string, edit func(x *index)) {
	t.Helper()
	x, err := readIndex(filepath.Join(dir, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	edit(x)
	if err := writeIndex(dir, x, "test"); err != nil {
		t.Fatal(err)
	}
}

// caWriteJournal commits a journal without applying it: the state of a
// process killed right after the commit.
func caWriteJournal(t *testing.T, dir string, j journal) {
	t.Helper()
	j.Version = journalVersion
	data, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, journalFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func caNotesSay(t *testing.T, what string, notes []string, words ...string) {
	t.Helper()
	all := strings.Join(notes, "\n")
	for _, w := range words {
		if !strings.Contains(all, w) {
			t.Errorf("%s: the notes lack %q:\n%s", what, w, all)
		}
	}
}

func TestRecoverRollsJournalForward(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	_, crlPEM, err := ca.CRL(caT0)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "leaf")
	indexBefore, _ := fileHash(filepath.Join(dir, indexFile))
	x, _ := readIndex(filepath.Join(dir, indexFile))
	x.CRLNumber = 7
	newIndex, _ := x.marshal()
	caWriteJournal(t, dir, journal{What: "test change", Steps: []journalStep{
		{Path: out + ".crt", Mode: publicMode, Data: []byte("new certificate\n")},
		{Path: filepath.Join(dir, indexFile), Mode: publicMode, Data: newIndex, Before: indexBefore},
		{Path: filepath.Join(dir, crlFile), Remove: true, Before: dataHash(crlPEM)},
	}})
	// A crash part way through applying it left the first file written
	// and a temporary file beside the second.
	os.WriteFile(out+".crt", []byte("new certificate\n"), 0o644)
	os.WriteFile(filepath.Join(filepath.Dir(out), ".leaf.crt.tmp-12345"), []byte("half"), 0o644)

	o, err := Open(dir)
	if err != nil {
		t.Fatalf("Open with a committed journal: %v", err)
	}
	caNotesSay(t, "roll forward", o.Recovered(), "finished test change, which had been interrupted after it was committed")
	if o.Recovered() != nil {
		t.Error("Recovered gave the notes twice")
	}
	if x, _ := readIndex(filepath.Join(dir, indexFile)); x.CRLNumber != 7 {
		t.Errorf("the index was not replaced: CRL number %d", x.CRLNumber)
	}
	for _, gone := range []string{filepath.Join(dir, crlFile), filepath.Join(dir, journalFile), filepath.Join(filepath.Dir(out), ".leaf.crt.tmp-12345")} {
		if _, err := os.Stat(gone); !os.IsNotExist(err) {
			t.Errorf("%s is still there", gone)
		}
	}
	if _, _, err := o.CRL(caT0); err != nil {
		t.Errorf("CRL after recovery: %v", err)
	} else if x, _ := readIndex(filepath.Join(dir, indexFile)); x.CRLNumber != 8 {
		t.Errorf("CRL after recovery has number %d, want 8", x.CRLNumber)
	}
}

func TestRecoverRefusesToClobber(t *testing.T) {
	_, dir := caRoot(t, InitOptions{})
	out := filepath.Join(t.TempDir(), "leaf.crt")
	caWriteJournal(t, dir, journal{What: "issuing a test", Steps: []journalStep{
		{Path: out, Mode: publicMode, Data: []byte("ours\n")},
	}})
	// Someone put another file there after the crash.
	os.WriteFile(out, []byte("theirs\n"), 0o644)
	before := caDirState(t, dir)
	_, err := Open(dir)
	caWantErr(t, "a changed target", err, "cannot finish issuing a test", out, "changed after that began", "move the file aside")
	caSameState(t, "a refused recovery", dir, before)
	if data, _ := os.ReadFile(out); string(data) != "theirs\n" {
		t.Errorf("recovery replaced a file it did not make: %q", data)
	}
	os.Remove(out)
	if _, err := Open(dir); err != nil {
		t.Fatalf("Open once the file moved: %v", err)
	}
	if data, _ := os.ReadFile(out); string(data) != "ours\n" {
		t.Errorf("recovery wrote %q", data)
	}
}

func TestRecoverDamagedJournal(t *testing.T) {
	for name, data := range map[string]string{
		"truncated":     `{"version":1,"what":"x","steps":[{"path":"/tmp/a","data":"AAA`,
		"relative path": `{"version":1,"what":"x","steps":[{"path":"a.crt"}]}`,
		"unknown field": `{"version":1,"what":"x","steps":[],"extra":1}`,
	} {
		_, dir := caRoot(t, InitOptions{})
		os.WriteFile(filepath.Join(dir, journalFile), []byte(data), 0o600)
		_, err := Open(dir)
		caWantErr(t, name, err, "journal.json is damaged", "remove it")
		if _, err := os.Stat(filepath.Join(dir, journalFile)); err != nil {
			t.Errorf("%s: the damaged journal went: %v", name, err)
		}
	}
	_, dir := caRoot(t, InitOptions{})
	os.WriteFile(filepath.Join(dir, journalFile), []byte(`{"version":2,"what":"x","steps":[]}`), 0o600)
	_, err := Open(dir)
	caWantErr(t, "a newer journal", err, "format version 2")
}

func TestRecoverUndeliveredLeaf(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	kept, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"kept.example"}, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	since := caT0.Add(time.Hour)
	lost := Record{Serial: "4A0B", Kind: KindClient, Subject: "CN=lost", NotBefore: caT0, NotAfter: caT0.AddDate(0, 0, 90),
		Pending: &Pending{Since: since}}
	caEditIndex(t, dir, func(x *index) { x.Certificates = append(x.Certificates, lost) })

	if l, _ := ca.List(); len(l) != 2 || l[1].Status(caT0) != StatusPending {
		t.Errorf("a pending record read without the lock: %+v", l)
	}
	notes, err := Recover(dir)
	if err != nil {
		t.Fatal(err)
	}
	caNotesSay(t, "undelivered", notes, "issuing client certificate 4A0B (CN=lost)", "interrupted before the certificate was delivered", "revoked", "lucid ca crl")
	recs, _ := ca.List()
	r := recs[1]
	if !r.Revoked() || !r.Undelivered || r.Pending != nil || !r.RevokedAt.Equal(since) || r.Reason != ReasonUnspecified {
		t.Errorf("after recovery: %+v", r)
	}
	if recs[0].Serial != kept.Record.Serial || recs[0].Revoked() {
		t.Errorf("recovery touched a delivered certificate: %+v", recs[0])
	}
	list, _, err := ca.CRL(caT0.Add(2 * time.Hour))
	if err != nil || len(list.RevokedCertificateEntries) != 1 || FormatSerial(list.RevokedCertificateEntries[0].SerialNumber) != "4A0B" {
		t.Errorf("the CRL after recovery: %v", err)
	}
	if notes, err := Recover(dir); err != nil || notes != nil {
		t.Errorf("a second recovery: %v, %v", notes, err)
	}
}

func TestRecoverSpentCRLNumber(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	for range 4 {
		if _, _, err := ca.CRL(caT0); err != nil {
			t.Fatal(err)
		}
	}
	crlBefore, _ := os.ReadFile(filepath.Join(dir, crlFile))
	caEditIndex(t, dir, func(x *index) { x.CRLNumber, x.CRLPending = 5, true })
	notes, err := Recover(dir)
	if err != nil {
		t.Fatal(err)
	}
	caNotesSay(t, "spent CRL number", notes, "CRL number 5 was interrupted", "next CRL is number 6")
	if now, _ := os.ReadFile(filepath.Join(dir, crlFile)); string(now) != string(crlBefore) {
		t.Error("recovery changed ca.crl")
	}
	list, _, err := ca.CRL(caT0)
	if err != nil || list.Number.Int64() != 6 {
		t.Errorf("the CRL after a spent number: %v, %v", list.Number, err)
	}
}

func TestRecoverTemporaryFiles(t *testing.T) {
	_, dir := caRoot(t, InitOptions{})
	ours := []string{".index.json.tmp-1234", ".journal.json.tmp-99", ".ca.crl.tmp-5"}
	theirs := []string{"notes.tmp-1", ".index.json.tmp-", ".x.tmp-12a", "README"}
	for _, n := range append(append([]string{}, ours...), theirs...) {
		os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600)
	}
	notes, err := Recover(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ours {
		if _, err := os.Stat(filepath.Join(dir, n)); !os.IsNotExist(err) {
			t.Errorf("%s stayed", n)
		}
		caNotesSay(t, "temporary files", notes, "removed "+filepath.Join(dir, n)+", a temporary file")
	}
	for _, n := range theirs {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("recovery removed %s, which is not one of its temporary files", n)
		}
	}
}

func TestRecoverCleanDirectory(t *testing.T) {
	_, dir := caRoot(t, InitOptions{})
	before := caDirState(t, dir)
	if notes, err := Recover(dir); err != nil || notes != nil {
		t.Errorf("Recover on a clean CA: %v, %v", notes, err)
	}
	caSameState(t, "Recover on a clean CA", dir, before)
	if notes, err := Recover(filepath.Join(dir, "nothing")); err != nil || notes != nil {
		t.Errorf("Recover on a missing directory: %v, %v", notes, err)
	}
}

func TestRecoverIntermediate(t *testing.T) {
	root, rootDir := caRoot(t, InitOptions{})
	interDir := filepath.Join(t.TempDir(), "inter")
	inter, err := Init(interDir, InitOptions{Parent: root, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	serial := FormatSerial(inter.Certificate().SerialNumber)
	abs, _ := filepath.Abs(interDir)
	pend := func(dir string) {
		caEditIndex(t, rootDir, func(x *index) {
			x.Certificates[0].Pending = &Pending{Since: caT0, Dir: dir}
		})
	}

	// The intermediate's directory arrived: the parent keeps it.
	pend(abs)
	notes, err := Recover(rootDir)
	if err != nil {
		t.Fatal(err)
	}
	caNotesSay(t, "arrived", notes, "kept intermediate CA certificate "+serial)
	if l, _ := root.List(); l[0].Pending != nil || l[0].Revoked() {
		t.Errorf("an intermediate that arrived: %+v", l[0])
	}

	// Its directory holds another CA, or none: it never arrived.
	for _, dir := range []string{t.TempDir(), filepath.Join(t.TempDir(), "gone"), rootDir} {
		caEditIndex(t, rootDir, func(x *index) { x.Certificates[0].RevokedAt, x.Certificates[0].Undelivered = time.Time{}, false })
		pend(dir)
		notes, err := Recover(rootDir)
		if err != nil {
			t.Fatal(err)
		}
		caNotesSay(t, "not arrived in "+dir, notes, "issuing intermediate CA certificate "+serial, "revoked")
		if l, _ := root.List(); !l[0].Revoked() || !l[0].Undelivered {
			t.Errorf("an intermediate that never arrived in %s: %+v", dir, l[0])
		}
	}
}
