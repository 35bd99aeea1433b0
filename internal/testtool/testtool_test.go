package testtool

import (
	"os"
	"testing"
)

// fakeTB records whether Skip or Fatal was called, and stops the calling
// goroutine as the real ones do.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper()                 {}
func (f *fakeTB) Skip(...any)             { f.skipped = true; panic(f) }
func (f *fakeTB) Fatalf(string, ...any)   { f.failed = true; panic(f) }
func (f *fakeTB) run(fn func(testing.TB)) { defer func() { recover() }(); fn(f) }

func TestMissingToolSkipsOrFails(t *testing.T) {
	const none = "lucid-no-such-program"
	for _, ci := range []string{"", "true"} {
		t.Setenv("CI", ci)
		f := &fakeTB{}
		f.run(func(tb testing.TB) { Path(tb, none, "none", "this test") })
		if f.skipped != (ci == "") || f.failed != (ci == "true") {
			t.Errorf("CI=%q: skipped %v, failed %v", ci, f.skipped, f.failed)
		}
	}
	os.Unsetenv("CI")
	if p := Path(t, "sh", "dash", "this test"); p == "" {
		t.Fatal("sh not found")
	}
}
