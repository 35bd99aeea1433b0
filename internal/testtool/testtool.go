// Package testtool finds the programs that interop tests drive (openssl,
// curl, gnutls-cli, tshark, Chromium, redis-server). A developer machine
// without one skips those tests with a message saying what to install; CI
// (CI=true), where .ci/run installs them all, fails instead, so that a
// missing tool never hides a regression behind a skip.
package testtool

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// Path returns the path of the program name, which the Debian package
// debianPackage provides and the tests use for purpose ("the OpenSSL
// interop tests"). When it is not installed, the test is skipped, or
// failed under CI=true.
func Path(tb testing.TB, name, debianPackage, purpose string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, fmt.Sprintf("%s is not installed (apt-get install %s), so %s cannot run", name, debianPackage, purpose))
	}
	return p
}

// Missing skips the test because something it needs from the machine is
// not there, as msg says; under CI=true, where .ci/run provides it, the
// test fails instead.
func Missing(tb testing.TB, msg string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s; CI=true requires it (.ci/run installs it)", msg)
	}
	tb.Skip(msg)
}
