package conn

import (
	"lucid/internal/alert"
	"lucid/internal/handshake"
	"lucid/internal/record"
)

// changeCipherSpecBody is the one byte a change_cipher_spec record holds
// (RFC 5246 §7.1), shared: a sealer only reads its payload, and a literal
// handed to one behind an interface would be allocated per handshake.
var changeCipherSpecBody = [1]byte{1}

// perform carries out an engine's actions in order; pending is how many
// received handshake bytes follow the message that produced them.
func (c *Core) perform(actions []handshake.Action, pending int) error {
	if c.out.err != nil {
		return c.out.err
	}
	for _, a := range actions {
		var err error
		switch a.Kind {
		case handshake.SendHandshake:
			err = c.sendHandshake(a.Data)
		case handshake.SendChangeCipherSpec:
			// Always under the protection in force, which for both
			// versions is none yet at this point of the handshake. RFC
			// 8446 §5.1 keeps 0x0301 for the first ClientHello alone: a
			// record that follows it in the same flight, as with 0-RTT
			// data, says 0x0303.
			c.plainAfterFirst()
			err = c.seal(record.TypeChangeCipherSpec, changeCipherSpecBody[:])
		case handshake.SetReadKey:
			err = c.setReadKey(a.Opener, a.Traffic, a.Level, a.KeyLen, pending)
		case handshake.SetWriteKey:
			c.out.sealer, c.out.traffic = a.Sealer, a.Traffic
			c.out.early = a.Level == handshake.LevelEarly
			c.out.epoch++
			c.emit(Event{Kind: KeyInstalled, Outbound: true, Level: a.Level, Epoch: int(c.out.epoch), KeyLen: a.KeyLen})
		case handshake.Flush:
			// Whatever is sealed leaves at the caller's next TakeOutput.
		case handshake.SendWarning:
			err = c.warn(a.Alert)
		case handshake.UpdateReadKey:
			err = c.updateReadKey(pending)
		case handshake.UpdateWriteKey:
			// RFC 8446 §4.6.3: many requests with no data in between
			// are answered by one update.
			if !c.out.closed && !c.out.answered {
				err = c.updateWriteKey(false)
				c.out.answered = true
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// setReadKey installs new incoming protection. RFC 8446 §5.1: a handshake
// message must not span a key change.
func (c *Core) setReadKey(o record.Opener, t handshake.Traffic, level handshake.Level, keyLen, pending int) error {
	if pending > 0 {
		return alert.New(alert.UnexpectedMessage, "handshake message spans a key change")
	}
	c.in.opener, c.in.traffic = o, t
	c.in.early = level == handshake.LevelEarly
	c.in.epoch++
	c.emit(Event{Kind: KeyInstalled, Level: level, Epoch: int(c.in.epoch), KeyLen: keyLen})
	return nil
}

// updateReadKey moves to the peer's next traffic key after its KeyUpdate
// (RFC 8446 §4.6.3), which must end its record, since the new key starts
// with the next one.
func (c *Core) updateReadKey(pending int) error {
	c.in.updates++
	if c.in.updates > maxKeyUpdatesIdle {
		return alert.New(alert.UnexpectedMessage, "too many KeyUpdates without application data")
	}
	if pending > 0 {
		return alert.New(alert.UnexpectedMessage, "KeyUpdate is not at the end of its record")
	}
	next := c.in.traffic.Next()
	p, err := next.Protection()
	if err != nil {
		return err
	}
	return c.setReadKey(p, next, handshake.LevelApplication, next.Suite.KeyLen, 0)
}

// warn sends a warning alert the engine asked for (a TLS 1.2 refusal of
// renegotiation), at most maxWarningAlerts between application data, and
// none after close_notify (RFC 5246 §7.2.1).
func (c *Core) warn(d alert.Description) error {
	c.in.warns++
	if c.in.warns > maxWarningAlerts {
		return alert.New(alert.UnexpectedMessage, "too many renegotiation attempts")
	}
	if c.out.closed {
		return nil
	}
	c.sealAlert(d)
	return nil
}
