package bench

import (
	"sync"
	"testing"
)

var (
	errMu   sync.Mutex
	lastErr error
)

// fail stops the benchmark with err and keeps err for LastError: a
// benchmark run through testing.Benchmark (as cmd/compare does) reports a
// failure only as an empty result.
func fail(b *testing.B, err error) {
	errMu.Lock()
	lastErr = err
	errMu.Unlock()
	b.Fatal(err)
}

// LastError returns, and forgets, the error that stopped the most recent
// failed benchmark.
func LastError() error {
	errMu.Lock()
	defer errMu.Unlock()
	err := lastErr
	lastErr = nil
	return err
}
