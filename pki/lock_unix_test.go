//go:build unix

package pki

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestLockHeld holds a CA's lock as another process would (an flock on
// its own open file) and checks that a change is refused with a message
// naming the holder, that nothing changed, and that the CA works again
// once the lock is released.
func TestLockHeld(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "%d\n", 4242)
	saved := lockWait
	lockWait = 0
	defer func() { lockWait = saved }()

	before := caDirState(t, dir)
	out := filepath.Join(t.TempDir(), "leaf")
	_, err = ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0, Out: out})
	caWantErr(t, "issue under a held lock", err, "process 4242", "changing the CA in "+dir, "when that process ends")
	caSameState(t, "issue under a held lock", dir, before)
	if _, err := os.Stat(out + ".crt"); !os.IsNotExist(err) {
		t.Error("issue under a held lock wrote the certificate")
	}

	// The kernel drops an flock when its holder's file is closed (or its
	// process ends, which the cmd/lucid crash test shows): no stale lock.
	f.Close()
	if _, err := ca.Issue(IssueOptions{Kind: KindServer, Names: []string{"a.example"}, Now: caT0}); err != nil {
		t.Errorf("issue after the lock went: %v", err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, ".lock")); err != nil || len(data) != 0 {
		t.Errorf("the lock file after an operation: %q, %v", data, err)
	}
}

// TestOldStaleLockFile: older Lucid versions took the lock by creating
// .lock, so a crash left one behind that blocked the CA until removed by
// hand. That file holds no flock, so it no longer stands in the way.
func TestOldStaleLockFile(t *testing.T) {
	ca, dir := caRoot(t, InitOptions{})
	if err := os.WriteFile(filepath.Join(dir, ".lock"), []byte("999999\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.Revoke(mustIssue(t, ca).Certificate.SerialNumber, ReasonSuperseded, caT0); err != nil {
		t.Errorf("a lock file without a holder blocked the CA: %v", err)
	}
}

func mustIssue(t *testing.T, ca *CA) *Issued {
	t.Helper()
	iss, err := ca.Issue(IssueOptions{Kind: KindClient, Names: []string{"someone"}, Now: caT0})
	if err != nil {
		t.Fatal(err)
	}
	return iss
}
