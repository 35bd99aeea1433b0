package pki

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// File names inside a CA directory.
const (
	certFile  = "ca.crt"     // this CA's certificate
	keyFile   = "ca.key"     // this CA's private key, PKCS#8, mode 0600
	chainFile = "chain.crt"  // intermediates only: this CA, then the intermediates above it, not the root
	rootFile  = "root.crt"   // intermediates only: the root at the top of the chain
	indexFile = "index.json" // every certificate issued, and the CRL number
	crlFile   = "ca.crl"     // the last CRL, PEM
	lockFile  = ".lock"      // flock-ed while an operation changes the directory; never removed
	// journalFile exists only while a change of several files is being
	// made: what remains to write, so a crash can be rolled forward.
	journalFile = "journal.json"
)

// File modes: private keys readable by their owner only; everything else
// is public by nature (certificates, CRLs, the list of names issued).
const (
	keyMode    fs.FileMode = 0o600
	publicMode fs.FileMode = 0o644
	dirMode    fs.FileMode = 0o700
)

// ExistsError is returned instead of replacing a file that exists, unless
// the caller asked to overwrite (Force): a CA key or an issued key that is
// silently replaced may be lost for good.
type ExistsError struct {
	// Path is the file that exists.
	Path string
}

// Error says which file is in the way.
func (e *ExistsError) Error() string {
	return fmt.Sprintf("%s already exists; refusing to overwrite it", e.Path)
}

// fileTx gathers the files an operation writes, so it can write all of
// them or none. For a CA in a directory, commitJournaled makes that hold
// across a crash too. commit, for files written without a CA directory,
// puts each file at a temporary name in its target directory first, then
// renames all into place: a failure at any point before the renames leaves
// nothing behind, and rename within a directory is atomic, so a reader
// never sees half a file.
type fileTx struct {
	writes  []pendingWrite
	removes []string
}

type pendingWrite struct {
	path      string
	data      []byte
	mode      fs.FileMode
	overwrite bool
}

// write schedules data to be written at path with the given mode. Unless
// overwrite is set, commit fails with *ExistsError if path exists.
func (tx *fileTx) write(path string, data []byte, mode fs.FileMode, overwrite bool) {
	tx.writes = append(tx.writes, pendingWrite{path, data, mode, overwrite})
}

// remove schedules path to be removed after the writes, if it exists.
func (tx *fileTx) remove(path string) { tx.removes = append(tx.removes, path) }

// check fails if a file that must not be overwritten exists, or if a
// target directory is missing. Called before expensive work (key
// generation) so an obvious refusal comes at once, and again by commit.
func (tx *fileTx) check() error {
	for _, w := range tx.writes {
		if err := checkTarget(w.path, w.overwrite); err != nil {
			return err
		}
	}
	return nil
}

// checkTarget is the per-file test of check.
func checkTarget(path string, overwrite bool) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot write %s: the directory %s does not exist", path, dir)
		}
		return err
	} else if !st.IsDir() {
		return fmt.Errorf("cannot write %s: %s is not a directory", path, dir)
	}
	st, err := os.Lstat(path)
	switch {
	case err == nil && st.IsDir():
		return fmt.Errorf("cannot write %s: it is a directory", path)
	case err == nil && !overwrite:
		return &ExistsError{Path: path}
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	return nil
}

// commit writes every scheduled file or none of them.
func (tx *fileTx) commit() (err error) {
	if err := tx.check(); err != nil {
		return err
	}
	temps := make([]string, len(tx.writes))
	defer func() {
		// On failure, temporary files still waiting to be renamed go;
		// renamed ones were removed by the rename loop.
		if err != nil {
			for _, t := range temps {
				if t != "" {
					os.Remove(t)
				}
			}
		}
	}()
	for i, w := range tx.writes {
		t, werr := writeTemp(w.path, w.data, w.mode)
		if werr != nil {
			return werr
		}
		temps[i] = t
	}
	// Recheck just before the renames: another process may have created a
	// target while the temporary files were written.
	if err := tx.check(); err != nil {
		return err
	}
	var created []string
	for i, w := range tx.writes {
		_, statErr := os.Lstat(w.path)
		if rerr := os.Rename(temps[i], w.path); rerr != nil {
			// Undo the files this commit created. Files it replaced
			// (overwrite) cannot be brought back; a rename within one
			// directory failing after the writes succeeded is all but
			// impossible, so this is the narrowest window there is.
			for _, c := range created {
				os.Remove(c)
			}
			return rerr
		}
		temps[i] = ""
		if errors.Is(statErr, fs.ErrNotExist) {
			created = append(created, w.path)
		}
	}
	for _, r := range tx.removes {
		if rerr := os.Remove(r); rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
			return rerr
		}
	}
	syncDirs(tx.writes)
	return nil
}

// writeTemp writes data to a new temporary file beside path, with the
// given mode, flushed to disk, and returns its name.
func writeTemp(path string, data []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(name)
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	// Chmod explicitly: the mode must not depend on the umask, and a key
	// must never be readable by others even for a moment (CreateTemp
	// already makes the file 0600).
	if err := f.Chmod(mode); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("writing %s: %w", path, err)
	}
	return name, nil
}

// syncDirs flushes the directories holding the written files, so the
// renames survive a crash.
func syncDirs(writes []pendingWrite) {
	seen := map[string]bool{}
	for _, w := range writes {
		d := filepath.Dir(w.path)
		if !seen[d] {
			seen[d] = true
			syncDir(d)
		}
	}
}

// syncDir flushes a directory, so that a rename or removal in it survives
// a power cut. Best effort: some systems cannot sync a directory, and the
// files themselves are already on disk.
func syncDir(dir string) {
	if f, err := os.Open(dir); err == nil {
		f.Sync()
		f.Close()
	}
}

// replaceFile puts data at path in one step, as far as any reader or a
// crash can tell: a temporary file beside it, flushed, renamed over path,
// and the directory flushed. point names the step for crash tests.
func replaceFile(path string, data []byte, mode fs.FileMode, point string) error {
	tmp, err := writeTemp(path, data, mode)
	if err != nil {
		return err
	}
	crashPoint(point + ".temp")
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	crashPoint(point + ".rename")
	syncDir(filepath.Dir(path))
	return nil
}

// isTempName reports whether name is one of writeTemp's temporary files:
// "." + the target's name + ".tmp-" + digits (os.CreateTemp's pattern).
func isTempName(name string) bool {
	i := strings.LastIndex(name, ".tmp-")
	if !strings.HasPrefix(name, ".") || i <= 0 || i+5 == len(name) {
		return false
	}
	for _, r := range name[i+5:] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
