package https

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"lucid/tls"
)

// How an HTTP/2 connection that the server ends is closed: the last
// frames and close_notify get h2CloseWriteTime to go out; then what the
// client still sends is read and dropped, up to h2LingerBytes, until it
// closes its side or h2LingerTime passes.
const (
	h2CloseWriteTime = 5 * time.Second
	h2LingerTime     = 10 * time.Second
	h2LingerBytes    = 1 << 20
)

// errHeaderTimeout is what the HTTP/2 server reads, and logs, when a
// client left a header block open past the header timeout.
var errHeaderTimeout = errors.New("https: HTTP/2 header block not completed within the header timeout")

// h2Conn is the connection the HTTP/2 server (golang.org/x/net/http2)
// serves. It adds two things that package leaves to the connection:
//
//   - Header blocks are bound by the header timeout: from a HEADERS
//     frame's header to the end of its block, reads have a deadline, as
//     HTTP/1.1's ReadHeaderTimeout bounds reading a request's headers.
//   - Close ends the connection gracefully. Closing a socket with unread
//     bytes from the client — the PINGs and WINDOW_UPDATEs it keeps
//     sending while it reads the end of a response — makes the kernel
//     send a TCP reset, and one that arrives after Close does too; the
//     reset throws away response bytes still in flight. So Close sends
//     close_notify and FIN after the last frame, reads until the client
//     closes its side (bounded in time and bytes), and only then closes.
type h2Conn struct {
	*tls.Conn
	headerTimeout time.Duration // 0: header blocks are not bounded
	onTimeout     func()        // called when a header block times out

	blocks *headerBlocks // touched only by Read

	mu       sync.Mutex
	outer    time.Time // read deadline the HTTP/2 server asked for
	block    time.Time // deadline of the open header block, or zero
	closing  bool      // Close owns the read deadline
	timedOut bool      // a header block outlived its deadline

	closeOnce sync.Once
	closeErr  error
}

func newH2Conn(tc *tls.Conn, headerTimeout time.Duration, onTimeout func()) *h2Conn {
	return &h2Conn{Conn: tc, headerTimeout: headerTimeout, onTimeout: onTimeout, blocks: newHeaderBlocks()}
}

// Read reads from the TLS connection and follows the header blocks in
// what it read. The HTTP/2 server reads from one goroutine at a time.
func (c *h2Conn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if c.headerTimeout <= 0 {
		return n, err
	}
	wasOpen, before := c.blocks.open, c.blocks.started
	c.blocks.feed(b[:n])
	open, started := c.blocks.open, c.blocks.started
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil && open && !c.closing && isTimeout(err) && !c.block.IsZero() && !time.Now().Before(c.block) {
		// The HTTP/2 server logs read errors only in its verbose mode.
		if !c.timedOut && c.onTimeout != nil {
			c.onTimeout()
		}
		c.timedOut = true
		return n, fmt.Errorf("%w (%v): %w", errHeaderTimeout, c.headerTimeout, err)
	}
	switch {
	case open && started != before:
		c.block = time.Now().Add(c.headerTimeout)
	case wasOpen && !open:
		c.block = time.Time{}
	default:
		return n, err
	}
	c.applyLocked()
	return n, err
}

// SetReadDeadline records the HTTP/2 server's deadline; the earlier of it
// and an open header block's applies.
func (c *h2Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outer = t
	return c.applyLocked()
}

// SetDeadline sets the write deadline and records the read deadline as
// SetReadDeadline does.
func (c *h2Conn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.SetReadDeadline(t)
}

func (c *h2Conn) applyLocked() error {
	if c.closing {
		return nil
	}
	d := c.outer
	if !c.block.IsZero() && (d.IsZero() || c.block.Before(d)) {
		d = c.block
	}
	return c.Conn.SetReadDeadline(d)
}

// Close ends the connection as the type's comment describes. A client
// that let a header block time out is cut off without lingering.
func (c *h2Conn) Close() error {
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closing = true
		timedOut := c.timedOut
		c.mu.Unlock()
		if !timedOut {
			c.linger()
		}
		c.closeErr = c.Conn.Close()
	})
	return c.closeErr
}

func (c *h2Conn) linger() {
	// A frame write stuck on a client that stopped reading must not hold
	// close_notify back forever.
	c.Conn.SetWriteDeadline(time.Now().Add(h2CloseWriteTime))
	if err := c.Conn.CloseWrite(); err != nil {
		return
	}
	c.Conn.SetReadDeadline(time.Now().Add(h2LingerTime))
	// The HTTP/2 server's reading goroutine may still be in a Read; it
	// drains too, and leaves at its next frame.
	io.Copy(io.Discard, io.LimitReader(c.Conn, h2LingerBytes))
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
