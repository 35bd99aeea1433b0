package https

import (
	"io"
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

// h2Conn is the connection the HTTP/2 server (golang.org/x/net/http2)
// serves. Its Close ends the connection gracefully. Closing a socket with
// unread bytes from the client — the PINGs and WINDOW_UPDATEs it keeps
// sending while it reads the end of a response — makes the kernel send a
// TCP reset, and one that arrives after Close does too; the reset throws
// away response bytes still in flight. So Close sends close_notify and
// FIN after the last frame, reads until the client closes its side
// (bounded in time and bytes), and only then closes.
type h2Conn struct {
	*tls.Conn

	closeOnce sync.Once
	closeErr  error
}

func newH2Conn(tc *tls.Conn) *h2Conn {
	return &h2Conn{Conn: tc}
}

// Close ends the connection as the type's comment describes.
func (c *h2Conn) Close() error {
	c.closeOnce.Do(func() {
		c.linger()
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
