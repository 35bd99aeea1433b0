//go:build unix

package tls

import (
	"net"
	"os"
	"syscall"
)

// socketReader reads a TCP or Unix socket straight from its descriptor,
// through syscall.RawConn, for one reason: Read on a net.Conn needs its
// buffer before it knows whether there is anything to read, so a
// connection waiting for its peer would hold a record buffer for as long
// as it waits. Through RawConn the buffer is taken when the socket is
// readable and given back when it is not, before the goroutine parks: an
// idle connection holds none, and a busy one makes the same read calls
// net.Conn would.
type socketReader struct {
	rc  syscall.RawConn
	try func(fd uintptr) bool // the Conn's readAttempt, bound once so reads allocate nothing
	n   int
	err error
}

// init readies r to read c's socket, and reports whether it can: only a
// socket of the standard library's own types, since a wrapper that offers
// SyscallConn may hold bytes of its own that the descriptor no longer has.
func (r *socketReader) init(c *Conn) bool {
	var sc syscall.Conn
	switch nc := c.conn.(type) {
	case *net.TCPConn:
		sc = nc
	case *net.UnixConn:
		sc = nc
	default:
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	r.rc = rc
	r.try = c.readAttempt
	return true
}

// read reads what the socket has into the core's input, waiting until it
// has something, and returns how much it read. 0 with a nil error is the
// end of the stream.
func (r *socketReader) read() (int, error) {
	r.n, r.err = 0, nil
	if err := r.rc.Read(r.try); err != nil {
		// The deadline passed or the connection was closed: RawConn's
		// error says which, as net.Conn's Read would.
		return 0, err
	}
	return r.n, r.err
}

// readAttempt is one read from the descriptor into c's core, as c.sock's
// RawConn runs it; false means it would block, and RawConn waits for the
// socket to be readable. A method of the Conn, which holds the reader, so
// that the reader needs no pointer back to it.
func (c *Conn) readAttempt(fd uintptr) bool {
	r := &c.sock
	c.mu.Lock()
	buf := c.core.InputSpace()
	c.mu.Unlock()
	// syscall.Read returns the bare Errno, so comparing it is enough:
	// errors.Is would walk its Is method on every read of a busy
	// connection.
	n, err := syscall.Read(int(fd), buf)
	for err == syscall.EINTR {
		n, err = syscall.Read(int(fd), buf)
	}
	if n < 0 {
		n = 0
	}
	c.mu.Lock()
	// Received(0) gives the buffer back while nothing is buffered.
	c.core.Received(n)
	wait := err == syscall.EAGAIN
	if wait {
		// The goroutine parks: the ciphers may go too.
		c.core.Rest()
	}
	c.mu.Unlock()
	if wait {
		return false
	}
	r.n = n
	if err != nil {
		r.err = &net.OpError{Op: "read", Net: c.conn.LocalAddr().Network(), Source: c.conn.LocalAddr(), Addr: c.conn.RemoteAddr(), Err: os.NewSyscallError("read", err)}
	}
	return true
}
