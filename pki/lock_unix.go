//go:build unix

package pki

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// lockWait is how long an operation waits for another one on the same
// CA to finish; lockPoll how often it looks. A variable so tests can make
// a refusal immediate.
var (
	lockWait = 10 * time.Second
	lockPoll = 20 * time.Millisecond
)

// lockDir takes the directory's lock, so two processes changing the same
// CA cannot lose each other's index updates. The lock is an flock(2) on
// DIR/.lock: the kernel drops it when the holder's process ends, however
// it ends, so a crash can never leave a stale lock. The file itself stays
// (removing it would let two processes lock two different files of one
// name); while held it holds the holder's PID, for the message a waiting
// process prints. A lock file left by an older Lucid, which used the
// file's mere existence as the lock, is simply taken over.
func lockDir(dir string) (unlock func(), err error) {
	p := filepath.Join(dir, lockFile)
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking the CA in %s: %w", dir, err)
	}
	fd := int(f.Fd())
	deadline := time.Now().Add(lockWait)
	for {
		err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w (the file system may not support flock)", p, err)
		}
		if !time.Now().Before(deadline) {
			holder := "another process"
			if b, err := os.ReadFile(p); err == nil {
				if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
					holder = fmt.Sprintf("process %d", pid)
				}
			}
			f.Close()
			return nil, fmt.Errorf("%s has been changing the CA in %s for over %v (it holds %s); let it finish, or stop it: the lock goes when that process ends", holder, dir, lockWait, p)
		}
		time.Sleep(lockPoll)
	}
	// Best effort: the PID only improves a waiting process's message.
	if f.Truncate(0) == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	crashPoint("locked")
	return func() {
		f.Truncate(0)
		syscall.Flock(fd, syscall.LOCK_UN)
		f.Close()
	}, nil
}
