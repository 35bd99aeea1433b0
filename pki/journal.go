package pki

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// A change to a CA directory that touches several files (the index, a
// CRL, a new certificate and key, a new CA's files) is made in two steps,
// like a database's redo log: first everything it will write goes into
// DIR/journal.json, written and flushed at once (the commit); then the
// files are written one by one, and the journal removed. If the process
// dies before the commit, nothing has changed; after it, the next
// operation on the directory finds the journal and writes what is
// missing (recoverLocked), so the change is never half made.

// journalVersion is the format of journal.json; a newer one is refused.
const journalVersion = 1

// maxJournal bounds what readJournal reads: a change carries a few
// certificates and at most one key, a few kilobytes; anything near this
// size is not a journal Lucid wrote.
const maxJournal = 4 << 20

// journal is one committed change.
type journal struct {
	Version int `json:"version"`
	// What the change is, for people: "issuing server certificate …".
	What  string        `json:"what"`
	Steps []journalStep `json:"steps"`
}

// journalStep is one file to write or remove.
type journalStep struct {
	// Path is absolute: the next command may run in another directory.
	Path   string      `json:"path"`
	Remove bool        `json:"remove,omitempty"`
	Mode   fs.FileMode `json:"mode,omitempty"`
	Data   []byte      `json:"data,omitempty"`
	// Before is the SHA-256 of the file this step replaces or removes,
	// "" when there was none. Replaying a step checks it, so that a file
	// someone changed after the crash is never silently clobbered.
	Before string `json:"before,omitempty"`
}

// unfinishedError reports a change that was committed (to its journal,
// or as a pending record) but could not be completed: the next command on
// the directory completes it, so the caller must not undo anything.
type unfinishedError struct {
	dir string
	err error
}

func (e *unfinishedError) Error() string {
	return fmt.Sprintf("%v; the change was committed, and the next 'lucid ca' command on %s completes it", e.err, e.dir)
}

func (e *unfinishedError) Unwrap() error { return e.err }

// fileHash returns the SHA-256 of the file at path in hex, "" if there is
// no file.
func fileHash(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return dataHash(data), nil
}

func dataHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// commitJournaled makes the transaction's changes durable as one: under
// dir's lock, which the caller holds, it records them in dir's journal,
// applies them and removes the journal. An error before the commit means
// nothing changed; after it, the error is an *unfinishedError. A single
// file needs no journal: replacing it is already atomic.
func (tx *fileTx) commitJournaled(dir, what string) error {
	if err := tx.check(); err != nil {
		return err
	}
	if len(tx.writes) == 1 && len(tx.removes) == 0 {
		w := tx.writes[0]
		return replaceFile(w.path, w.data, w.mode, "write."+filepath.Base(w.path))
	}
	j := journal{Version: journalVersion, What: what}
	add := func(path string, st journalStep) error {
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		st.Path = abs
		if st.Before, err = fileHash(abs); err != nil {
			return err
		}
		j.Steps = append(j.Steps, st)
		return nil
	}
	for _, w := range tx.writes {
		if err := add(w.path, journalStep{Mode: w.mode, Data: w.data}); err != nil {
			return err
		}
	}
	for _, r := range tx.removes {
		if err := add(r, journalStep{Remove: true}); err != nil {
			return err
		}
	}
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	// 0600: the journal may carry a private key on its way to its file.
	if err := replaceFile(filepath.Join(dir, journalFile), data, keyMode, "journal"); err != nil {
		return err
	}
	if err := j.apply(dir, false); err != nil {
		return &unfinishedError{dir: dir, err: err}
	}
	return nil
}

// apply carries out a committed journal and removes it. Each step is
// idempotent, so a journal can be applied again after a crash part way:
// a file already holding the new content is left alone. When replaying,
// temporary files beside each target, left by the crashed process, go.
func (j *journal) apply(dir string, replay bool) error {
	for _, st := range j.Steps {
		if replay {
			removeTemps(st.Path)
		}
		point := "apply." + filepath.Base(st.Path)
		cur, err := fileHash(st.Path)
		if err != nil {
			return err
		}
		switch {
		case st.Remove && cur == "":
		case !st.Remove && cur == dataHash(st.Data):
		case cur != st.Before:
			return fmt.Errorf("cannot finish %s: %s changed after that began; move the file aside and run the command again", j.What, st.Path)
		case st.Remove:
			if err := os.Remove(st.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			crashPoint(point + ".remove")
			syncDir(filepath.Dir(st.Path))
		default:
			if err := replaceFile(st.Path, st.Data, st.Mode&fs.ModePerm, point); err != nil {
				return err
			}
		}
	}
	crashPoint("journal.applied")
	if err := os.Remove(filepath.Join(dir, journalFile)); err != nil {
		return err
	}
	syncDir(dir)
	crashPoint("journal.removed")
	return nil
}

// readJournal loads dir's journal; nil when there is none.
func readJournal(dir string) (*journal, error) {
	p := filepath.Join(dir, journalFile)
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxJournal+1))
	if err != nil {
		return nil, err
	}
	return parseJournal(p, data)
}

// parseJournal reads a journal's bytes; p names the file in errors.
func parseJournal(p string, data []byte) (*journal, error) {
	damaged := func(why string) error {
		return fmt.Errorf("%s is damaged (%s): it records a change an interrupted 'lucid ca' had committed, and it cannot be completed; look at the file, then remove it to go on", p, why)
	}
	if len(data) > maxJournal {
		return nil, damaged(fmt.Sprintf("longer than %d bytes", maxJournal))
	}
	var j journal
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return nil, damaged(err.Error())
	}
	if j.Version != journalVersion {
		return nil, fmt.Errorf("%s has format version %d; this Lucid reads version %d", p, j.Version, journalVersion)
	}
	for _, st := range j.Steps {
		if !filepath.IsAbs(st.Path) {
			return nil, damaged(fmt.Sprintf("the path %q is not absolute", st.Path))
		}
	}
	return &j, nil
}

// removeTemps removes writeTemp's temporary files for path.
func removeTemps(path string) []string {
	dir, base := filepath.Split(path)
	ents, err := os.ReadDir(filepath.Clean(dir))
	if err != nil {
		return nil
	}
	var gone []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, "."+base+".tmp-") && isTempName(n) {
			p := filepath.Join(dir, n)
			if os.Remove(p) == nil {
				gone = append(gone, p)
			}
		}
	}
	return gone
}
