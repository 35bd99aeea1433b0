package conn

import (
	"errors"

	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// TakeOutput hands out the records sealed so far, for the caller to write
// to the network in order; what is sealed after goes into another buffer.
// Give the slice back with ReturnOutput once it is written, so the buffer
// goes back to the pool and the steady state allocates nothing.
func (c *Core) TakeOutput() []byte {
	if c.out.buf == nil {
		return nil
	}
	out := *c.out.buf
	c.out.lent, c.out.buf = c.out.buf, nil
	if !c.out.flushed && len(out) > 0 {
		c.out.flushed = true
		// RFC 8446 §5.1: only the first ClientHello may say 0x0301; a
		// second one after HelloRetryRequest says 0x0303.
		c.plainAfterFirst()
	}
	return out
}

// ReturnOutput gives back the slice TakeOutput handed out last; the caller
// must not touch it after.
func (c *Core) ReturnOutput(b []byte) {
	if c.out.lent == nil {
		return
	}
	*c.out.lent = b
	putBuf(c.out.lent)
	c.out.lent = nil
}

// Pending reports whether sealed records wait to be taken.
func (c *Core) Pending() bool { return c.out.buf != nil && len(*c.out.buf) > 0 }

// FlushNow reports whether the records sealed so far should go to the
// network now, after a Process that returned err. While the handshake
// runs and the peer's next record is already here, they wait for that
// record's answer and leave with it in a single write: a TLS 1.3 client's
// change_cipher_spec, made at ServerHello, leaves with its Finished rather
// than in a segment of its own. An error, the end of the handshake, early
// data or a wait for more input sends them.
func (c *Core) FlushNow(err error) bool {
	return c.Pending() && (err != nil || c.HandshakeDone() || c.InEarlyData() || c.Need() > 0)
}

// WriteApp seals application data, at most a batch of it, and reports how
// much it took. In TLS 1.3 the key moves on before the record limit; TLS
// 1.2, which cannot, refuses to go on.
func (c *Core) WriteApp(b []byte) (int, error) {
	if !c.engine.Done() && !c.InEarlyData() {
		return 0, ErrNotDone
	}
	if c.out.err != nil {
		return 0, c.out.err
	}
	if c.out.closed {
		return 0, errors.New("tls: write after CloseWrite")
	}
	if len(b) == 0 {
		return 0, nil
	}
	if c.out.sealer.Seq() >= keyUpdateAfter {
		if c.engine.Version() != version.TLS13 {
			return 0, errors.New("tls: too many records under one TLS 1.2 key; reconnect")
		}
		if err := c.updateWriteKey(false); err != nil {
			return 0, err
		}
	}
	n := min(len(b), writeBatch)
	if err := c.seal(record.TypeApplicationData, b[:n]); err != nil {
		return 0, err
	}
	c.out.answered = false
	return n, nil
}

// UpdateKeys sends a KeyUpdate and moves to the next sending key; with
// request the peer is asked to move too (RFC 8446 §4.6.3).
func (c *Core) UpdateKeys(request bool) error {
	if !c.engine.Done() {
		return ErrNotDone
	}
	if c.engine.Version() != version.TLS13 {
		return errors.New("tls: KeyUpdate needs TLS 1.3")
	}
	if c.out.err != nil {
		return c.out.err
	}
	return c.updateWriteKey(request)
}

// CloseNotify seals close_notify, after which nothing more is written.
func (c *Core) CloseNotify() error {
	if c.out.err != nil || c.out.closed {
		return c.out.err
	}
	c.out.closed = true
	c.sealAlert(alert.CloseNotify)
	return nil
}

// Closed reports whether close_notify has been sealed.
func (c *Core) Closed() bool { return c.out.closed }

// updateWriteKey sends a KeyUpdate under the current key and switches to
// the next one (RFC 8446 §4.6.3).
func (c *Core) updateWriteKey(request bool) error {
	ku := &wire.KeyUpdate{RequestUpdate: request}
	b := ku.Marshal()
	c.emit(Event{Kind: MessageSent, Length: len(b), Message: ku})
	if err := c.sendHandshake(b); err != nil {
		return err
	}
	next := c.out.traffic.Next()
	p, err := next.Protection()
	if err != nil {
		return err
	}
	c.out.sealer, c.out.traffic = p, next
	c.out.epoch++
	c.emit(Event{Kind: KeyInstalled, Outbound: true, Level: handshake.LevelApplication, Epoch: int(c.out.epoch), KeyLen: next.Suite.KeyLen})
	return nil
}

// sealAlert seals an alert under the current protection: close_notify,
// user_canceled and no_renegotiation as warnings, everything else fatal.
// A failure to seal leaves nothing to send, which is all that can be done.
func (c *Core) sealAlert(d alert.Description) {
	level := byte(2)
	if d == alert.CloseNotify || d == alert.UserCanceled || d == alert.NoRenegotiation {
		level = 1
	}
	c.emit(Event{Kind: AlertSent, Alert: d, Outbound: true})
	c.seal(record.TypeAlert, []byte{level, byte(d)})
}

// seal protects payload as records of at most MaxPlaintext bytes, fewer
// when MaxFragment or the peer's record_size_limit asks (recordsize.go).
func (c *Core) seal(typ uint8, payload []byte) error {
	if err := wake(c.out.sealer, c.out.traffic); err != nil {
		return err
	}
	_, aead13 := c.out.sealer.(*record.AEAD13)
	limit, inner := c.sendLimits(aead13)
	perRecord := record.HeaderLen + c.out.sealer.Overhead()
	if aead13 {
		perRecord += int(c.padding)
	}
	c.reserve(len(payload) + max(1, (len(payload)+limit-1)/limit)*perRecord)
	for first := true; first || len(payload) > 0; first = false {
		n := min(len(payload), limit)
		pad := 0
		if p := int(c.padding); p > 0 && aead13 {
			pad = (p - (n+1)%p) % p
			pad = min(pad, inner-1-n)
		}
		c.emit(Event{Kind: RecordSent, ContentType: typ, Seq: c.out.sealer.Seq(), Length: n, Epoch: int(c.out.epoch), Outbound: true})
		var err error
		*c.out.buf, err = c.out.sealer.Seal(*c.out.buf, typ, payload[:n], pad)
		if err != nil {
			return err
		}
		payload = payload[n:]
	}
	return nil
}

// reserve makes room for n more bytes of sealed records, so that sealing
// writes into a pooled buffer rather than growing one.
func (c *Core) reserve(n int) {
	if c.out.buf == nil {
		c.out.buf = getBuf(n)
		return
	}
	cur := *c.out.buf
	if cap(cur)-len(cur) >= n {
		return
	}
	grown := getBuf(len(cur) + n)
	*grown = append(*grown, cur...)
	putBuf(c.out.buf)
	c.out.buf = grown
}

// SealRecord seals payload as a record of type typ under the current
// protection, whatever the protocol would say of it: for tests and
// demonstrations that need a record no protocol step sends.
func (c *Core) SealRecord(typ uint8, payload []byte) error {
	return c.seal(typ, payload)
}

// WriteTraffic is the TLS 1.3 traffic secret of the write protection in
// force, zero before there is one or in TLS 1.2: for tests that forge
// records under this side's key.
func (c *Core) WriteTraffic() handshake.Traffic { return c.out.traffic }
