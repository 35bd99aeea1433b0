package tls

import (
	"errors"
	"io"
	"net"
	"time"

	"lucid/internal/conn"
	"lucid/internal/record"
)

var past = time.Unix(1, 0)

// Read reads application data, running the handshake first if needed. It
// returns io.EOF once the peer has sent close_notify.
func (c *Conn) Read(b []byte) (int, error) {
	// The handshake runs even for an empty b: Read(nil) is a known way
	// to wait for it.
	err := c.Handshake()
	if err != nil || len(b) == 0 {
		return 0, err
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()
	for {
		c.mu.Lock()
		n := c.core.ReadApp(b)
		c.mu.Unlock()
		if n > 0 {
			return n, nil
		}
		n, err := c.readRecordInto(b)
		if err != nil {
			return 0, err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// WriteTo writes application data to w until the peer's close_notify,
// running the handshake first if needed, and reports how much it wrote.
// It implements io.WriterTo, so io.Copy from a Conn hands each record's
// data to w from where it was decrypted, without copying it through a
// buffer of its own. The end of the stream is a nil error, as io.Copy
// wants.
func (c *Conn) WriteTo(w io.Writer) (int64, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	c.readMu.Lock()
	defer c.readMu.Unlock()
	var total int64
	for {
		c.mu.Lock()
		data := c.core.PeekApp()
		c.mu.Unlock()
		if len(data) > 0 {
			// Only the goroutine holding readMu changes the input, so
			// data stays put without mu while w takes it.
			n, err := w.Write(data)
			if n < 0 || n > len(data) {
				n = 0
				if err == nil {
					err = errors.New("tls: invalid Write result")
				}
			}
			c.mu.Lock()
			c.core.Consume(n)
			c.mu.Unlock()
			total += int64(n)
			if err == nil && n < len(data) {
				err = io.ErrShortWrite
			}
			if err != nil {
				return total, err
			}
			continue
		}
		if err := c.readRecord(); err != nil {
			if errors.Is(err, io.EOF) {
				return total, nil
			}
			return total, err
		}
	}
}

// Write writes application data in records of at most 16 KiB, running the
// handshake first if needed.
//
// With Config.SendEarlyData, a client's first Write, before the
// handshake, sends b (as much as the resumed session allows) as 0-RTT
// data with the ClientHello, then completes the handshake and sends the
// rest. If the server rejected the early data, b is sent again whole
// after the handshake, or, with Config.ReportRejectedEarlyData, Write
// returns 0 and ErrEarlyDataRejected.
func (c *Conn) Write(b []byte) (int, error) {
	sent, err := c.handshakeForWrite(b)
	if err != nil {
		return 0, err
	}
	b = b[sent:]
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	if c.writeErr != nil {
		return sent, c.writeErr
	}
	written := sent
	for {
		c.mu.Lock()
		n, err := c.core.WriteApp(b)
		c.mu.Unlock()
		if err != nil {
			return written, publicError(err)
		}
		if n == 0 {
			return written, nil
		}
		if err := c.flushLocked(); err != nil {
			return written, err
		}
		written += n
		b = b[n:]
	}
}

// ReadFrom writes what it reads from r until r's end (io.EOF, reported
// as a nil error, as io.Copy wants) or an error, running the handshake
// first if needed, and reports how much it wrote. It implements
// io.ReaderFrom, so io.Copy into a Conn hands it large pieces rather than
// io.Copy's 32 KiB: while r fills what it is given, each r.Read takes up
// to a batch of full records (conn.WriteBatch), which are sealed together
// and leave in one write to the network, so a bulk stream costs few
// system calls per byte.
//
// It reads r once per piece and sends whatever that Read returned: it
// never waits for more to fill a batch, so a proxy copying a socket into
// a Conn adds no latency. A Read is offered one record's worth until r
// returns that much, and again after r returns less: a stream that
// trickles, such as a proxy's mostly idle connection, holds 16 KiB while
// it waits in r.Read, half of io.Copy's buffer, and only one whose last
// Read returned a record or more waits holding a batch (128 KiB). Each piece is written as
// Write writes it (locks, errors, and with Config.SendEarlyData a
// client's first piece goes as 0-RTT data), and writeMu is not held while
// r.Read blocks, so Close and other writers are not kept waiting on r.
// Pieces are read into pooled buffers, so a steady stream allocates
// nothing.
func (c *Conn) ReadFrom(r io.Reader) (int64, error) {
	if !c.isClient || !c.config.SendEarlyData {
		// Without early data the handshake need not wait for r's
		// first bytes; with it, the first Write carries them.
		if err := c.Handshake(); err != nil {
			return 0, err
		}
	}
	// The piece offered: a record's worth at first and after a Read of
	// less than a record, a batch once r returns a record or more.
	p := conn.GetGather(record.MaxPlaintext)
	total, err := c.readFrom(r, &p)
	conn.PutGather(p)
	return total, err
}

// readFrom is ReadFrom's loop; *p is the pooled piece, which it may swap
// for one of another size.
func (c *Conn) readFrom(r io.Reader, p **[]byte) (int64, error) {
	var total int64
	for {
		buf := **p
		n, rerr := r.Read(buf)
		if n < 0 || n > len(buf) {
			return total, errors.New("tls: invalid Read result")
		}
		if n > 0 {
			m, err := c.Write(buf[:n])
			total += int64(m)
			if err != nil {
				return total, err
			}
		}
		if rerr != nil {
			if rerr == io.EOF {
				return total, nil
			}
			return total, rerr
		}
		want := conn.WriteBatch
		if n < record.MaxPlaintext {
			want = record.MaxPlaintext
		}
		if want != len(buf) {
			conn.PutGather(*p)
			*p = conn.GetGather(want)
		}
	}
}

// UpdateKeys sends a KeyUpdate and moves to the next sending key; with
// requestPeer the peer is asked to update its sending key too. A Lucid
// addition: crypto/tls rotates keys only on its own schedule.
func (c *Conn) UpdateKeys(requestPeer bool) error {
	if err := c.Handshake(); err != nil {
		return err
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.mu.Lock()
	err := c.core.UpdateKeys(requestPeer)
	c.mu.Unlock()
	if err != nil {
		return publicError(err)
	}
	return c.flushLocked()
}

// CloseWrite sends close_notify and shuts down the write side of the
// underlying connection when it can, leaving the read side open: TLS 1.3
// permits half-close (RFC 8446 §6.1).
func (c *Conn) CloseWrite() error {
	if !c.handshakeDone.Load() {
		return errors.New("tls: CloseWrite before the handshake completed")
	}
	if err := c.closeNotify(); err != nil {
		return err
	}
	if cw, ok := c.conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

func (c *Conn) closeNotify() error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.mu.Lock()
	closed := c.core.Closed()
	err := c.core.CloseNotify()
	c.mu.Unlock()
	if err != nil || closed {
		return publicError(err)
	}
	// Do not let a stuck peer block Close forever.
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.flushLocked()
}

// Close sends close_notify if the handshake completed and closes the
// connection.
func (c *Conn) Close() error {
	var alertErr error
	if c.handshakeDone.Load() {
		alertErr = c.closeNotify()
	}
	err := c.conn.Close()
	if err != nil && !errors.Is(err, net.ErrClosed) {
		return err
	}
	if alertErr != nil && !errors.Is(alertErr, io.EOF) {
		var te *Error
		if errors.As(alertErr, &te) {
			return nil
		}
		return alertErr
	}
	return nil
}
