//go:build unix

package https

import (
	"errors"
	"io"
	"net"
	"os"
	"syscall"
)

// peekFirstByte waits for the client's first byte and returns it without
// taking it off the socket (recv with MSG_PEEK), so that the connection
// goes to the TLS layer as the standard library's own type. Reads on such
// a connection go straight to its descriptor (lucid/tls's rawread_unix.go)
// and hold no buffer while they wait, which matters for a server whose
// keep-alive connections mostly wait. Only *net.TCPConn and *net.UnixConn
// are peeked at; anything else is errNoPeek. io.EOF means the client hung
// up without sending anything.
func peekFirstByte(c net.Conn) (byte, error) {
	var sc syscall.Conn
	switch nc := c.(type) {
	case *net.TCPConn:
		sc = nc
	case *net.UnixConn:
		sc = nc
	default:
		return 0, errNoPeek
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, errNoPeek
	}
	var first [1]byte
	var n int
	var rerr error
	err = rc.Read(func(fd uintptr) bool {
		for {
			n, _, rerr = syscall.Recvfrom(int(fd), first[:], syscall.MSG_PEEK)
			if !errors.Is(rerr, syscall.EINTR) {
				break
			}
		}
		// EAGAIN: nothing yet, and RawConn waits until there is.
		return !errors.Is(rerr, syscall.EAGAIN)
	})
	switch {
	case err != nil:
		// The handshake deadline passed or the connection was closed:
		// RawConn says so as a "raw-read"; a reader of the server's
		// errors should see the read it would have seen before.
		var oe *net.OpError
		if errors.As(err, &oe) {
			read := *oe
			read.Op = "read"
			return 0, &read
		}
		return 0, err
	case rerr != nil:
		return 0, &net.OpError{Op: "read", Net: c.LocalAddr().Network(), Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: os.NewSyscallError("recvfrom", rerr)}
	case n == 0:
		return 0, io.EOF
	}
	return first[0], nil
}
