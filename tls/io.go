package tls

import (
	"errors"
	"io"
	"net"
	"time"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/keys"
	"lucid/internal/record"
	"lucid/internal/wire"
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
	c.in.Lock()
	defer c.in.Unlock()
	for len(c.in.data) == 0 {
		if err := c.readRecord(); err != nil {
			return 0, err
		}
	}
	n := copy(b, c.in.data)
	c.in.data = c.in.data[n:]
	return n, nil
}

// Write writes application data in records of at most 16 KiB, running the
// handshake first if needed.
func (c *Conn) Write(b []byte) (int, error) {
	if err := c.Handshake(); err != nil {
		return 0, err
	}
	c.out.Lock()
	defer c.out.Unlock()
	if c.out.err != nil {
		return 0, c.out.err
	}
	if c.out.closed {
		return 0, errors.New("tls: write after CloseWrite")
	}
	written := 0
	tls13 := c.result != nil && c.result.Version == VersionTLS13
	for len(b) > 0 {
		if c.out.sealer.Seq() >= keyUpdateAfter && !tls13 {
			// TLS 1.2 has no KeyUpdate: a connection this old closes
			// rather than push its key toward the AEAD limits.
			return written, errors.New("tls: too many records under one TLS 1.2 key; reconnect")
		}
		if c.out.sealer.Seq() >= keyUpdateAfter {
			if err := c.updateWriteKeyLocked(false); err != nil {
				return written, err
			}
		}
		// Bound the batch so a large Write does not buffer it all.
		n := min(len(b), 16*record.MaxPlaintext)
		if err := c.sealLocked(record.TypeApplicationData, b[:n]); err != nil {
			return written, err
		}
		c.out.answered = false
		if err := c.flushLocked(); err != nil {
			return written, err
		}
		written += n
		b = b[n:]
	}
	return written, nil
}

// postHandshake handles a handshake message after the handshake: KeyUpdate
// and, for clients, NewSessionTicket (RFC 8446 §4.6). Called with c.in locked.
func (c *Conn) postHandshake(msg []byte) error {
	body := msg[wire.HeaderLen:]
	if c.result != nil && c.result.Version == VersionTLS12 {
		return c.postHandshake12(msg)
	}
	switch msg[0] {
	case wire.TypeKeyUpdate:
		ku, err := wire.ParseKeyUpdate(body)
		if err != nil {
			return c.fatal(err)
		}
		if c.observer != nil {
			c.messageEvent(false, msg[0], len(msg), []Field{{"update_requested", ku.RequestUpdate}})
		}
		c.in.updates++
		if c.in.updates > maxKeyUpdatesIdle {
			return c.fatal(alert.New(alert.UnexpectedMessage, "too many KeyUpdates without application data"))
		}
		// RFC 8446 §4.6.3: the new key starts with the next record, so the
		// message must end its record.
		if len(c.in.hs) > len(msg) {
			return c.fatal(alert.New(alert.UnexpectedMessage, "KeyUpdate is not at the end of its record"))
		}
		s := c.in.suite
		if err := c.setReadKey(s, keys.NextTraffic(s.Hash, c.in.secret), 0); err != nil {
			return c.fatal(err)
		}
		c.in.epoch++
		if c.observer != nil {
			c.keyEvent(false, handshake.LevelApplication, c.in.epoch, s.KeyLen)
		}
		if ku.RequestUpdate {
			c.out.Lock()
			err := c.out.err
			if err == nil && !c.out.closed && !c.out.answered {
				err = c.updateWriteKeyLocked(false)
				c.out.answered = true
			}
			c.out.Unlock()
			if err != nil {
				return err
			}
		}
		return nil
	case wire.TypeNewSessionTicket:
		if !c.isClient {
			break
		}
		nst, err := wire.ParseNewSessionTicket(body)
		if err != nil {
			return c.fatal(err)
		}
		if c.observer != nil {
			c.messageEvent(false, msg[0], len(msg), describeMessage(nst))
		}
		cs, err := handshake.SessionFromTicket(c.result, nst, c.config.now(), c.config.ServerName)
		if err != nil {
			return c.fatal(err)
		}
		if cs != nil && c.onSession != nil {
			c.onSession(cs)
		}
		return nil
	}
	return c.fatal(alert.New(alert.UnexpectedMessage, "%s after the handshake", wire.MessageName(msg[0])))
}

// updateWriteKeyLocked sends KeyUpdate under the current key and switches
// to the next one (RFC 8446 §4.6.3). c.out must be locked.
func (c *Conn) updateWriteKeyLocked(requestPeer bool) error {
	ku := &wire.KeyUpdate{RequestUpdate: requestPeer}
	b := ku.Marshal()
	if c.observer != nil {
		c.messageEvent(true, wire.TypeKeyUpdate, len(b), []Field{{"update_requested", requestPeer}})
	}
	if err := c.sealLocked(record.TypeHandshake, b); err != nil {
		return err
	}
	s := c.out.suite
	if err := c.setWriteKeyLocked(s, keys.NextTraffic(s.Hash, c.out.secret)); err != nil {
		return err
	}
	c.out.epoch++
	if c.observer != nil {
		c.keyEvent(true, handshake.LevelApplication, c.out.epoch, s.KeyLen)
	}
	return c.flushLocked()
}

// UpdateKeys sends a KeyUpdate and moves to the next sending key; with
// requestPeer the peer is asked to update its sending key too. A Lucid
// addition: crypto/tls rotates keys only on its own schedule.
func (c *Conn) UpdateKeys(requestPeer bool) error {
	if err := c.Handshake(); err != nil {
		return err
	}
	if c.result == nil || c.result.Version != VersionTLS13 {
		return errors.New("tls: KeyUpdate needs TLS 1.3")
	}
	c.out.Lock()
	defer c.out.Unlock()
	if c.out.err != nil {
		return c.out.err
	}
	return c.updateWriteKeyLocked(requestPeer)
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
	c.out.Lock()
	defer c.out.Unlock()
	if c.out.err != nil || c.out.closed {
		return c.out.err
	}
	c.out.closed = true
	// Do not let a stuck peer block Close forever.
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.sendAlertLocked(alert.CloseNotify)
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

// postHandshake12 refuses renegotiation (RFC 5746 §4.2, §4.4): a client
// answers HelloRequest, and a server a new ClientHello, with a
// no_renegotiation warning and carries on. Anything else is unexpected.
func (c *Conn) postHandshake12(msg []byte) error {
	if (c.isClient && msg[0] == wire.TypeHelloRequest) || (!c.isClient && msg[0] == wire.TypeClientHello) {
		c.in.warns++
		if c.in.warns > maxWarningAlerts {
			return c.fatal(alert.New(alert.UnexpectedMessage, "too many renegotiation attempts"))
		}
		c.out.Lock()
		defer c.out.Unlock()
		if c.out.err != nil {
			return c.out.err
		}
		// RFC 5246 §7.2.1: after our close_notify nothing more is sent;
		// the request is simply not taken up.
		if c.out.closed {
			return nil
		}
		return c.sendAlertLocked(alert.NoRenegotiation)
	}
	return c.fatal(alert.New(alert.UnexpectedMessage, "%s after a TLS 1.2 handshake", wire.MessageName(msg[0])))
}
