package https

import (
	"net"
	"os"
	"sync"
	"time"

	"lucid/tls"
	"lucid/trace"
)

// h1Conn is an HTTP/1.1 server connection. It keeps read deadlines to
// itself: a goroutine reads the TLS connection without a deadline and Read
// waits for that goroutine's data until the deadline. net/http's server
// interrupts its background read after every request by moving the read
// deadline to the past, and a lucid/tls Conn treats a timed-out read as
// fatal, so a deadline that reached it would end every kept-alive
// connection after its first request.
type h1Conn struct {
	*tls.Conn
	state  *tls.ConnectionState
	events *trace.Recorder // with Server.Inspect, the connection's events

	startOnce sync.Once
	chunks    chan chunk
	free      chan []byte
	done      chan struct{}
	closeOnce sync.Once

	readMu  sync.Mutex
	pending []byte // unread part of cur
	cur     []byte // the buffer pending lies in, returned to free when drained
	rerr    error  // the error that ended the pump, after pending

	dlMu      sync.Mutex
	deadline  time.Time
	dlChanged chan struct{}
}

type chunk struct {
	buf []byte
	n   int
	err error
}

func newH1Conn(tc *tls.Conn, cs *tls.ConnectionState) *h1Conn {
	c := &h1Conn{
		Conn:      tc,
		state:     cs,
		chunks:    make(chan chunk),
		free:      make(chan []byte, 2),
		done:      make(chan struct{}),
		dlChanged: make(chan struct{}),
	}
	c.free <- make([]byte, 16<<10)
	c.free <- make([]byte, 16<<10)
	return c
}

// pump reads the TLS connection until it fails or h1Conn is closed.
func (c *h1Conn) pump() {
	for {
		var buf []byte
		select {
		case buf = <-c.free:
		case <-c.done:
			return
		}
		n, err := c.Conn.Read(buf)
		select {
		case c.chunks <- chunk{buf, n, err}:
		case <-c.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// Read returns data the pump read, waiting no later than the read deadline.
func (c *h1Conn) Read(b []byte) (int, error) {
	c.readMu.Lock()
	defer c.readMu.Unlock()
	if len(b) == 0 {
		return 0, nil
	}
	if len(c.pending) == 0 && c.rerr == nil {
		if err := c.wait(); err != nil {
			return 0, err
		}
	}
	if len(c.pending) > 0 {
		n := copy(b, c.pending)
		c.pending = c.pending[n:]
		if len(c.pending) == 0 && c.cur != nil {
			c.free <- c.cur[:cap(c.cur)]
			c.cur = nil
		}
		return n, nil
	}
	return 0, c.rerr
}

// wait receives the next chunk from the pump; c.readMu is held.
func (c *h1Conn) wait() error {
	c.startOnce.Do(func() { go c.pump() })
	for {
		c.dlMu.Lock()
		dl, changed := c.deadline, c.dlChanged
		c.dlMu.Unlock()
		var timer *time.Timer
		var expired <-chan time.Time
		if !dl.IsZero() {
			d := time.Until(dl)
			if d <= 0 {
				return os.ErrDeadlineExceeded
			}
			timer = time.NewTimer(d)
			expired = timer.C
		}
		var err error
		again := false
		select {
		case ch := <-c.chunks:
			c.cur, c.pending, c.rerr = ch.buf, ch.buf[:ch.n], ch.err
			if ch.n == 0 {
				c.free <- ch.buf
				c.cur = nil
			}
		case <-expired:
			err = os.ErrDeadlineExceeded
		case <-changed:
			again = true
		case <-c.done:
			err = net.ErrClosed
		}
		if timer != nil {
			timer.Stop()
		}
		if !again {
			return err
		}
	}
}

// SetReadDeadline sets the deadline Read honours; the TLS connection
// underneath never sees it.
func (c *h1Conn) SetReadDeadline(t time.Time) error {
	c.dlMu.Lock()
	c.deadline = t
	close(c.dlChanged)
	c.dlChanged = make(chan struct{})
	c.dlMu.Unlock()
	return nil
}

// SetDeadline sets the read deadline here and the write deadline on the
// TLS connection.
func (c *h1Conn) SetDeadline(t time.Time) error {
	c.SetReadDeadline(t)
	return c.Conn.SetWriteDeadline(t)
}

// Close stops the pump and closes the TLS connection.
func (c *h1Conn) Close() error {
	c.closeOnce.Do(func() { close(c.done) })
	return c.Conn.Close()
}
