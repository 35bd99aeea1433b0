//go:build lucid_crashtest

package pki

// The crash-test hook, compiled only with -tags lucid_crashtest: a binary
// built without the tag has no way to be told to crash.
//
// LUCID_CA_CRASH_TRACE=FILE appends the name of every crash point passed,
// one a line, to FILE, so a test learns an operation's steps.
// LUCID_CA_CRASH_AT=NAME, or NAME#K for the K-th time NAME is passed,
// kills the process there with SIGKILL (TerminateProcess on Windows): a
// real kill, with no deferred function run and nothing flushed, as a
// power cut or an OOM kill would leave the directory.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

var crash struct {
	sync.Mutex
	once  sync.Once
	trace *os.File
	name  string
	nth   int
	seen  map[string]int
}

func crashPoint(name string) {
	crash.once.Do(func() {
		crash.seen = map[string]int{}
		if p := os.Getenv("LUCID_CA_CRASH_TRACE"); p != "" {
			f, err := os.OpenFile(p, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
			if err != nil {
				fmt.Fprintf(os.Stderr, "lucid: LUCID_CA_CRASH_TRACE: %v\n", err)
				os.Exit(3)
			}
			crash.trace = f
		}
		at := os.Getenv("LUCID_CA_CRASH_AT")
		crash.name, crash.nth = at, 1
		if i := strings.LastIndexByte(at, '#'); i >= 0 {
			n, err := strconv.Atoi(at[i+1:])
			if err != nil || n < 1 {
				fmt.Fprintf(os.Stderr, "lucid: LUCID_CA_CRASH_AT=%q: want NAME or NAME#K with K >= 1\n", at)
				os.Exit(3)
			}
			crash.name, crash.nth = at[:i], n
		}
	})
	crash.Lock()
	defer crash.Unlock()
	crash.seen[name]++
	if crash.trace != nil {
		fmt.Fprintln(crash.trace, name)
	}
	if name != crash.name || crash.seen[name] != crash.nth {
		return
	}
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		p.Kill()
	}
	// The signal is delivered before kill(2) returns to a process that
	// sends it to itself; this is only a guard against the impossible.
	os.Exit(137)
}
