package pki

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Recover finishes or undoes, in the CA directory dir, whatever a 'lucid
// ca' process left half done when it died (killed, out of memory, power
// cut), and returns what it did, one sentence a note:
//
//   - a change committed to DIR/journal.json is completed (rolled
//     forward);
//   - temporary files, written by a change that never committed, go;
//   - a certificate whose serial was recorded but which was never
//     delivered is revoked, since it may have been signed, and marked
//     undelivered; an intermediate CA whose directory did arrive complete
//     is kept;
//   - a CRL number reserved for a CRL that was never published stays
//     spent: the next CRL takes the one after.
//
// Open, Init and every change to a CA do this first, so calling Recover
// is only needed to hear about it. Nothing to recover leaves dir
// untouched; a directory that does not exist gives no notes and no
// error. A lock cannot be stale: see lockDir.
func Recover(dir string) ([]string, error) {
	if dir == "" {
		return nil, errors.New("no directory given for the CA")
	}
	return recoverIfNeeded(filepath.Clean(dir))
}

// recoverIfNeeded takes dir's lock and recovers it, only when a look
// without the lock shows there may be something to recover: reading a CA
// must not need the right to write to it.
func recoverIfNeeded(dir string) ([]string, error) {
	if !needsRecovery(dir) {
		return nil, nil
	}
	unlock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return recoverLocked(dir)
}

// needsRecovery reports whether dir holds a journal, a temporary file or
// an index with something pending. A live operation shows the same signs;
// recoverLocked, run under the lock once it is over, then finds nothing.
func needsRecovery(dir string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if e.Name() == journalFile || isTempName(e.Name()) {
			return true
		}
	}
	x, err := readIndex(filepath.Join(dir, indexFile))
	return err == nil && x.unresolved()
}

// unresolved reports whether the index records an operation under way.
func (x *index) unresolved() bool {
	if x.CRLPending {
		return true
	}
	for _, r := range x.Certificates {
		if r.Pending != nil {
			return true
		}
	}
	return false
}

// recoverLocked is Recover with dir's lock held. Since every operation
// holds the lock from its first write to its last, whatever it finds was
// left by a process that is gone.
func recoverLocked(dir string) ([]string, error) {
	var notes []string
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if !isTempName(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		p := filepath.Join(dir, e.Name())
		if err := os.Remove(p); err != nil {
			return notes, fmt.Errorf("removing %s, left by an interrupted 'lucid ca': %w", p, err)
		}
		notes = append(notes, fmt.Sprintf("removed %s, a temporary file an interrupted 'lucid ca' left", p))
	}
	j, err := readJournal(dir)
	if err != nil {
		return notes, err
	}
	if j != nil {
		if err := j.apply(dir, true); err != nil {
			return notes, err
		}
		notes = append(notes, fmt.Sprintf("finished %s, which had been interrupted after it was committed", j.What))
	}

	x, err := readIndex(filepath.Join(dir, indexFile))
	if err != nil {
		if _, serr := os.Stat(filepath.Join(dir, indexFile)); errors.Is(serr, fs.ErrNotExist) {
			return notes, nil // no CA here (yet): nothing more to look at
		}
		return notes, err
	}
	if !x.unresolved() {
		return notes, nil
	}
	for i := range x.Certificates {
		r := &x.Certificates[i]
		if r.Pending == nil {
			continue
		}
		if r.Pending.Dir != "" {
			ok, sub, err := intermediateArrived(dir, r)
			notes = append(notes, sub...)
			if err != nil {
				return notes, err
			}
			if ok {
				notes = append(notes, fmt.Sprintf("kept intermediate CA certificate %s (%s): its directory %s is complete", r.Serial, r.Subject, r.Pending.Dir))
				r.Pending = nil
				continue
			}
		}
		r.RevokedAt = r.Pending.Since
		if r.RevokedAt.IsZero() {
			r.RevokedAt = r.NotBefore
		}
		r.Reason = ReasonUnspecified
		r.Undelivered = true
		r.Pending = nil
		notes = append(notes, fmt.Sprintf("issuing %s %s (%s) had been interrupted before the certificate was delivered: it is now revoked, so that no copy of it can be trusted, and the next CRL lists it ('lucid ca crl')", r.Kind.certName(), r.Serial, r.Subject))
	}
	if x.CRLPending {
		x.CRLPending = false
		notes = append(notes, fmt.Sprintf("CRL number %d was interrupted before it was published: the number stays spent (RFC 5280 §5.2.3 lets CRL numbers skip, never repeat), and the next CRL is number %d", x.CRLNumber, x.CRLNumber+1))
	}
	return notes, writeIndex(dir, x, "recover.index")
}

// intermediateArrived reports whether the intermediate CA that r reserves
// a serial for is complete in its directory, after recovering that
// directory too. parentDir's lock is held; taking the child's after it is
// the order Init uses as well.
func intermediateArrived(parentDir string, r *Record) (bool, []string, error) {
	child := r.Pending.Dir
	if st, err := os.Stat(child); err != nil || !st.IsDir() || sameFile(child, parentDir) {
		return false, nil, nil
	}
	unlock, err := lockDir(child)
	if err != nil {
		return false, nil, err
	}
	defer unlock()
	notes, err := recoverLocked(child)
	if err != nil {
		return false, notes, err
	}
	data, err := os.ReadFile(filepath.Join(child, certFile))
	if err != nil {
		return false, notes, nil
	}
	certs, err := parseCertsPEM(data)
	if err != nil || len(certs) != 1 || FormatSerial(certs[0].SerialNumber) != r.Serial {
		return false, notes, nil
	}
	pdata, err := os.ReadFile(filepath.Join(parentDir, certFile))
	if err != nil {
		return false, notes, err
	}
	parent, err := parseCertsPEM(pdata)
	if err != nil || len(parent) != 1 {
		return false, notes, fmt.Errorf("%s: %v", filepath.Join(parentDir, certFile), err)
	}
	return bytes.Equal(certs[0].RawIssuer, parent[0].RawSubject), notes, nil
}
