//go:build !unix

package pki

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// lockWait and lockPoll are as on Unix.
var (
	lockWait = 10 * time.Second
	lockPoll = 20 * time.Millisecond
)

// lockDir takes the directory's lock. Without flock(2) the lock is the
// existence of DIR/.lock, created exclusively and removed on unlock, like
// git's index.lock; a crash leaves it behind, and the error says so.
func lockDir(dir string) (unlock func(), err error) {
	p := filepath.Join(dir, lockFile)
	deadline := time.Now().Add(lockWait)
	for {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err == nil {
			fmt.Fprintf(f, "%d\n", os.Getpid())
			f.Close()
			crashPoint("locked")
			return func() { os.Remove(p) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("locking the CA in %s: %w", dir, err)
		}
		if !time.Now().Before(deadline) {
			holder, _ := os.ReadFile(p)
			return nil, fmt.Errorf("%s exists (PID %q): another lucid ca is changing this CA; if no such process is running, one crashed, and removing %s is safe", p, holder, p)
		}
		time.Sleep(lockPoll)
	}
}
