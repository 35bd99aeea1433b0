// Package testwait bounds the waits of tests by the test's own deadline
// instead of by fixed budgets, for tests only.
//
// On a loaded machine a step that takes milliseconds on an idle one
// (starting openssl, tshark or Chromium, a handshake over loopback, a
// goroutine getting scheduled) can take many seconds, and a fixed budget
// of a few seconds then fails a test whose code is right. What a test
// waits for is a condition: a port accepting, a line of output, a value
// on a channel. It waits for it until shortly before go test's -timeout
// would end the test binary, so that a real hang still fails, with the
// test's own message and its processes cleaned up, rather than with a
// dump of every goroutine.
package testwait

import (
	"context"
	"testing"
	"time"
)

const (
	// maxMargin is how long before the binary's deadline every wait gives
	// up, at most: time for the failing test to report, kill the
	// processes it started and close its connections.
	maxMargin = 30 * time.Second
	// unbounded is how long a wait lasts when go test runs without a
	// timeout (-timeout 0): long enough that only a hang reaches it.
	unbounded = 10 * time.Minute
	// maxPoll is the longest pause between two checks of a condition.
	maxPoll = 100 * time.Millisecond
)

// Deadline returns when a wait in t gives up: a tenth of the remaining
// time (at most 30 seconds) before go test's -timeout, or ten minutes from
// now when there is no timeout.
func Deadline(t *testing.T) time.Time {
	d, ok := t.Deadline()
	if !ok {
		return time.Now().Add(unbounded)
	}
	return d.Add(-min(maxMargin, time.Until(d)/10))
}

// Context returns a context that ends at Deadline(t), or when t finishes
// (before t's cleanup functions run, like t.Context).
func Context(t *testing.T) context.Context {
	ctx, cancel := context.WithDeadline(t.Context(), Deadline(t))
	t.Cleanup(cancel)
	return ctx
}

// Until calls cond until it returns true or ctx ends, and reports whether
// cond returned true. The pause between calls starts at a millisecond and
// doubles up to a tenth of a second, so a quick condition is seen at once
// and a slow one costs little CPU on a machine that is already busy.
func Until(ctx context.Context, cond func() bool) bool {
	pause := time.Millisecond
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		if cond() {
			return true
		}
		timer.Reset(pause)
		select {
		case <-ctx.Done():
			return cond()
		case <-timer.C:
		}
		pause = min(2*pause, maxPoll)
	}
}

// Recv returns the next value from ch. If none arrives by Deadline(t), it
// fails t with a message saying what never came.
func Recv[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	timer := time.NewTimer(time.Until(Deadline(t)))
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("gave up waiting for %s", what)
		var zero T
		return zero
	}
}
