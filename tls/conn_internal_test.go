package tls

import (
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

// TestIsTimeout: a passed deadline is told apart from an error that ends
// the connection, wrapped or not, and telling it costs no allocation on
// the path every interrupted read takes.
func TestIsTimeout(t *testing.T) {
	deadline := &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{deadline, true},
		{fmt.Errorf("reading: %w", deadline), true},
		{io.EOF, false},
		{&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, false},
	} {
		if got := isTimeout(tc.err); got != tc.want {
			t.Errorf("isTimeout(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { isTimeout(deadline) }); allocs != 0 {
		t.Errorf("recognising a deadline allocates %v times", allocs)
	}
}
