package tls

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/handshake"
)

// Conn is a TLS connection over a net.Conn, like crypto/tls's Conn. Read and
// Write may be called from different goroutines; the handshake runs on the
// first of Handshake, Read or Write.
//
// Conn is glue: every protocol decision is made by the sans-I/O core
// (internal/conn), and Conn moves bytes between it and the network, keeps
// deadlines and I/O errors, and serializes access to it.
type Conn struct {
	conn   net.Conn
	config *Config

	handshakeMu   sync.Mutex
	handshakeErr  error
	handshakeDone atomic.Bool
	isClient      bool
	// sockOK says sock reads the socket (rawread_unix.go); otherwise
	// reads go through conn.
	sockOK bool
	result *handshake.Result
	// prints are a server's fingerprints of its client, worked out on
	// the first ConnectionState after the handshake (state.go). Under
	// handshakeMu.
	prints *fingerprints
	// observer receives events; Config.Observer unless SetObserver
	// replaced it.
	observer func(Event)

	// mu guards core. readMu is held by the one goroutine that feeds the
	// core from the network, writeMu by the one that writes the core's
	// output to it; both let go of mu while they wait on the network.
	// Lock order: handshakeMu, readMu, writeMu, mu.
	mu      sync.Mutex
	core    *conn.Core
	readMu  sync.Mutex
	readErr error // sticky I/O error of the read side; under readMu
	// sock reads a socket without holding a buffer while it waits, when
	// sockOK says it can (rawread_unix.go). Part of the Conn, which every
	// connection allocates anyway.
	sock    socketReader
	writeMu sync.Mutex
	// writeErr is the sticky I/O error of the write side: a record
	// half-written leaves the stream corrupt. Under writeMu.
	writeErr error
}

func newConn(c net.Conn, config *Config, isClient bool) *Conn {
	if config == nil {
		config = &Config{}
	}
	tc := &Conn{conn: c, config: config, isClient: isClient, observer: config.Observer}
	tc.sockOK = tc.sock.init(tc)
	return tc
}

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// SetDeadline sets the read and write deadlines of the underlying connection.
func (c *Conn) SetDeadline(t time.Time) error { return c.conn.SetDeadline(t) }

// SetReadDeadline sets the read deadline of the underlying connection.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the write deadline of the underlying connection. A
// write that times out leaves the TLS state corrupt: later writes fail.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// NetConn returns the underlying connection. Writing to it directly
// corrupts the TLS session.
func (c *Conn) NetConn() net.Conn { return c.conn }

// readRecord has the core take one record, reading from the network until
// one is whole, and writes out whatever the core answered. Called with
// readMu held.
func (c *Conn) readRecord() error {
	_, err := c.readRecordInto(nil)
	return err
}

// readRecordInto is readRecord for a Read into b: a record of application
// data that fits is opened straight into b, and n says how much it holds.
func (c *Conn) readRecordInto(b []byte) (int, error) {
	for {
		c.mu.Lock()
		n, done, err := c.core.ProcessInto(b)
		pending := c.core.FlushNow(err)
		c.mu.Unlock()
		if pending {
			// Handshake answers, KeyUpdates, alerts: the write error,
			// if any, surfaces on the next write.
			c.flush()
		}
		if err != nil {
			return 0, c.ended(err)
		}
		if done {
			return n, nil
		}
		if err := c.fill(); err != nil {
			return 0, err
		}
	}
}

// fill reads what the network has into the core's input. A deadline that
// passes is not the end of the connection: the bytes read so far stay in
// the core and a later Read carries on, as net/http's keep-alive relies on.
// Any other error is final. Called with readMu held.
func (c *Conn) fill() error {
	if c.readErr != nil {
		return c.readErr
	}
	var n int
	var err error
	if c.sockOK {
		n, err = c.sock.read()
		if err == nil && n == 0 {
			err = io.EOF
		}
	} else {
		c.mu.Lock()
		buf := c.core.InputSpace()
		// Read may wait for the peer: the ciphers may go meanwhile.
		c.core.Rest()
		c.mu.Unlock()
		// Only this goroutine touches the input, so it reads into the
		// core's buffer without holding mu, and writers go on meanwhile.
		n, err = c.conn.Read(buf)
		c.mu.Lock()
		c.core.Received(n)
		c.mu.Unlock()
	}
	c.mu.Lock()
	partial := c.core.Partial()
	c.mu.Unlock()
	if err == nil || n > 0 {
		return nil
	}
	if isTimeout(err) {
		return err
	}
	if errors.Is(err, io.EOF) && partial {
		err = io.ErrUnexpectedEOF
	}
	c.readErr = err
	return err
}

// isTimeout reports whether err is a passed deadline, which leaves the
// connection readable later. The type assertion comes first because this
// is on a busy path: net/http interrupts its background read with a
// deadline after every request, and errors.As would allocate its target
// each time.
func isTimeout(err error) bool {
	if ne, ok := err.(net.Error); ok {
		return ne.Timeout()
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// ended turns the core's sticky error into the caller's, ending the
// connection after a fatal alert either way.
func (c *Conn) ended(err error) error {
	if errors.Is(err, io.EOF) {
		return io.EOF
	}
	c.shutdown()
	return publicError(err)
}

// publicError is the exported shape of an error from the core.
func publicError(err error) error {
	var ra *conn.RemoteAlert
	if errors.As(err, &ra) {
		return &Error{Alert: AlertError(ra.Desc), Remote: true}
	}
	var he *conn.HeaderError
	if errors.As(err, &he) {
		e := localError(he.Err)
		e.Err = RecordHeaderError{Msg: he.Err.Error(), RecordHeader: he.Header}
		return e
	}
	var ae *alert.Error
	if errors.As(err, &ae) {
		return localError(err)
	}
	return err
}

// shutdown ends the connection after a fatal alert: the write side closes,
// so the peer reads the alert and then end of stream, but the socket stays
// open for reading until Close. Closing it at once would make the kernel
// answer any data still in flight with a reset, which can destroy the
// alert before the peer reads it.
func (c *Conn) shutdown() {
	if cw, ok := c.conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.conn.Close()
}

// fail ends the connection with err's alert, from outside the core's own
// checks (VerifyConnection).
func (c *Conn) fail(err error) error {
	c.mu.Lock()
	err = c.core.Fail(err)
	c.mu.Unlock()
	c.flush()
	c.shutdown()
	return publicError(err)
}

// flush writes the core's output to the network.
func (c *Conn) flush() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.flushLocked()
}

// flushLocked is flush with writeMu held, which keeps the records of
// successive takes in order on the wire.
func (c *Conn) flushLocked() error {
	c.mu.Lock()
	out := c.core.TakeOutput()
	c.mu.Unlock()
	if len(out) == 0 {
		return c.writeErr
	}
	if c.writeErr == nil {
		if _, err := c.conn.Write(out); err != nil {
			c.writeErr = err
		}
	}
	c.mu.Lock()
	c.core.ReturnOutput(out)
	c.mu.Unlock()
	return c.writeErr
}
